//! The page of a department or bureau: the units and schools under it, and
//! the forms to add a bureau or a school (department administrators).

use super::layout::{csrf, flash, page};
use super::pages::{Notice, notice_text};
use crate::AppState;
use crate::error::AppError;
use crate::session::{CurrentUser, SubmittedForm};
use crate::units::{FirstAdmin, authorise, create_bureau, create_school};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocba_domain::access::UnitAction;
use hocba_domain::form::Draft;
use hocba_domain::org::UnitKind;
use hocba_domain::school::OWNERSHIP;
use hocba_domain::{Level, UnitId};
use maud::{Markup, html};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/units/{unit}", get(unit_page))
        .route("/units/{unit}/bureaus", post(add_bureau))
        .route("/units/{unit}/schools", post(add_school))
}

async fn unit_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(unit): Path<UnitId>,
    Query(notice): Query<Notice>,
) -> Result<Response, AppError> {
    Ok(unit_view(&state, &user, unit, None, notice_text(&notice))
        .await?
        .into_response())
}

async fn unit_view(
    state: &AppState,
    user: &CurrentUser,
    unit: UnitId,
    error: Option<String>,
    ok: Option<&str>,
) -> Result<Markup, AppError> {
    let row = authorise(state, user, UnitAction::ViewUnit, unit).await?;
    let children = state.store.children(unit).await?;
    let manage = authorise(state, user, UnitAction::ManageUnit, unit)
        .await
        .is_ok();
    Ok(page(
        &row.name,
        Some(user),
        html! {
            h1 { (row.name) }
            (flash(ok))
            @if let Some(error) = error { div.flash.error role="alert" { (error) } }
            div.wrap { table {
                thead { tr { th { "Đơn vị trực thuộc" } th { "Loại" } th { "Mã" } } }
                tbody { @for child in &children { tr {
                    td { @if child.kind == UnitKind::School { a href={"/schools/" (child.id)} { (child.name) } } @else { a href={"/units/" (child.id)} { (child.name) } } }
                    td { (child.kind.label()) }
                    td { (child.code.clone().unwrap_or_default()) }
                } } }
            } }
            @if children.is_empty() { p.muted { "Chưa có đơn vị nào trực thuộc." } }
            @if manage {
                @if row.kind == UnitKind::Department {
                    h2 { "Thêm Phòng GD&ĐT" }
                    p.why { "Từ 01/7/2025 nhiều địa phương không còn cấp Phòng; khi đó các trường trực thuộc thẳng Sở." }
                    form.card method="post" action={"/units/" (unit) "/bureaus"} {
                        (csrf(user))
                        div.grid { label { "Tên" input name="name" required; } label { "Mã" input name="code"; } }
                        div.actions { button type="submit" { "Thêm" } }
                    }
                }
                h2 { "Thêm trường" }
                form.card method="post" action={"/units/" (unit) "/schools"} {
                    (csrf(user))
                    div.grid {
                        label { "Tên trường *" input name="name" required; }
                        label { "Mã trường" input name="code"; }
                        label { "Loại hình *" select name="ownership" { @for option in OWNERSHIP { option value=(option) { (option) } } } }
                        label { "Tỉnh/Thành phố *" select name="province" {
                            @for province in hocba_domain::province::all() {
                                option value=(province.code) selected[row.province_code.as_deref() == Some(province.code.as_str())] { (province.name) }
                            }
                        } }
                    }
                    p { "Cấp học *" }
                    @for level in Level::ALL { label { input type="checkbox" name=(format!("level_{}", level.code())) value="1"; " " (level.label()) } }
                    h3 { "Tài khoản quản trị đầu tiên của trường" }
                    div.grid {
                        label { "Tên đăng nhập *" input name="admin_username" required; }
                        label { "Họ tên *" input name="admin_name" required; }
                        label { "Mật khẩu ban đầu * (đổi khi đăng nhập lần đầu)" input name="admin_password" type="password" autocomplete="new-password" required; }
                    }
                    p.why { "Trường mới có sẵn năm học hiện tại và danh sách môn học theo Chương trình GDPT 2018; quản trị viên của trường nhập tiếp thông tin trường, lớp, cán bộ và học sinh." }
                    div.actions { button type="submit" { "Thêm trường" } }
                }
            } @else {
                p.why { "Bạn chỉ được xem: việc thêm đơn vị và trường do quản trị viên của Sở (hoặc Phòng) thực hiện." }
            }
        },
    ))
}

async fn add_bureau(
    State(state): State<AppState>,
    Path(unit): Path<UnitId>,
    form: SubmittedForm,
) -> Result<Response, AppError> {
    match create_bureau(
        &state,
        &form.user,
        unit,
        form.get("name").unwrap_or_default(),
        form.get("code"),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/units/{unit}?ok=created")).into_response()),
        Err(error @ AppError::Forbidden(_)) => Err(error),
        Err(error) => Ok(
            unit_view(&state, &form.user, unit, Some(error.message()), None)
                .await?
                .into_response(),
        ),
    }
}

async fn add_school(
    State(state): State<AppState>,
    Path(unit): Path<UnitId>,
    form: SubmittedForm,
) -> Result<Response, AppError> {
    let levels: Vec<Level> = Level::ALL
        .into_iter()
        .filter(|l| form.get(&format!("level_{}", l.code())) == Some("1"))
        .collect();
    let profile: Draft = ["name", "code", "ownership", "province"]
        .into_iter()
        .filter_map(|key| {
            form.get(key)
                .map(|value| (key.to_owned(), value.to_owned()))
        })
        .collect();
    let admin = FirstAdmin {
        username: form.get("admin_username").unwrap_or_default(),
        password: form.get("admin_password").unwrap_or_default(),
        display_name: form.get("admin_name").unwrap_or_default(),
    };
    match create_school(&state, &form.user, unit, &levels, &profile, admin).await {
        Ok(school) => Ok(Redirect::to(&format!("/schools/{school}")).into_response()),
        Err(error @ AppError::Forbidden(_)) => Err(error),
        Err(error) => Ok(
            unit_view(&state, &form.user, unit, Some(error.message()), None)
                .await?
                .into_response(),
        ),
    }
}
