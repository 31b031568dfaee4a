//! Year rollover (kết chuyển dữ liệu đầu năm): carry classes and students into
//! the next school year. Promoted students move up a grade with their class
//! ("10A1" → "11A1"), retained students stay in their grade (a class of the
//! same name), students who finish the last grade of the school's level
//! leave as graduates, and students no longer studying are not carried.
//!
//! This module only plans; storage applies the plan in one transaction.

use crate::class::promoted_name;
use crate::ids::{ClassId, StudentId};
use crate::level::Grade;
use crate::student::EnrolmentStatus;
use serde::Serialize;
use std::collections::BTreeMap;

/// The decision of the past year for one student (TT22 Điều 12–14: lên lớp /
/// ở lại lớp). Until the gradebook exists it is entered by hand; students
/// without a decision are promoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum YearDecision {
    Promoted,
    Retained,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassInYear {
    pub id: ClassId,
    pub name: String,
    pub grade: Grade,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentInYear {
    pub student: StudentId,
    pub class: ClassId,
    pub status: EnrolmentStatus,
    pub decision: YearDecision,
}

/// A class of the new year, identified by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewClass {
    pub name: String,
    pub grade: Grade,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placement {
    pub student: StudentId,
    /// Name of the new-year class, one of [`RolloverPlan::classes`].
    pub class_name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RolloverPlan {
    pub classes: Vec<NewClass>,
    pub placements: Vec<Placement>,
    /// Students who completed the school's last grade this year.
    pub graduates: Vec<StudentId>,
    /// Students not carried because they no longer study here.
    pub not_carried: Vec<(StudentId, EnrolmentStatus)>,
}

pub fn plan(classes: &[ClassInYear], students: &[StudentInYear]) -> RolloverPlan {
    let mut plan = RolloverPlan::default();
    let mut new_classes: BTreeMap<String, Grade> = BTreeMap::new();
    let first_grade = classes.iter().map(|class| class.grade).min();
    for class in classes {
        if let Some(next) = class.grade.next_in_level() {
            new_classes.insert(promoted_name(&class.name, next), next);
        }
        // The lowest grade keeps its class names for the new intake.
        if Some(class.grade) == first_grade {
            new_classes.insert(class.name.clone(), class.grade);
        }
    }
    let by_id: BTreeMap<ClassId, &ClassInYear> =
        classes.iter().map(|class| (class.id, class)).collect();
    for student in students {
        let Some(class) = by_id.get(&student.class) else {
            continue;
        };
        if student.status != EnrolmentStatus::Studying {
            plan.not_carried.push((student.student, student.status));
            continue;
        }
        let class_name = match (student.decision, class.grade.next_in_level()) {
            (YearDecision::Retained, _) => {
                new_classes.insert(class.name.clone(), class.grade);
                class.name.clone()
            }
            (YearDecision::Promoted, Some(next)) => promoted_name(&class.name, next),
            (YearDecision::Promoted, None) => {
                plan.graduates.push(student.student);
                continue;
            }
        };
        plan.placements.push(Placement {
            student: student.student,
            class_name,
        });
    }
    plan.classes = new_classes
        .into_iter()
        .map(|(name, grade)| NewClass { name, grade })
        .collect();
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(id: i64, name: &str, grade: u8) -> ClassInYear {
        ClassInYear {
            id: ClassId(id),
            name: name.into(),
            grade: Grade::new(grade).unwrap(),
        }
    }
    fn student(
        id: i64,
        class: i64,
        status: EnrolmentStatus,
        decision: YearDecision,
    ) -> StudentInYear {
        StudentInYear {
            student: StudentId(id),
            class: ClassId(class),
            status,
            decision,
        }
    }

    #[test]
    fn promotes_retains_graduates_and_drops() {
        let classes = [
            class(1, "10A1", 10),
            class(2, "11A1", 11),
            class(3, "12A1", 12),
        ];
        let students = [
            student(1, 1, EnrolmentStatus::Studying, YearDecision::Promoted),
            student(2, 1, EnrolmentStatus::Studying, YearDecision::Retained),
            student(3, 2, EnrolmentStatus::Studying, YearDecision::Promoted),
            student(4, 3, EnrolmentStatus::Studying, YearDecision::Promoted),
            student(5, 3, EnrolmentStatus::Studying, YearDecision::Retained),
            student(
                6,
                2,
                EnrolmentStatus::TransferredOut,
                YearDecision::Promoted,
            ),
        ];
        let plan = plan(&classes, &students);
        let names: Vec<&str> = plan.classes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["10A1", "11A1", "12A1"]);
        let placed: Vec<(i64, &str)> = plan
            .placements
            .iter()
            .map(|p| (p.student.0, p.class_name.as_str()))
            .collect();
        assert_eq!(placed, [(1, "11A1"), (2, "10A1"), (3, "12A1"), (5, "12A1")]);
        assert_eq!(plan.graduates, [StudentId(4)]);
        assert_eq!(
            plan.not_carried,
            [(StudentId(6), EnrolmentStatus::TransferredOut)]
        );
    }
}
