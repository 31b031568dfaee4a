//! The Vietnamese web UI: server-rendered pages over the same domain rules
//! and storage as the API. Every refusal is rendered with its reason and the
//! way out (`layout::error_page`).

mod after_year;
mod exams;
mod gradebook;
pub mod layout;
mod lms;
mod pages;
mod planning;
mod primary;
pub mod routes;
mod signing;
mod summary;
mod tree;
mod workbook;

pub fn routes() -> axum::Router<crate::AppState> {
    pages::routes()
        .merge(exams::routes())
        .merge(planning::routes())
        .merge(tree::routes())
        .merge(signing::routes())
        .merge(lms::routes())
        .merge(gradebook::routes())
        .merge(summary::routes())
        .merge(workbook::routes())
        .merge(after_year::routes())
        .merge(primary::routes())
}
