//! The primary (TT27) book on every engine: who may write what, the entry
//! window, versions, all or nothing, the audit entry, and a class read in
//! a fixed number of queries giving back exactly what was written.

use super::*;
use crate::test_util::stores;
use crate::{PrimaryOutcome, Writer};
use hocba_domain::SubjectId;
use hocba_domain::gradebook::{Override, Semester};
use hocba_domain::primary::{
    EntryScope, Exemptible, LineEdit, Milestone, PeriodicTestScore, PrimaryLevel, RATINGS, Rating,
    level_code,
};

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

/// A grade-4 class of a primary school with two students, a homeroom
/// teacher, an English teacher assigned to Ngoại ngữ 1 in semester II, and
/// another teacher with nothing in the class.
struct Fixture {
    school: SchoolId,
    year: SchoolYearId,
    class: ClassId,
    students: Vec<StudentId>,
    vietnamese: SubjectId,
    maths: SubjectId,
    english: SubjectId,
    ethics: SubjectId,
    homeroom: StaffId,
    english_teacher: StaffId,
    stranger: StaffId,
}

async fn fixture(store: &Store, parent: UnitId, name: &str) -> Fixture {
    let school = store
        .create_school(
            &actor(),
            NewSchool {
                parent,
                levels: &[Level::Primary],
                profile: &school_profile(name),
            },
        )
        .await
        .expect("school");
    let year = store
        .create_school_year(
            &actor(),
            school,
            SchoolYear { start_year: 2025 },
            &grades(&[1, 2, 3, 4, 5]),
        )
        .await
        .expect("year");
    let class = class(store, school, year, "4A").await;
    let mut students = Vec::new();
    for (i, name) in ["Nguyễn Minh An", "Trần Thu Bình"].iter().enumerate() {
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
    let subjects = store
        .subjects(school, year, Some(Grade::new(4).unwrap()))
        .await
        .unwrap();
    let id_of = |code: &str| subjects.iter().find(|s| s.code == code).unwrap().id;
    let homeroom = staff(store, school, "Phạm Thị Lan").await;
    let english_teacher = staff(store, school, "Vũ Thị Mai").await;
    let stranger = staff(store, school, "Đỗ Văn Nam").await;
    store
        .assign_homeroom(&actor(), school, year, class, homeroom)
        .await
        .unwrap();
    store
        .assign_teaching(
            &actor(),
            school,
            year,
            2,
            class,
            id_of("NN1"),
            english_teacher,
        )
        .await
        .unwrap();
    Fixture {
        school,
        year,
        class,
        students,
        vietnamese: id_of("TV"),
        maths: id_of("TOAN"),
        english: id_of("NN1"),
        ethics: id_of("DD"),
        homeroom,
        english_teacher,
        stranger,
    }
}

impl Fixture {
    async fn open_window(&self, store: &Store, semester: Semester) {
        let now = crate::now_millis();
        store
            .open_entry_window(
                &actor(),
                self.school,
                self.year,
                4,
                semester,
                now - HOUR,
                now + HOUR,
            )
            .await
            .unwrap();
    }

    async fn save(
        &self,
        store: &Store,
        writer: Writer,
        scope: EntryScope,
        edits: &[LineEdit],
    ) -> PrimaryOutcome {
        store
            .save_primary(
                &actor(),
                self.school,
                self.class,
                Milestone::EndOfYear,
                writer,
                scope,
                edits,
            )
            .await
            .unwrap()
    }
}

fn score(points: u64) -> Option<Exemptible<PeriodicTestScore>> {
    Some(Exemptible::Assessed(
        PeriodicTestScore::new(points).unwrap(),
    ))
}

fn level(level: PrimaryLevel) -> Option<Exemptible<PrimaryLevel>> {
    Some(Exemptible::Assessed(level))
}

#[tokio::test]
async fn primary_lines_are_written_by_the_right_people_with_versions_and_audit() {
    for (db, store) in stores().await {
        let e = db.engine;
        let org = org(&store).await;
        let f = fixture(&store, org.department, "Trường Tiểu học Kiểm Thử").await;
        let [first, second] = [f.students[0], f.students[1]];

        // No window yet: the homeroom teacher is told; nothing written.
        let mut edit = LineEdit::new(first, None);
        edit.levels
            .insert(f.maths, level(PrimaryLevel::CompletedWell));
        edit.tests.insert(f.maths, score(9));
        edit.ratings.insert(0, Some(Rating::Good));
        edit.comment = Some(Some("Em học tốt, chăm chỉ.".into()));
        let outcome = f
            .save(
                &store,
                teacher(f.homeroom),
                EntryScope::Class,
                &[edit.clone()],
            )
            .await;
        assert!(
            matches!(&outcome, PrimaryOutcome::Refused(r) if r.code() == "no_entry_window"),
            "[{e}] {outcome:?}"
        );
        f.open_window(&store, Semester::S2).await;

        // Another teacher: refused with the reason naming the class.
        let outcome = f
            .save(
                &store,
                teacher(f.stranger),
                EntryScope::Class,
                &[edit.clone()],
            )
            .await;
        let PrimaryOutcome::Forbidden(denied) = outcome else {
            panic!("[{e}] {outcome:?}");
        };
        assert!(denied.reason.contains("4A"), "[{e}] {denied:?}");
        assert_eq!(
            count(&store, "primary_assessment", f.school).await,
            0,
            "[{e}]"
        );

        // The homeroom teacher writes; version 1.
        let outcome = f
            .save(
                &store,
                teacher(f.homeroom),
                EntryScope::Class,
                &[edit.clone()],
            )
            .await;
        let PrimaryOutcome::Saved {
            changed, versions, ..
        } = outcome
        else {
            panic!("[{e}] {outcome:?}");
        };
        assert_eq!((changed, versions[&first]), (1, 1), "[{e}]");

        // The same edit again with the old version: stale, nothing changes.
        let mut again = edit.clone();
        again.levels.insert(f.maths, level(PrimaryLevel::Completed));
        let outcome = f
            .save(&store, teacher(f.homeroom), EntryScope::Class, &[again])
            .await;
        let PrimaryOutcome::Stale(stale) = outcome else {
            panic!("[{e}] {outcome:?}");
        };
        assert_eq!(stale[0].current.as_ref().unwrap().version, 1, "[{e}]");

        // The English teacher enters their subject (semester II assignment)
        // for two students at once; the Toán they do not teach is refused.
        let mut english = LineEdit::new(first, Some(1));
        english
            .levels
            .insert(f.english, level(PrimaryLevel::Completed));
        english.tests.insert(f.english, score(7));
        let mut english2 = LineEdit::new(second, None);
        english2.levels.insert(f.english, Some(Exemptible::Exempt));
        let outcome = f
            .save(
                &store,
                teacher(f.english_teacher),
                EntryScope::Subject(f.english),
                &[english.clone(), english2.clone()],
            )
            .await;
        assert!(
            matches!(&outcome, PrimaryOutcome::Saved { changed: 2, .. }),
            "[{e}] {outcome:?}"
        );
        let outcome = f
            .save(
                &store,
                teacher(f.english_teacher),
                EntryScope::Subject(f.maths),
                &[LineEdit::new(first, Some(2))],
            )
            .await;
        assert!(
            matches!(outcome, PrimaryOutcome::Forbidden(_)),
            "[{e}] {outcome:?}"
        );

        // All or nothing: one stale line refuses the other student's too.
        let mut good = LineEdit::new(second, Some(1));
        good.levels
            .insert(f.ethics, level(PrimaryLevel::CompletedWell));
        let stale_line = LineEdit::new(first, Some(1));
        let outcome = f
            .save(
                &store,
                teacher(f.homeroom),
                EntryScope::Class,
                &[good, stale_line],
            )
            .await;
        assert!(
            matches!(outcome, PrimaryOutcome::Stale(_)),
            "[{e}] {outcome:?}"
        );

        // Clearing a value keeps the row, the version counts on.
        let mut clear = LineEdit::new(first, Some(2));
        clear.tests.insert(f.maths, None);
        clear.ratings.insert(RATINGS - 1, Some(Rating::NeedsEffort));
        let outcome = f
            .save(&store, admin(false), EntryScope::Class, &[clear])
            .await;
        let PrimaryOutcome::Saved {
            versions,
            overrides,
            ..
        } = outcome
        else {
            panic!("[{e}] {outcome:?}");
        };
        assert_eq!(versions[&first], 3, "[{e}]");
        assert_eq!(overrides, vec![Override::NotAssigned], "[{e}]");

        // Read back: exactly what was written, for the whole class.
        let book = store.primary_book(f.school, f.class).await.unwrap();
        assert_eq!(book.not_primary, None, "[{e}]");
        assert_eq!(book.students.len(), 2, "[{e}]");
        let line =
            &book.students.iter().find(|s| s.id == first).unwrap().values[&Milestone::EndOfYear];
        assert_eq!(level_code(&line.levels[&f.maths]), "T", "[{e}]");
        assert_eq!(level_code(&line.levels[&f.english]), "H", "[{e}]");
        assert_eq!(line.tests.get(&f.maths), None, "[{e}]");
        assert_eq!(line.tests.get(&f.english), score(7).as_ref(), "[{e}]");
        assert_eq!(line.ratings[0], Some(Rating::Good), "[{e}]");
        assert_eq!(
            line.ratings[RATINGS - 1],
            Some(Rating::NeedsEffort),
            "[{e}]"
        );
        assert_eq!(
            line.comment.as_deref(),
            Some("Em học tốt, chăm chỉ."),
            "[{e}]"
        );
        assert!(!line.levels.contains_key(&f.vietnamese), "[{e}]");
        let other = &book
            .students
            .iter()
            .find(|s| s.id == second)
            .unwrap()
            .values[&Milestone::EndOfYear];
        assert_eq!(other.levels[&f.english], Exemptible::Exempt, "[{e}]");
        assert_eq!(
            book.stamp(first, Milestone::EndOfYear).unwrap().version,
            3,
            "[{e}]"
        );
        // Three saves changed something: three audit entries.
        let audits: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE unit_id = $1 AND entity = 'primary_assessment'",
        )
        .bind(f.school.0)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(audits, 3, "[{e}]");
    }
}

