//! Roles of the glossary. A person may hold several roles, each in one unit
//! (for example admin and homeroom teacher of the same school).

use crate::ids::UnitId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Leader,
    HomeroomTeacher,
    SubjectTeacher,
    DepartmentOfficer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Leader,
        Role::HomeroomTeacher,
        Role::SubjectTeacher,
        Role::DepartmentOfficer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Leader => "leader",
            Role::HomeroomTeacher => "homeroom_teacher",
            Role::SubjectTeacher => "subject_teacher",
            Role::DepartmentOfficer => "department_officer",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị viên",
            Role::Leader => "Cán bộ quản lý",
            Role::HomeroomTeacher => "Giáo viên chủ nhiệm",
            Role::SubjectTeacher => "Giáo viên bộ môn",
            Role::DepartmentOfficer => "Chuyên viên Phòng/Sở",
        }
    }

    /// School roles are held in a school; the officer role in a department or bureau.
    pub fn held_in_school(self) -> bool {
        self != Role::DepartmentOfficer
    }
}

/// One role held in one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RoleGrant {
    pub role: Role,
    pub unit: UnitId,
}
