use super::*;
use crate::test_util::stores;
use crate::{
    CellEdit, CellProblem, CellsOutcome, ConductEdit, ConductOutcome, StoreError, WorkbookOutcome,
    Writer,
};
use hocba_domain::gradebook::{Channel, Column, Override, Semester, TrainingResult};
use hocba_domain::{StudentId, SubjectId};

const S1: Semester = Semester::S1;
const HOUR: i64 = 3_600_000;

fn teacher(staff: StaffId) -> Writer {
    Writer {
        staff: Some(staff),
        admin: false,
        override_requested: false,
    }
}

fn admin(override_requested: bool) -> Writer {
    Writer {
        staff: None,
        admin: true,
        override_requested,
    }
}

fn edit(student: StudentId, column: &str, value: &str, version: Option<i64>) -> CellEdit {
    CellEdit {
        student,
        column: Column::parse(column).unwrap(),
        value: value.into(),
        missed_make_up: false,
        expected_version: version,
    }
}

/// A grade-10 class with three students, its Toán (105 periods: 4 regular
/// columns) and GDTC (commented) subjects, and two teachers; Toán of
/// semester I is taught by `maths_teacher`.
struct Fixture {
    school: SchoolId,
    year: SchoolYearId,
    class: ClassId,
    students: Vec<StudentId>,
    maths: SubjectId,
    sport: SubjectId,
    maths_teacher: StaffId,
    other_teacher: StaffId,
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
                &student(name, i == 1, Some(100 + i as u32)),
            )
            .await,
        );
    }
    let subjects = store
        .subjects(school, year, Some(Grade::new(10).unwrap()))
        .await
        .unwrap();
    let id_of = |code: &str| subjects.iter().find(|s| s.code == code).unwrap().id;
    let maths_teacher = staff(store, school, "Cao Thị Hạnh").await;
    let other_teacher = staff(store, school, "Đoàn Văn Khoa").await;
    store
        .assign_teaching(
            &actor(),
            school,
            year,
            1,
            class,
            id_of("TOAN"),
            maths_teacher,
        )
        .await
        .unwrap();
    Fixture {
        school,
        year,
        class,
        students,
        maths: id_of("TOAN"),
        sport: id_of("GDTC"),
        maths_teacher,
        other_teacher,
    }
}

impl Fixture {
    async fn save(
        &self,
        store: &Store,
        subject: SubjectId,
        writer: Writer,
        edits: &[CellEdit],
    ) -> CellsOutcome {
        store
            .save_cells(
                &actor(),
                self.school,
                self.class,
                subject,
                S1,
                writer,
                Channel::Api,
                Some("kiểm thử"),
                edits,
            )
            .await
            .expect("save_cells")
    }

    async fn open_window(&self, store: &Store) {
        let now = crate::now_millis();
        store
            .open_entry_window(
                &actor(),
                self.school,
                self.year,
                10,
                S1,
                now - HOUR,
                now + HOUR,
            )
            .await
            .unwrap();
    }
}

fn refused_code(outcome: &CellsOutcome) -> &'static str {
    match outcome {
        CellsOutcome::Refused(refusal) => refusal.code(),
        other => panic!("expected a refusal of the gradebook, got {other:?}"),
    }
}

fn rejected(outcome: &CellsOutcome) -> &[crate::RejectedCell] {
    match outcome {
        CellsOutcome::Rejected(cells) => cells,
        other => panic!("expected rejected cells, got {other:?}"),
    }
}

fn saved(outcome: CellsOutcome) -> (Vec<crate::SavedCell>, Vec<(StudentId, crate::Average)>) {
    match outcome {
        CellsOutcome::Saved {
            cells, averages, ..
        } => (cells, averages),
        other => panic!("expected saved cells, got {other:?}"),
    }
}

