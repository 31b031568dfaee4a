//! `hocba`: the one program. `hocba serve` runs the web application,
//! `hocba migrate` prepares a database, `hocba demo` loads and serves the
//! demo data set, `hocba evaluate` is the assessment calculator, and
//! `hocba bench NAME` runs a benchmark.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use hocba_storage::Store;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "hocba",
    version,
    about = "Học bạ số và hồ sơ nhà trường: the academic records of Vietnamese schools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Database {
    /// sqlite://FILE or postgres://… (default: SQLite in --data-dir).
    #[arg(long, env = "HOCBA_DATABASE_URL")]
    database_url: Option<String>,
    /// Where the embedded SQLite database and demo files live.
    #[arg(long, env = "HOCBA_DATA_DIR", default_value = "./hocba-data")]
    data_dir: PathBuf,
}

impl Database {
    fn url(&self) -> anyhow::Result<String> {
        match &self.database_url {
            Some(url) => Ok(url.clone()),
            None => {
                std::fs::create_dir_all(&self.data_dir).with_context(|| {
                    format!(
                        "cannot create the data directory {}",
                        self.data_dir.display()
                    )
                })?;
                Ok(format!(
                    "sqlite://{}?mode=rwc",
                    self.data_dir.join("hocba.sqlite3").display()
                ))
            }
        }
    }

    async fn open(&self) -> anyhow::Result<Store> {
        let store = Store::connect(&self.url()?).await?;
        store.migrate().await?;
        Ok(store)
    }
}

#[derive(Args)]
struct Serve {
    #[command(flatten)]
    database: Database,
    #[arg(long, env = "HOCBA_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Mark cookies Secure (serve behind TLS).
    #[arg(long, env = "HOCBA_SECURE_COOKIES")]
    secure_cookies: bool,
    /// A remote signing provider (CSC API root URL) the server may call;
    /// repeat for several. Users can only register remote signing accounts
    /// with these providers.
    #[arg(
        long = "signing-provider",
        env = "HOCBA_SIGNING_PROVIDERS",
        value_delimiter = ','
    )]
    signing_providers: Vec<String>,
}

