//! Whether a user may enter scores in a gradebook now, and if not why:
//! one decision for the API's grid answer and the grid page, in the same
//! order as saving (`Store::save_cells`): the policy, the gradebook, the
//! closed book (no override lifts it), the plan, the window. Locks are per
//! column.

use crate::session::CurrentUser;
use hocba_domain::access::{self, Action, Denied, Target};
use hocba_domain::gradebook::{self, EntryRefusal, RefusalKind};
use hocba_domain::{Role, SchoolId};
use hocba_storage::{Gradebook, TermClosure};
use serde_json::{Value, json};

pub(crate) fn is_teacher(user: &CurrentUser, school: SchoolId) -> bool {
    user.principal
        .roles_in_school(school)
        .any(|role| matches!(role, Role::HomeroomTeacher | Role::SubjectTeacher))
}

pub(crate) fn is_admin(user: &CurrentUser, school: SchoolId) -> bool {
    user.principal
        .roles_in_school(school)
        .any(|role| role == Role::Admin)
}

/// Whether the user may enter scores in the grid now, and if not why and
/// what to do. The same decision, in the same order, as saving
/// (`Store::save_cells`) and the API's grid answer
/// (`api_gradebook::edit_state`): the policy, the gradebook, the closed
/// book (no override lifts it), the plan, the window; locks are per column.
pub(crate) struct EditState {
    pub may_edit: bool,
    /// An administrator outside a window: saving is an override (audited).
    pub override_needed: bool,
    pub why_not: Option<Denied>,
    /// A stable code for API clients: `forbidden`, or the entry refusal's code.
    pub code: Option<&'static str>,
}

pub(crate) fn edit_state(
    user: &CurrentUser,
    target: &Target,
    book: &Gradebook,
    closure: Option<&TermClosure>,
) -> EditState {
    let place = book.subject.place(book.semester);
    if let Err(denied) = access::authorise(&user.principal, Action::EnterScores, target) {
        let named = if is_teacher(user, target.school) {
            Denied::from(&EntryRefusal::NotAssigned { place })
        } else {
            denied
        };
        return EditState {
            may_edit: false,
            override_needed: false,
            why_not: Some(named),
            code: Some("forbidden"),
        };
    }
    let admin = is_admin(user, target.school);
    let closed = closure.filter(|c| c.closed);
    let refusal = if let Some(why) = &book.subject.no_gradebook {
        Some(EntryRefusal::NoGradebook {
            message: why.clone(),
        })
    } else if let Some(closure) = closed {
        Some(EntryRefusal::TermClosed {
            place,
            closed_by: closure.closed_by.clone(),
            closed_at: closure.closed_at,
        })
    } else if book.plan.is_none() {
        Some(EntryRefusal::NotDeclared { place })
    } else {
        let entrant = gradebook::Entrant {
            admin,
            assigned: !admin,
            override_requested: false,
        };
        gradebook::check_entry(&place, entrant, &book.window, None).err()
    };
    match refusal {
        None => EditState {
            may_edit: true,
            override_needed: false,
            why_not: None,
            code: None,
        },
        Some(refusal) => {
            let override_possible = admin
                && matches!(refusal.kind(), RefusalKind::Locked)
                && !matches!(refusal, EntryRefusal::TermClosed { .. });
            EditState {
                may_edit: override_possible,
                override_needed: override_possible,
                why_not: Some(Denied::from(&refusal)),
                code: Some(refusal.code()),
            }
        }
    }
}

impl EditState {
    /// The API's form: `{"may_edit", "override_needed", "why_not": null |
    /// {"code", "reason", "remedy"}}`.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "may_edit": self.may_edit,
            "override_needed": self.override_needed,
            "why_not": self.why_not.as_ref().map(|denied| json!({
                "code": self.code, "reason": denied.reason, "remedy": denied.remedy,
            })),
        })
    }
}