#[tokio::test]
async fn column_plans_default_from_the_law_and_refuse_fewer_columns() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let f = fixture(&store, o.department, "THPT Khai Báo").await;
        let plans = store
            .column_plans(f.school, f.year, None, Some(f.class))
            .await
            .unwrap();
        assert!(!plans.is_empty(), "{e}");
        assert!(plans.iter().all(|p| p.status == "not_declared"), "{e}");
        let maths = plans
            .iter()
            .find(|p| p.subject_id == f.maths && p.semester == S1)
            .unwrap();
        assert_eq!(maths.required_regular, Some(4), "{e}: Toán 105 tiết → 4");
        let count = store
            .declare_default_plans(&actor(), f.school, f.year, None, None)
            .await
            .unwrap();
        assert_eq!(count, plans.len(), "{e}");
        // Again: nothing left to declare.
        assert_eq!(
            store
                .declare_default_plans(&actor(), f.school, f.year, None, None)
                .await
                .unwrap(),
            0,
            "{e}"
        );
        let plans = store
            .column_plans(f.school, f.year, Some(S1), Some(f.class))
            .await
            .unwrap();
        assert!(plans.iter().all(|p| p.status == "declared"), "{e}");
        let sport = plans.iter().find(|p| p.subject_id == f.sport).unwrap();
        assert_eq!(sport.plan.unwrap().regular, 2, "{e}: commented → 2");

        // Fewer than the law: refused with the article.
        let error = store
            .declare_column_plan(&actor(), f.school, f.class, f.maths, S1, Some(3), Some(1))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, StoreError::Refused(m) if m.contains("ít nhất 4") && m.contains("Điều 6")),
            "{e}: {error:?}"
        );
        // More: allowed, with the version.
        let (plan, version) = store
            .declare_column_plan(&actor(), f.school, f.class, f.maths, S1, Some(5), Some(1))
            .await
            .unwrap();
        assert_eq!((plan.regular, version), (5, 2), "{e}");
        // A stale version is a conflict.
        let error = store
            .declare_column_plan(&actor(), f.school, f.class, f.maths, S1, Some(4), Some(1))
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Conflict(_)), "{e}: {error:?}");

        // A removed column must be empty.
        f.open_window(&store).await;
        saved(
            f.save(
                &store,
                f.maths,
                teacher(f.maths_teacher),
                &[edit(f.students[0], "regular:5", "9", None)],
            )
            .await,
        );
        let error = store
            .declare_column_plan(&actor(), f.school, f.class, f.maths, S1, Some(4), Some(2))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, StoreError::Refused(m) if m.contains("ĐĐGtx 5 đã có điểm")),
            "{e}: {error:?}"
        );
    }
}

