//! `hocba bench cells`: saving one grade cell under 200 concurrent clients,
//! through the real HTTP application on loopback (quality.md: p99 under
//! 10 ms). Each client saves its own cell of the demo's gradebooks again and
//! again, carrying the version the previous save returned, in two loads:
//! - `paced`: 200 teachers each saving about once a second (a person types a
//!   score and moves on), which is the load the bar describes;
//! - `saturated`: 200 clients saving back to back with no pause, which
//!   measures the server's ceiling (by Little's law its latency is
//!   200 ÷ throughput, whatever the engine).

use anyhow::Context;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const CLIENTS: usize = 200;
/// (name, saves per client, pause between a client's saves)
const LOADS: [(&str, usize, Option<Duration>); 2] = [
    ("paced", 10, Some(Duration::from_millis(1000))),
    ("saturated", 25, None),
];
const TEACHER: &str = "thpt.gvbm";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

async fn get(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    path: &str,
) -> anyhow::Result<Value> {
    let response = client
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await?;
    anyhow::ensure!(
        response.status().is_success(),
        "GET {path}: {}",
        response.status()
    );
    Ok(response.json().await?)
}

async fn login(
    client: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> anyhow::Result<String> {
    let answer: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await?
        .json()
        .await?;
    answer["token"]
        .as_str()
        .map(str::to_owned)
        .context("login answered no token")
}

/// One engine: a fresh database at `url`, the demo loaded, the server on a loopback port.
pub async fn cells(engine: &str, url: &str) -> anyhow::Result<()> {
    let store = hocba_storage::Store::connect(url).await?;
    store.migrate().await?;
    let logins = crate::demo::load(&store, &hocba_demo::demo_data_set()).await?;
    let address = crate::server::spawn(store).await?;
    let base = format!("http://{address}");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()?;
    let password = |name: &str| {
        logins
            .iter()
            .find(|l| l.username == name)
            .map(|l| l.password.clone())
    };
    let admin = login(
        &client,
        &base,
        "thpt.admin",
        &password("thpt.admin").context("no admin")?,
    )
    .await?;
    let teacher = login(
        &client,
        &base,
        TEACHER,
        &password(TEACHER).context("no teacher")?,
    )
    .await?;
    let school = logins
        .iter()
        .find(|l| l.username == TEACHER)
        .map(|l| l.unit_id)
        .context("no school")?;
    let api = format!("/api/v1/schools/{school}");

    // The teacher's gradebooks in the open semester, and a cell per client.
    let me: Value = get(&client, &base, &teacher, "/api/v1/me").await?;
    let windows = get(&client, &base, &admin, &format!("{api}/entry-windows")).await?;
    let semester = windows["windows"]
        .as_array()
        .and_then(|w| w.iter().find(|w| w["state"] == "open"))
        .and_then(|w| w["semester"].as_i64())
        .context("the demo opens no entry window")?;
    let accounts = get(&client, &base, &admin, &format!("{api}/accounts")).await?;
    let staff = accounts
        .as_array()
        .and_then(|a| a.iter().find(|a| a["id"] == me["id"]))
        .and_then(|a| a["staff_id"].as_i64())
        .context("the teacher has no staff record")?;
    let assignments = get(&client, &base, &admin, &format!("{api}/assignments")).await?;
    let mut cells = Vec::new();
    for assignment in assignments["teaching"].as_array().into_iter().flatten() {
        if assignment["staff_id"] != staff || assignment["semester"] != semester {
            continue;
        }
        let book = format!(
            "{api}/gradebook/{}/{}/{semester}",
            assignment["class_id"], assignment["subject_id"]
        );
        let grid = get(&client, &base, &teacher, &book).await?;
        if grid["may_edit"] != true {
            continue;
        }
        // Commented subjects take Đ/CĐ, scored ones a score (TT22 Điều 5).
        let values = if grid["subject"]["mode"] == "commented" {
            ["Đ", "CĐ"]
        } else {
            ["7,5", "8"]
        };
        let columns: Vec<String> = grid["columns"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["locked"] != true)
            .filter_map(|c| c["key"].as_str().map(str::to_owned))
            .collect();
        for student in grid["students"].as_array().into_iter().flatten() {
            for column in &columns {
                let version = student["cells"][column]["version"].as_i64();
                cells.push((
                    book.clone(),
                    student["id"].clone(),
                    column.clone(),
                    version,
                    values,
                ));
            }
        }
    }
    anyhow::ensure!(
        cells.len() >= CLIENTS,
        "only {} editable cells for {CLIENTS} clients",
        cells.len()
    );
    // Spread the clients over every gradebook rather than filling one.
    let step = cells.len() / CLIENTS;
    let mut chosen: Vec<Cell> = cells.into_iter().step_by(step).take(CLIENTS).collect();

    for (load, saves_per_client, pause) in LOADS {
        run_load(
            &client,
            &base,
            &teacher,
            &mut chosen,
            engine,
            load,
            saves_per_client,
            pause,
        )
        .await?;
    }
    Ok(())
}

type Cell = (String, Value, String, Option<i64>, [&'static str; 2]);

#[allow(clippy::too_many_arguments)]
async fn run_load(
    client: &reqwest::Client,
    base: &str,
    teacher: &str,
    chosen: &mut [Cell],
    engine: &str,
    load: &str,
    saves_per_client: usize,
    pause: Option<Duration>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (index, (book, student, column, version, values)) in chosen.iter().cloned().enumerate() {
        let (client, base, token) = (client.clone(), base.to_owned(), teacher.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut version = version;
            let mut latencies = Vec::with_capacity(saves_per_client);
            let mut failures = Vec::new();
            // Spread the clients' first saves over the pause, as people start at different moments.
            if let Some(pause) = pause {
                tokio::time::sleep(pause.mul_f64(index as f64 / CLIENTS as f64)).await;
            }
            for save in 0..saves_per_client {
                if let (Some(pause), true) = (pause, save > 0) {
                    // ±20 % around the pause, deterministic per client and save.
                    let jitter = 0.8 + 0.4 * (((index * 7 + save * 13) % 100) as f64 / 100.0);
                    tokio::time::sleep(pause.mul_f64(jitter)).await;
                }
                let value = values[save % 2];
                let body = json!({"student_id": student, "column": column, "value": value, "version": version});
                let sent = Instant::now();
                let response = client.put(format!("{base}{book}/cells")).bearer_auth(&token).json(&body).send().await;
                match response {
                    Ok(response) if response.status().is_success() => {
                        let answer: Value = response.json().await.unwrap_or_default();
                        latencies.push(sent.elapsed());
                        version = answer["version"].as_i64();
                    }
                    Ok(response) => {
                        let status = response.status();
                        let text = response.text().await.unwrap_or_default();
                        failures.push(format!("{status} {}", text.chars().take(160).collect::<String>()));
                    }
                    Err(error) => failures.push(error.to_string()),
                }
            }
            (latencies, failures, version)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = Vec::new();
    for (cell, task) in chosen.iter_mut().zip(tasks) {
        let (mut mine, mut failed, version) = task.await?;
        latencies.append(&mut mine);
        failures.append(&mut failed);
        // The next load goes on from the version this one left.
        cell.3 = version;
    }
    if let Some(first) = failures.first() {
        eprintln!("{} saves failed; the first: {first}", failures.len());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    anyhow::ensure!(!latencies.is_empty(), "no save succeeded");
    println!(
        "cell_save engine={engine} load={load} clients={CLIENTS} saves={} failed={} p50_ms={:.2} p90_ms={:.2} p99_ms={:.2} max_ms={:.2} saves_per_second={:.0} bar_p99_ms=10",
        latencies.len(),
        failures.len(),
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.90).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().expect("non-empty").as_secs_f64() * 1000.0,
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}
