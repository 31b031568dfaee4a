# shellcheck shell=bash
# Shared by scripts/test and scripts/bench: find the PostgreSQL server
# binaries and start a throwaway cluster (as the `postgres` user when run as
# root, because initdb refuses root), stopped and deleted on exit.
#
# Usage (after `source`, with a `log` function defined):
#   bindir=$(find_bindir); start_throwaway_postgres "$bindir" on|off
# sets PG_URL (postgres://postgres@127.0.0.1:PORT/postgres) and PG_VERSION.
# FSYNC is `off` for tests (speed) and `on` for benchmarks (honest figures).

# --- Find the PostgreSQL server binaries -----------------------------------
find_bindir() {
    if [[ -n "${HOCBA_PG_BINDIR:-}" ]]; then
        [[ -x "$HOCBA_PG_BINDIR/initdb" && -x "$HOCBA_PG_BINDIR/pg_ctl" ]] && echo "$HOCBA_PG_BINDIR"
        return 0
    fi
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir 2>/dev/null || true)
        if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return 0
        fi
    fi
    # Newest major version first.
    for dir in $(printf "%s\n" /usr/lib/postgresql/*/bin | sort -t/ -k5,5 -rn); do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 0
}

start_throwaway_postgres() {
    # Global: the exit trap needs it after this function has returned.
    PG_BINDIR=$1
    local fsync=$2
    # initdb refuses to run as root: as root, run the server as `postgres`.
    as_pg=()
    if [[ $(id -u) -eq 0 ]]; then
        if ! id postgres >/dev/null 2>&1; then
            log "ERROR: running as root but there is no 'postgres' user to run the cluster as"
            exit 1
        fi
        as_pg=(runuser -u postgres --)
    fi

    tmp=$(mktemp -d "${HOCBA_PG_TMPDIR:-/tmp}/hocba-pg.XXXXXX")
    started=0
    cleanup() {
        if ((started)); then
            (cd / && "${as_pg[@]}" "$PG_BINDIR/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1) ||
                log "warning: could not stop the PostgreSQL cluster in $tmp"
        fi
        rm -rf "$tmp"
    }
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if ((${#as_pg[@]})); then chown postgres: "$tmp"; fi
    chmod 700 "$tmp"

    pg() { (cd / && "${as_pg[@]}" "$@"); }

    if ! pg "$PG_BINDIR/initdb" -D "$tmp/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 \
        >"$tmp/initdb.log" 2>&1; then
        cat "$tmp/initdb.log" >&2
        log "ERROR: initdb failed"
        exit 1
    fi

    port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

    port=""
    for _ in $(seq 1 20); do
        candidate=$((20000 + RANDOM % 40000))
        port_in_use "$candidate" && continue
        if pg "$PG_BINDIR/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 start \
            -o "-p $candidate -k $tmp -c listen_addresses=127.0.0.1 -c fsync=$fsync -c max_connections=300" \
            >/dev/null 2>&1; then
            port=$candidate
            started=1
            break
        fi
        log "PostgreSQL did not start on port $candidate; trying another"
    done
    if [[ -z "$port" ]]; then
        cat "$tmp/server.log" >&2 2>/dev/null || true
        log "ERROR: could not start a throwaway PostgreSQL cluster"
        exit 1
    fi


    PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
    PG_VERSION=$("$PG_BINDIR/postgres" --version | awk '{print $3}')
}
