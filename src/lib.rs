//! Umbrella package for examples and end-to-end benches.
