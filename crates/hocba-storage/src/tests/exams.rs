use super::*;
use crate::test_util::stores;
use crate::{CellEdit, CellsOutcome, ExamInput, PaperInput, ScoreEdit, ScoresOutcome, StoreError};
use crate::{SyncOutcome, Writer};
use hocba_domain::exam::ExamKind;
use hocba_domain::gradebook::{Channel, Column, Semester};
use hocba_domain::student::StudentProfile;
use hocba_domain::{ExamPaperId, SubjectId};

const S1: Semester = Semester::S1;
const HOUR: i64 = 3_600_000;

fn with_code(name: &str, serial: u32, code: Option<&str>) -> StudentProfile {
    let mut draft = student_draft(name, serial.is_multiple_of(2), Some(serial));
    if let Some(code) = code {
        draft.insert("moet_code".into(), code.into());
    }
    StudentProfile::validate(&draft).expect("valid student")
}

/// Two grade-10 classes sitting one Toán paper of a regular exam of
/// semester I. 10A1: An (code, 8.5), Bình (no code, 7), Cường (code, no
/// score). 10A2: Dũng (code, 6) who already has a mid-term score.
struct Fixture {
    school: SchoolId,
    year: SchoolYearId,
    a1: ClassId,
    a2: ClassId,
    an: StudentId,
    binh: StudentId,
    cuong: StudentId,
    dung: StudentId,
    maths: SubjectId,
    paper: ExamPaperId,
    exam: hocba_domain::ExamId,
}

async fn fixture(store: &Store, parent: UnitId, name: &str, kind: ExamKind) -> Fixture {
    let (school, year) = school_with_year(store, parent, name, 2025).await;
    let a1 = class(store, school, year, "10A1").await;
    let a2 = class(store, school, year, "10A2").await;
    let an = add_student(
        store,
        school,
        year,
        a1,
        &with_code("Nguyễn Văn An", 1, Some("HS001")),
    )
    .await;
    let binh = add_student(
        store,
        school,
        year,
        a1,
        &with_code("Trần Thị Bình", 2, None),
    )
    .await;
    let cuong = add_student(
        store,
        school,
        year,
        a1,
        &with_code("Lê Văn Cường", 3, Some("HS003")),
    )
    .await;
    let dung = add_student(
        store,
        school,
        year,
        a2,
        &with_code("Phạm Văn Dũng", 5, Some("HS005")),
    )
    .await;
    let subjects = store
        .subjects(school, year, Some(Grade::new(10).unwrap()))
        .await
        .unwrap();
    let maths = subjects.iter().find(|s| s.code == "TOAN").unwrap().id;
    store
        .declare_default_plans(&actor(), school, year, Some(S1), None)
        .await
        .unwrap();
    let now = crate::now_millis();
    store
        .open_entry_window(&actor(), school, year, 10, S1, now - HOUR, now + HOUR)
        .await
        .unwrap();
    // Dũng's mid-term is already entered in the gradebook.
    let admin = Writer {
        staff: None,
        admin: true,
        override_requested: false,
    };
    let outcome = store
        .save_cells(
            &actor(),
            school,
            a2,
            maths,
            S1,
            admin,
            Channel::Grid,
            None,
            &[CellEdit {
                student: dung,
                column: Column::MIDTERM,
                value: "5".into(),
                missed_make_up: false,
                expected_version: None,
            }],
        )
        .await
        .unwrap();
    assert!(matches!(outcome, CellsOutcome::Saved { .. }), "{outcome:?}");
    let exam = store
        .create_exam(
            &actor(),
            school,
            &ExamInput {
                school_year_id: year,
                semester: S1,
                name: "Kiểm tra giữa học kỳ I".into(),
                kind,
            },
        )
        .await
        .unwrap();
    let paper = store
        .create_paper(
            &actor(),
            school,
            exam.id,
            &PaperInput {
                subject_id: maths,
                name: "Toán 10 — giữa kỳ I".into(),
                classes: vec![a1, a2],
            },
        )
        .await
        .unwrap();
    let saved = store
        .save_scores(
            &actor(),
            school,
            paper.id,
            &[
                score(an, "8,5"),
                score(binh, "7"),
                score(cuong, ""),
                score(dung, "6"),
            ],
        )
        .await
        .unwrap();
    assert!(
        matches!(saved, ScoresOutcome::Saved { written: 3, .. }),
        "{saved:?}"
    );
    Fixture {
        school,
        year,
        a1,
        a2,
        an,
        binh,
        cuong,
        dung,
        maths,
        paper: paper.id,
        exam: exam.id,
    }
}

