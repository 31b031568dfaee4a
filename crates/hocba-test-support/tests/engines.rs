//! The databases handed out work the way storage code will use them, on every
//! engine configured (run through `scripts/test` to include PostgreSQL).

use hocba_test_support::{
    Engine, KEEP_DATABASES_VAR, POSTGRES_URL_VAR, TestDatabase, engines, postgres_cluster_url,
    test_databases,
};
use sqlx::AnyPool;

const NAME: &str = "Nguyễn Thị Hương";

async fn create_table(pool: &AnyPool) {
    sqlx::query("CREATE TABLE t(id BIGINT PRIMARY KEY, name TEXT)")
        .execute(pool)
        .await
        .unwrap();
}

async fn rows(pool: &AnyPool) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT id, name FROM t ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn insert(pool: &AnyPool, id: i64, name: &str) {
    sqlx::query("INSERT INTO t(id, name) VALUES ($1, $2)")
        .bind(id)
        .bind(name)
        .execute(pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn engines_match_the_environment() {
    let expected = if std::env::var(POSTGRES_URL_VAR).is_ok_and(|v| !v.trim().is_empty()) {
        vec![Engine::Sqlite, Engine::Postgres]
    } else {
        vec![Engine::Sqlite]
    };
    let dbs = test_databases().await;
    let got: Vec<Engine> = dbs.iter().map(|db| db.engine).collect();
    assert_eq!(got, expected);
    assert_eq!(engines(), expected);
    for db in &dbs {
        let scheme = match db.engine {
            Engine::Sqlite => "sqlite://",
            Engine::Postgres => "postgres",
        };
        assert!(db.url.starts_with(scheme), "[{}] {}", db.engine, db.url);
        eprintln!("engine tested: {} at {}", db.engine, db.url);
    }
}

#[tokio::test]
async fn fresh_database_is_empty_and_round_trips_vietnamese() {
    for db in test_databases().await {
        let pool = db.pool().await;
        // Empty: no table of ours is there yet.
        assert!(
            sqlx::query("SELECT id FROM t")
                .fetch_all(&pool)
                .await
                .is_err(),
            "[{}] table t exists in a fresh database",
            db.engine
        );
        create_table(&pool).await;
        insert(&pool, 1, NAME).await;
        let got = rows(&pool).await;
        assert_eq!(got, vec![(1, NAME.to_owned())], "[{}]", db.engine);
        assert_eq!(got[0].1.as_bytes(), NAME.as_bytes(), "[{}]", db.engine);

        // Bound as a parameter too, so the text is compared by the database.
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM t WHERE name = $1")
            .bind(NAME)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(n, 1, "[{}]", db.engine);
        pool.close().await;
        eprintln!("round trip ok on {}", db.engine);
    }
}

#[tokio::test]
async fn databases_of_one_engine_are_isolated() {
    let mut pairs = vec![(TestDatabase::sqlite(), TestDatabase::sqlite())];
    if let Some(url) = postgres_cluster_url() {
        pairs.push((
            TestDatabase::postgres(&url).await,
            TestDatabase::postgres(&url).await,
        ));
    }
    for (a, b) in &pairs {
        assert_eq!(a.engine, b.engine);
        assert_ne!(a.url, b.url);
        let (pa, pb) = (a.pool().await, b.pool().await);
        create_table(&pa).await;
        // The table made in `a` is not visible in `b`.
        assert!(
            sqlx::query("SELECT id FROM t")
                .fetch_all(&pb)
                .await
                .is_err(),
            "[{}] table leaked between databases",
            a.engine
        );
        create_table(&pb).await;
        insert(&pa, 1, NAME).await;
        insert(&pb, 2, "Trần Văn Đức").await;
        assert_eq!(
            rows(&pa).await,
            vec![(1, NAME.to_owned())],
            "[{}]",
            a.engine
        );
        assert_eq!(
            rows(&pb).await,
            vec![(2, "Trần Văn Đức".to_owned())],
            "[{}]",
            a.engine
        );
        pa.close().await;
        pb.close().await;
        eprintln!("isolation ok on {}", a.engine);
    }
}

#[tokio::test]
async fn postgres_database_is_dropped_with_its_test_database() {
    let Some(url) = postgres_cluster_url() else {
        return; // nothing to check on SQLite only
    };
    if std::env::var(KEEP_DATABASES_VAR).is_ok_and(|v| v == "1") {
        return;
    }
    let admin = TestDatabase::postgres(&url).await; // any database on the cluster
    let admin_pool = admin.pool().await;
    let db = TestDatabase::postgres(&url).await;
    let name = db.postgres_name().unwrap().to_owned();
    // A connection left open must not stop the drop.
    let pool = db.pool().await;
    sqlx::query("SELECT 1").execute(&pool).await.unwrap();

    let count = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
            .bind(&name)
            .fetch_one(&admin_pool)
            .await
            .unwrap();
        n
    };
    assert_eq!(count().await, 1);
    drop(db);
    assert_eq!(count().await, 0, "database {name} was not dropped");
    drop(pool);
    admin_pool.close().await;
}