#[tokio::test]
async fn cells_follow_assignments_windows_locks_and_versions() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let f = fixture(&store, o.department, "THPT Sổ Điểm").await;
        let [an, binh, _] = f.students[..] else {
            unreachable!()
        };
        let me = teacher(f.maths_teacher);

        // No plan yet.
        let outcome = f
            .save(&store, f.maths, me, &[edit(an, "regular:1", "8,5", None)])
            .await;
        assert_eq!(refused_code(&outcome), "column_plan_not_declared", "{e}");
        store
            .declare_default_plans(&actor(), f.school, f.year, Some(S1), None)
            .await
            .unwrap();
        // No window yet.
        let outcome = f
            .save(&store, f.maths, me, &[edit(an, "regular:1", "8,5", None)])
            .await;
        assert_eq!(refused_code(&outcome), "no_entry_window", "{e}");
        // A window that has ended.
        let now = crate::now_millis();
        store
            .open_entry_window(
                &actor(),
                f.school,
                f.year,
                10,
                S1,
                now - 3 * HOUR,
                now - 2 * HOUR,
            )
            .await
            .unwrap();
        let outcome = f
            .save(&store, f.maths, me, &[edit(an, "regular:1", "8,5", None)])
            .await;
        assert_eq!(refused_code(&outcome), "entry_window_ended", "{e}");
        if let CellsOutcome::Refused(refusal) = &outcome {
            assert!(
                refusal
                    .reason()
                    .starts_with("Đã hết đợt nhập điểm học kỳ I khối 10 ("),
                "{e}: {refusal}"
            );
        }
        f.open_window(&store).await;

        // Another teacher: not assigned.
        let outcome = f
            .save(
                &store,
                f.maths,
                teacher(f.other_teacher),
                &[edit(an, "regular:1", "8,5", None)],
            )
            .await;
        assert_eq!(refused_code(&outcome), "not_assigned", "{e}");
        if let CellsOutcome::Refused(refusal) = &outcome {
            assert!(
                refusal.reason().contains("môn Toán lớp 10A1 học kỳ I"),
                "{e}: {refusal}"
            );
        }

        // The assigned teacher writes "8,5": stored as 85 tenths, read back "8.5".
        let (cells, averages) = saved(
            f.save(&store, f.maths, me, &[edit(an, "regular:1", "8,5", None)])
                .await,
        );
        assert_eq!(cells[0].value.as_deref(), Some("8.5"), "{e}");
        assert_eq!(cells[0].version, 1, "{e}");
        assert!(cells[0].overrides.is_empty(), "{e}");
        assert!(averages[0].1.value.is_none(), "{e}: not computable yet");
        let tenths: Option<i64> = sqlx::query_scalar(
            "SELECT tenths FROM gradebook_cell WHERE school_id = $1 AND student_id = $2",
        )
        .bind(f.school.0)
        .bind(an.0)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(tenths, Some(85), "{e}");

        // A writer who still believes the cell is empty: stale, with the current value.
        let outcome = f
            .save(&store, f.maths, me, &[edit(an, "regular:1", "7", None)])
            .await;
        let problem = &rejected(&outcome)[0];
        match &problem.problem {
            CellProblem::Stale(Some(current)) => {
                assert_eq!(current.value.as_deref(), Some("8.5"), "{e}");
                assert_eq!(current.version, 1, "{e}");
            }
            other => panic!("{e}: expected stale, got {other:?}"),
        }
        let message = problem.message();
        assert!(
            message.contains("vừa được Kiểm thử tự động sửa thành 8,5 lúc")
                && message.contains("điểm của bạn chưa được lưu"),
            "{e}: {message}"
        );

        // Exact scores only: two decimals are refused, never rounded; Đ is not a Toán value.
        for (value, words) in [
            ("8.25", "hơn một chữ số thập phân"),
            ("11", "lớn hơn 10"),
            ("Đ", "không nhập Đ/CĐ"),
        ] {
            let outcome = f
                .save(&store, f.maths, me, &[edit(binh, "regular:1", value, None)])
                .await;
            let message = rejected(&outcome)[0].message();
            assert!(
                message.contains("Trần Thị Bình") && message.contains(words),
                "{e}: {value}: {message}"
            );
        }

        // The whole row: the average comes from hocba-assessment, 7.8.
        let (_, averages) = saved(
            f.save(
                &store,
                f.maths,
                me,
                &[
                    edit(an, "regular:1", "8", Some(1)),
                    edit(an, "regular:2", "9", None),
                    edit(an, "regular:3", "7", None),
                    edit(an, "regular:4", "8", None),
                    edit(an, "midterm", "7", None),
                    edit(an, "final", "8", None),
                ],
            )
            .await,
        );
        assert_eq!(
            averages,
            vec![(
                an,
                crate::Average {
                    value: Some("7.8".into()),
                    missing: None
                }
            )],
            "{e}"
        );

        // A batch is all or nothing: one bad value, nothing written.
        let before = count(&store, "gradebook_change", f.school).await;
        let outcome = f
            .save(
                &store,
                f.maths,
                me,
                &[
                    edit(binh, "regular:1", "6", None),
                    edit(binh, "regular:2", "6,55", None),
                ],
            )
            .await;
        assert_eq!(rejected(&outcome).len(), 1, "{e}");
        assert_eq!(rejected(&outcome)[0].index, 1, "{e}");
        assert_eq!(
            count(&store, "gradebook_change", f.school).await,
            before,
            "{e}"
        );

        // A locked column: the teacher is refused with who, when, why.
        let changed = store
            .set_column_lock(
                &actor(),
                f.school,
                f.class,
                f.maths,
                S1,
                Some(Column::regular(2)),
                true,
                "Đã chốt điểm",
            )
            .await
            .unwrap();
        assert_eq!(changed, vec![Column::regular(2)], "{e}");
        let outcome = f
            .save(&store, f.maths, me, &[edit(an, "regular:2", "10", Some(1))])
            .await;
        let message = rejected(&outcome)[0].message();
        assert!(
            message
                .contains("Cột ĐĐGtx 2 môn Toán lớp 10A1 học kỳ I đã bị khóa bởi Kiểm thử tự động")
                && message.contains("(lý do: Đã chốt điểm)"),
            "{e}: {message}"
        );
        // Other columns stay open.
        saved(
            f.save(&store, f.maths, me, &[edit(binh, "regular:1", "6", None)])
                .await,
        );
        // An administrator needs to ask for the override, and it is audited.
        let outcome = f
            .save(
                &store,
                f.maths,
                admin(false),
                &[edit(an, "regular:2", "10", Some(1))],
            )
            .await;
        assert!(
            matches!(&rejected(&outcome)[0].problem, CellProblem::Refused(r) if r.code() == "column_locked"),
            "{e}: {outcome:?}"
        );
        let (cells, _) = saved(
            f.save(
                &store,
                f.maths,
                admin(true),
                &[edit(an, "regular:2", "10", Some(1))],
            )
            .await,
        );
        assert_eq!(
            cells[0].overrides,
            vec![Override::NotAssigned, Override::ColumnLocked],
            "{e}"
        );
        let overrides: Option<String> = sqlx::query_scalar(
            "SELECT overrides FROM gradebook_change WHERE school_id = $1 AND student_id = $2 AND column_key = 'regular:2' AND version = 2",
        )
        .bind(f.school.0)
        .bind(an.0)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(
            overrides.as_deref(),
            Some("not_assigned,column_locked"),
            "{e}"
        );
        let audit = store
            .audit_entries(
                f.school.into(),
                &crate::AuditQuery {
                    entity: Some("gradebook".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(
            audit[0].action == "override" && audit[0].summary.contains("cột điểm đã khóa"),
            "{e}: {audit:?}"
        );
        // Unlock (with a reason, audited).
        store
            .set_column_lock(
                &actor(),
                f.school,
                f.class,
                f.maths,
                S1,
                None,
                false,
                "Mở lại",
            )
            .await
            .unwrap();

        // Clearing a cell is a change too.
        let (cells, _) = saved(
            f.save(&store, f.maths, me, &[edit(an, "regular:3", "", Some(1))])
                .await,
        );
        assert_eq!((cells[0].value.clone(), cells[0].version), (None, 2), "{e}");
        let history = store
            .gradebook_history(f.school, f.class, f.maths, S1, Some(an))
            .await
            .unwrap();
        let cleared = &history[0];
        assert_eq!(
            (
                cleared.old_value.as_deref(),
                cleared.new_value.as_deref(),
                cleared.channel.as_str()
            ),
            (Some("7.0"), None, "api"),
            "{e}"
        );
        assert_eq!(cleared.reason.as_deref(), Some("kiểm thử"), "{e}");
        assert!(history.iter().all(|h| h.student_id == an), "{e}");
        // Writing the same value again writes nothing.
        let before = count(&store, "gradebook_change", f.school).await;
        let (cells, _) = saved(
            f.save(&store, f.maths, me, &[edit(an, "final", "8", Some(1))])
                .await,
        );
        assert!(!cells[0].changed, "{e}");
        assert_eq!(
            count(&store, "gradebook_change", f.school).await,
            before,
            "{e}"
        );

        // Commented subjects take Đ/CĐ; the missed make-up counts CĐ. The
        // teacher is not assigned to GDTC, so only the administrator writes.
        let outcome = f
            .save(
                &store,
                f.sport,
                admin(false),
                &[edit(an, "midterm", "8", None)],
            )
            .await;
        assert!(
            rejected(&outcome)[0].message().contains("chỉ nhập Đ"),
            "{e}"
        );
        let mut missed = edit(an, "midterm", "", None);
        missed.missed_make_up = true;
        let (cells, _) = saved(f.save(&store, f.sport, admin(false), &[missed]).await);
        assert_eq!(cells[0].value.as_deref(), Some("CĐ"), "{e}");
        assert!(cells[0].missed_make_up, "{e}");

        // The grid: plan, locks, students in Vietnamese order, cells, averages.
        let book = store
            .gradebook(f.school, f.class, f.maths, S1)
            .await
            .unwrap();
        assert_eq!(book.plan.unwrap().regular, 4, "{e}");
        assert_eq!(book.columns.len(), 6, "{e}");
        assert!(book.columns.iter().all(|c| c.lock.is_none()), "{e}");
        let names: Vec<&str> = book.students.iter().map(|s| s.full_name.as_str()).collect();
        assert_eq!(
            names,
            ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"],
            "{e}"
        );
        assert_eq!(book.teacher.as_ref().unwrap().1, "Cao Thị Hạnh", "{e}");
        let first = &book.students[0];
        assert!(first.average.value.is_none(), "{e}: ĐĐGtx 3 was cleared");
        assert_eq!(first.cells.len(), 6, "{e}");
        assert!(
            matches!(
                book.window,
                hocba_domain::gradebook::WindowState::Open { .. }
            ),
            "{e}"
        );
    }
}

#[tokio::test]
async fn conduct_belongs_to_the_homeroom_teacher() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let f = fixture(&store, o.department, "THPT Rèn Luyện").await;
        store
            .assign_homeroom(&actor(), f.school, f.year, f.class, f.other_teacher)
            .await
            .unwrap();
        f.open_window(&store).await;
        let line = ConductEdit {
            student: f.students[0],
            training_result: Some(TrainingResult::Good),
            comment: Some("Chăm ngoan, học tốt".into()),
            expected_version: None,
        };
        let outcome = store
            .save_conduct(
                &actor(),
                f.school,
                f.class,
                S1,
                teacher(f.maths_teacher),
                &line,
            )
            .await
            .unwrap();
        assert!(
            matches!(&outcome, ConductOutcome::Refused(r) if r.code() == "not_homeroom"),
            "{e}: {outcome:?}"
        );
        let outcome = store
            .save_conduct(
                &actor(),
                f.school,
                f.class,
                S1,
                teacher(f.other_teacher),
                &line,
            )
            .await
            .unwrap();
        assert!(
            matches!(outcome, ConductOutcome::Saved { version: 1, .. }),
            "{e}: {outcome:?}"
        );
        let outcome = store
            .save_conduct(
                &actor(),
                f.school,
                f.class,
                S1,
                teacher(f.other_teacher),
                &line,
            )
            .await
            .unwrap();
        assert!(
            matches!(outcome, ConductOutcome::Stale(Some(_))),
            "{e}: {outcome:?}"
        );
        let sheet = store.conduct_sheet(f.school, f.class, S1).await.unwrap();
        let first = sheet
            .students
            .iter()
            .find(|s| s.student_id == f.students[0])
            .unwrap();
        assert_eq!(first.training_result.as_deref(), Some("Tốt"), "{e}");
        assert_eq!(first.version, Some(1), "{e}");
    }
}

