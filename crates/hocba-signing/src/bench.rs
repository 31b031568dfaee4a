//! Benchmark helpers (to come).
