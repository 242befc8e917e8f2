//! # clinical-events
//!
//! TODO quickstart

pub mod columns;
mod error;
pub mod model;
pub mod network;
pub mod silver;
pub mod simulator;

pub use error::{Error, Result};
