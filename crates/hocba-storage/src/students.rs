//! Students: profiles, their enrolment in a school year, transfers, imports.

use crate::audit::{self, Change};
use crate::records::registry_sql;
use crate::records::{self, assignments, column_list, placeholders};
use crate::{Actor, Result, Store, StoreError, new_id, now_millis};
use hocba_domain::form::Draft;
use hocba_domain::student::{EnrolmentStatus, FIELDS, StudentProfile, TransferDirection};
use hocba_domain::{ClassId, Date, SchoolId, SchoolYearId, StudentId};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;
use std::sync::LazyLock;

/// One line of a class list.
#[derive(Debug, Clone, Serialize)]
pub struct StudentListRow {
    pub id: StudentId,
    pub full_name: String,
    pub birth_date: String,
    pub sex: String,
    pub moet_code: Option<String>,
    pub class_id: ClassId,
    pub class_name: String,
    pub status: EnrolmentStatus,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnrolmentRow {
    pub school_year_id: SchoolYearId,
    pub class_id: ClassId,
    pub class_name: String,
    pub status: EnrolmentStatus,
    pub decision: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TransferRow {
    pub id: i64,
    pub direction: TransferDirection,
    pub on_date: String,
    pub other_school: String,
    pub reason: Option<String>,
    pub class_name: Option<String>,
    pub created_at: i64,
}

/// A student with the whole profile.
#[derive(Debug, Clone, Serialize)]
pub struct StudentRow {
    pub id: StudentId,
    pub version: i64,
    pub profile: Draft,
    pub enrolments: Vec<EnrolmentRow>,
    pub transfers: Vec<TransferRow>,
}

#[derive(Debug, Clone, Default)]
pub struct StudentFilter {
    pub class: Option<ClassId>,
    /// What the user typed: matched accent-insensitively against the name,
    /// or exactly against the ministry code.
    pub query: Option<String>,
    pub status: Option<EnrolmentStatus>,
}

/// One validated row of an import.
pub struct ImportRow {
    pub row_number: usize,
    pub existing: Option<StudentId>,
    pub profile: StudentProfile,
    pub class_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub created: usize,
    pub updated: usize,
}

static INSERT_STUDENT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO student (school_id, id, full_name_fold, version, created_at, updated_at, {}) VALUES ($1, $2, $3, 1, $4, $4, {})",
        column_list(&FIELDS),
        placeholders(&FIELDS, 5)
    )
});

static UPDATE_STUDENT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE student SET version = version + 1, updated_at = $1, full_name_fold = $2, {} WHERE school_id = $3 AND id = $4 AND ($5 < 0 OR version = $5)",
        assignments(&FIELDS, 6)
    )
});

/// Passed as the expected version to update whatever version is stored.
const ANY_VERSION: i64 = -1;

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn list_row(row: &AnyRow) -> Result<StudentListRow> {
    let birth: Option<String> = row.try_get("birth_date")?;
    let sex: Option<String> = row.try_get("sex")?;
    let status: String = row.try_get("status")?;
    Ok(StudentListRow {
        id: StudentId(row.try_get("id")?),
        full_name: row.try_get("full_name")?,
        birth_date: birth
            .and_then(|b| Date::parse(&b).ok())
            .map(|d| d.to_string())
            .unwrap_or_default(),
        sex: match sex.as_deref() {
            Some("male") => "Nam",
            Some("female") => "Nữ",
            _ => "",
        }
        .into(),
        moet_code: row.try_get("moet_code")?,
        class_id: ClassId(row.try_get("class_id")?),
        class_name: row.try_get("class_name")?,
        status: EnrolmentStatus::from_code(&status).unwrap_or(EnrolmentStatus::Studying),
        version: row.try_get("version")?,
    })
}

async fn insert_student(
    tx: &mut Transaction<'_, Any>,
    school: SchoolId,
    id: StudentId,
    profile: &StudentProfile,
) -> Result<()> {
    let mut query = sqlx::query(registry_sql(&INSERT_STUDENT))
        .bind(school.0)
        .bind(id.0)
        .bind(hocba_text::fold(profile.full_name()))
        .bind(now_millis());
    for value in records::values(profile.record()) {
        query = query.bind(value);
    }
    query
        .execute(&mut **tx)
        .await
        .map_err(|e| duplicate_identity(e, profile))?;
    Ok(())
}

