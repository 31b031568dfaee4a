//! The pieces of the `hocba` program that tests reuse: starting the server,
//! loading the demo data set, the benchmark harness, and the signing commands.

pub mod bench;
pub mod demo;
pub mod exam_bench;
pub mod grid_bench;
pub mod server;
pub mod signing;