#[derive(Subcommand)]
enum PkiCommand {
    /// Generate the demo PKI into DIR.
    Demo {
        dir: PathBuf,
        /// Password of the PKCS#12 key files.
        #[arg(long, default_value = "hocba-demo")]
        password: String,
    },
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and the API.
    Serve(Serve),
    /// Apply the database migrations and exit.
    Migrate(Database),
    /// Load the demo data set into an empty database, print the demo accounts, and serve.
    Demo(Serve),
    /// Read one JSON document on standard input and print the assessment result (docs/assessment.md).
    Evaluate,
    /// Write the test PKI (certificates, PKCS#12 keys, CRL, trust list) to a directory.
    Pki {
        #[command(subcommand)]
        command: PkiCommand,
    },
    /// Add one signature to an XML data file or a PDF.
    Sign {
        /// pkcs12:FILE | pkcs11:token=LABEL;id=HEX?module-path=MODULE | csc:URL
        #[arg(long)]
        signer: String,
        /// Password of a PKCS#12 key file.
        #[arg(long, env = "HOCBA_SIGNING_PASSWORD")]
        password: Option<String>,
        /// PIN of a token (or of a remote credential).
        #[arg(long, env = "HOCBA_SIGNING_PIN")]
        pin: Option<String>,
        /// Access token of the remote signing service.
        #[arg(long, env = "HOCBA_CSC_TOKEN")]
        access_token: Option<String>,
        /// Credential id at the remote signing service (default: the first).
        #[arg(long)]
        credential: Option<String>,
        /// PEM file of the issuing CA, to complete a token certificate's chain.
        #[arg(long)]
        issuers: Option<PathBuf>,
        /// The signer's role, e.g. "Giáo viên chủ nhiệm".
        #[arg(long)]
        role: Option<String>,
        /// Place of signing (PDF).
        #[arg(long)]
        location: Option<String>,
        input: PathBuf,
        output: PathBuf,
    },
    /// Check every signature of an XML or PDF file against a trust list; exit 1 if any is not valid.
    Verify {
        file: PathBuf,
        /// Directory with trust-list.pem (trusted roots) and *.crl files.
        #[arg(long)]
        trust: PathBuf,
    },
    /// Run a benchmark and print one line per figure: import, assessment, signing, cells, summary, sync.
    Bench {
        name: String,
        /// Also measure on this PostgreSQL database (or HOCBA_BENCH_POSTGRES_URL).
        #[arg(long, env = "HOCBA_BENCH_POSTGRES_URL")]
        postgres_url: Option<String>,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Evaluate => return evaluate(),
        Command::Pki {
            command: PkiCommand::Demo { dir, password },
        } => {
            return report(hocba::signing::pki_demo(&dir, &password));
        }
        Command::Sign {
            signer,
            password,
            pin,
            access_token,
            credential,
            issuers,
            role,
            location,
            input,
            output,
        } => {
            let spec = hocba::signing::SignerSpec {
                spec: &signer,
                password: password.as_deref(),
                pin: pin.as_deref(),
                access_token: access_token.as_deref(),
                credential: credential.as_deref(),
                issuers: issuers.as_deref(),
            };
            let options = hocba_signing::SignOptions {
                signing_time: None,
                role,
                location,
            };
            return report(hocba::signing::open_signer(&spec).and_then(|signer| {
                hocba::signing::sign(signer.as_ref(), &input, &output, &options)
            }));
        }
        Command::Verify { file, trust } => {
            return match hocba::signing::trust_list(&trust)
                .and_then(|trust| hocba::signing::verify(&file, &trust))
            {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(error) => {
                    eprintln!("hocba verify: {error:#}");
                    ExitCode::from(2)
                }
            };
        }
        _ => {}
    }
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hocba: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hocba: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn evaluate() -> ExitCode {
    let mut input = String::new();
    if let Err(error) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("hocba evaluate: cannot read standard input: {error}");
        return ExitCode::from(2);
    }
    match hocba_assessment::evaluate_json(&input) {
        Ok(result) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&result).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("hocba evaluate: {error}");
            ExitCode::from(2)
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(serve) => {
            let store = serve.database.open().await?;
            hocba::server::serve(
                store,
                &serve.listen,
                serve.secure_cookies,
                serve.signing_providers,
            )
            .await
        }
        Command::Migrate(database) => {
            database.open().await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Demo(serve) => {
            let store = serve.database.open().await?;
            let accounts_file = serve.database.data_dir.join("demo-accounts.json");
            if store.is_empty().await? {
                eprintln!("loading the demo data set…");
                let logins = hocba::demo::load(&store, &hocba_demo::demo_data_set()).await?;
                std::fs::create_dir_all(&serve.database.data_dir)?;
                std::fs::write(&accounts_file, serde_json::to_string_pretty(&logins)?)?;
            } else {
                eprintln!("the database already holds data: the demo data set is not loaded again");
            }
            match std::fs::read_to_string(&accounts_file) {
                Ok(text) => {
                    let logins: Vec<serde_json::Value> = serde_json::from_str(&text)?;
                    println!("Demo accounts (also in {}):", accounts_file.display());
                    for login in &logins {
                        println!(
                            "  {:<22} {:<24} {:<36} {}",
                            login["username"].as_str().unwrap_or_default(),
                            login["password"].as_str().unwrap_or_default(),
                            login["roles"]
                                .as_array()
                                .map(|r| r
                                    .iter()
                                    .filter_map(|v| v.as_str())
                                    .collect::<Vec<_>>()
                                    .join(","))
                                .unwrap_or_default(),
                            login["unit"].as_str().unwrap_or_default()
                        );
                    }
                }
                Err(_) => eprintln!(
                    "(no {} found: the accounts were created by an earlier run elsewhere)",
                    accounts_file.display()
                ),
            }
            println!("Open http://{}/", serve.listen);
            hocba::server::serve(
                store,
                &serve.listen,
                serve.secure_cookies,
                serve.signing_providers,
            )
            .await
        }
        Command::Evaluate | Command::Pki { .. } | Command::Sign { .. } | Command::Verify { .. } => {
            unreachable!("handled before the runtime starts")
        }
        Command::Bench {
            name,
            postgres_url,
            runs,
        } => {
            let runs = runs.max(1);
            match name.as_str() {
                "import" => {
                    let dir =
                        std::env::temp_dir().join(format!("hocba-bench-{}", std::process::id()));
                    std::fs::create_dir_all(&dir)?;
                    let mut engines = vec![(
                        "SQLite".to_owned(),
                        format!("sqlite://{}?mode=rwc", dir.join("bench.sqlite3").display()),
                    )];
                    if let Some(url) = postgres_url {
                        engines.push(("PostgreSQL".to_owned(), url));
                    } else {
                        eprintln!(
                            "(PostgreSQL not measured: pass --postgres-url or HOCBA_BENCH_POSTGRES_URL)"
                        );
                    }
                    let result = hocba::bench::import(&engines, runs).await;
                    let _ = std::fs::remove_dir_all(&dir);
                    result
                }
                "assessment" => hocba::bench::assessment(runs),
                "signing" => hocba::bench::signing(runs),
                "cells" => {
                    let dir = std::env::temp_dir()
                        .join(format!("hocba-bench-cells-{}", std::process::id()));
                    std::fs::create_dir_all(&dir)?;
                    let sqlite =
                        format!("sqlite://{}?mode=rwc", dir.join("cells.sqlite3").display());
                    let mut result = hocba::grid_bench::cells("SQLite", &sqlite).await;
                    if result.is_ok() {
                        match postgres_url {
                            Some(url) => {
                                result = hocba::grid_bench::cells("PostgreSQL", &url).await
                            }
                            None => eprintln!(
                                "(PostgreSQL not measured: pass --postgres-url or HOCBA_BENCH_POSTGRES_URL)"
                            ),
                        }
                    }
                    let _ = std::fs::remove_dir_all(&dir);
                    result
                }
                "summary" => {
                    let dir = std::env::temp_dir()
                        .join(format!("hocba-bench-summary-{}", std::process::id()));
                    std::fs::create_dir_all(&dir)?;
                    let mut engines = vec![(
                        "SQLite".to_owned(),
                        format!(
                            "sqlite://{}?mode=rwc",
                            dir.join("summary.sqlite3").display()
                        ),
                    )];
                    match postgres_url {
                        Some(url) => engines.push(("PostgreSQL".to_owned(), url)),
                        None => eprintln!(
                            "(PostgreSQL not measured: pass --postgres-url or HOCBA_BENCH_POSTGRES_URL)"
                        ),
                    }
                    let result = hocba::bench::summary(&engines, runs).await;
                    let _ = std::fs::remove_dir_all(&dir);
                    result
                }
                "sync" => {
                    let dir = std::env::temp_dir()
                        .join(format!("hocba-bench-sync-{}", std::process::id()));
                    std::fs::create_dir_all(&dir)?;
                    let mut engines = vec![(
                        "SQLite".to_owned(),
                        format!("sqlite://{}?mode=rwc", dir.join("sync.sqlite3").display()),
                    )];
                    match postgres_url {
                        Some(url) => engines.push(("PostgreSQL".to_owned(), url)),
                        None => eprintln!(
                            "(PostgreSQL not measured: pass --postgres-url or HOCBA_BENCH_POSTGRES_URL)"
                        ),
                    }
                    let result = hocba::exam_bench::sync(&engines, runs).await;
                    let _ = std::fs::remove_dir_all(&dir);
                    result
                }
                other => anyhow::bail!(
                    "unknown benchmark “{other}”; choose one of: {}",
                    hocba::bench::NAMES.join(", ")
                ),
            }
        }
    }
}