fn score(student: StudentId, value: &str) -> ScoreEdit {
    ScoreEdit {
        student_id: student,
        value: value.into(),
        expected_version: None,
    }
}

fn blocked_code(outcome: &SyncOutcome) -> &'static str {
    match outcome {
        SyncOutcome::Blocked(block, _) => block.code(),
        other => panic!("expected a blocked sync, got {other:?}"),
    }
}

#[tokio::test]
async fn a_paper_syncs_once_into_empty_columns_and_names_who_is_left_out() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let f = fixture(&store, o.department, "THPT Khảo Thí", ExamKind::Regular).await;
        let choices = [(f.a1, Some(Column::MIDTERM)), (f.a2, Some(Column::MIDTERM))];

        // Not final yet.
        let outcome = store
            .sync_paper(&actor(), f.school, f.paper, &choices)
            .await
            .unwrap();
        assert_eq!(blocked_code(&outcome), "score_sheet_not_final", "{e}");

        // A bad score is refused with the student's name; nothing changes.
        let bad = store
            .save_scores(
                &actor(),
                f.school,
                f.paper,
                &[score(f.an, "9"), score(f.binh, "11")],
            )
            .await
            .unwrap();
        match bad {
            ScoresOutcome::Rejected(list) => {
                assert_eq!(list.len(), 1, "{e}");
                assert!(
                    list[0].message.contains("Trần Thị Bình"),
                    "{e}: {}",
                    list[0].message
                );
            }
            other => panic!("{e}: {other:?}"),
        }
        let sheet = store.score_sheet(f.school, f.paper).await.unwrap();
        let an_row = sheet.rows.iter().find(|r| r.student_id == f.an).unwrap();
        assert_eq!(an_row.score.as_deref(), Some("8.5"), "{e}: all or nothing");

        // Final: scores can no longer be typed.
        store
            .set_paper_final(&actor(), f.school, f.paper, true)
            .await
            .unwrap()
            .unwrap();
        let refused = store
            .save_scores(&actor(), f.school, f.paper, &[score(f.an, "9")])
            .await
            .unwrap();
        assert!(
            matches!(&refused, ScoresOutcome::Refused(r) if r.code() == "score_sheet_final"),
            "{e}: {refused:?}"
        );

        // The wizard says which columns are taken, before anything is written.
        let preview = store.sync_preview(f.school, f.paper).await.unwrap();
        assert!(preview.block.is_none(), "{e}: {:?}", preview.block);
        let a1 = preview.classes.iter().find(|c| c.class_id == f.a1).unwrap();
        assert!(a1.block.is_none(), "{e}");
        assert_eq!(a1.to_write, 1, "{e}");
        assert_eq!(a1.skipped.len(), 2, "{e}");
        let a2 = preview.classes.iter().find(|c| c.class_id == f.a2).unwrap();
        let midterm = a2
            .columns
            .iter()
            .find(|c| c.column == Column::MIDTERM)
            .unwrap();
        let block = midterm.block.as_ref().expect("10A2's mid-term is taken");
        assert_eq!(block.code, "column_has_scores", "{e}");
        assert!(
            block.reason.contains("Phạm Văn Dũng"),
            "{e}: {}",
            block.reason
        );
        assert!(
            a2.columns
                .iter()
                .any(|c| c.column == Column::FINAL && c.block.is_none()),
            "{e}: the final column of 10A2 is free"
        );

        // The sync: 10A1 written, 10A2 refused with its reason.
        let run = match store
            .sync_paper(&actor(), f.school, f.paper, &choices)
            .await
            .unwrap()
        {
            SyncOutcome::Done(run) => run,
            other => panic!("{e}: {other:?}"),
        };
        assert!(run.finished_at.is_some(), "{e}");
        let a1 = run.classes.iter().find(|c| c.class_id == f.a1).unwrap();
        assert_eq!((a1.status.as_str(), a1.written), ("synced", 1), "{e}");
        let skipped: Vec<(StudentId, &str)> = a1
            .skipped
            .iter()
            .map(|s| (s.student_id, s.reason_code.as_str()))
            .collect();
        assert_eq!(skipped.len(), 2, "{e}: {skipped:?}");
        assert!(
            skipped.contains(&(f.binh, "no_moet_code")),
            "{e}: {skipped:?}"
        );
        assert!(skipped.contains(&(f.cuong, "no_score")), "{e}: {skipped:?}");
        let a2 = run.classes.iter().find(|c| c.class_id == f.a2).unwrap();
        assert_eq!(a2.status, "refused", "{e}");
        assert_eq!(a2.block.as_ref().unwrap().code, "column_has_scores", "{e}");

        // The gradebook holds An's 8.5 with the shield marker, Dũng's 5 is
        // untouched, and the trail names the exam and the paper.
        let book = store.gradebook(f.school, f.a1, f.maths, S1).await.unwrap();
        let an = book.students.iter().find(|s| s.id == f.an).unwrap();
        let cell = an
            .cells
            .iter()
            .find(|c| c.column == Column::MIDTERM)
            .unwrap();
        assert_eq!(
            (cell.value.as_deref(), cell.synced),
            (Some("8.5"), true),
            "{e}"
        );
        let book2 = store.gradebook(f.school, f.a2, f.maths, S1).await.unwrap();
        let dung = book2.students.iter().find(|s| s.id == f.dung).unwrap();
        let cell = dung
            .cells
            .iter()
            .find(|c| c.column == Column::MIDTERM)
            .unwrap();
        assert_eq!(
            (cell.value.as_deref(), cell.synced),
            (Some("5.0"), false),
            "{e}"
        );
        let history = store
            .gradebook_history(f.school, f.a1, f.maths, S1, Some(f.an))
            .await
            .unwrap();
        assert_eq!(history.len(), 1, "{e}");
        assert_eq!(history[0].channel, "sync", "{e}");
        let reason = history[0].reason.as_deref().unwrap_or_default();
        assert!(
            reason.contains("Kiểm tra giữa học kỳ I") && reason.contains("Toán 10 — giữa kỳ I"),
            "{e}: {reason}"
        );
        let sheet = store.score_sheet(f.school, f.paper).await.unwrap();
        let synced: Vec<StudentId> = sheet
            .rows
            .iter()
            .filter(|r| r.synced)
            .map(|r| r.student_id)
            .collect();
        assert_eq!(
            synced,
            vec![f.an],
            "{e}: the shield marks exactly what was written"
        );

        // Once only, and the paper is frozen.
        let again = store
            .sync_paper(&actor(), f.school, f.paper, &[(f.a2, Some(Column::FINAL))])
            .await
            .unwrap();
        assert_eq!(blocked_code(&again), "paper_already_synced", "{e}");
        let edit = store
            .update_paper(
                &actor(),
                f.school,
                f.paper,
                &PaperInput {
                    subject_id: f.maths,
                    name: "Đổi tên".into(),
                    classes: vec![f.a1],
                },
                sheet.paper.version,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&edit, StoreError::Refused(m) if m.contains("đã được đồng bộ")),
            "{e}: {edit}"
        );
        let delete = store
            .delete_paper(&actor(), f.school, f.paper)
            .await
            .unwrap_err();
        assert!(matches!(delete, StoreError::Refused(_)), "{e}");
        let delete_exam = store
            .delete_exam(&actor(), f.school, f.exam)
            .await
            .unwrap_err();
        assert!(matches!(delete_exam, StoreError::Refused(_)), "{e}");
        let reopen = store
            .set_paper_final(&actor(), f.school, f.paper, false)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(reopen.code(), "paper_synced", "{e}");
        let scores = store
            .save_scores(&actor(), f.school, f.paper, &[score(f.cuong, "4")])
            .await
            .unwrap();
        assert!(
            matches!(&scores, ScoresOutcome::Refused(r) if r.code() == "paper_synced"),
            "{e}"
        );
        let _ = f.year;
    }
}

