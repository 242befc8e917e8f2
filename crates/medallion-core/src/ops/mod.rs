//! Table operations other than write/read/merge: delete, optimize, vacuum, history,
//! properties, constraints, restore.

pub mod constraints;
pub mod delete;
pub mod history;
pub mod optimize;
pub mod properties;
pub mod restore;
pub mod vacuum;
