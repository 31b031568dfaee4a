//! Typed identifiers. Every identifier is an application-generated 64-bit
//! integer (no database sequences: the schema must distribute by school on a
//! Citus cluster, `quality.md`), wrapped so that a class id can never be passed
//! where a student id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )*};
}

id_type! {
    /// A node of the organisation tree: ministry, department, bureau or school.
    UnitId;
    /// A school. Always also a [`UnitId`] of kind school.
    SchoolId;
    CampusId;
    SchoolYearId;
    ClassId;
    SubjectId;
    StaffId;
    StudentId;
    UserId;
    AssignmentId;
    TransferId;
    AuditId;
    /// A school-level exam (kỳ thi).
    ExamId;
    /// A paper of an exam (đề thi).
    ExamPaperId;
}

impl From<SchoolId> for UnitId {
    fn from(id: SchoolId) -> Self {
        UnitId(id.0)
    }
}