#[tokio::test]
async fn concurrent_syncs_of_one_paper_give_exactly_one() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let f = fixture(&store, o.department, "THPT Đồng Thời", ExamKind::Regular).await;
        store
            .set_paper_final(&actor(), f.school, f.paper, true)
            .await
            .unwrap()
            .unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let store = store.clone();
            let (school, paper, a1, a2) = (f.school, f.paper, f.a1, f.a2);
            tasks.spawn(async move {
                store
                    .sync_paper(
                        &actor(),
                        school,
                        paper,
                        &[(a1, Some(Column::regular(1))), (a2, Some(Column::FINAL))],
                    )
                    .await
            });
        }
        let (mut done, mut refused) = (0, 0);
        while let Some(outcome) = tasks.join_next().await {
            match outcome
                .unwrap()
                .unwrap_or_else(|error| panic!("{e}: {error}"))
            {
                SyncOutcome::Done(_) => done += 1,
                SyncOutcome::Blocked(block, _) if block.code() == "paper_already_synced" => {
                    refused += 1
                }
                other => panic!("{e}: {other:?}"),
            }
        }
        assert_eq!((done, refused), (1, 7), "{e}");
        for (class, subject_students) in [(f.a1, 1), (f.a2, 1)] {
            let history = store
                .gradebook_history(f.school, class, f.maths, S1, None)
                .await
                .unwrap();
            let synced = history.iter().filter(|h| h.channel == "sync").count();
            assert_eq!(
                synced, subject_students,
                "{e}: one trail row per written score"
            );
        }
    }
}

