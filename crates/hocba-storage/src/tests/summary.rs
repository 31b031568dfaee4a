use super::*;
use crate::test_util::stores;
use crate::{
    CellEdit, CellsOutcome, CloseOutcome, ConductEdit, ConductOutcome, StoreError, Writer,
    YearRecordEdit,
};
use hocba_domain::curriculum::SubjectMode;
use hocba_domain::gradebook::{Channel, Column, Semester, TrainingResult};
use hocba_domain::{StudentId, SubjectId};

const S1: Semester = Semester::S1;
const S2: Semester = Semester::S2;

fn admin() -> Writer {
    Writer {
        staff: None,
        admin: true,
        override_requested: true,
    }
}

struct Fixture {
    school: SchoolId,
    year: SchoolYearId,
    class: ClassId,
    /// In Vietnamese order: An, Bình, Cường.
    students: Vec<StudentId>,
    /// Every subject of grade 10: (id, mode, regular columns).
    subjects: Vec<(SubjectId, SubjectMode, u8)>,
}

async fn fixture(store: &Store, parent: UnitId, name: &str) -> Fixture {
    let (school, year) = school_with_year(store, parent, name, 2025).await;
    let class = class(store, school, year, "10A1").await;
    let mut students = Vec::new();
    for (i, name) in ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
        .iter()
        .enumerate()
    {
        students.push(
            add_student(
                store,
                school,
                year,
                class,
                &student(name, i == 1, Some(300 + i as u32)),
            )
            .await,
        );
    }
    store
        .declare_default_plans(&actor(), school, year, None, None)
        .await
        .unwrap();
    let rows = store
        .subjects(school, year, Some(Grade::new(10).unwrap()))
        .await
        .unwrap();
    let subjects = rows
        .iter()
        .map(|s| {
            let regular = match (s.mode, s.periods_per_year) {
                (SubjectMode::Commented, _) => 2,
                (_, p) if p <= 35 => 2,
                (_, p) if p <= 70 => 3,
                _ => 4,
            };
            (s.id, s.mode, regular)
        })
        .collect();
    Fixture {
        school,
        year,
        class,
        students,
        subjects,
    }
}

impl Fixture {
    /// Fills every column of every subject of `semester` for every student:
    /// scored subjects get `score(student index)`, commented ones Đ.
    async fn fill(&self, store: &Store, semester: Semester, score: impl Fn(usize) -> String) {
        for (subject, mode, regular) in &self.subjects {
            let mut columns: Vec<Column> = (1..=*regular).map(Column::regular).collect();
            columns.extend([Column::MIDTERM, Column::FINAL]);
            let book = store
                .gradebook(self.school, self.class, *subject, semester)
                .await
                .unwrap();
            let mut edits = Vec::new();
            for (i, student) in self.students.iter().enumerate() {
                let current = book.students.iter().find(|s| s.id == *student).unwrap();
                for column in &columns {
                    let version = current
                        .cells
                        .iter()
                        .find(|c| c.column == *column)
                        .map(|c| c.version);
                    edits.push(CellEdit {
                        student: *student,
                        column: *column,
                        value: match mode {
                            SubjectMode::Scored => score(i),
                            SubjectMode::Commented => "Đ".into(),
                        },
                        missed_make_up: false,
                        expected_version: version,
                    });
                }
            }
            let outcome = store
                .save_cells(
                    &actor(),
                    self.school,
                    self.class,
                    *subject,
                    semester,
                    admin(),
                    Channel::Api,
                    None,
                    &edits,
                )
                .await
                .unwrap();
            assert!(matches!(outcome, CellsOutcome::Saved { .. }), "{outcome:?}");
        }
    }

    async fn conduct(&self, store: &Store, semester: Semester, result: TrainingResult) {
        for student in &self.students {
            let outcome = store
                .save_conduct(
                    &actor(),
                    self.school,
                    self.class,
                    semester,
                    admin(),
                    &ConductEdit {
                        student: *student,
                        training_result: Some(result),
                        comment: Some("Chăm ngoan, lễ phép".into()),
                        expected_version: None,
                    },
                )
                .await
                .unwrap();
            assert!(
                matches!(outcome, ConductOutcome::Saved { .. }),
                "{outcome:?}"
            );
        }
    }
}

/// The first student 9.0 everywhere, the second 7.0, the third 4.0.
fn scores(i: usize) -> String {
    ["9", "7", "4"][i].into()
}