#[tokio::test]
async fn a_secondary_class_has_no_primary_book() {
    for (db, store) in stores().await {
        let e = db.engine;
        let org = org(&store).await;
        let (school, year) = school_with_year(&store, org.department, "THPT Kiểm Thử", 2025).await;
        let class = class(&store, school, year, "10A1").await;
        let book = store.primary_book(school, class).await.unwrap();
        assert!(
            book.not_primary
                .as_deref()
                .is_some_and(|m| m.contains("10A1")),
            "[{e}] {:?}",
            book.not_primary
        );
        let outcome = store
            .save_primary(
                &actor(),
                school,
                class,
                Milestone::EndOfYear,
                admin(true),
                EntryScope::Class,
                &[],
            )
            .await
            .unwrap();
        assert!(matches!(outcome, PrimaryOutcome::NotPrimary(_)), "[{e}]");
    }
}

/// A whole class saved at once (more lines and subject rows than one
/// statement takes) reads back complete.
#[tokio::test]
async fn a_whole_class_is_saved_in_one_transaction() {
    for (db, store) in stores().await {
        let e = db.engine;
        let org = org(&store).await;
        let f = fixture(&store, org.department, "Trường Tiểu học Cả Lớp").await;
        f.open_window(&store, Semester::S2).await;
        let mut students = f.students.clone();
        for i in 0..43 {
            students.push(
                add_student(
                    &store,
                    f.school,
                    f.year,
                    f.class,
                    &student(&format!("Học Sinh Số {i}"), i % 2 == 0, None),
                )
                .await,
            );
        }
        let book = store.primary_book(f.school, f.class).await.unwrap();
        assert_eq!(book.students.len(), 45, "[{e}]");
        let edits: Vec<LineEdit> = students
            .iter()
            .map(|student| {
                let mut edit = LineEdit::new(*student, None);
                for subject in &book.subjects {
                    edit.levels
                        .insert(subject.id, level(PrimaryLevel::CompletedWell));
                    if subject.has_test(book.grade, Milestone::EndOfYear) {
                        edit.tests.insert(subject.id, score(9));
                    }
                }
                for index in 0..RATINGS {
                    edit.ratings.insert(index, Some(Rating::Good));
                }
                edit
            })
            .collect();
        let outcome = f
            .save(&store, teacher(f.homeroom), EntryScope::Class, &edits)
            .await;
        assert!(
            matches!(&outcome, PrimaryOutcome::Saved { changed: 45, .. }),
            "[{e}] {outcome:?}"
        );
        assert_eq!(
            count(&store, "primary_assessment", f.school).await,
            45,
            "[{e}]"
        );
        assert_eq!(
            count(&store, "primary_subject_assessment", f.school).await,
            45 * book.subjects.len() as i64,
            "[{e}]"
        );
        let book = store.primary_book(f.school, f.class).await.unwrap();
        for student in &book.students {
            let line = &student.values[&Milestone::EndOfYear];
            assert_eq!(line.levels.len(), book.subjects.len(), "[{e}]");
            assert!(line.ratings.iter().all(Option::is_some), "[{e}]");
            assert_eq!(
                book.stamp(student.id, Milestone::EndOfYear)
                    .unwrap()
                    .version,
                1
            );
        }
        // Saving again with the versions read: every line moves to version 2.
        let edits: Vec<LineEdit> = edits
            .into_iter()
            .map(|mut edit| {
                edit.expected_version = Some(1);
                edit.comment = Some(Some("Hoàn thành tốt nội dung học tập.".into()));
                edit
            })
            .collect();
        let outcome = f
            .save(&store, teacher(f.homeroom), EntryScope::Class, &edits)
            .await;
        let PrimaryOutcome::Saved { versions, .. } = outcome else {
            panic!("[{e}] {outcome:?}");
        };
        assert!(versions.values().all(|v| *v == 2), "[{e}] {versions:?}");
    }
}