#[tokio::test]
async fn a_sync_that_writes_nothing_is_undone_and_free_exams_never_sync() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let f = fixture(&store, o.department, "THPT Tự Do", ExamKind::Free).await;
        store
            .set_paper_final(&actor(), f.school, f.paper, true)
            .await
            .unwrap()
            .unwrap();
        let choices = [(f.a1, Some(Column::FINAL)), (f.a2, Some(Column::FINAL))];
        let outcome = store
            .sync_paper(&actor(), f.school, f.paper, &choices)
            .await
            .unwrap();
        assert_eq!(blocked_code(&outcome), "exam_not_regular", "{e}");

        // A regular exam, but the school keeps its gradebook elsewhere.
        let exam = store.exam(f.school, f.exam).await.unwrap();
        store
            .update_exam(
                &actor(),
                f.school,
                f.exam,
                &ExamInput {
                    school_year_id: f.year,
                    semester: S1,
                    name: exam.name.clone(),
                    kind: ExamKind::Regular,
                },
                exam.version,
            )
            .await
            .unwrap();
        store
            .set_exam_link(&actor(), f.school, false)
            .await
            .unwrap();
        let outcome = store
            .sync_paper(&actor(), f.school, f.paper, &choices)
            .await
            .unwrap();
        assert_eq!(blocked_code(&outcome), "school_not_linked", "{e}");
        store.set_exam_link(&actor(), f.school, true).await.unwrap();

        // Every class refused (no column chosen, a locked column): nothing
        // written, the paper stays final and can be synced after the fix.
        store
            .set_column_lock(
                &actor(),
                f.school,
                f.a1,
                f.maths,
                S1,
                Some(Column::FINAL),
                true,
                "Đã kiểm tra",
            )
            .await
            .unwrap();
        let outcome = store
            .sync_paper(&actor(), f.school, f.paper, &[(f.a1, Some(Column::FINAL))])
            .await
            .unwrap();
        match outcome {
            SyncOutcome::NothingSynced(classes) => {
                let codes: Vec<&str> = classes
                    .iter()
                    .map(|c| c.block.as_ref().unwrap().code.as_str())
                    .collect();
                assert!(codes.contains(&"column_locked"), "{e}: {codes:?}");
                assert!(codes.contains(&"no_column_chosen"), "{e}: {codes:?}");
            }
            other => panic!("{e}: {other:?}"),
        }
        assert!(
            store.sync_run(f.school, f.paper).await.unwrap().is_none(),
            "{e}"
        );
        let outcome = store
            .sync_paper(
                &actor(),
                f.school,
                f.paper,
                &[(f.a1, Some(Column::regular(2)))],
            )
            .await
            .unwrap();
        assert!(matches!(outcome, SyncOutcome::Done(_)), "{e}: {outcome:?}");
    }
}