#[tokio::test]
async fn a_class_summary_is_computed_stored_and_explained() {
    for (db, store) in stores().await {
        let e = db.engine;
        let org = org(&store).await;
        let fx = fixture(&store, org.bureau, "THPT Tổng kết").await;
        // Nothing entered: every line says what is missing; nothing stored yet.
        let preview = store.class_summary(fx.school, fx.class, S1).await.unwrap();
        assert!(!preview.stored, "{e}");
        assert_eq!(preview.lines.len(), 3, "{e}");
        assert!(preview.lines.iter().all(|l| !l.complete), "{e}");
        assert!(
            preview.lines[0].missing[0].contains("Chưa có điểm"),
            "{e}: {:?}",
            preview.lines[0].missing
        );

        fx.fill(&store, S1, scores).await;
        fx.conduct(&store, S1, TrainingResult::Good).await;
        let run = store
            .compute_summary(&actor(), fx.school, fx.year, Some(fx.class), S1)
            .await
            .unwrap();
        assert_eq!((run.classes, run.students, run.complete), (1, 3, 3), "{e}");
        let stored = store.class_summary(fx.school, fx.class, S1).await.unwrap();
        assert!(stored.stored, "{e}");
        assert_eq!(stored.header.run_id, Some(run.run_id), "{e}");
        assert_eq!(stored.subjects.len(), fx.subjects.len(), "{e}");
        let names: Vec<&str> = stored.lines.iter().map(|l| l.full_name.as_str()).collect();
        assert_eq!(
            names,
            ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"],
            "{e}"
        );
        let learning: Vec<Option<&str>> =
            stored.lines.iter().map(|l| l.learning_result(S1)).collect();
        assert_eq!(
            learning,
            [Some("Tốt"), Some("Khá"), Some("Chưa đạt")],
            "{e}"
        );
        assert!(
            stored.lines[0]
                .reasons
                .iter()
                .any(|r| r.sentence.starts_with("Điểm trung bình môn Toán học kỳ I")),
            "{e}"
        );
        assert_eq!(
            stored.lines[0].comment.as_deref(),
            Some("Chăm ngoan, lễ phép"),
            "{e}"
        );
        assert_eq!(stored.header.counts.learning.get("Tốt"), Some(&1), "{e}");
        let audit = store
            .audit_entries(fx.school.into(), &crate::AuditQuery::default())
            .await
            .unwrap();
        assert!(
            audit
                .iter()
                .any(|a| a.entity == "summary" && a.summary.contains("Tổng kết học kỳ I lớp 10A1")),
            "{e}"
        );
    }
}

#[tokio::test]
async fn the_year_summary_decides_awards_promotion_and_the_retest() {
    for (db, store) in stores().await {
        let e = db.engine;
        let org = org(&store).await;
        let fx = fixture(&store, org.bureau, "THPT Cả năm").await;
        for semester in [S1, S2] {
            fx.fill(&store, semester, scores).await;
            fx.conduct(&store, semester, TrainingResult::Good).await;
        }
        store
            .compute_summary(&actor(), fx.school, fx.year, Some(fx.class), S2)
            .await
            .unwrap();
        let year = store.class_summary(fx.school, fx.class, S2).await.unwrap();
        let line = |i: usize| &year.lines[i];
        assert_eq!(line(0).award.as_deref(), Some("Học sinh Xuất sắc"), "{e}");
        assert_eq!(line(0).promotion.as_deref(), Some("promoted"), "{e}");
        assert_eq!(line(2).promotion.as_deref(), Some("retest"), "{e}");
        assert!(!line(2).retest_subjects.is_empty(), "{e}");
        assert!(
            line(0)
                .reasons
                .iter()
                .any(|r| r.term.as_deref() == Some("cả năm")),
            "{e}"
        );

        // The summer retest: 6.0 in every subject that may be retested.
        let retests: Vec<(SubjectId, String)> = fx
            .subjects
            .iter()
            .filter(|(_, mode, _)| *mode == SubjectMode::Scored)
            .map(|(id, _, _)| (*id, "6".to_owned()))
            .collect();
        store
            .save_student_values(
                &actor(),
                fx.school,
                fx.class,
                fx.students[2],
                None,
                None,
                &retests,
            )
            .await
            .unwrap();
        // A retest of the wrong kind is refused, nothing saved.
        let sport = fx
            .subjects
            .iter()
            .find(|(_, mode, _)| *mode == SubjectMode::Commented)
            .unwrap()
            .0;
        let refused = store
            .save_student_values(
                &actor(),
                fx.school,
                fx.class,
                fx.students[2],
                None,
                None,
                &[(sport, "7".into())],
            )
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("chỉ nhập Đ"), "{e}: {refused}");
        // Too many absences: retained, with the reason.
        store
            .save_year_record(
                &actor(),
                fx.school,
                fx.class,
                fx.students[1],
                &YearRecordEdit {
                    absences: Some(50),
                    summer_training: None,
                },
            )
            .await
            .unwrap();
        store
            .compute_summary(&actor(), fx.school, fx.year, Some(fx.class), S2)
            .await
            .unwrap();
        let after = store.class_summary(fx.school, fx.class, S2).await.unwrap();
        assert_eq!(after.lines[2].promotion.as_deref(), Some("promoted"), "{e}");
        assert!(after.lines[2].learning.after.is_some(), "{e}");
        assert_eq!(after.lines[1].promotion.as_deref(), Some("retained"), "{e}");
        assert!(
            after.lines[1]
                .reasons
                .iter()
                .any(|r| r.sentence.contains("45")),
            "{e}: {:?}",
            after.lines[1].reasons
        );
        let list = store.promotion_list(fx.school, fx.year).await.unwrap();
        assert_eq!(list.len(), 3, "{e}");
        assert_eq!(
            list[1].promotion_label.as_deref(),
            Some("Không được lên lớp"),
            "{e}"
        );
    }
}

