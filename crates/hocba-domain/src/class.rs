//! Classes (lớp) of a school year (seed 002 §II: add, edit, dissolve after
//! moving the students out, delete).

use crate::level::Grade;
use crate::validation::FieldErrors;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassStatus {
    Active,
    /// Giải thể: kept for history, no longer takes students.
    Dissolved,
}

impl ClassStatus {
    pub fn code(self) -> &'static str {
        match self {
            ClassStatus::Active => "active",
            ClassStatus::Dissolved => "dissolved",
        }
    }
    pub fn from_code(code: &str) -> Option<ClassStatus> {
        match code {
            "active" => Some(ClassStatus::Active),
            "dissolved" => Some(ClassStatus::Dissolved),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ClassStatus::Active => "Đang hoạt động",
            ClassStatus::Dissolved => "Đã giải thể",
        }
    }
}

/// What a user fills in to add or edit a class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassDraft {
    pub name: String,
    pub grade: u8,
    #[serde(default)]
    pub campus_id: Option<i64>,
    #[serde(default)]
    pub sessions_per_week: Option<u8>,
}

/// A class definition that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassDefinition {
    pub name: String,
    pub grade: Grade,
    pub campus_id: Option<i64>,
    pub sessions_per_week: Option<u8>,
}

impl ClassDefinition {
    /// A class name is short, has no spaces inside, and starts with its grade
    /// ("10A1" is a class of grade 10), which is how schools name classes and
    /// what the year rollover relies on to rename them.
    pub fn validate(draft: &ClassDraft) -> Result<ClassDefinition, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = hocba_text::clean_input(&draft.name).to_uppercase();
        let grade = Grade::new(draft.grade);
        if let Err(error) = &grade {
            errors.push("grade", "Khối", error.to_string());
        }
        if name.is_empty() {
            errors.push("name", "Tên lớp", "bắt buộc phải nhập, ví dụ 10A1");
        } else if name.chars().count() > 20 || name.contains(' ') {
            errors.push(
                "name",
                "Tên lớp",
                "tối đa 20 ký tự, không có dấu cách, ví dụ 10A1",
            );
        } else if let Ok(grade) = grade
            && leading_grade(&name) != Some(grade.value())
        {
            errors.push(
                "name",
                "Tên lớp",
                format!(
                    "tên lớp của khối {} phải bắt đầu bằng số {}, ví dụ {}A1",
                    grade.value(),
                    grade.value(),
                    grade.value()
                ),
            );
        }
        if let Some(sessions) = draft.sessions_per_week
            && !(1..=14).contains(&sessions)
        {
            errors.push(
                "sessions_per_week",
                "Số buổi học trên tuần",
                "từ 1 đến 14 buổi",
            );
        }
        let definition = ClassDefinition {
            name,
            grade: grade.unwrap_or_else(|_| Grade::new(1).expect("1 is a grade")),
            campus_id: draft.campus_id,
            sessions_per_week: draft.sessions_per_week,
        };
        errors.into_result(definition)
    }
}

/// The grade number a class name starts with: "10A1" → 10, "6B" → 6.
pub fn leading_grade(name: &str) -> Option<u8> {
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The name of a class after promotion: the leading grade goes up by one
/// ("10A1" → "11A1").
pub fn promoted_name(name: &str, next: Grade) -> String {
    let digits = name.chars().take_while(char::is_ascii_digit).count();
    format!("{}{}", next.value(), &name[digits..])
}

/// Why a class cannot be dissolved or deleted (seed 002 §II.2 "Lưu ý": move
/// the students to other classes first, so that no student's data is lost).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassRemovalRefused {
    #[error(
        "Lớp {class} còn {students} học sinh. Hãy chuyển các học sinh sang lớp khác trước khi giải thể lớp để không mất dữ liệu học sinh."
    )]
    HasStudentsToDissolve { class: String, students: u64 },
    #[error(
        "Không thể xóa lớp {class}: lớp còn {students} học sinh hoặc đã có dữ liệu. Hãy chuyển học sinh sang lớp khác; nếu lớp đã có dữ liệu học tập, hãy giải thể lớp thay vì xóa."
    )]
    HasStudentsToDelete { class: String, students: u64 },
}

/// Dissolving needs an empty class; so does deleting.
pub fn check_removal(class: &str, students: u64, delete: bool) -> Result<(), ClassRemovalRefused> {
    match (students, delete) {
        (0, _) => Ok(()),
        (students, false) => Err(ClassRemovalRefused::HasStudentsToDissolve {
            class: class.into(),
            students,
        }),
        (students, true) => Err(ClassRemovalRefused::HasStudentsToDelete {
            class: class.into(),
            students,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(name: &str, grade: u8) -> ClassDraft {
        ClassDraft {
            name: name.into(),
            grade,
            campus_id: None,
            sessions_per_week: None,
        }
    }

    #[test]
    fn class_names_start_with_their_grade() {
        assert_eq!(
            ClassDefinition::validate(&draft(" 10a1 ", 10))
                .unwrap()
                .name,
            "10A1"
        );
        let errors = ClassDefinition::validate(&draft("11A1", 10)).unwrap_err();
        assert!(errors.0[0].message.contains("bắt đầu bằng số 10"));
        assert!(ClassDefinition::validate(&draft("10 A1", 10)).is_err());
        assert!(ClassDefinition::validate(&draft("", 10)).is_err());
        assert!(ClassDefinition::validate(&draft("13A", 13)).is_err());
    }

    #[test]
    fn promotion_renames_the_class() {
        assert_eq!(promoted_name("10A1", Grade::new(11).unwrap()), "11A1");
        assert_eq!(promoted_name("9B", Grade::new(10).unwrap()), "10B");
    }

    #[test]
    fn only_empty_classes_are_removed() {
        assert!(check_removal("10A1", 0, false).is_ok());
        let refused = check_removal("10A1", 3, false).unwrap_err().to_string();
        assert!(
            refused.contains("còn 3 học sinh") && refused.contains("chuyển các học sinh"),
            "{refused}"
        );
        assert!(check_removal("10A1", 1, true).is_err());
    }
}
