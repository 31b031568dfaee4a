//! School years, their rollover, and teaching and homeroom assignments.

use crate::audit::{self, Change};
use crate::{Actor, Result, Store, StoreError, new_id, now_millis};
use hocba_domain::curriculum::default_subjects;
use hocba_domain::rollover::{self, ClassInYear, StudentInYear, YearDecision};
use hocba_domain::school::SchoolYear;
use hocba_domain::student::EnrolmentStatus;
use hocba_domain::{ClassId, Grade, SchoolId, SchoolYearId, StaffId, StudentId, SubjectId};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct SchoolYearRow {
    pub id: SchoolYearId,
    pub year: SchoolYear,
    pub label: String,
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AssignmentRow {
    pub id: i64,
    pub semester: u8,
    pub class_id: ClassId,
    pub class_name: String,
    pub subject_id: SubjectId,
    pub subject_name: String,
    pub staff_id: StaffId,
    pub staff_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HomeroomRow {
    pub class_id: ClassId,
    pub class_name: String,
    pub staff_id: StaffId,
    pub staff_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RolloverOutcome {
    pub new_year: SchoolYearId,
    pub classes_created: usize,
    pub students_carried: usize,
    pub graduates: usize,
    pub not_carried: usize,
}

impl Store {
    pub async fn school_years(&self, school: SchoolId) -> Result<Vec<SchoolYearRow>> {
        let rows =
            sqlx::query("SELECT id, start_year, status FROM school_year WHERE school_id = $1 ORDER BY start_year DESC")
                .bind(school.0)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|row| {
                let start: i64 = row.try_get("start_year")?;
                let year = SchoolYear {
                    start_year: start as u16,
                };
                Ok(SchoolYearRow {
                    id: SchoolYearId(row.try_get("id")?),
                    year,
                    label: year.label(),
                    status: row.try_get("status")?,
                })
            })
            .collect()
    }

    /// The newest open year of the school: the one its pages show by default.
    pub async fn current_year(&self, school: SchoolId) -> Result<SchoolYearRow> {
        self.school_years(school).await?.into_iter().next().ok_or_else(|| {
            StoreError::NotFound(
                "năm học nào của trường; hãy tạo năm học (Năm học → Thêm năm học) trước khi nhập lớp và học sinh".into(),
            )
        })
    }

    /// Creates a school year with the default subjects of the 2018 curriculum
    /// for each grade the school teaches.
    pub async fn create_school_year(
        &self,
        actor: &Actor,
        school: SchoolId,
        year: SchoolYear,
        grades: &[Grade],
    ) -> Result<SchoolYearId> {
        let mut tx = self.begin().await?;
        let id = insert_school_year(&mut tx, actor, school, year, grades).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Carries the school's classes and students into the next year
    /// (`hocba_domain::rollover`), in one transaction.
    pub async fn roll_over(
        &self,
        actor: &Actor,
        school: SchoolId,
        from: SchoolYearId,
    ) -> Result<RolloverOutcome> {
        let years = self.school_years(school).await?;
        let current = years
            .iter()
            .find(|y| y.id == from)
            .ok_or_else(|| StoreError::NotFound("năm học".into()))?;
        let next = SchoolYear {
            start_year: current.year.start_year + 1,
        };
        if years.iter().any(|y| y.year == next) {
            return Err(StoreError::Refused(format!(
                "Năm học {} đã có nên không thể kết chuyển lần nữa. Nếu cần làm lại, hãy xóa dữ liệu năm {} trước.",
                next.label(),
                next.label()
            )));
        }
        let class_rows = sqlx::query(
            "SELECT id, name, grade FROM class WHERE school_id = $1 AND school_year_id = $2 AND status = 'active'",
        )
        .bind(school.0)
        .bind(from.0)
        .fetch_all(&self.pool)
        .await?;
        let mut classes = Vec::new();
        for row in &class_rows {
            let grade: i64 = row.try_get("grade")?;
            classes.push(ClassInYear {
                id: ClassId(row.try_get("id")?),
                name: row.try_get("name")?,
                grade: Grade::new(grade as u8).map_err(|e| StoreError::Refused(e.to_string()))?,
            });
        }
        let enrolment_rows = sqlx::query(
            "SELECT student_id, class_id, status, decision FROM enrolment WHERE school_id = $1 AND school_year_id = $2",
        )
        .bind(school.0)
        .bind(from.0)
        .fetch_all(&self.pool)
        .await?;
        let mut students = Vec::new();
        for row in &enrolment_rows {
            let status: String = row.try_get("status")?;
            let decision: Option<String> = row.try_get("decision")?;
            students.push(StudentInYear {
                student: StudentId(row.try_get("student_id")?),
                class: ClassId(row.try_get("class_id")?),
                status: EnrolmentStatus::from_code(&status).unwrap_or(EnrolmentStatus::Studying),
                decision: if decision.as_deref() == Some("retained") {
                    YearDecision::Retained
                } else {
                    YearDecision::Promoted
                },
            });
        }
        let plan = rollover::plan(&classes, &students);
        // The subjects of the grades the new year's classes are in (a grade
        // 10 class becomes 11), not of last year's grades.
        let grades: Vec<Grade> = {
            let mut grades: Vec<Grade> = plan.classes.iter().map(|c| c.grade).collect();
            grades.sort();
            grades.dedup();
            grades
        };
        // One transaction from the year to the last placement: a failure
        // leaves no half-created year that would block a retry.
        let mut tx = self.begin().await?;
        let new_year = insert_school_year(&mut tx, actor, school, next, &grades).await?;
        let now = now_millis();
        let mut class_ids: HashMap<String, ClassId> = HashMap::new();
        for class in &plan.classes {
            let id = ClassId(new_id());
            sqlx::query(
                "INSERT INTO class (school_id, id, school_year_id, name, grade, status, version, created_at) VALUES ($1, $2, $3, $4, $5, 'active', 1, $6)",
            )
            .bind(school.0)
            .bind(id.0)
            .bind(new_year.0)
            .bind(&class.name)
            .bind(i64::from(class.grade.value()))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            class_ids.insert(class.name.clone(), id);
        }
        for placement in &plan.placements {
            sqlx::query(
                "INSERT INTO enrolment (school_id, school_year_id, student_id, class_id, status) VALUES ($1, $2, $3, $4, 'studying')",
            )
            .bind(school.0)
            .bind(new_year.0)
            .bind(placement.student.0)
            .bind(class_ids[&placement.class_name].0)
            .execute(&mut *tx)
            .await?;
        }
        for graduate in &plan.graduates {
            sqlx::query(
                "UPDATE enrolment SET status = 'graduated' WHERE school_id = $1 AND school_year_id = $2 AND student_id = $3",
            )
            .bind(school.0)
            .bind(from.0)
            .bind(graduate.0)
            .execute(&mut *tx)
            .await?;
        }
        let outcome = RolloverOutcome {
            new_year,
            classes_created: plan.classes.len(),
            students_carried: plan.placements.len(),
            graduates: plan.graduates.len(),
            not_carried: plan.not_carried.len(),
        };
        let change = Change {
            unit: school.into(),
            action: "rollover",
            entity: "school_year",
            entity_id: Some(new_year.0),
            summary: format!(
                "Kết chuyển sang năm học {}: {} lớp, {} học sinh, {} học sinh hoàn thành cấp học",
                next.label(),
                outcome.classes_created,
                outcome.students_carried,
                outcome.graduates
            ),
            before: None,
            after: serde_json::to_string(&outcome).ok(),
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Records the year's decision for a student (lên lớp / ở lại lớp), used
    /// by the rollover until the gradebook computes it.
    pub async fn set_year_decision(
        &self,
        actor: &Actor,
        school: SchoolId,
        year: SchoolYearId,
        student: StudentId,
        decision: YearDecision,
    ) -> Result<()> {
        let code = match decision {
            YearDecision::Promoted => "promoted",
            YearDecision::Retained => "retained",
        };
        let mut tx = self.begin().await?;
        let updated = sqlx::query(
            "UPDATE enrolment SET decision = $1 WHERE school_id = $2 AND school_year_id = $3 AND student_id = $4",
        )
        .bind(code)
        .bind(school.0)
        .bind(year.0)
        .bind(student.0)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound("học sinh trong năm học này".into()));
        }
        let change = Change {
            unit: school.into(),
            action: "update",
            entity: "enrolment",
            entity_id: Some(student.0),
            summary: format!(
                "Xét {}",
                if code == "retained" {
                    "ở lại lớp"
                } else {
                    "lên lớp"
                }
            ),
            before: None,
            after: Some(code.into()),
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn teaching_assignments(
        &self,
        school: SchoolId,
        year: SchoolYearId,
    ) -> Result<Vec<AssignmentRow>> {
        let rows = sqlx::query(
            "SELECT a.id, a.semester, a.class_id, c.name AS class_name, a.subject_id, s.name AS subject_name, a.staff_id, t.full_name AS staff_name
             FROM teaching_assignment a
             JOIN class c ON c.school_id = a.school_id AND c.id = a.class_id
             JOIN subject s ON s.school_id = a.school_id AND s.id = a.subject_id
             JOIN staff t ON t.school_id = a.school_id AND t.id = a.staff_id
             WHERE a.school_id = $1 AND a.school_year_id = $2
             ORDER BY c.grade, c.name, s.position, a.semester",
        )
        .bind(school.0)
        .bind(year.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let semester: i64 = row.try_get("semester")?;
                Ok(AssignmentRow {
                    id: row.try_get("id")?,
                    semester: semester as u8,
                    class_id: ClassId(row.try_get("class_id")?),
                    class_name: row.try_get("class_name")?,
                    subject_id: SubjectId(row.try_get("subject_id")?),
                    subject_name: row.try_get("subject_name")?,
                    staff_id: StaffId(row.try_get("staff_id")?),
                    staff_name: row.try_get("staff_name")?,
                })
            })
            .collect()
    }

    /// Assigns (or re-assigns) the teacher of a class × subject × semester.
    #[allow(clippy::too_many_arguments)]
    pub async fn assign_teaching(
        &self,
        actor: &Actor,
        school: SchoolId,
        year: SchoolYearId,
        semester: u8,
        class: ClassId,
        subject: SubjectId,
        staff: StaffId,
    ) -> Result<()> {
        if !(1..=2).contains(&semester) {
            return Err(StoreError::Refused("Học kỳ chỉ là 1 hoặc 2.".into()));
        }
        let mut tx = self.begin().await?;
        // Every referenced row must belong to this school and year.
        let owned: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM class WHERE school_id = $1 AND id = $2 AND school_year_id = $5)
                  + (SELECT COUNT(*) FROM subject WHERE school_id = $1 AND id = $3 AND school_year_id = $5)
                  + (SELECT COUNT(*) FROM staff WHERE school_id = $1 AND id = $4)",
        )
        .bind(school.0)
        .bind(class.0)
        .bind(subject.0)
        .bind(staff.0)
        .bind(year.0)
        .fetch_one(&mut *tx)
        .await?;
        if owned != 3 {
            return Err(StoreError::NotFound(
                "lớp, môn học hoặc giáo viên này trong năm học của trường".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO teaching_assignment (school_id, id, school_year_id, semester, class_id, subject_id, staff_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (school_id, class_id, subject_id, semester) DO UPDATE SET staff_id = excluded.staff_id",
        )
        .bind(school.0)
        .bind(new_id())
        .bind(year.0)
        .bind(i64::from(semester))
        .bind(class.0)
        .bind(subject.0)
        .bind(staff.0)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            unit: school.into(),
            action: "assign",
            entity: "teaching_assignment",
            entity_id: Some(class.0),
            summary: format!("Phân công giảng dạy học kỳ {semester}"),
            before: None,
            after: Some(
                serde_json::json!({"class": class.0, "subject": subject.0, "staff": staff.0})
                    .to_string(),
            ),
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn homeroom_assignments(
        &self,
        school: SchoolId,
        year: SchoolYearId,
    ) -> Result<Vec<HomeroomRow>> {
        let rows = sqlx::query(
            "SELECT h.class_id, c.name AS class_name, h.staff_id, t.full_name AS staff_name
             FROM homeroom_assignment h
             JOIN class c ON c.school_id = h.school_id AND c.id = h.class_id
             JOIN staff t ON t.school_id = h.school_id AND t.id = h.staff_id
             WHERE h.school_id = $1 AND h.school_year_id = $2 ORDER BY c.grade, c.name",
        )
        .bind(school.0)
        .bind(year.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(HomeroomRow {
                    class_id: ClassId(row.try_get("class_id")?),
                    class_name: row.try_get("class_name")?,
                    staff_id: StaffId(row.try_get("staff_id")?),
                    staff_name: row.try_get("staff_name")?,
                })
            })
            .collect()
    }

    pub async fn assign_homeroom(
        &self,
        actor: &Actor,
        school: SchoolId,
        year: SchoolYearId,
        class: ClassId,
        staff: StaffId,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let owned: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM class WHERE school_id = $1 AND id = $2 AND school_year_id = $4)
                  + (SELECT COUNT(*) FROM staff WHERE school_id = $1 AND id = $3)",
        )
        .bind(school.0)
        .bind(class.0)
        .bind(staff.0)
        .bind(year.0)
        .fetch_one(&mut *tx)
        .await?;
        if owned != 2 {
            return Err(StoreError::NotFound(
                "lớp hoặc giáo viên này trong năm học của trường".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO homeroom_assignment (school_id, class_id, school_year_id, staff_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT (school_id, class_id) DO UPDATE SET staff_id = excluded.staff_id",
        )
        .bind(school.0)
        .bind(class.0)
        .bind(year.0)
        .bind(staff.0)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            unit: school.into(),
            action: "assign",
            entity: "homeroom_assignment",
            entity_id: Some(class.0),
            summary: "Phân công chủ nhiệm".into(),
            before: None,
            after: Some(serde_json::json!({"class": class.0, "staff": staff.0}).to_string()),
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Classes in the school's current year whose homeroom teacher is `staff`.
    pub async fn homeroom_classes_of(
        &self,
        school: SchoolId,
        staff: StaffId,
    ) -> Result<Vec<ClassId>> {
        let rows: Vec<i64> = sqlx::query_scalar(
            "SELECT class_id FROM homeroom_assignment WHERE school_id = $1 AND staff_id = $2
               AND school_year_id = (SELECT id FROM school_year WHERE school_id = $1 ORDER BY start_year DESC LIMIT 1)",
        )
        .bind(school.0)
        .bind(staff.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(ClassId).collect())
    }
}

/// Inserts a school year and its default subjects, inside the caller's
/// transaction (the rollover creates the year with everything else).
async fn insert_school_year(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    school: SchoolId,
    year: SchoolYear,
    grades: &[Grade],
) -> Result<SchoolYearId> {
    let id = SchoolYearId(new_id());
    sqlx::query("INSERT INTO school_year (school_id, id, start_year, status, created_at) VALUES ($1, $2, $3, 'open', $4)")
        .bind(school.0)
        .bind(id.0)
        .bind(i64::from(year.start_year))
        .bind(now_millis())
        .execute(&mut **tx)
        .await
        .map_err(|e| {
            StoreError::from_unique(e, || format!("Năm học {} đã có; mỗi năm học chỉ tạo một lần.", year.label()))
        })?;
    for grade in grades {
        for (position, subject) in default_subjects(*grade).into_iter().enumerate() {
            sqlx::query(
                "INSERT INTO subject (school_id, id, school_year_id, grade, code, name, periods_per_year, mode, position, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)",
            )
            .bind(school.0)
            .bind(new_id())
            .bind(id.0)
            .bind(i64::from(grade.value()))
            .bind(subject.code)
            .bind(subject.name)
            .bind(i64::from(subject.periods_per_year))
            .bind(subject.mode.code())
            .bind(position as i64)
            .execute(&mut **tx)
            .await?;
        }
    }
    let change = Change {
        unit: school.into(),
        action: "create",
        entity: "school_year",
        entity_id: Some(id.0),
        summary: format!("Tạo năm học {}", year.label()),
        before: None,
        after: None,
    };
    audit::record(tx, actor, change).await?;
    Ok(id)
}
