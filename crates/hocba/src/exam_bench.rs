//! `hocba bench sync`: how long the sync of an exam paper into the
//! gradebook takes per class (issue: under 100 ms per class, against
//! today's "wait a few minutes, then refresh"). Printed, never asserted.
//!
//! A 2,000-student upper-secondary school (45 classes); each run makes a
//! regular exam with a Toán paper sat by every grade-10 class, enters every
//! student's score, finalises the sheet and syncs it into one empty column
//! of every class, through the same store calls as the API. The figure is
//! the sync alone (claim, one transaction per class, finish) divided by the
//! number of classes.

use crate::bench::median;
use hocba_domain::exam::ExamKind;
use hocba_domain::gradebook::{Column, Semester};
use hocba_domain::{ClassId, Grade};
use hocba_storage::{Actor, ExamInput, PaperInput, ScoreEdit, ScoresOutcome, Store, SyncOutcome};
use std::time::Instant;

/// Columns of grade-10 Toán in the default plan (4 regular, mid-term,
/// final): each run fills one.
const COLUMNS: [&str; 6] = [
    "regular:1",
    "regular:2",
    "regular:3",
    "regular:4",
    "midterm",
    "final",
];

pub async fn sync(engines: &[(String, String)], runs: usize) -> anyhow::Result<()> {
    let runs = runs.clamp(1, COLUMNS.len());
    let school = hocba_demo::synthetic_school(2000, 17);
    for (engine, url) in engines {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        let actor = Actor::system("bench");
        let (school_id, year, students) =
            crate::bench::load_synthetic_school(&store, &actor, &school).await?;
        let grades: Vec<Grade> = (10..=12).filter_map(|g| Grade::new(g).ok()).collect();
        store
            .declare_default_plans(&actor, school_id, year, Some(Semester::S1), None)
            .await?;
        let now = hocba_storage::now_millis();
        store
            .open_entry_window(
                &actor,
                school_id,
                year,
                10,
                Semester::S1,
                now - 3_600_000,
                now + 86_400_000,
            )
            .await?;
        let maths = store
            .subjects(school_id, year, Some(grades[0]))
            .await?
            .into_iter()
            .find(|s| s.code == "TOAN")
            .ok_or_else(|| anyhow::anyhow!("no Toán in grade 10"))?
            .id;
        let classes: Vec<ClassId> = store
            .classes(school_id, year)
            .await?
            .into_iter()
            .filter(|c| c.grade == grades[0])
            .map(|c| c.id)
            .collect();
        let mut samples = Vec::new();
        let mut written = 0;
        for (run, column) in COLUMNS.iter().take(runs).enumerate() {
            let exam = store
                .create_exam(
                    &actor,
                    school_id,
                    &ExamInput {
                        school_year_id: year,
                        semester: Semester::S1,
                        name: format!("Kiểm tra {}", run + 1),
                        kind: ExamKind::Regular,
                    },
                )
                .await?;
            let paper = store
                .create_paper(
                    &actor,
                    school_id,
                    exam.id,
                    &PaperInput {
                        subject_id: maths,
                        name: "Toán 10".into(),
                        classes: classes.clone(),
                    },
                )
                .await?;
            let sheet = store.score_sheet(school_id, paper.id).await?;
            let scores: Vec<ScoreEdit> = sheet
                .rows
                .iter()
                .enumerate()
                .map(|(i, row)| ScoreEdit {
                    student_id: row.student_id,
                    // 3.0 to 10.0.
                    value: {
                        let tenths = 30 + (i * 7 + run * 3) % 71;
                        format!("{}.{}", tenths / 10, tenths % 10)
                    },
                    expected_version: None,
                })
                .collect();
            match store
                .save_scores(&actor, school_id, paper.id, &scores)
                .await?
            {
                ScoresOutcome::Saved { .. } => {}
                other => anyhow::bail!("benchmark scores refused: {other:?}"),
            }
            store
                .set_paper_final(&actor, school_id, paper.id, true)
                .await?
                .map_err(|refusal| anyhow::anyhow!("{refusal}"))?;
            let column = Column::parse(column).map_err(|e| anyhow::anyhow!("{e}"))?;
            let choices: Vec<(ClassId, Option<Column>)> =
                classes.iter().map(|c| (*c, Some(column))).collect();
            let started = Instant::now();
            let outcome = store
                .sync_paper(&actor, school_id, paper.id, &choices)
                .await?;
            let elapsed = started.elapsed();
            let SyncOutcome::Done(result) = outcome else {
                anyhow::bail!("benchmark sync refused: {outcome:?}");
            };
            if let Some(refused) = result.classes.iter().find(|c| c.status != "synced") {
                anyhow::bail!("benchmark class not synced: {refused:?}");
            }
            written = result.written();
            samples.push(elapsed / u32::try_from(classes.len()).unwrap_or(1));
        }
        println!(
            "bench sync [{engine}]: median {:.1} ms per class over {runs} runs ({} classes of grade 10, {written} scores per run, {} students in the school; claim + one transaction per class + finish) bar=100 ms",
            median(samples).as_secs_f64() * 1000.0,
            classes.len(),
            students,
        );
    }
    Ok(())
}
