//! # clinical-events
//!
//! TODO quickstart

pub mod columns;
mod error;
pub mod gold;
pub mod model;
pub mod network;
pub mod pipeline;
pub mod silver;
pub mod simulator;
pub mod testkit;

pub use error::{Error, Result};
