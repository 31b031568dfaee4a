//! Who may do what, where. The one authorisation policy of hocba: every route
//! of the web app and the API asks [`authorise`] before touching data, with the
//! school (and class) that the data belongs to.
//!
//! The rule of the product: nobody reads or writes another school's data; a
//! department officer reads (never writes) the schools under the department;
//! personal data (personal IDs, addresses, parents) is shown only to roles that
//! need it (`quality.md`, Luật 91/2025/QH15 on personal data).

use crate::gradebook::{Semester, TeachingAssignment};
use crate::ids::{ClassId, SchoolId, SubjectId, UnitId, UserId};
use crate::org::UnitKind;
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
    /// Read a gradebook: a class × subject × semester grid with its history,
    /// or (without a subject) a class's conduct sheet.
    ViewGradebook,
    /// Write scores in a class × subject × semester gradebook.
    EnterScores,
    /// Write the training (conduct) results and homeroom comments of a class.
    EnterConduct,
    /// Declare column plans, open entry windows, lock and unlock columns.
    ManageGradebook,
    /// Register one's own signing account (seed 004 §III.1: leaders,
    /// homeroom and subject teachers).
    RegisterSigningAccount,
    /// See the school's signing accounts, its organisation certificate and
    /// the signing permissions.
    ViewSigningAccounts,
    /// Approve or reject signing accounts, copy last year's, grant signing
    /// permissions (seed 004 §II.2 mục 2: the administrator).
    ManageSigningAccounts,
    /// Register (or re-register) the school's organisation certificate
    /// (seed 004 §II.2 mục 1: "Quản trị viên/CBQL").
    RegisterOrgCertificate,
    /// See the school's exams, papers and score sheets (seed 000).
    ViewExams,
    /// Create and edit exams and papers, enter, import and finalise score
    /// sheets (seed 000 §2.2: the school checks and finalises the scores).
    ManageExams,
    /// Sync a paper's scores into the gradebook (seed 000 §3: the school).
    SyncExamScores,
    /// Issue and revoke the OAuth clients through which a learning system
    /// writes into the gradebook (OneRoster 1.2 Gradebook).
    ManageLmsClients,
}

impl Action {
    pub const ALL: [Action; 21] = [
        Action::ViewSchool,
        Action::ManageSchool,
        Action::ViewStudents,
        Action::ViewStudentPersonalData,
        Action::EditStudent,
        Action::ManageStudents,
        Action::ManageStaff,
        Action::ManageAccounts,
        Action::ViewAudit,
        Action::ViewGradebook,
        Action::EnterScores,
        Action::EnterConduct,
        Action::ManageGradebook,
        Action::RegisterSigningAccount,
        Action::ViewSigningAccounts,
        Action::ManageSigningAccounts,
        Action::RegisterOrgCertificate,
        Action::ViewExams,
        Action::ManageExams,
        Action::SyncExamScores,
        Action::ManageLmsClients,
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
            Action::ViewGradebook => "xem sổ điểm này",
            Action::EnterScores => "nhập điểm vào sổ điểm này",
            Action::EnterConduct => "nhập kết quả rèn luyện và nhận xét của lớp này",
            Action::ManageGradebook => "khai báo số cột điểm, mở đợt nhập điểm hoặc khóa cột điểm",
            Action::RegisterSigningAccount => "đăng ký tài khoản ký",
            Action::ViewSigningAccounts => "xem tài khoản ký và chứng thư số",
            Action::ManageSigningAccounts => {
                "duyệt tài khoản ký, lấy dữ liệu năm học trước hoặc phân quyền ký"
            }
            Action::RegisterOrgCertificate => "đăng ký chứng thư số của trường",
            Action::ViewExams => "xem kỳ thi, đề thi và bảng điểm",
            Action::ManageExams => "tạo, sửa kỳ thi, đề thi và nhập, chốt bảng điểm",
            Action::SyncExamScores => "đồng bộ điểm đề thi sang sổ điểm",
            Action::ManageLmsClients => {
                "cấp hoặc thu hồi quyền ghi điểm cho hệ thống học tập (LMS)"
            }
        }
    }
}

