//! # synthea-schema
//!
//! The single source of truth for Synthea table shapes: raw tables per Synthea version,
//! version detection, typed readers, raw → silver normalization, data-quality rules and
//! the star schema. Work in progress.
