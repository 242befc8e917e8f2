//! Risk models on the feature store: a patient-level stratified split, logistic
//! regression and random forest from `smartcore` (pure Rust, no BLAS or system
//! libraries), class imbalance handled by oversampling with prior correction, and the
//! held-out metrics (ROC AUC, PR AUC, Brier score, calibration) next to the prevalence
//! baseline.

pub mod dataset;
pub mod metrics;
pub mod models;
pub mod scores;
pub mod split;
pub mod train;

pub use dataset::{ColumnEncoding, Preprocessor};
pub use metrics::{CalibrationBin, Evaluation, evaluate};
pub use models::{ForestModel, LogisticModel, ModelConfig};
pub use scores::{RiskBands, risk_scores};
pub use split::patient_split;
pub use train::{Learner, RiskModel, SplitSummary, Trained, train_and_evaluate};
