//! Account management inside a school: create with roles, reset a password.

use crate::AppState;
use crate::api::{actor, school_roles};
use crate::error::AppError;
use crate::session::CurrentUser;
use hocba_domain::{SchoolId, StaffId, UserId};
use hocba_storage::NewAccount;

#[allow(clippy::too_many_arguments)]
pub async fn create_school_account(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    username: &str,
    password: &str,
    display_name: &str,
    roles: &[String],
    staff: Option<StaffId>,
) -> Result<UserId, AppError> {
    let grants = school_roles(roles, school)?;
    if grants.is_empty() {
        return Err(AppError::BadRequest(
            "Hãy chọn ít nhất một vai trò cho tài khoản.".into(),
        ));
    }
    hocba_auth::check_new_password(password, username).map_err(|m| AppError::Refused(m.into()))?;
    if let Some(staff) = staff {
        state.store.staff_member(school, staff).await?;
    }
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || hocba_auth::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let new = NewAccount {
        username,
        password_hash: &hash,
        display_name,
        home_unit: school.into(),
        staff,
        grants: &grants,
        must_change_password: true,
    };
    Ok(state.store.create_account(&actor(user), &new).await?)
}

/// An admin resets the password of an account of the same school; the
/// owner must change it at the next login.
pub async fn reset_school_password(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    target: UserId,
    password: &str,
) -> Result<(), AppError> {
    let account = state.store.account(target).await?;
    if account.home_unit != school.into() {
        return Err(AppError::NotFound("tài khoản này trong trường".into()));
    }
    hocba_auth::check_new_password(password, &account.username)
        .map_err(|m| AppError::Refused(m.into()))?;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || hocba_auth::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .store
        .set_password(&actor(user), target, &hash, true, school.into())
        .await?;
    Ok(())
}

/// The signed-in person changes their own password.
pub async fn change_own_password(
    state: &AppState,
    user: &CurrentUser,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    hocba_auth::check_new_password(new, &user.account.username)
        .map_err(|m| AppError::Refused(m.into()))?;
    let (current, new, stored) = (
        current.to_owned(),
        new.to_owned(),
        user.account.password_hash.clone(),
    );
    // Argon2 takes tens of milliseconds of CPU: off the async workers.
    let hash = tokio::task::spawn_blocking(move || {
        hocba_auth::verify_password(&current, &stored).then(|| hocba_auth::hash_password(&new))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .ok_or_else(|| AppError::Refused("Mật khẩu hiện tại không đúng.".into()))?;
    state
        .store
        .set_password(
            &actor(user),
            user.account.id,
            &hash,
            false,
            user.account.home_unit,
        )
        .await?;
    Ok(())
}