#[tokio::test]
async fn gradebooks_stay_in_their_school() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let a = fixture(&store, o.department, "THPT Trường A").await;
        let b = fixture(&store, o.bureau, "THPT Trường B").await;
        for f in [&a, &b] {
            store
                .declare_default_plans(&actor(), f.school, f.year, Some(S1), None)
                .await
                .unwrap();
            f.open_window(&store).await;
            saved(
                f.save(
                    &store,
                    f.maths,
                    teacher(f.maths_teacher),
                    &[edit(f.students[0], "regular:1", "9", None)],
                )
                .await,
            );
        }
        // School A's id with school B's class or subject: nothing is found.
        assert!(
            matches!(
                store.gradebook(a.school, b.class, b.maths, S1).await,
                Err(StoreError::NotFound(_))
            ),
            "{e}"
        );
        assert!(
            matches!(
                store.gradebook(a.school, a.class, b.maths, S1).await,
                Err(StoreError::NotFound(_))
            ),
            "{e}"
        );
        let error = store
            .save_cells(
                &actor(),
                a.school,
                b.class,
                b.maths,
                S1,
                admin(true),
                Channel::Api,
                None,
                &[edit(b.students[0], "regular:1", "1", Some(1))],
            )
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");
        // A's class, A's subject, B's student: not a student of the class.
        let outcome = a
            .save(
                &store,
                a.maths,
                admin(true),
                &[edit(b.students[0], "regular:1", "1", None)],
            )
            .await;
        assert!(
            matches!(rejected(&outcome)[0].problem, CellProblem::UnknownStudent),
            "{e}"
        );
        assert!(
            store
                .set_column_lock(&actor(), a.school, b.class, b.maths, S1, None, true, "x")
                .await
                .is_err(),
            "{e}"
        );
        assert!(
            store
                .delete_entry_window(
                    &actor(),
                    a.school,
                    store.entry_windows(b.school, b.year).await.unwrap()[0].id
                )
                .await
                .is_err(),
            "{e}"
        );
        // B's cell is untouched; the teaching assignments are per school.
        let book = store
            .gradebook(b.school, b.class, b.maths, S1)
            .await
            .unwrap();
        assert_eq!(
            book.students.iter().filter(|s| !s.cells.is_empty()).count(),
            1,
            "{e}"
        );
        assert_eq!(
            book.students
                .iter()
                .find(|s| s.id == b.students[0])
                .unwrap()
                .cells[0]
                .value
                .as_deref(),
            Some("9.0"),
            "{e}"
        );
        let mine = store
            .teaching_assignments_of(a.school, a.maths_teacher)
            .await
            .unwrap();
        assert_eq!(mine.len(), 1, "{e}");
        assert_eq!(
            (mine[0].class, mine[0].subject, mine[0].semester),
            (a.class, a.maths, S1),
            "{e}"
        );
        assert!(
            store
                .teaching_assignments_of(b.school, a.maths_teacher)
                .await
                .unwrap()
                .is_empty(),
            "{e}"
        );
    }
}

