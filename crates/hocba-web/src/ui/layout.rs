//! The page shell and shared pieces of the Vietnamese UI. Plain HTML that
//! works on a phone and without script; the only script is our own, inline.

use crate::error::AppError;
use crate::session::CurrentUser;
use hocba_domain::form::{Draft, FieldKind, FieldSpec};
use maud::{DOCTYPE, Markup, PreEscaped, html};

const STYLE: &str = r#"
*{box-sizing:border-box}body{margin:0;font-family:system-ui,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:#1d2733;background:#f4f6f8;line-height:1.45}
header{background:#0b5394;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.8rem;align-items:center}
header a{color:#fff;text-decoration:none}header .brand{font-weight:700;font-size:1.1rem}header nav{display:flex;flex-wrap:wrap;gap:.8rem;flex:1}
header form{margin:0}main{max-width:1100px;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin:1.2rem 0 .5rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #d5dbe1;padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#e8eef4}
.wrap{overflow-x:auto}.card{background:#fff;border:1px solid #d5dbe1;border-radius:6px;padding:1rem;margin-bottom:1rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:.6rem 1rem}
label{display:block;font-size:.9rem}input,select,textarea{width:100%;padding:.4rem;border:1px solid #aab4bf;border-radius:4px;font:inherit}
input[type=checkbox]{width:auto}button,.button{display:inline-block;background:#0b5394;color:#fff;border:0;border-radius:4px;padding:.45rem .9rem;font:inherit;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#5f6b78}button.danger{background:#a61c1c}
.flash{padding:.7rem 1rem;border-radius:6px;margin-bottom:1rem}.error{background:#fde8e8;border:1px solid #e0a3a3}.ok{background:#e6f4ea;border:1px solid #9fd3ae}
.why{font-size:.9rem;color:#4a5561}.field-error{color:#a61c1c;font-size:.85rem}.muted{color:#5f6b78}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:.6rem 0}.inline{display:inline}
@media (max-width:600px){th,td{padding:.3rem}main{padding:.5rem}}
"#;

pub fn page(title: &str, user: Option<&CurrentUser>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – hocba" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    a.brand href="/" { "hocba" }
                    @if let Some(user) = user {
                        nav {
                            a href="/" { "Trang chủ" }
                            a href="/password" { "Đổi mật khẩu" }
                        }
                        span { (user.account.display_name) " (" (user.account.username) ")" }
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(user.csrf_token);
                            button.secondary type="submit" { "Đăng xuất" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

pub fn error_page(error: &AppError) -> Markup {
    let title = match error {
        AppError::Unauthenticated => "Cần đăng nhập",
        AppError::Forbidden(_) => "Không có quyền",
        AppError::NotFound(_) => "Không tìm thấy",
        _ => "Chưa thực hiện được",
    };
    page(
        title,
        None,
        html! {
            h1 { (title) }
            div.flash.error {
                @if let AppError::Forbidden(denied) = error {
                    p { strong { (denied.reason) } }
                    p.why { "Cách xử lý: " (denied.remedy) }
                } @else {
                    p { (error.message()) }
                }
                @if let Some(fields) = error.field_errors() {
                    ul { @for field in &fields.0 { li { strong { (field.label) } ": " (field.message) } } }
                }
            }
            p { a href="javascript:history.back()" { "← Quay lại" } " · " a href="/" { "Trang chủ" } }
            @if matches!(error, AppError::Unauthenticated) { p { a.button href="/login" { "Đăng nhập" } } }
        },
    )
}

pub fn csrf(user: &CurrentUser) -> Markup {
    html! { input type="hidden" name="csrf" value=(user.csrf_token); }
}

pub fn flash(message: Option<&str>) -> Markup {
    html! { @if let Some(message) = message { div.flash.ok role="status" { (message) } } }
}

/// A form section per group of the registry, with the errors of each field
/// next to it. Personal fields are left out when `personal` is false.
pub fn record_fields(
    fields: &[FieldSpec],
    values: &Draft,
    errors: &[hocba_domain::FieldError],
    personal: bool,
) -> Markup {
    let mut groups: Vec<&str> = Vec::new();
    for field in fields {
        if !groups.contains(&field.group) {
            groups.push(field.group);
        }
    }
    html! {
        @for group in groups {
            fieldset.card {
                legend { strong { (group) } }
                div.grid {
                    @for field in fields.iter().filter(|f| f.group == group && (personal || !f.personal)) {
                        (field_input(field, values.get(field.key).map(String::as_str).unwrap_or_default(),
                            errors.iter().filter(|e| e.field == field.key).map(|e| e.message.as_str()).collect::<Vec<_>>()))
                    }
                }
            }
        }
    }
}

fn field_input(field: &FieldSpec, value: &str, errors: Vec<&str>) -> Markup {
    let id = format!("f_{}", field.key);
    html! {
        div {
            @if matches!(field.kind, FieldKind::Flag) {
                label for=(id) {
                    input id=(id) type="checkbox" name=(field.key) value="1" checked[value == "1"];
                    " " (field.label)
                }
            } @else {
                label for=(id) { (field.label) @if field.required { " *" } }
                @match field.kind {
                    FieldKind::Choice(options) => {
                        select id=(id) name=(field.key) {
                            option value="" { "— chọn —" }
                            @for option in options { option value=(option) selected[*option == value] { (option) } }
                        }
                    }
                    FieldKind::Sex => {
                        select id=(id) name=(field.key) required[field.required] {
                            option value="" { "— chọn —" }
                            option value="male" selected[value == "male"] { "Nam" }
                            option value="female" selected[value == "female"] { "Nữ" }
                        }
                    }
                    FieldKind::Province => {
                        select id=(id) name=(field.key) {
                            option value="" { "— chọn tỉnh/thành phố —" }
                            @for province in hocba_domain::province::all() {
                                option value=(province.code) selected[province.code == value] { (province.name) }
                            }
                        }
                    }
                    FieldKind::Date => {
                        input id=(id) name=(field.key) value=(display_date(value)) placeholder="ngày/tháng/năm" inputmode="numeric";
                    }
                    _ => { input id=(id) name=(field.key) value=(value) required[field.required]; }
                }
            }
            @for error in errors { div.field-error { (error) } }
        }
    }
}

/// Stored ISO dates are shown as dd/mm/yyyy.
fn display_date(value: &str) -> String {
    hocba_domain::Date::parse(value)
        .map(|d| d.to_string())
        .unwrap_or_else(|_| value.to_owned())
}

/// The fields of a submitted form that belong to a registry; unchecked boxes
/// are absent, which the domain reads as "no".
pub fn draft_from_form(
    fields: &[FieldSpec],
    submitted: &std::collections::BTreeMap<String, String>,
) -> Draft {
    fields
        .iter()
        .filter_map(|f| submitted.get(f.key).map(|v| (f.key.to_owned(), v.clone())))
        .collect()
}
