//! Bench (written below).
fn main() {}