/// Closing the book at the end of the year: refused while a line is
/// incomplete (naming the student), then saves are refused until an
/// administrator reopens it.
#[tokio::test]
async fn closing_the_primary_book() {
    for (db, store) in stores().await {
        let e = db.engine;
        let org = org(&store).await;
        let f = fixture(&store, org.department, "Trường Tiểu học Khóa Sổ").await;
        f.open_window(&store, Semester::S2).await;
        let who = actor();
        let close = |milestone| store.close_primary(&who, f.school, f.class, milestone);
        let refused = |outcome: crate::CloseOutcome| match outcome {
            crate::CloseOutcome::Refused(why) => why,
            other => panic!("[{e}] {other:?}"),
        };
        let why = refused(close(Milestone::MidS2).await.unwrap());
        assert!(why.contains("cuối năm học"), "[{e}] {why}");
        let why = refused(close(Milestone::EndOfYear).await.unwrap());
        assert!(why.contains("Nguyễn Minh An"), "[{e}] {why}");

        let book = store.primary_book(f.school, f.class).await.unwrap();
        let complete = |student: StudentId| {
            let mut edit = LineEdit::new(student, None);
            for subject in &book.subjects {
                edit.levels
                    .insert(subject.id, level(PrimaryLevel::Completed));
                if subject.has_test(book.grade, Milestone::EndOfYear) {
                    edit.tests.insert(subject.id, score(7));
                }
            }
            for index in 0..RATINGS {
                edit.ratings.insert(index, Some(Rating::Achieved));
            }
            edit
        };
        let edits: Vec<LineEdit> = f.students.iter().map(|s| complete(*s)).collect();
        let outcome = f
            .save(&store, teacher(f.homeroom), EntryScope::Class, &edits)
            .await;
        assert!(
            matches!(outcome, PrimaryOutcome::Saved { changed: 2, .. }),
            "[{e}] {outcome:?}"
        );
        let closed = close(Milestone::EndOfYear).await.unwrap();
        assert!(
            matches!(closed, crate::CloseOutcome::Closed(_)),
            "[{e}] {closed:?}"
        );
        assert!(
            store
                .is_term_closed(f.school, f.class, Semester::S2)
                .await
                .unwrap(),
            "[{e}]"
        );
        let mut late = LineEdit::new(f.students[0], Some(1));
        late.comment = Some(Some("Sửa sau khi khóa sổ".into()));
        let outcome = f
            .save(&store, admin(true), EntryScope::Class, &[late.clone()])
            .await;
        assert!(
            matches!(&outcome, PrimaryOutcome::Refused(r) if r.code() == "term_closed"),
            "[{e}] {outcome:?}"
        );
        store
            .reopen_term(&actor(), f.school, f.class, Semester::S2, "Sửa nhận xét")
            .await
            .unwrap();
        let outcome = f
            .save(&store, teacher(f.homeroom), EntryScope::Class, &[late])
            .await;
        assert!(
            matches!(outcome, PrimaryOutcome::Saved { changed: 1, .. }),
            "[{e}] {outcome:?}"
        );
    }
}