#[tokio::test]
async fn the_second_semester_grid_shows_the_year_value() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let f = fixture(&store, o.department, "THPT Cả Năm").await;
        store
            .declare_default_plans(&actor(), f.school, f.year, None, None)
            .await
            .unwrap();
        let now = crate::now_millis();
        for semester in Semester::ALL {
            store
                .open_entry_window(
                    &actor(),
                    f.school,
                    f.year,
                    10,
                    semester,
                    now - HOUR,
                    now + HOUR,
                )
                .await
                .unwrap();
        }
        let an = f.students[0];
        let row = |values: [&str; 6]| -> Vec<CellEdit> {
            [
                "regular:1",
                "regular:2",
                "regular:3",
                "regular:4",
                "midterm",
                "final",
            ]
            .iter()
            .zip(values)
            .map(|(column, value)| edit(an, column, value, None))
            .collect()
        };
        let save = |semester: Semester, edits: Vec<CellEdit>| {
            let store = store.clone();
            async move {
                store
                    .save_cells(
                        &actor(),
                        f.school,
                        f.class,
                        f.maths,
                        semester,
                        admin(false),
                        Channel::Grid,
                        None,
                        &edits,
                    )
                    .await
                    .unwrap()
            }
        };
        saved(save(S1, row(["8", "9", "7", "8", "7", "8"])).await);
        let book = store
            .gradebook(f.school, f.class, f.maths, Semester::S2)
            .await
            .unwrap();
        let year = book.students[0].year.clone().unwrap();
        assert!(
            year.missing.unwrap().starts_with("Học kỳ II:"),
            "{e}: semester II not entered yet"
        );
        saved(save(Semester::S2, row(["8", "8", "8", "8", "8", "8"])).await);
        let book = store
            .gradebook(f.school, f.class, f.maths, Semester::S2)
            .await
            .unwrap();
        let first = &book.students[0];
        assert_eq!(first.average.value.as_deref(), Some("8.0"), "{e}");
        // (7.8 + 2·8.0) / 3 = 7.93 → 7.9 (TT22 Điều 9 khoản 1).
        assert_eq!(
            first.year.as_ref().unwrap().value.as_deref(),
            Some("7.9"),
            "{e}"
        );
        let book = store
            .gradebook(f.school, f.class, f.maths, S1)
            .await
            .unwrap();
        assert!(book.students[0].year.is_none(), "{e}: only in semester II");
    }
}

