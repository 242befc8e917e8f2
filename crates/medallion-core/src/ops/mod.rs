//! Table operations other than write/read/merge: delete, optimize, vacuum, history,
//! properties.

pub mod delete;
pub mod history;
pub mod optimize;
pub mod properties;
pub mod vacuum;