#[tokio::test]
async fn a_transferred_in_student_brings_the_first_semester_averages() {
    for (db, store) in stores().await {
        let e = db.engine;
        let org = org(&store).await;
        let fx = fixture(&store, org.bureau, "THPT Chuyển đến").await;
        fx.fill(&store, S1, |_| "8".into()).await;
        fx.conduct(&store, S1, TrainingResult::Good).await;
        let maths = fx.subjects[1].0;
        store
            .save_student_values(
                &actor(),
                fx.school,
                fx.class,
                fx.students[0],
                Some(S1),
                Some("THPT Lê Quý Đôn"),
                &[(maths, "6,5".into())],
            )
            .await
            .unwrap();
        let summary = store.class_summary(fx.school, fx.class, S1).await.unwrap();
        let line = &summary.lines[0];
        assert!(line.complete, "{e}: {:?}", line.missing);
        assert!(line.subjects[1].transferred, "{e}");
        assert_eq!(line.subjects[1].s1.as_deref(), Some("6.5"), "{e}");
        assert_eq!(
            summary.lines[1].subjects[1].s1.as_deref(),
            Some("8.0"),
            "{e}"
        );
    }
}

#[tokio::test]
async fn closing_the_book_freezes_the_class_until_an_admin_reopens_it() {
    for (db, store) in stores().await {
        let e = db.engine;
        let org = org(&store).await;
        let fx = fixture(&store, org.bureau, "THPT Khóa sổ").await;
        fx.fill(&store, S1, scores).await;
        // Conduct missing: refused, naming the students and what is missing.
        let refused = store
            .close_term(&actor(), fx.school, fx.class, S1)
            .await
            .unwrap();
        let CloseOutcome::Refused(why) = refused else {
            panic!("{e}: closed an incomplete summary");
        };
        assert!(
            why.contains("Nguyễn Văn An") && why.contains("kết quả rèn luyện"),
            "{e}: {why}"
        );
        assert!(
            !store.is_term_closed(fx.school, fx.class, S1).await.unwrap(),
            "{e}"
        );

        fx.conduct(&store, S1, TrainingResult::Fair).await;
        let closed = store
            .close_term(&actor(), fx.school, fx.class, S1)
            .await
            .unwrap();
        assert!(matches!(closed, CloseOutcome::Closed(_)), "{e}: {closed:?}");
        assert!(
            store.is_term_closed(fx.school, fx.class, S1).await.unwrap(),
            "{e}"
        );
        assert!(
            !store.is_term_closed(fx.school, fx.class, S2).await.unwrap(),
            "{e}"
        );
        let stored = store.class_summary(fx.school, fx.class, S1).await.unwrap();
        assert!(
            stored.stored && stored.header.closure.as_ref().is_some_and(|c| c.closed),
            "{e}"
        );

        // The rule inside the gradebook's write transaction: even an
        // administrator's override is refused, with the reason.
        let maths = fx.subjects[1].0;
        let book = store
            .gradebook(fx.school, fx.class, maths, S1)
            .await
            .unwrap();
        let cell = &book.students[0].cells[0];
        let outcome = store
            .save_cells(
                &actor(),
                fx.school,
                fx.class,
                maths,
                S1,
                admin(),
                Channel::Api,
                None,
                &[CellEdit {
                    student: book.students[0].id,
                    column: cell.column,
                    value: "5".into(),
                    missed_make_up: false,
                    expected_version: Some(cell.version),
                }],
            )
            .await
            .unwrap();
        let CellsOutcome::Refused(refusal) = outcome else {
            panic!("{e}: a closed book accepted a cell: {outcome:?}");
        };
        assert_eq!(refusal.code(), "term_closed", "{e}");
        assert!(refusal.to_string().contains("mở lại sổ"), "{e}: {refusal}");
        let conduct = store
            .save_conduct(
                &actor(),
                fx.school,
                fx.class,
                S1,
                admin(),
                &ConductEdit {
                    student: fx.students[0],
                    training_result: Some(TrainingResult::Good),
                    comment: None,
                    expected_version: Some(1),
                },
            )
            .await
            .unwrap();
        assert!(
            matches!(conduct, ConductOutcome::Refused(ref r) if r.code() == "term_closed"),
            "{e}: {conduct:?}"
        );
        // Semester II is not frozen by semester I's closing.
        let second = store
            .save_conduct(
                &actor(),
                fx.school,
                fx.class,
                S2,
                admin(),
                &ConductEdit {
                    student: fx.students[0],
                    training_result: Some(TrainingResult::Good),
                    comment: None,
                    expected_version: None,
                },
            )
            .await
            .unwrap();
        assert!(
            matches!(second, ConductOutcome::Saved { .. }),
            "{e}: {second:?}"
        );

        // Reopening needs a reason; it is audited; then saving works again.
        let no_reason = store
            .reopen_term(&actor(), fx.school, fx.class, S1, "  ")
            .await
            .unwrap_err();
        assert!(matches!(no_reason, StoreError::Refused(_)), "{e}");
        let reopened = store
            .reopen_term(&actor(), fx.school, fx.class, S1, "Sửa điểm Toán nhập nhầm")
            .await
            .unwrap();
        assert!(!reopened.closed, "{e}");
        assert!(
            !store.is_term_closed(fx.school, fx.class, S1).await.unwrap(),
            "{e}"
        );
        let audit = store
            .audit_entries(fx.school.into(), &crate::AuditQuery::default())
            .await
            .unwrap();
        assert!(
            audit.iter().any(|a| a.action == "reopen_term"
                && a.summary.contains("Sửa điểm Toán nhập nhầm")),
            "{e}"
        );
        assert!(audit.iter().any(|a| a.action == "close_term"), "{e}");
        let again = store
            .save_cells(
                &actor(),
                fx.school,
                fx.class,
                maths,
                S1,
                admin(),
                Channel::Api,
                None,
                &[CellEdit {
                    student: book.students[0].id,
                    column: cell.column,
                    value: "5".into(),
                    missed_make_up: false,
                    expected_version: Some(cell.version),
                }],
            )
            .await
            .unwrap();
        assert!(
            matches!(again, CellsOutcome::Saved { .. }),
            "{e}: {again:?}"
        );
    }
}