fn duplicate_identity(error: sqlx::Error, profile: &StudentProfile) -> StoreError {
    StoreError::from_unique(error, || {
        format!(
            "Trường đã có học sinh khác trùng số định danh cá nhân hoặc mã định danh Bộ GD&ĐT với {} — mỗi số chỉ thuộc về một học sinh; hãy kiểm tra lại.",
            profile.full_name()
        )
    })
}

async fn enrol(
    tx: &mut Transaction<'_, Any>,
    school: SchoolId,
    year: SchoolYearId,
    student: StudentId,
    class: ClassId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO enrolment (school_id, school_year_id, student_id, class_id, status) VALUES ($1, $2, $3, $4, 'studying')
         ON CONFLICT (school_id, school_year_id, student_id) DO UPDATE SET class_id = excluded.class_id, status = 'studying'",
    )
    .bind(school.0)
    .bind(year.0)
    .bind(student.0)
    .bind(class.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// A class list or a search, sorted the Vietnamese way within each class:
    /// by given name, then family and middle names (`hocba_text`).
    pub async fn students(
        &self,
        school: SchoolId,
        year: SchoolYearId,
        filter: &StudentFilter,
    ) -> Result<Vec<StudentListRow>> {
        let query = filter
            .query
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty());
        let pattern = query.map(|q| format!("%{}%", escape_like(&hocba_text::fold_query(q))));
        let rows = sqlx::query(
            "SELECT s.id, s.full_name, s.birth_date, s.sex, s.moet_code, s.version, e.class_id, c.name AS class_name, e.status
             FROM enrolment e
             JOIN student s ON s.school_id = e.school_id AND s.id = e.student_id
             JOIN class c ON c.school_id = e.school_id AND c.id = e.class_id
             WHERE e.school_id = $1 AND e.school_year_id = $2
               AND ($3 IS NULL OR e.class_id = $3)
               AND ($4 IS NULL OR s.full_name_fold LIKE $4 ESCAPE '\\' OR s.moet_code = $5)
               AND ($6 IS NULL OR e.status = $6)",
        )
        .bind(school.0)
        .bind(year.0)
        .bind(filter.class.map(|c| c.0))
        .bind(pattern)
        .bind(query.map(str::to_owned))
        .bind(filter.status.map(|s| s.code()))
        .fetch_all(&self.pool)
        .await?;
        let mut students = rows.iter().map(list_row).collect::<Result<Vec<_>>>()?;
        let collator = hocba_text::collator();
        students.sort_by(|a, b| {
            collator
                .compare(&a.class_name, &b.class_name)
                .then_with(|| collator.compare_person_names(&a.full_name, &b.full_name))
        });
        Ok(students)
    }

    pub async fn student(&self, school: SchoolId, id: StudentId) -> Result<StudentRow> {
        let row = sqlx::query(registry_sql(&format!(
            "SELECT id, version, {} FROM student WHERE school_id = $1 AND id = $2",
            column_list(&FIELDS)
        )))
        .bind(school.0)
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("học sinh mã {id} trong trường này")))?;
        let enrolments = sqlx::query(
            "SELECT e.school_year_id, e.class_id, c.name AS class_name, e.status, e.decision FROM enrolment e
             JOIN class c ON c.school_id = e.school_id AND c.id = e.class_id
             JOIN school_year y ON y.school_id = e.school_id AND y.id = e.school_year_id
             WHERE e.school_id = $1 AND e.student_id = $2 ORDER BY y.start_year DESC",
        )
        .bind(school.0)
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            let status: String = row.try_get("status")?;
            Ok(EnrolmentRow {
                school_year_id: SchoolYearId(row.try_get("school_year_id")?),
                class_id: ClassId(row.try_get("class_id")?),
                class_name: row.try_get("class_name")?,
                status: EnrolmentStatus::from_code(&status).unwrap_or(EnrolmentStatus::Studying),
                decision: row.try_get("decision")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let transfers = sqlx::query(
            "SELECT id, direction, on_date, other_school, reason, class_name, created_at FROM transfer
             WHERE school_id = $1 AND student_id = $2 ORDER BY created_at DESC",
        )
        .bind(school.0)
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            let direction: String = row.try_get("direction")?;
            Ok(TransferRow {
                id: row.try_get("id")?,
                direction: if direction == "in" { TransferDirection::In } else { TransferDirection::Out },
                on_date: row.try_get("on_date")?,
                other_school: row.try_get("other_school")?,
                reason: row.try_get("reason")?,
                class_name: row.try_get("class_name")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(StudentRow {
            id,
            version: row.try_get("version")?,
            profile: records::draft_from_row(&row, &FIELDS),
            enrolments,
            transfers,
        })
    }

    /// The class a student is in this year, for class-scoped access checks.
    pub async fn student_class(
        &self,
        school: SchoolId,
        year: SchoolYearId,
        id: StudentId,
    ) -> Result<Option<ClassId>> {
        let class: Option<i64> = sqlx::query_scalar(
            "SELECT class_id FROM enrolment WHERE school_id = $1 AND school_year_id = $2 AND student_id = $3",
        )
        .bind(school.0)
        .bind(year.0)
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(class.map(ClassId))
    }

    async fn active_class_in_year(
        tx: &mut Transaction<'_, Any>,
        school: SchoolId,
        year: SchoolYearId,
        class: ClassId,
    ) -> Result<()> {
        let status: Option<String> = sqlx::query_scalar(
            "SELECT status FROM class WHERE school_id = $1 AND id = $2 AND school_year_id = $3",
        )
        .bind(school.0)
        .bind(class.0)
        .bind(year.0)
        .fetch_optional(&mut **tx)
        .await?;
        match status.as_deref() {
            Some("active") => Ok(()),
            Some(_) => Err(StoreError::Refused(
                "Lớp này đã giải thể nên không nhận thêm học sinh; hãy chọn lớp khác.".into(),
            )),
            None => Err(StoreError::NotFound(
                "lớp này trong năm học của trường".into(),
            )),
        }
    }

    /// Adds a student to a class of the year. A transfer-in also records
    /// where the student comes from.
    pub async fn create_student(
        &self,
        actor: &Actor,
        school: SchoolId,
        year: SchoolYearId,
        class: ClassId,
        profile: &StudentProfile,
        transfer_in: Option<(Date, String, Option<String>)>,
    ) -> Result<StudentId> {
        let id = StudentId(new_id());
        let mut tx = self.begin().await?;
        Self::active_class_in_year(&mut tx, school, year, class).await?;
        insert_student(&mut tx, school, id, profile).await?;
        enrol(&mut tx, school, year, id, class).await?;
        let mut summary = format!("Thêm học sinh {}", profile.full_name());
        if let Some((on_date, from_school, reason)) = transfer_in {
            sqlx::query(
                "INSERT INTO transfer (school_id, id, student_id, direction, on_date, other_school, reason, class_name, created_at, created_by)
                 VALUES ($1, $2, $3, 'in', $4, $5, $6, (SELECT name FROM class WHERE school_id = $1 AND id = $7), $8, $9)",
            )
            .bind(school.0)
            .bind(new_id())
            .bind(id.0)
            .bind(on_date.iso())
            .bind(hocba_text::clean_input(&from_school))
            .bind(reason)
            .bind(class.0)
            .bind(now_millis())
            .bind(actor.user_id.map(|u| u.0).unwrap_or_default())
            .execute(&mut *tx)
            .await?;
            summary = format!(
                "Tiếp nhận học sinh chuyển đến {} (từ {from_school})",
                profile.full_name()
            );
        }
        let change = Change {
            unit: school.into(),
            action: "create",
            entity: "student",
            entity_id: Some(id.0),
            summary,
            before: None,
            after: Some(records::to_json(profile.record())),
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_student(
        &self,
        actor: &Actor,
        school: SchoolId,
        id: StudentId,
        expected_version: i64,
        profile: &StudentProfile,
    ) -> Result<()> {
        let before = self.student(school, id).await?;
        let mut tx = self.begin().await?;
        update_in(&mut tx, school, id, expected_version, profile).await?;
        let change = Change {
            unit: school.into(),
            action: "update",
            entity: "student",
            entity_id: Some(id.0),
            summary: format!("Sửa hồ sơ học sinh {}", profile.full_name()),
            before: Some(records::draft_to_json(&before.profile)),
            after: Some(records::to_json(profile.record())),
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a student to another class of the same year.
    pub async fn move_student(
        &self,
        actor: &Actor,
        school: SchoolId,
        year: SchoolYearId,
        id: StudentId,
        to: ClassId,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        Self::active_class_in_year(&mut tx, school, year, to).await?;
        let moved = sqlx::query(
            "UPDATE enrolment SET class_id = $1 WHERE school_id = $2 AND school_year_id = $3 AND student_id = $4 AND status = 'studying'",
        )
        .bind(to.0)
        .bind(school.0)
        .bind(year.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 0 {
            return Err(StoreError::Refused(
                "Chỉ chuyển lớp được cho học sinh đang học trong năm học này.".into(),
            ));
        }
        let change = Change {
            unit: school.into(),
            action: "move",
            entity: "student",
            entity_id: Some(id.0),
            summary: "Chuyển lớp".into(),
            before: None,
            after: Some(serde_json::json!({"class": to.0}).to_string()),
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a transfer out (chuyển đi): the student leaves the class
    /// lists of the year but the profile and history stay.
    #[allow(clippy::too_many_arguments)]
    pub async fn transfer_out(
        &self,
        actor: &Actor,
        school: SchoolId,
        year: SchoolYearId,
        id: StudentId,
        on_date: Date,
        to_school: &str,
        reason: Option<&str>,
    ) -> Result<()> {
        let to_school = hocba_text::clean_input(to_school);
        if to_school.is_empty() {
            return Err(StoreError::Refused(
                "Hãy nhập tên trường chuyển đến.".into(),
            ));
        }
        let mut tx = self.begin().await?;
        let class_name: Option<String> = sqlx::query_scalar(
            "SELECT c.name FROM enrolment e JOIN class c ON c.school_id = e.school_id AND c.id = e.class_id
             WHERE e.school_id = $1 AND e.school_year_id = $2 AND e.student_id = $3 AND e.status = 'studying'",
        )
        .bind(school.0)
        .bind(year.0)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(class_name) = class_name else {
            return Err(StoreError::Refused(
                "Học sinh không còn đang học ở trường trong năm học này nên không thể chuyển đi."
                    .into(),
            ));
        };
        sqlx::query(
            "UPDATE enrolment SET status = 'transferred_out' WHERE school_id = $1 AND school_year_id = $2 AND student_id = $3",
        )
        .bind(school.0)
        .bind(year.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO transfer (school_id, id, student_id, direction, on_date, other_school, reason, class_name, created_at, created_by)
             VALUES ($1, $2, $3, 'out', $4, $5, $6, $7, $8, $9)",
        )
        .bind(school.0)
        .bind(new_id())
        .bind(id.0)
        .bind(on_date.iso())
        .bind(&to_school)
        .bind(reason.map(hocba_text::clean_input))
        .bind(&class_name)
        .bind(now_millis())
        .bind(actor.user_id.map(|u| u.0).unwrap_or_default())
        .execute(&mut *tx)
        .await?;
        let change = Change {
            unit: school.into(),
            action: "transfer_out",
            entity: "student",
            entity_id: Some(id.0),
            summary: format!("Chuyển đi: từ lớp {class_name} đến {to_school}"),
            before: None,
            after: None,
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_student(
        &self,
        actor: &Actor,
        school: SchoolId,
        id: StudentId,
    ) -> Result<()> {
        let before = self.student(school, id).await?;
        let mut tx = self.begin().await?;
        for table in ["enrolment", "transfer"] {
            sqlx::query(registry_sql(&format!(
                "DELETE FROM {table} WHERE school_id = $1 AND student_id = $2"
            )))
            .bind(school.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM student WHERE school_id = $1 AND id = $2")
            .bind(school.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            unit: school.into(),
            action: "delete",
            entity: "student",
            entity_id: Some(id.0),
            summary: format!(
                "Xóa học sinh {}",
                before.profile.get("full_name").cloned().unwrap_or_default()
            ),
            before: Some(records::draft_to_json(&before.profile)),
            after: None,
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Current profiles of every student of the school, for the import
    /// template and for merging an import's selected columns.
    pub async fn student_drafts(&self, school: SchoolId) -> Result<HashMap<i64, Draft>> {
        let rows = sqlx::query(registry_sql(&format!(
            "SELECT id, {} FROM student WHERE school_id = $1",
            column_list(&FIELDS)
        )))
        .bind(school.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, records::draft_from_row(row, &FIELDS))))
            .collect()
    }

    /// Applies a validated import in one transaction: every row or none.
    /// Class names are resolved in the given year; an unknown class refuses
    /// the whole import with the row named.
    pub async fn import_students(
        &self,
        actor: &Actor,
        school: SchoolId,
        year: SchoolYearId,
        rows: &[ImportRow],
    ) -> Result<ImportOutcome> {
        let classes: HashMap<String, ClassId> = self
            .classes(school, year)
            .await?
            .into_iter()
            .filter(|c| c.status == hocba_domain::class::ClassStatus::Active)
            .map(|c| (c.name.to_uppercase(), c.id))
            .collect();
        let mut tx = self.begin().await?;
        let mut outcome = ImportOutcome {
            created: 0,
            updated: 0,
        };
        for row in rows {
            let class = match row.class_name.as_deref().map(|n| hocba_text::clean_input(n).to_uppercase()) {
                Some(name) if !name.is_empty() => Some(*classes.get(&name).ok_or_else(|| {
                    StoreError::Refused(format!(
                        "Dòng {}: lớp “{name}” không có trong năm học này (hoặc đã giải thể). Hãy tạo lớp trước hoặc sửa tên lớp.",
                        row.row_number
                    ))
                })?),
                _ => None,
            };
            let with_row = |error: StoreError| match error {
                StoreError::Refused(message) => {
                    StoreError::Refused(format!("Dòng {}: {message}", row.row_number))
                }
                other => other,
            };
            match row.existing {
                Some(id) => {
                    // An import overwrites whatever version is stored (ANY_VERSION).
                    let mut query = sqlx::query(registry_sql(&UPDATE_STUDENT))
                        .bind(now_millis())
                        .bind(hocba_text::fold(row.profile.full_name()))
                        .bind(school.0)
                        .bind(id.0)
                        .bind(ANY_VERSION);
                    for value in records::values(row.profile.record()) {
                        query = query.bind(value);
                    }
                    let updated = query
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| with_row(duplicate_identity(e, &row.profile)))?;
                    if updated.rows_affected() == 0 {
                        return Err(StoreError::Refused(format!(
                            "Dòng {}: không tìm thấy học sinh mã {id}.",
                            row.row_number
                        )));
                    }
                    if let Some(class) = class {
                        enrol(&mut tx, school, year, id, class).await?;
                    }
                    outcome.updated += 1;
                }
                None => {
                    let Some(class) = class else {
                        return Err(StoreError::Refused(format!(
                            "Dòng {}: học sinh mới cần có cột Lớp để biết xếp vào lớp nào.",
                            row.row_number
                        )));
                    };
                    let id = StudentId(new_id());
                    insert_student(&mut tx, school, id, &row.profile)
                        .await
                        .map_err(with_row)?;
                    enrol(&mut tx, school, year, id, class).await?;
                    outcome.created += 1;
                }
            }
        }
        let change = Change {
            unit: school.into(),
            action: "import",
            entity: "student",
            entity_id: None,
            summary: format!(
                "Nhập hồ sơ học sinh từ Excel: {} thêm mới, {} cập nhật",
                outcome.created, outcome.updated
            ),
            before: None,
            after: None,
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(outcome)
    }
}

async fn update_in(
    tx: &mut Transaction<'_, Any>,
    school: SchoolId,
    id: StudentId,
    expected_version: i64,
    profile: &StudentProfile,
) -> Result<()> {
    let mut query = sqlx::query(registry_sql(&UPDATE_STUDENT))
        .bind(now_millis())
        .bind(hocba_text::fold(profile.full_name()))
        .bind(school.0)
        .bind(id.0)
        .bind(expected_version);
    for value in records::values(profile.record()) {
        query = query.bind(value);
    }
    let updated = query
        .execute(&mut **tx)
        .await
        .map_err(|e| duplicate_identity(e, profile))?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "Hồ sơ học sinh {}",
            profile.full_name()
        )));
    }
    Ok(())
}
