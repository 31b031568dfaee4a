//! The assessment law of Vietnamese general education as a pure library.
//!
//! * [`regime`]: which circular governs a grade in a school year (regulations.md §0).
//! * [`score`]: exact one- and two-decimal scores; no floating point anywhere.
//! * [`secondary`]: subject records and averages shared by TT22 and TT58/TT26.
//! * [`tt22`]: Thông tư 22/2021 (lower and upper secondary).
//! * [`tt58`]: Thông tư 58/2011 as amended by Thông tư 26/2020.
//! * [`tt27`]: Thông tư 27/2020 (primary).
//! * [`full_course`]: grade-12 full-course averages (Thông tư 24/2024 Điều 44).
//! * [`reason`]: every decision explained, with its article and a Vietnamese sentence.
//! * [`json`]: the JSON calculator behind `hocba evaluate` and the web API.
//! * [`fixtures`]: deterministic synthetic students for the benchmark.
//!
//! The library does no I/O: no files, no clock, no network.

pub mod label;
pub mod reason;
pub mod regime;
pub mod score;
pub mod secondary;
pub mod outcome;
pub mod tt22;
pub mod tt58;
pub mod tt27;
pub mod full_course;