/// Concurrent writers of one cell who all saw it empty: exactly one wins,
/// every other one is told the cell is stale (never a lost update, never a
/// database error), on both engines.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_of_one_cell_never_lose_an_update() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let f = fixture(&store, o.department, "THPT Đồng Thời").await;
        store
            .declare_default_plans(&actor(), f.school, f.year, Some(S1), None)
            .await
            .unwrap();
        f.open_window(&store).await;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..12u32 {
            let store = store.clone();
            let (school, class, subject, student, staff) =
                (f.school, f.class, f.maths, f.students[0], f.maths_teacher);
            tasks.spawn(async move {
                store
                    .save_cells(
                        &actor(),
                        school,
                        class,
                        subject,
                        S1,
                        teacher(staff),
                        Channel::Grid,
                        None,
                        &[edit(student, "midterm", &format!("{}", i % 10), None)],
                    )
                    .await
            });
        }
        let (mut won, mut stale) = (0, 0);
        while let Some(outcome) = tasks.join_next().await {
            match outcome
                .unwrap()
                .unwrap_or_else(|error| panic!("{e}: {error}"))
            {
                CellsOutcome::Saved { .. } => won += 1,
                CellsOutcome::Rejected(cells)
                    if matches!(cells[0].problem, CellProblem::Stale(_)) =>
                {
                    stale += 1
                }
                other => panic!("{e}: {other:?}"),
            }
        }
        assert_eq!((won, stale), (1, 11), "{e}");
        let history = store
            .gradebook_history(f.school, f.class, f.maths, S1, None)
            .await
            .unwrap();
        assert_eq!(history.len(), 1, "{e}: one change, one trail row");
    }
}

