//! The organisation tree seen from a department or bureau: its bureaus and
//! schools, and adding them (a department administrator's work).

use crate::AppState;
use crate::api::actor;
use crate::error::AppError;
use crate::session::CurrentUser;
use hocba_domain::access::{UnitAction, authorise_unit};
use hocba_domain::form::Draft;
use hocba_domain::org::UnitKind;
use hocba_domain::school::{SchoolProfile, SchoolYear};
use hocba_domain::{Date, Grade, Level, Role, SchoolId, UnitId};
use hocba_storage::{NewAccount, NewSchool, UnitRow};

/// Checks `action` on `unit` and returns the unit.
pub async fn authorise(
    state: &AppState,
    user: &CurrentUser,
    action: UnitAction,
    unit: UnitId,
) -> Result<UnitRow, AppError> {
    let row = match state.store.unit(unit).await {
        Ok(row) => row,
        Err(hocba_storage::StoreError::NotFound(_)) => {
            // Unknown units are refused like foreign ones, so ids cannot be probed:
            // no grant holds on an empty chain.
            let denied = authorise_unit(&user.principal, action, UnitKind::Department, &[]).err();
            return Err(denied.map_or_else(|| AppError::NotFound("đơn vị".into()), AppError::from));
        }
        Err(error) => return Err(error.into()),
    };
    let mut chain = vec![unit];
    chain.extend(state.store.ancestors(unit).await?);
    authorise_unit(&user.principal, action, row.kind, &chain)?;
    Ok(row)
}

/// Units (departments, bureaus) where the user may see the tree.
pub async fn managed_units(state: &AppState, user: &CurrentUser) -> Result<Vec<UnitRow>, AppError> {
    let mut units = Vec::new();
    for grant in &user.account.grants {
        if matches!(grant.role, Role::Admin | Role::DepartmentOfficer) {
            let unit = state.store.unit(grant.unit).await?;
            if unit.kind != UnitKind::School && !units.iter().any(|u: &UnitRow| u.id == unit.id) {
                units.push(unit);
            }
        }
    }
    Ok(units)
}

pub async fn create_bureau(
    state: &AppState,
    user: &CurrentUser,
    parent: UnitId,
    name: &str,
    code: Option<&str>,
) -> Result<UnitId, AppError> {
    let row = authorise(state, user, UnitAction::ManageUnit, parent).await?;
    if hocba_text::clean_input(name).is_empty() {
        return Err(AppError::BadRequest("Hãy nhập tên Phòng GD&ĐT.".into()));
    }
    Ok(state
        .store
        .create_unit(
            &actor(user),
            UnitKind::Bureau,
            Some(parent),
            name,
            code,
            row.province_code.as_deref(),
        )
        .await?)
}

/// The first administrator of a new school.
pub struct FirstAdmin<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub display_name: &'a str,
}

/// Creates a school under `parent`, opens the current school year with the
/// default subjects of its grades, and creates its first admin account.
pub async fn create_school(
    state: &AppState,
    user: &CurrentUser,
    parent: UnitId,
    levels: &[Level],
    profile: &Draft,
    admin: FirstAdmin<'_>,
) -> Result<SchoolId, AppError> {
    authorise(state, user, UnitAction::ManageUnit, parent).await?;
    if levels.is_empty() {
        return Err(AppError::BadRequest(
            "Hãy chọn ít nhất một cấp học của trường.".into(),
        ));
    }
    let profile = SchoolProfile::validate(profile)?;
    hocba_auth::check_new_password(admin.password, admin.username)
        .map_err(|m| AppError::Refused(m.into()))?;
    let school = state
        .store
        .create_school(
            &actor(user),
            NewSchool {
                parent,
                levels,
                profile: &profile,
            },
        )
        .await?;
    let grades: Vec<Grade> = levels
        .iter()
        .flat_map(|l| l.grades())
        .filter_map(|g| Grade::new(g).ok())
        .collect();
    let today = Date::from_days_since_epoch(hocba_storage::now_millis().div_euclid(86_400_000));
    state
        .store
        .create_school_year(&actor(user), school, SchoolYear::containing(today), &grades)
        .await?;
    let password = admin.password.to_owned();
    let hash = tokio::task::spawn_blocking(move || hocba_auth::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let grants = [hocba_domain::role::RoleGrant {
        role: Role::Admin,
        unit: school.into(),
    }];
    state
        .store
        .create_account(
            &actor(user),
            &NewAccount {
                username: admin.username,
                password_hash: &hash,
                display_name: admin.display_name,
                home_unit: school.into(),
                staff: None,
                grants: &grants,
                must_change_password: true,
            },
        )
        .await?;
    Ok(school)
}
