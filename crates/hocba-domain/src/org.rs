//! The organisation tree: ministry → department → (bureau) → school → campuses.
//!
//! Since 01/7/2025 the district bureau (Phòng GD&ĐT) may be absent
//! (`regulations.md` §8.1), so a school hangs either under a bureau or directly
//! under its department.

use crate::ids::UnitId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Ministry,
    Department,
    Bureau,
    School,
}

impl UnitKind {
    pub const ALL: [UnitKind; 4] = [
        UnitKind::Ministry,
        UnitKind::Department,
        UnitKind::Bureau,
        UnitKind::School,
    ];

    pub fn code(self) -> &'static str {
        match self {
            UnitKind::Ministry => "ministry",
            UnitKind::Department => "department",
            UnitKind::Bureau => "bureau",
            UnitKind::School => "school",
        }
    }

    pub fn from_code(code: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            UnitKind::Ministry => "Bộ GD&ĐT",
            UnitKind::Department => "Sở GD&ĐT",
            UnitKind::Bureau => "Phòng GD&ĐT",
            UnitKind::School => "Trường",
        }
    }

    /// Which kinds may be the parent of this kind in the tree.
    pub fn allowed_parents(self) -> &'static [UnitKind] {
        match self {
            UnitKind::Ministry => &[],
            UnitKind::Department => &[UnitKind::Ministry],
            UnitKind::Bureau => &[UnitKind::Department],
            UnitKind::School => &[UnitKind::Department, UnitKind::Bureau],
        }
    }
}

/// A node of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: UnitId,
    pub kind: UnitKind,
    pub parent: Option<UnitId>,
    pub name: String,
    pub code: Option<String>,
    /// Two-digit province code (QĐ 19/2025/QĐ-TTg) for departments and schools.
    pub province_code: Option<String>,
}

/// Why a unit cannot be placed under another.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{child} không thể trực thuộc {parent}: {child} chỉ trực thuộc {allowed}")]
pub struct InvalidParent {
    pub child: &'static str,
    pub parent: &'static str,
    pub allowed: String,
}

pub fn check_parent(child: UnitKind, parent: Option<UnitKind>) -> Result<(), InvalidParent> {
    let allowed = child.allowed_parents();
    let ok = match parent {
        None => allowed.is_empty(),
        Some(parent) => allowed.contains(&parent),
    };
    if ok {
        return Ok(());
    }
    let allowed_labels: Vec<&str> = allowed.iter().map(|kind| kind.label()).collect();
    Err(InvalidParent {
        child: child.label(),
        parent: parent.map_or("(không có đơn vị cấp trên)", UnitKind::label),
        allowed: if allowed_labels.is_empty() {
            "không đơn vị nào".into()
        } else {
            allowed_labels.join(" hoặc ")
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schools_hang_under_a_department_or_a_bureau() {
        assert!(check_parent(UnitKind::School, Some(UnitKind::Bureau)).is_ok());
        assert!(check_parent(UnitKind::School, Some(UnitKind::Department)).is_ok());
        assert!(check_parent(UnitKind::Ministry, None).is_ok());
        let error = check_parent(UnitKind::School, Some(UnitKind::Ministry)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Trường không thể trực thuộc Bộ GD&ĐT: Trường chỉ trực thuộc Sở GD&ĐT hoặc Phòng GD&ĐT"
        );
    }
}
