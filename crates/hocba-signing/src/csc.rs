//! CSC remote signing (to come).
