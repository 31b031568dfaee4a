//! Who may do what, where. The one authorisation policy of hocba: every route
//! of the web app and the API asks [`authorise`] before touching data, with the
//! school (and class) that the data belongs to.
//!
//! The rule of the product: nobody reads or writes another school's data; a
//! department officer reads (never writes) the schools under the department;
//! personal data (personal IDs, addresses, parents) is shown only to roles that
//! need it (`quality.md`, Luật 91/2025/QH15 on personal data).

use crate::ids::{ClassId, SchoolId, UnitId, UserId};
use crate::role::{Role, RoleGrant};
use serde::Serialize;

/// What a request wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// School profile, campuses, school years, classes, subjects, staff names, assignments.
    ViewSchool,
    /// Change the school's profile, campuses, years, classes, subjects, assignments; roll a year over.
    ManageSchool,
    /// Class lists: names, birth dates, enrolment status.
    ViewStudents,
    /// Personal data of students: personal ID, passport, addresses, parents, phone.
    ViewStudentPersonalData,
    /// Edit a student's profile.
    EditStudent,
    /// Add, import, transfer, delete students; move them between classes.
    ManageStudents,
    /// Staff records and their import.
    ManageStaff,
    /// Accounts of the school: create, grant roles, reset passwords.
    ManageAccounts,
    /// Read the audit trail of the school.
    ViewAudit,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::ViewSchool,
        Action::ManageSchool,
        Action::ViewStudents,
        Action::ViewStudentPersonalData,
        Action::EditStudent,
        Action::ManageStudents,
        Action::ManageStaff,
        Action::ManageAccounts,
        Action::ViewAudit,
    ];

    fn description(self) -> &'static str {
        match self {
            Action::ViewSchool => "xem thông tin trường",
            Action::ManageSchool => "sửa thông tin trường, lớp, môn học và phân công",
            Action::ViewStudents => "xem danh sách học sinh",
            Action::ViewStudentPersonalData => "xem thông tin cá nhân của học sinh",
            Action::EditStudent => "sửa hồ sơ học sinh",
            Action::ManageStudents => {
                "thêm, nhập từ Excel, chuyển lớp, chuyển trường hoặc xóa học sinh"
            }
            Action::ManageStaff => "quản lý hồ sơ cán bộ, giáo viên",
            Action::ManageAccounts => "quản lý tài khoản người dùng",
            Action::ViewAudit => "xem nhật ký thay đổi",
        }
    }
}

/// Where the data of a request lives: a school, where it sits in the tree, and
/// for class-scoped data the class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub school: SchoolId,
    /// The school's ancestors (bureau, department, ministry), nearest first.
    pub ancestors: Vec<UnitId>,
    pub class: Option<ClassId>,
}

/// The signed-in person, with everything the policy needs to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub grants: Vec<RoleGrant>,
    /// Classes whose homeroom teacher this person is, in the current school year.
    pub homeroom_classes: Vec<ClassId>,
}

/// A refusal, with the reason and what to do, in Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{reason} {remedy}")]
pub struct Denied {
    pub reason: String,
    pub remedy: String,
}

impl Principal {
    /// The roles this person holds in the given school.
    pub fn roles_in_school(&self, school: SchoolId) -> impl Iterator<Item = Role> + '_ {
        self.grants
            .iter()
            .filter(move |grant| grant.role.held_in_school() && grant.unit == UnitId::from(school))
            .map(|grant| grant.role)
    }

    /// Schools where the person holds a school role.
    pub fn schools(&self) -> Vec<SchoolId> {
        let mut schools: Vec<SchoolId> = self
            .grants
            .iter()
            .filter(|g| g.role.held_in_school())
            .map(|g| SchoolId(g.unit.0))
            .collect();
        schools.sort();
        schools.dedup();
        schools
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|grant| grant.role == role)
    }
}

/// What a role may do in a school it belongs to, for data not tied to a class.
fn school_role_allows(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Admin => true,
        Role::Leader => matches!(
            action,
            ViewSchool | ViewStudents | ViewStudentPersonalData | ViewAudit
        ),
        Role::HomeroomTeacher | Role::SubjectTeacher => matches!(action, ViewSchool | ViewStudents),
        Role::DepartmentOfficer => false,
    }
}

/// What a department or bureau officer may do in the schools under the unit.
fn officer_allows(action: Action) -> bool {
    matches!(action, Action::ViewSchool | Action::ViewStudents)
}

