//! The benchmark harness: `hocba bench NAME` prints one line per figure.
//! Times are measured here, never asserted by tests; quote medians.

use hocba_domain::Grade;
use hocba_domain::class::ClassDefinition;
use hocba_domain::org::UnitKind;
use hocba_domain::school::{SchoolProfile, SchoolYear};
use hocba_domain::student::{FIELDS, StudentProfile};
use hocba_spreadsheet::{Limits, plan_import, read_table, student_columns, write_template};
use hocba_storage::{Actor, ImportRow, NewSchool, Store};
use std::time::{Duration, Instant};

pub const NAMES: [&str; 2] = ["import", "assessment"];

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Import of a 2,000-student .xlsx with full validation, into an empty
/// school of a fresh database: read + validate + plan + write, all or nothing.
pub async fn import(engines: &[(String, String)], runs: usize) -> anyhow::Result<()> {
    let school = hocba_demo::synthetic_school(2000, 7);
    let columns = student_columns(&FIELDS);
    let mut rows = Vec::new();
    for class in &school.classes {
        for draft in &class.students {
            let profile = StudentProfile::validate(draft).map_err(|e| anyhow::anyhow!("{e}"))?;
            rows.push(
                columns
                    .iter()
                    .map(|c| match c.key.as_str() {
                        "id" => String::new(),
                        "class_name" => class.name.clone(),
                        key => profile.record().display(key),
                    })
                    .collect::<Vec<String>>(),
            );
        }
    }
    let file = write_template("Học sinh", &columns, &rows)?;
    println!(
        "bench import: file of {} students, {} columns, {} KiB",
        rows.len(),
        columns.len(),
        file.len() / 1024
    );
    for (engine, url) in engines {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        let mut samples = Vec::new();
        for run in 0..runs {
            let actor = Actor::system("bench");
            let ministry = store
                .create_unit(&actor, UnitKind::Ministry, None, "Bộ", None, None)
                .await?;
            let department = store
                .create_unit(
                    &actor,
                    UnitKind::Department,
                    Some(ministry),
                    "Sở",
                    None,
                    Some("31"),
                )
                .await?;
            let profile =
                SchoolProfile::validate(&school.profile).map_err(|e| anyhow::anyhow!("{e}"))?;
            let school_id = store
                .create_school(
                    &actor,
                    NewSchool {
                        parent: department,
                        levels: &[school.level],
                        profile: &profile,
                    },
                )
                .await?;
            let grades: Vec<Grade> = (10..=12).filter_map(|g| Grade::new(g).ok()).collect();
            let year = store
                .create_school_year(
                    &actor,
                    school_id,
                    SchoolYear {
                        start_year: 2025 + run as u16,
                    },
                    &grades,
                )
                .await?;
            for class in &school.classes {
                let definition = ClassDefinition::validate(&class.draft(None))
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                store
                    .save_class(&actor, school_id, year, None, &definition)
                    .await?;
            }
            let started = Instant::now();
            let table = read_table(&file, &columns, &Limits::default())?;
            let selected: Vec<String> = table.columns.iter().map(|c| c.key.clone()).collect();
            let existing = store.student_drafts(school_id).await?;
            let plan = plan_import(&table, &existing, &selected, StudentProfile::validate);
            anyhow::ensure!(
                plan.is_valid(),
                "the benchmark file must be valid: {}",
                plan.summary()
            );
            let import_rows: Vec<ImportRow> = plan
                .changes
                .iter()
                .map(|change| ImportRow {
                    row_number: change.row_number(),
                    existing: None,
                    profile: change.record().clone(),
                    class_name: change.extras().get("class_name").cloned(),
                })
                .collect();
            let outcome = store
                .import_students(&actor, school_id, year, &import_rows)
                .await?;
            samples.push(started.elapsed());
            anyhow::ensure!(
                outcome.created == rows.len(),
                "imported {} of {}",
                outcome.created,
                rows.len()
            );
        }
        let median = median(samples.clone());
        println!(
            "import_2000_students engine={engine} runs={runs} median_ms={} min_ms={} max_ms={} bar_ms=2000",
            median.as_millis(),
            samples.iter().min().unwrap_or(&median).as_millis(),
            samples.iter().max().unwrap_or(&median).as_millis()
        );
    }
    Ok(())
}

/// Evaluation of 100,000 TT22 students (13 subjects each) by the assessment library.
pub fn assessment(runs: usize) -> anyhow::Result<()> {
    let students = hocba_assessment::fixtures::synthetic_students(100_000, 42);
    let mut samples = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        for student in &students {
            std::hint::black_box(
                hocba_assessment::fixtures::evaluate(student)
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            );
        }
        samples.push(started.elapsed());
    }
    let median = median(samples);
    println!(
        "assessment_tt22 students=100000 runs={runs} median_ms={} students_per_second={}",
        median.as_millis(),
        (100_000.0 / median.as_secs_f64()) as u64
    );
    Ok(())
}
