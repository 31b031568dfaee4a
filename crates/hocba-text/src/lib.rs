//! Vietnamese text done right, in one place, for every other hocba crate.
//!
//! Pure functions and one reusable collator; no I/O. See `stack.md` §3.7.
//!
//! * [`clean_input`] / [`nfc`]: every text input (forms, API, Excel) is stored
//!   as clean NFC, because input methods such as Unikey's "Unicode tổ hợp"
//!   produce NFD that looks identical but compares unequal byte-wise.
//! * [`fold`] / [`fold_query`]: accent-insensitive search keys that work as a
//!   plain `LIKE` on both SQLite and PostgreSQL.
//! * [`split_full_name`]: họ / đệm / tên.
//! * [`VietnameseCollator`] / [`collator`]: dictionary order (`vi` tailoring)
//!   and class-list order (by given name first). Sort in Rust, never in SQL.

mod collate;
mod fold;
mod name;
mod normalize;

pub use collate::{VietnameseCollator, collator};
pub use fold::{fold, fold_query};
pub use name::{PersonName, split_full_name};
pub use normalize::{clean_input, is_nfc, nfc};