/// Decides whether `principal` may do `action` on data of `target`.
pub fn authorise(principal: &Principal, action: Action, target: &Target) -> Result<(), Denied> {
    let school_roles: Vec<Role> = principal.roles_in_school(target.school).collect();
    if school_roles
        .iter()
        .any(|&role| school_role_allows(role, action))
    {
        return Ok(());
    }
    // A homeroom teacher reads and edits the full profile of the students of the
    // class in their charge (seed 001 step 1: GVCN keeps the class's records).
    if school_roles.contains(&Role::HomeroomTeacher)
        && matches!(
            action,
            Action::ViewStudentPersonalData | Action::EditStudent
        )
        && target
            .class
            .is_some_and(|class| principal.homeroom_classes.contains(&class))
    {
        return Ok(());
    }
    let officer_here = principal.grants.iter().any(|grant| {
        grant.role == Role::DepartmentOfficer && target.ancestors.contains(&grant.unit)
    });
    if officer_here && officer_allows(action) {
        return Ok(());
    }

    let wanted = action.description();
    if school_roles.is_empty() && !officer_here {
        return Err(Denied {
            reason: format!("Bạn không được {wanted} của trường này: tài khoản của bạn không thuộc trường này."),
            remedy: "Mỗi tài khoản chỉ làm việc với dữ liệu của đơn vị mình; hãy đăng nhập bằng tài khoản của trường này hoặc liên hệ quản trị viên của trường.".into(),
        });
    }
    let mut held: Vec<&str> = school_roles.iter().map(|role| role.label()).collect();
    if officer_here {
        held.push(Role::DepartmentOfficer.label());
    }
    let remedy = if school_roles.contains(&Role::HomeroomTeacher)
        && matches!(
            action,
            Action::ViewStudentPersonalData | Action::EditStudent
        ) {
        "Giáo viên chủ nhiệm chỉ xem và sửa hồ sơ học sinh của lớp mình chủ nhiệm; với lớp khác, hãy nhờ giáo viên chủ nhiệm lớp đó hoặc quản trị viên của trường."
    } else {
        "Hãy nhờ quản trị viên của trường thực hiện, hoặc đề nghị quản trị viên cấp thêm quyền cho tài khoản của bạn."
    };
    Err(Denied {
        reason: format!("Vai trò của bạn ({}) không được {wanted}.", held.join(", ")),
        remedy: remedy.into(),
    })
}

/// What can be done on the organisation tree itself (departments, bureaus,
/// schools as units), as opposed to the data of a school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitAction {
    /// See a unit and the units and schools under it.
    ViewUnit,
    /// Add bureaus and schools under a department or bureau, with the first
    /// admin account of a new school.
    ManageUnit,
}

