//! The records of a Vietnamese school as types and pure rules.
//!
//! Nothing here performs I/O: storage, the web and the spreadsheet crates call
//! into this crate, never the other way round. Names follow
//! `shared/spec/glossary.md`.

pub mod access;
pub mod class;
pub mod curriculum;
pub mod date;
pub mod exam;
pub mod form;
pub mod gradebook;
pub mod identity;
pub mod ids;
pub mod level;
pub mod lms;
pub mod org;
pub mod primary;
pub mod primary_sheet;
pub mod province;
pub mod role;
pub mod rollover;
pub mod school;
pub mod signing_account;
pub mod staff;
pub mod student;
pub mod summary;
pub mod validation;

pub use date::Date;
pub use ids::*;
pub use level::{Grade, Level};
pub use role::Role;
pub use validation::{FieldError, FieldErrors};