#[tokio::test]
async fn exams_stay_in_their_school() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let f = fixture(&store, o.department, "THPT Một", ExamKind::Regular).await;
        let (other, _) = school_with_year(&store, o.department, "THPT Hai", 2025).await;
        assert!(
            matches!(
                store.score_sheet(other, f.paper).await,
                Err(StoreError::NotFound(_))
            ),
            "{e}"
        );
        assert!(
            matches!(
                store
                    .save_scores(&actor(), other, f.paper, &[score(f.an, "1")])
                    .await,
                Err(StoreError::NotFound(_))
            ),
            "{e}"
        );
        assert!(
            matches!(
                store.sync_paper(&actor(), other, f.paper, &[]).await,
                Err(StoreError::NotFound(_))
            ),
            "{e}"
        );
        assert!(
            matches!(
                store.delete_exam(&actor(), other, f.exam).await,
                Err(StoreError::NotFound(_))
            ),
            "{e}"
        );
        // A paper cannot take another school's class.
        let foreign = class(
            &store,
            other,
            store.school_years(other).await.unwrap()[0].id,
            "10B1",
        )
        .await;
        let refused = store
            .create_paper(
                &actor(),
                f.school,
                f.exam,
                &PaperInput {
                    subject_id: f.maths,
                    name: "Toán".into(),
                    classes: vec![foreign],
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(refused, StoreError::NotFound(_)), "{e}: {refused}");
    }
}

#[tokio::test]
async fn a_run_cut_short_after_the_claim_is_finished_by_resume() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let f = fixture(&store, o.department, "THPT Gián Đoạn", ExamKind::Regular).await;
        store
            .set_paper_final(&actor(), f.school, f.paper, true)
            .await
            .unwrap()
            .unwrap();
        let choices = [(f.a1, Some(Column::FINAL)), (f.a2, Some(Column::FINAL))];
        // The server stops right after the claim committed (as if killed).
        let claimed = store
            .claim_sync(&actor(), f.school, f.paper, &choices)
            .await
            .unwrap();
        assert!(claimed.is_none(), "{e}: {claimed:?}");
        let run = store.sync_run(f.school, f.paper).await.unwrap().unwrap();
        assert_eq!((run.pending(), run.finished_at), (2, None), "{e}");
        // Nothing written yet, and nobody can start a second sync.
        let book = store.gradebook(f.school, f.a1, f.maths, S1).await.unwrap();
        assert!(
            book.students
                .iter()
                .all(|s| s.cells.iter().all(|c| c.column != Column::FINAL)),
            "{e}"
        );
        let again = store
            .sync_paper(&actor(), f.school, f.paper, &choices)
            .await
            .unwrap();
        assert_eq!(blocked_code(&again), "paper_already_synced", "{e}");
        // Resuming finishes every pending class, once.
        let resumed = store
            .resume_sync(&actor(), f.school, f.paper)
            .await
            .unwrap();
        let Some(SyncOutcome::Done(run)) = resumed else {
            panic!("{e}: {resumed:?}");
        };
        assert_eq!(run.pending(), 0, "{e}");
        assert!(run.finished_at.is_some(), "{e}");
        assert_eq!(run.written(), 2, "{e}: An in 10A1, Dũng in 10A2");
        let twice = store
            .resume_sync(&actor(), f.school, f.paper)
            .await
            .unwrap();
        assert!(
            matches!(twice, Some(SyncOutcome::Done(ref r)) if r.written() == 2),
            "{e}"
        );
        let history = store
            .gradebook_history(f.school, f.a2, f.maths, S1, Some(f.dung))
            .await
            .unwrap();
        assert_eq!(
            history.iter().filter(|h| h.channel == "sync").count(),
            1,
            "{e}: one write per score"
        );
    }
}