/// Where the data of a request lives: a school, where it sits in the tree, and
/// for class-scoped data the class; for a gradebook also the subject and the
/// semester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub school: SchoolId,
    /// The school's ancestors (bureau, department, ministry), nearest first.
    pub ancestors: Vec<UnitId>,
    pub class: Option<ClassId>,
    pub subject: Option<SubjectId>,
    pub semester: Option<Semester>,
}

/// The signed-in person, with everything the policy needs to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub grants: Vec<RoleGrant>,
    /// Classes whose homeroom teacher this person is, in the current school year.
    pub homeroom_classes: Vec<ClassId>,
    /// What this person teaches in the current school year (phân công giảng dạy).
    pub teaching: Vec<TeachingAssignment>,
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

    /// Whether the person teaches `subject` to `class`, in `semester` or (with
    /// `None`) in either semester.
    pub fn teaches(&self, class: ClassId, subject: SubjectId, semester: Option<Semester>) -> bool {
        self.teaching.iter().any(|a| {
            a.class == class && a.subject == subject && semester.is_none_or(|s| s == a.semester)
        })
    }
}

/// What a role may do in a school it belongs to, for data not tied to a class.
fn school_role_allows(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Admin => true,
        Role::Leader => matches!(
            action,
            ViewSchool
                | ViewStudents
                | ViewStudentPersonalData
                | ViewAudit
                | ViewGradebook
                | RegisterSigningAccount
                | ViewSigningAccounts
                | RegisterOrgCertificate
                | ViewExams
        ),
        Role::HomeroomTeacher | Role::SubjectTeacher => {
            matches!(action, ViewSchool | ViewStudents | RegisterSigningAccount)
        }
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
    if teacher_allows(principal, &school_roles, action, target) {
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
    let teacher = school_roles
        .iter()
        .any(|role| matches!(role, Role::HomeroomTeacher | Role::SubjectTeacher));
    let remedy = if school_roles.contains(&Role::HomeroomTeacher)
        && matches!(
            action,
            Action::ViewStudentPersonalData | Action::EditStudent
        ) {
        "Giáo viên chủ nhiệm chỉ xem và sửa hồ sơ học sinh của lớp mình chủ nhiệm; với lớp khác, hãy nhờ giáo viên chủ nhiệm lớp đó hoặc quản trị viên của trường."
    } else if teacher && action == Action::EnterScores {
        "Giáo viên bộ môn chỉ nhập điểm môn, lớp và học kỳ mình được phân công giảng dạy; nếu phân công chưa đúng, hãy liên hệ quản trị viên của trường."
    } else if teacher && action == Action::ViewGradebook {
        "Giáo viên xem sổ điểm của lớp mình chủ nhiệm và của môn, lớp mình được phân công dạy; sổ điểm của môn khác do giáo viên dạy môn đó, cán bộ quản lý và quản trị viên xem."
    } else if matches!(
        action,
        Action::ViewSigningAccounts
            | Action::ManageSigningAccounts
            | Action::RegisterOrgCertificate
    ) {
        "Việc duyệt tài khoản ký, phân quyền ký và đăng ký chứng thư số của trường do quản trị viên (và cán bộ quản lý) của trường thực hiện; tài khoản ký của bạn ở mục Tài khoản ký của tôi."
    } else if teacher && action == Action::EnterConduct {
        "Kết quả rèn luyện và nhận xét của lớp do giáo viên chủ nhiệm lớp đó nhập (hoặc quản trị viên)."
    } else {
        "Hãy nhờ quản trị viên của trường thực hiện, hoặc đề nghị quản trị viên cấp thêm quyền cho tài khoản của bạn."
    };
    Err(Denied {
        reason: format!("Vai trò của bạn ({}) không được {wanted}.", held.join(", ")),
        remedy: remedy.into(),
    })
}

/// What a teacher may do because of a class in their charge or a teaching
/// assignment (TT22 Điều 6–8: the subject teacher assesses their subject; the
/// homeroom teacher assesses conduct and sees every subject of the class).
/// A teacher does not see other subjects' grades of classes they do not
/// lead: grades are the subject teacher's and the school's.
fn teacher_allows(
    principal: &Principal,
    school_roles: &[Role],
    action: Action,
    target: &Target,
) -> bool {
    let homeroom = school_roles.contains(&Role::HomeroomTeacher)
        && target
            .class
            .is_some_and(|class| principal.homeroom_classes.contains(&class));
    let teacher = school_roles
        .iter()
        .any(|role| matches!(role, Role::HomeroomTeacher | Role::SubjectTeacher));
    let teaches = |semester: Option<Semester>| {
        teacher
            && match (target.class, target.subject) {
                (Some(class), Some(subject)) => principal.teaches(class, subject, semester),
                _ => false,
            }
    };
    match action {
        // A homeroom teacher reads and edits the full profile of the students
        // of the class in their charge (seed 001 step 1: GVCN keeps the
        // class's records) and enters its conduct and comments (TT22 Điều 8).
        Action::ViewStudentPersonalData | Action::EditStudent | Action::EnterConduct => homeroom,
        // Viewing: the assignment in either semester (the teacher of HK I
        // sees HK II of the same class and subject, for the year average).
        Action::ViewGradebook => homeroom || teaches(None),
        // Entering: exactly the assigned semester. Without a subject (the
        // class's workbook of one semester): a teacher assigned a subject of
        // the class that semester; the handler keeps only those subjects.
        Action::EnterScores => {
            target.semester.is_some()
                && (teaches(target.semester)
                    || (teacher
                        && target.subject.is_none()
                        && principal.teaching.iter().any(|a| {
                            Some(a.class) == target.class && Some(a.semester) == target.semester
                        })))
        }
        _ => false,
    }
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
    /// Approve or reject the organisation certificates of the schools under
    /// a department or bureau (seed 004 §II.2 mục 1: "Phòng/Sở GD&ĐT phê
    /// duyệt"): the department's or bureau's officer.
    ApproveOrgCertificate,
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
    kind: UnitKind,
    unit_and_ancestors: &[UnitId],
) -> Result<(), Denied> {
    if action == UnitAction::ApproveOrgCertificate && kind == UnitKind::School {
        return Err(Denied {
            reason: "Chứng thư số của trường không được duyệt ở trang của trường.".into(),
            remedy: "Chuyên viên Phòng/Sở GD&ĐT quản lý trường duyệt ở trang Duyệt chứng thư số của Phòng/Sở."
                .into(),
        });
    }
    if action == UnitAction::ManageUnit && kind == UnitKind::School {
        // Bureaus and schools hang under departments and bureaus only
        // (`org::check_parent`); a school's admin manages its records, not the tree.
        return Err(Denied {
            reason: "Không thể thêm đơn vị hay trường vào một trường.".into(),
            remedy: "Trường mới do quản trị viên của Sở (hoặc Phòng) thêm vào đơn vị quản lý."
                .into(),
        });
    }
    let holds = |roles: &[Role]| {
        principal
            .grants
            .iter()
            .any(|grant| roles.contains(&grant.role) && unit_and_ancestors.contains(&grant.unit))
    };
    let allowed = match action {
        UnitAction::ViewUnit => holds(&[Role::Admin, Role::DepartmentOfficer]),
        UnitAction::ManageUnit => holds(&[Role::Admin]),
        UnitAction::ApproveOrgCertificate => holds(&[Role::DepartmentOfficer]),
    };
    if allowed {
        return Ok(());
    }
    Err(Denied {
        reason: match action {
            UnitAction::ViewUnit => "Bạn không được xem đơn vị này: tài khoản của bạn không thuộc đơn vị này hay đơn vị cấp trên của nó.".into(),
            UnitAction::ManageUnit => "Bạn không được thêm đơn vị hay trường vào đơn vị này: việc này do quản trị viên của Sở (hoặc Phòng) quản lý đơn vị thực hiện.".into(),
            UnitAction::ApproveOrgCertificate => "Bạn không được duyệt chứng thư số của các trường thuộc đơn vị này: việc này do chuyên viên Phòng/Sở GD&ĐT quản lý trường thực hiện.".into(),
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
            teaching: vec![],
        };
        assert!(
            authorise_unit(
                &admin,
                UnitAction::ManageUnit,
                UnitKind::Department,
                &[DEPARTMENT]
            )
            .is_ok()
        );
        assert!(
            authorise_unit(
                &admin,
                UnitAction::ManageUnit,
                UnitKind::Department,
                &[UnitId(77), DEPARTMENT]
            )
            .is_ok(),
            "a bureau below"
        );
        assert!(
            authorise_unit(
                &admin,
                UnitAction::ManageUnit,
                UnitKind::Department,
                &[OTHER_DEPARTMENT]
            )
            .is_err()
        );
        for action in Action::ALL {
            assert!(
                authorise(&admin, action, &target(SCHOOL, DEPARTMENT, None)).is_err(),
                "{action:?}"
            );
        }
        // A school's own admin holds Admin on the school unit: no tree there.
        let school_admin = principal(Role::Admin);
        assert!(
            authorise_unit(
                &school_admin,
                UnitAction::ManageUnit,
                UnitKind::School,
                &[UnitId::from(SCHOOL), DEPARTMENT]
            )
            .is_err()
        );
        let officer = principal(Role::DepartmentOfficer);
        assert!(
            authorise_unit(
                &officer,
                UnitAction::ViewUnit,
                UnitKind::Department,
                &[DEPARTMENT]
            )
            .is_ok()
        );
        assert!(
            authorise_unit(
                &officer,
                UnitAction::ManageUnit,
                UnitKind::Department,
                &[DEPARTMENT]
            )
            .is_err()
        );
        let teacher = principal(Role::SubjectTeacher);
        assert!(
            authorise_unit(
                &teacher,
                UnitAction::ViewUnit,
                UnitKind::School,
                &[UnitId::from(SCHOOL), DEPARTMENT]
            )
            .is_err()
        );
    }

    #[test]
    fn department_officers_approve_organisation_certificates() {
        let chain = [DEPARTMENT];
        let officer = principal(Role::DepartmentOfficer);
        let approve = UnitAction::ApproveOrgCertificate;
        assert!(authorise_unit(&officer, approve, UnitKind::Department, &chain).is_ok());
        assert!(
            authorise_unit(
                &officer,
                approve,
                UnitKind::Bureau,
                &[UnitId(77), DEPARTMENT]
            )
            .is_ok()
        );
        assert!(
            authorise_unit(&officer, approve, UnitKind::Department, &[OTHER_DEPARTMENT]).is_err()
        );
        // Never on a school's own page, not even the officer's schools.
        assert!(
            authorise_unit(
                &officer,
                approve,
                UnitKind::School,
                &[UnitId::from(SCHOOL), DEPARTMENT]
            )
            .is_err()
        );
        // A department admin manages the tree, not the schools' certificates;
        // school roles never approve their own.
        let department_admin = Principal {
            grants: vec![RoleGrant {
                role: Role::Admin,
                unit: DEPARTMENT,
            }],
            ..principal(Role::Admin)
        };
        for who in [
            department_admin,
            principal(Role::Admin),
            principal(Role::Leader),
        ] {
            let denied = authorise_unit(&who, approve, UnitKind::Department, &chain).unwrap_err();
            assert!(denied.reason.contains("chuyên viên"), "{denied}");
        }
    }

    const SCHOOL: SchoolId = SchoolId(10);
    const OTHER_SCHOOL: SchoolId = SchoolId(20);
    const DEPARTMENT: UnitId = UnitId(1);
    const OTHER_DEPARTMENT: UnitId = UnitId(2);
    const MY_CLASS: ClassId = ClassId(100);
    const OTHER_CLASS: ClassId = ClassId(101);
    const MY_SUBJECT: SubjectId = SubjectId(200);
    const OTHER_SUBJECT: SubjectId = SubjectId(201);
    const S1: Semester = Semester::S1;
    const S2: Semester = Semester::S2;

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
            // Both kinds of teacher teach MY_SUBJECT to MY_CLASS in semester 1.
            teaching: if matches!(role, Role::HomeroomTeacher | Role::SubjectTeacher) {
                vec![TeachingAssignment {
                    class: MY_CLASS,
                    subject: MY_SUBJECT,
                    semester: S1,
                }]
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
            subject: None,
            semester: None,
        }
    }

    /// Where a gradebook request may point.
    #[derive(Debug, Clone, Copy)]
    struct Place {
        class: Option<ClassId>,
        subject: Option<SubjectId>,
        semester: Option<Semester>,
    }

    fn places() -> Vec<Place> {
        let mut places = Vec::new();
        for class in [None, Some(MY_CLASS), Some(OTHER_CLASS)] {
            for subject in [None, Some(MY_SUBJECT), Some(OTHER_SUBJECT)] {
                for semester in [None, Some(S1), Some(S2)] {
                    places.push(Place {
                        class,
                        subject,
                        semester,
                    });
                }
            }
        }
        places
    }

    /// The expected matrix, written out by hand from the product rules so that
    /// the policy is checked against an independent statement of them.
    fn expected(role: Role, action: Action, at: Place) -> bool {
        use Action::*;
        let my_class = at.class == Some(MY_CLASS);
        let my_subject = my_class && at.subject == Some(MY_SUBJECT);
        match (role, action) {
            (Role::Admin, _) => true,
            (
                Role::Leader,
                ViewSchool | ViewStudents | ViewStudentPersonalData | ViewAudit | ViewGradebook,
            ) => true,
            // Signing accounts (seed 004 §II.2, §III.1): leaders and teachers
            // register their own; leaders see the school's and register the
            // organisation certificate; approving is the admin's.
            (
                Role::Leader,
                RegisterSigningAccount | ViewSigningAccounts | RegisterOrgCertificate,
            ) => true,
            // Exams (seed 000): leaders follow them; the admin runs them.
            (Role::Leader, ViewExams) => true,
            (Role::HomeroomTeacher | Role::SubjectTeacher, RegisterSigningAccount) => true,
            (Role::HomeroomTeacher, ViewSchool | ViewStudents) => true,
            (Role::HomeroomTeacher, ViewStudentPersonalData | EditStudent | EnterConduct) => {
                my_class
            }
            // Every subject of the class in their charge.
            (Role::HomeroomTeacher, ViewGradebook) => my_class,
            (Role::SubjectTeacher, ViewSchool | ViewStudents) => true,
            // Their subject in that class, either semester.
            (Role::SubjectTeacher, ViewGradebook) => my_subject,
            // Their subject in that class, the assigned semester only; or
            // the class as a whole in that semester (its workbook, which
            // holds only their subjects).
            (Role::HomeroomTeacher | Role::SubjectTeacher, EnterScores) => {
                (my_subject || (my_class && at.subject.is_none())) && at.semester == Some(S1)
            }
            (Role::DepartmentOfficer, ViewSchool | ViewStudents) => true,
            _ => false,
        }
    }

    #[test]
    fn every_role_and_action_in_the_own_school_follows_the_matrix() {
        for role in Role::ALL {
            for action in Action::ALL {
                for at in places() {
                    let target = Target {
                        subject: at.subject,
                        semester: at.semester,
                        ..target(SCHOOL, DEPARTMENT, at.class)
                    };
                    let decision = authorise(&principal(role), action, &target);
                    assert_eq!(
                        decision.is_ok(),
                        expected(role, action, at),
                        "{role:?} {action:?} {at:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn gradebook_refusals_name_the_rule() {
        let teacher = principal(Role::SubjectTeacher);
        let other_subject = Target {
            subject: Some(OTHER_SUBJECT),
            semester: Some(S1),
            ..target(SCHOOL, DEPARTMENT, Some(MY_CLASS))
        };
        let denied = authorise(&teacher, Action::EnterScores, &other_subject).unwrap_err();
        assert_eq!(
            denied.reason,
            "Vai trò của bạn (Giáo viên bộ môn) không được nhập điểm vào sổ điểm này."
        );
        assert!(denied.remedy.contains("được phân công"), "{denied}");
        let denied = authorise(&teacher, Action::ViewGradebook, &other_subject).unwrap_err();
        assert!(denied.remedy.contains("môn khác"), "{denied}");
        let denied = authorise(
            &teacher,
            Action::ManageGradebook,
            &target(SCHOOL, DEPARTMENT, None),
        )
        .unwrap_err();
        assert!(denied.remedy.contains("quản trị viên"), "{denied}");
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