/// The class's workbook: several gradebooks in one transaction, decided
/// with the rules of `save_cells` before anything is written.
#[tokio::test]
async fn a_workbook_is_written_all_or_nothing_across_subjects() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let f = fixture(&store, o.department, "THPT Cả Lớp").await;
        let [an, binh, cuong] = f.students[..] else {
            unreachable!()
        };
        store
            .declare_default_plans(&actor(), f.school, f.year, Some(S1), None)
            .await
            .unwrap();
        f.open_window(&store).await;
        let write = |writer: Writer, books: Vec<(SubjectId, Vec<CellEdit>)>| {
            let store = store.clone();
            let (school, class) = (f.school, f.class);
            async move {
                store
                    .save_workbook_cells(
                        &actor(),
                        school,
                        class,
                        S1,
                        writer,
                        Channel::Excel,
                        Some("Nhập từ tệp Excel của cả lớp"),
                        &books,
                    )
                    .await
                    .expect("save_workbook_cells")
            }
        };
        let value = async |subject: SubjectId, student: StudentId, column: &str| {
            let book = store
                .gradebook(f.school, f.class, subject, S1)
                .await
                .unwrap();
            book.students
                .iter()
                .find(|s| s.id == student)
                .unwrap()
                .cells
                .iter()
                .find(|c| c.column == Column::parse(column).unwrap())
                .map(|c| (c.value.clone(), c.version))
        };

        // Two subjects, every student, one transaction.
        let maths: Vec<CellEdit> = [an, binh, cuong]
            .iter()
            .flat_map(|s| {
                ["regular:1", "regular:2", "midterm", "final"]
                    .iter()
                    .map(|c| edit(*s, c, "7,5", None))
            })
            .collect();
        let outcome = write(
            admin(false),
            vec![
                (f.maths, maths),
                (f.sport, vec![edit(an, "regular:1", "Đ", None)]),
            ],
        )
        .await;
        let WorkbookOutcome::Saved(books) = outcome else {
            panic!("{e}: expected saved, got {outcome:?}")
        };
        assert_eq!(books.len(), 2, "{e}");
        assert_eq!(books[0].1.iter().filter(|c| c.changed).count(), 12, "{e}");
        assert_eq!(
            value(f.maths, cuong, "final").await,
            Some((Some("7.5".into()), 1)),
            "{e}"
        );
        assert_eq!(
            value(f.sport, an, "regular:1").await,
            Some((Some("Đ".into()), 1)),
            "{e}"
        );
        let trail = store
            .gradebook_history(f.school, f.class, f.maths, S1, Some(binh))
            .await
            .unwrap();
        assert_eq!(trail.len(), 4, "{e}");
        assert!(trail.iter().all(|c| c.channel == "excel"), "{e}");

        // An unchanged value is not written again; a change bumps the version.
        let outcome = write(
            admin(false),
            vec![(
                f.maths,
                vec![
                    edit(an, "regular:1", "7.5", Some(1)),
                    edit(an, "regular:2", "9", Some(1)),
                ],
            )],
        )
        .await;
        let WorkbookOutcome::Saved(books) = outcome else {
            panic!("{e}: expected saved, got {outcome:?}")
        };
        let changed: Vec<bool> = books[0].1.iter().map(|c| c.changed).collect();
        assert_eq!(changed, vec![false, true], "{e}");
        assert_eq!(
            value(f.maths, an, "regular:2").await,
            Some((Some("9.0".into()), 2)),
            "{e}"
        );

        // One bad cell in the second book: nothing of the first is written.
        let outcome = write(
            admin(false),
            vec![
                (f.maths, vec![edit(an, "final", "10", Some(1))]),
                (f.sport, vec![edit(binh, "regular:1", "8", None)]),
            ],
        )
        .await;
        let WorkbookOutcome::Refused(refused) = outcome else {
            panic!("{e}: expected refused, got {outcome:?}")
        };
        assert_eq!(refused.len(), 1, "{e}");
        assert_eq!(refused[0].0, f.sport, "{e}");
        let cells = rejected(&refused[0].1);
        assert!(
            matches!(cells[0].problem, CellProblem::Invalid(_)),
            "{e}: {cells:?}"
        );
        assert_eq!(
            value(f.maths, an, "final").await,
            Some((Some("7.5".into()), 1)),
            "{e}: the first book was written"
        );

        // A teacher: the book they are not assigned is refused as a whole,
        // and their own book is not written either.
        let outcome = write(
            teacher(f.maths_teacher),
            vec![
                (f.maths, vec![edit(binh, "final", "6", Some(1))]),
                (f.sport, vec![edit(binh, "regular:1", "Đ", None)]),
            ],
        )
        .await;
        let WorkbookOutcome::Refused(refused) = outcome else {
            panic!("{e}: expected refused, got {outcome:?}")
        };
        assert_eq!(refused[0].0, f.sport, "{e}");
        assert_eq!(refused_code(&refused[0].1), "not_assigned", "{e}");
        assert_eq!(
            value(f.maths, binh, "final").await,
            Some((Some("7.5".into()), 1)),
            "{e}"
        );

        // A locked column refuses its cells; a stale version is reported.
        store
            .set_column_lock(
                &actor(),
                f.school,
                f.class,
                f.maths,
                S1,
                Some(Column::MIDTERM),
                true,
                "Đã chốt điểm giữa kỳ",
            )
            .await
            .unwrap();
        let outcome = write(
            teacher(f.maths_teacher),
            vec![(
                f.maths,
                vec![
                    edit(cuong, "midterm", "5", Some(1)),
                    edit(an, "regular:2", "6", Some(1)),
                ],
            )],
        )
        .await;
        let WorkbookOutcome::Refused(refused) = outcome else {
            panic!("{e}: expected refused, got {outcome:?}")
        };
        let cells = rejected(&refused[0].1);
        assert_eq!(cells.len(), 2, "{e}: {cells:?}");
        assert!(
            matches!(&cells[0].problem, CellProblem::Refused(r) if r.code() == "column_locked"),
            "{e}: {cells:?}"
        );
        assert!(
            matches!(&cells[1].problem, CellProblem::Stale(Some(c)) if c.version == 2),
            "{e}: {cells:?}"
        );
        assert_eq!(
            value(f.maths, cuong, "midterm").await,
            Some((Some("7.5".into()), 1)),
            "{e}"
        );
    }
}