/// Decides whether `principal` may do `action` on the unit whose chain is
/// `unit_and_ancestors` (the unit first, then its ancestors nearest first).
///
/// An admin held in a department or bureau (a department administrator)
/// manages the tree below it; an officer sees it. Neither grant reaches the
/// data inside a school: [`authorise`] only counts school roles held in the
/// school itself.
pub fn authorise_unit(
    principal: &Principal,
    action: UnitAction,
    unit_and_ancestors: &[UnitId],
) -> Result<(), Denied> {
    let holds = |roles: &[Role]| {
        principal
            .grants
            .iter()
            .any(|grant| roles.contains(&grant.role) && unit_and_ancestors.contains(&grant.unit))
    };
    let allowed = match action {
        UnitAction::ViewUnit => holds(&[Role::Admin, Role::DepartmentOfficer]),
        UnitAction::ManageUnit => holds(&[Role::Admin]),
    };
    if allowed {
        return Ok(());
    }
    Err(Denied {
        reason: match action {
            UnitAction::ViewUnit => "Bạn không được xem đơn vị này: tài khoản của bạn không thuộc đơn vị này hay đơn vị cấp trên của nó.".into(),
            UnitAction::ManageUnit => "Bạn không được thêm đơn vị hay trường vào đơn vị này: việc này do quản trị viên của Sở (hoặc Phòng) quản lý đơn vị thực hiện.".into(),
        },
        remedy: "Hãy liên hệ quản trị viên của Sở GD&ĐT quản lý đơn vị này.".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn department_admins_manage_the_tree_but_not_school_data() {
        let admin = Principal {
            user_id: UserId(9),
            grants: vec![RoleGrant {
                role: Role::Admin,
                unit: DEPARTMENT,
            }],
            homeroom_classes: vec![],
        };
        assert!(authorise_unit(&admin, UnitAction::ManageUnit, &[DEPARTMENT]).is_ok());
        assert!(
            authorise_unit(&admin, UnitAction::ManageUnit, &[UnitId(77), DEPARTMENT]).is_ok(),
            "a bureau below"
        );
        assert!(authorise_unit(&admin, UnitAction::ManageUnit, &[OTHER_DEPARTMENT]).is_err());
        for action in Action::ALL {
            assert!(
                authorise(&admin, action, &target(SCHOOL, DEPARTMENT, None)).is_err(),
                "{action:?}"
            );
        }
        let officer = principal(Role::DepartmentOfficer);
        assert!(authorise_unit(&officer, UnitAction::ViewUnit, &[DEPARTMENT]).is_ok());
        assert!(authorise_unit(&officer, UnitAction::ManageUnit, &[DEPARTMENT]).is_err());
        let teacher = principal(Role::SubjectTeacher);
        assert!(
            authorise_unit(
                &teacher,
                UnitAction::ViewUnit,
                &[UnitId::from(SCHOOL), DEPARTMENT]
            )
            .is_err()
        );
    }

    const SCHOOL: SchoolId = SchoolId(10);
    const OTHER_SCHOOL: SchoolId = SchoolId(20);
    const DEPARTMENT: UnitId = UnitId(1);
    const OTHER_DEPARTMENT: UnitId = UnitId(2);
    const MY_CLASS: ClassId = ClassId(100);
    const OTHER_CLASS: ClassId = ClassId(101);

    fn principal(role: Role) -> Principal {
        let unit = if role == Role::DepartmentOfficer {
            DEPARTMENT
        } else {
            UnitId::from(SCHOOL)
        };
        Principal {
            user_id: UserId(1),
            grants: vec![RoleGrant { role, unit }],
            homeroom_classes: if role == Role::HomeroomTeacher {
                vec![MY_CLASS]
            } else {
                vec![]
            },
        }
    }

    fn target(school: SchoolId, department: UnitId, class: Option<ClassId>) -> Target {
        Target {
            school,
            ancestors: vec![department],
            class,
        }
    }

    /// The expected matrix, written out by hand from the product rules so that
    /// the policy is checked against an independent statement of them.
    fn expected(role: Role, action: Action, class: Option<ClassId>) -> bool {
        use Action::*;
        match (role, action) {
            (Role::Admin, _) => true,
            (Role::Leader, ViewSchool | ViewStudents | ViewStudentPersonalData | ViewAudit) => true,
            (Role::HomeroomTeacher, ViewSchool | ViewStudents) => true,
            (Role::HomeroomTeacher, ViewStudentPersonalData | EditStudent) => {
                class == Some(MY_CLASS)
            }
            (Role::SubjectTeacher, ViewSchool | ViewStudents) => true,
            (Role::DepartmentOfficer, ViewSchool | ViewStudents) => true,
            _ => false,
        }
    }

    #[test]
    fn every_role_and_action_in_the_own_school_follows_the_matrix() {
        for role in Role::ALL {
            for action in Action::ALL {
                for class in [None, Some(MY_CLASS), Some(OTHER_CLASS)] {
                    let decision =
                        authorise(&principal(role), action, &target(SCHOOL, DEPARTMENT, class));
                    assert_eq!(
                        decision.is_ok(),
                        expected(role, action, class),
                        "{role:?} {action:?} {class:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn nobody_acts_on_another_school() {
        for role in Role::ALL {
            for action in Action::ALL {
                let decision = authorise(
                    &principal(role),
                    action,
                    &target(OTHER_SCHOOL, OTHER_DEPARTMENT, None),
                );
                let denied = decision.expect_err("another school must be refused");
                assert!(denied.reason.contains("không thuộc trường này"), "{denied}");
            }
        }
    }

    #[test]
    fn refusals_say_which_role_and_what_to_do() {
        let denied = authorise(
            &principal(Role::SubjectTeacher),
            Action::EditStudent,
            &target(SCHOOL, DEPARTMENT, None),
        )
        .unwrap_err();
        assert_eq!(
            denied.reason,
            "Vai trò của bạn (Giáo viên bộ môn) không được sửa hồ sơ học sinh."
        );
        assert!(denied.remedy.contains("quản trị viên"));
        let denied = authorise(
            &principal(Role::HomeroomTeacher),
            Action::EditStudent,
            &target(SCHOOL, DEPARTMENT, Some(OTHER_CLASS)),
        )
        .unwrap_err();
        assert!(denied.remedy.contains("lớp mình chủ nhiệm"), "{denied}");
    }

    #[test]
    fn a_person_with_two_roles_gets_the_union() {
        let mut both = principal(Role::SubjectTeacher);
        both.grants.push(RoleGrant {
            role: Role::Admin,
            unit: UnitId::from(SCHOOL),
        });
        assert!(
            authorise(
                &both,
                Action::ManageAccounts,
                &target(SCHOOL, DEPARTMENT, None)
            )
            .is_ok()
        );
    }
}
