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
//!
//! ```
//! use hocba_text::{clean_input, collator, fold, fold_query, split_full_name};
//!
//! // Decomposed (NFD) input with stray whitespace, as pasted from Excel.
//! let raw = " Nguye\u{302}\u{303}n  Thi\u{323}\tHu\u{31b}o\u{31b}ng ";
//! let name = clean_input(raw);
//! assert_eq!(name, "Nguyễn Thị Hương");
//! assert_eq!(name.len(), 22);
//!
//! assert_eq!(fold(&name), "nguyen thi huong");
//! assert!(fold(&name).contains(&fold_query("HUONG")));
//! assert_eq!(split_full_name(&name).given, "Hương");
//!
//! let mut class = vec!["Trần Văn Đức", "Lê Anh", "Hoàng Dũng", "Đỗ Thị Anh"];
//! collator().sort_by_person_name(&mut class, |s| s);
//! assert_eq!(class, ["Đỗ Thị Anh", "Lê Anh", "Hoàng Dũng", "Trần Văn Đức"]);
//! ```

mod collate;
mod fold;
mod name;
mod normalize;

pub use collate::{VietnameseCollator, collator};
pub use fold::{fold, fold_query};
pub use name::{PersonName, split_full_name};
pub use normalize::{clean_input, is_nfc, nfc};