#[tokio::test]
async fn a_school_summary_is_one_run_and_progress_counts_cells() {
    for (db, store) in stores().await {
        let e = db.engine;
        let org = org(&store).await;
        let fx = fixture(&store, org.bureau, "THPT Toàn trường").await;
        let second = class(&store, fx.school, fx.year, "11A1").await;
        add_student(
            &store,
            fx.school,
            fx.year,
            second,
            &student("Phạm Thị Dung", true, Some(390)),
        )
        .await;
        // An empty class is left out.
        class(&store, fx.school, fx.year, "12A9").await;
        store
            .declare_default_plans(&actor(), fx.school, fx.year, None, None)
            .await
            .unwrap();
        fx.fill(&store, S1, scores).await;
        let run = store
            .compute_summary(&actor(), fx.school, fx.year, None, S1)
            .await
            .unwrap();
        assert_eq!((run.classes, run.students, run.complete), (2, 4, 0), "{e}");
        let headers = store.school_summary(fx.school, fx.year, S1).await.unwrap();
        let computed: Vec<_> = headers.iter().filter(|h| h.run_id.is_some()).collect();
        assert_eq!(computed.len(), 2, "{e}");
        assert!(computed.iter().all(|h| h.run_id == Some(run.run_id)), "{e}");
        let again = store
            .compute_summary(&actor(), fx.school, fx.year, None, S1)
            .await
            .unwrap();
        let lines: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM term_summary_line WHERE school_id = $1 AND run_id = $2",
        )
        .bind(fx.school.0)
        .bind(again.run_id)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(lines, 4, "{e}: the second run replaced the first");
        assert_eq!(
            count(&store, "term_summary_line", fx.school).await,
            4,
            "{e}"
        );

        let progress = store.progress(fx.school, fx.year, S1).await.unwrap();
        let mine = progress
            .by_class
            .iter()
            .find(|c| c.id == Some(fx.class.0))
            .unwrap();
        assert_eq!(
            mine.declared, mine.filled,
            "{e}: every declared cell of 10A1 is filled"
        );
        assert!(mine.declared > 0, "{e}");
        let other = progress
            .by_class
            .iter()
            .find(|c| c.id == Some(second.0))
            .unwrap();
        assert_eq!(other.filled, 0, "{e}");
        assert!(other.declared > 0, "{e}");
    }
}
