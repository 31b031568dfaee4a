//! The pieces of the `hocba` program that tests reuse: starting the server,
//! loading the demo data set, and the benchmark harness.

pub mod bench;
pub mod demo;
pub mod server;
