//! The crate's error type.

use std::path::PathBuf;

/// Errors of [`generate`](crate::generate).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is inconsistent.
    #[error("invalid generator configuration: {0}")]
    InvalidConfig(String),

    /// A file or directory could not be created or written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// The dirty-data manifest could not be serialized.
    #[error("cannot serialize the dirty-data manifest: {0}")]
    Manifest(#[from] serde_json::Error),

    /// A worker thread panicked (a bug in the generator).
    #[error("a generator worker thread panicked")]
    WorkerPanicked,
}

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
