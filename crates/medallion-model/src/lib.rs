//! # medallion-model
//!
//! The small, Polars-only vocabulary that every pipeline of the workspace shares, so
//! that each concept exists exactly once:
//!
//! | concept | item |
//! |---|---|
//! | a data-quality rule: name, violation [`Expr`](polars::prelude::Expr), severity, description | [`Rule`], [`Severity`] |
//! | the one stable hash for surrogate keys and SCD2 row hashes (xxh3 over a documented encoding) | [`hash`] |
//! | a gold table as a value: name, frame, partition columns, metric version, description | [`GoldTable`] |
//! | the date dimension and `yyyymmdd` date keys every star schema uses | [`calendar`] |
//! | how messages show a data value without disclosing it (letters and digits masked) | [`redact`] |
//! | domain-free expression helpers: stable sort, typed null, null-safe ratio, order-independent float sums and means, day arithmetic, an as-of join that sorts its inputs | [`expr`] |
//!
//! It knows nothing about Delta Lake (that is `medallion-core`, which applies the rules
//! and writes the gold tables) nor about healthcare (that is the Synthea and metric
//! crates, which define rules and gold tables with these types).
//!
//! ## Quickstart
//!
//! ```
//! use medallion_model::{GoldTable, Rule, Severity, hash::stable_hash_columns};
//! use polars::prelude::*;
//!
//! let rule = Rule::quarantine(
//!     "encounters.stop_before_start",
//!     col("stop").lt(col("start")),
//!     "STOP before START",
//! );
//! assert_eq!(rule.severity, Severity::Quarantine);
//!
//! let frame = df!("patient_id" => ["p1", "p2"], "gender" => ["female", "male"])?
//!     .lazy()
//!     .with_column(stable_hash_columns(&["patient_id"]).alias("patient_key"));
//! let table = GoldTable::new("dim_patient", frame, "star-1")
//!     .with_description("One row per patient version.");
//! assert_eq!(table.name, "dim_patient");
//! assert_eq!(table.frame.clone().collect()?.height(), 2);
//! # Ok::<(), PolarsError>(())
//! ```

pub mod calendar;
pub mod columns;
pub mod expr;
mod gold;
pub mod hash;
pub mod redact;
mod rule;

pub use gold::GoldTable;
pub use rule::{Rule, Severity};
