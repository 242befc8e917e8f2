//! Where a Delta table lives: a local directory or an object-store URL.

use std::path::{Path, PathBuf};

use url::Url;

use crate::error::{Error, Result};

/// The location of one Delta table.
///
/// Built from a local path (relative paths are resolved against the current directory
/// once, at construction) or a URL. Object-store schemes (`s3://`, `az://`, `abfss://`,
/// `gs://`) need the matching cargo feature (`s3`, `azure`, `gcs`).
///
/// ```
/// use medallion_core::TableLocation;
/// let loc = TableLocation::try_new("/tmp/lake/silver/encounters")?;
/// assert_eq!(loc.url().scheme(), "file");
/// assert!(loc.local_path().is_some());
/// # Ok::<(), medallion_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableLocation {
    url: Url,
}

impl TableLocation {
    /// Parses a local path or URL.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] when the string is empty, the current directory cannot
    /// be read for a relative path, or the URL scheme is not enabled in this build.
    pub fn try_new(location: impl AsRef<str>) -> Result<Self> {
        let raw = location.as_ref();
        if raw.trim().is_empty() {
            return Err(Error::InvalidLocation {
                location: raw.to_string(),
                reason: "the location is empty".into(),
            });
        }
        // A Windows drive letter or a bare path is not a URL even if it contains ':'.
        match Url::parse(raw) {
            Ok(url) if url.scheme().len() > 1 => Self::from_url(url, raw),
            _ => Self::from_path(raw),
        }
    }

    /// Builds a location from a local directory path.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] if a relative path cannot be made absolute.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let absolute: PathBuf = if path.is_absolute() {
            path.to_path_buf()
        } else {
            std::env::current_dir()
                .map_err(|e| Error::InvalidLocation {
                    location: path.display().to_string(),
                    reason: format!("cannot resolve a relative path: {e}"),
                })?
                .join(path)
        };
        let url = Url::from_directory_path(&absolute).map_err(|()| Error::InvalidLocation {
            location: path.display().to_string(),
            reason: "not a valid directory path".into(),
        })?;
        Ok(Self { url })
    }

    fn from_url(mut url: Url, raw: &str) -> Result<Self> {
        match url.scheme() {
            "file" => {
                let path = url.to_file_path().map_err(|()| Error::InvalidLocation {
                    location: raw.to_string(),
                    reason: "file:// URL does not name a local path".into(),
                })?;
                Self::from_path(path)
            }
            scheme @ ("s3" | "s3a") => {
                if cfg!(feature = "s3") {
                    register_object_stores();
                    ensure_trailing_slash(&mut url);
                    Ok(Self { url })
                } else {
                    Err(disabled(raw, scheme, "s3"))
                }
            }
            scheme @ ("az" | "abfs" | "abfss" | "azure") => {
                if cfg!(feature = "azure") {
                    register_object_stores();
                    ensure_trailing_slash(&mut url);
                    Ok(Self { url })
                } else {
                    Err(disabled(raw, scheme, "azure"))
                }
            }
            scheme @ ("gs" | "gcs") => {
                if cfg!(feature = "gcs") {
                    register_object_stores();
                    ensure_trailing_slash(&mut url);
                    Ok(Self { url })
                } else {
                    Err(disabled(raw, scheme, "gcs"))
                }
            }
            "memory" => Ok(Self { url }),
            other => Err(Error::InvalidLocation {
                location: raw.to_string(),
                reason: format!("unsupported URL scheme '{other}'"),
            }),
        }
    }

    /// The table URL (always ending in `/`).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The local directory, for `file://` locations.
    pub fn local_path(&self) -> Option<PathBuf> {
        if self.url.scheme() == "file" {
            self.url.to_file_path().ok()
        } else {
            None
        }
    }

    /// A child location, e.g. `root.join("silver/encounters")`.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] when the child is not a valid relative path.
    pub fn join(&self, child: &str) -> Result<Self> {
        let mut child = child.trim_matches('/').to_string();
        child.push('/');
        let url = self.url.join(&child).map_err(|e| Error::InvalidLocation {
            location: format!("{}{child}", self.url),
            reason: e.to_string(),
        })?;
        Ok(Self { url })
    }

    /// The last path segment (the table's directory name), e.g. `encounters` for
    /// `.../silver/encounters/`; empty for a bucket root.
    pub fn name(&self) -> String {
        self.url
            .path_segments()
            .and_then(|mut s| s.rfind(|seg| !seg.is_empty()).map(str::to_string))
            .unwrap_or_default()
    }

    /// The URL as a string, used in error messages and reports.
    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }
}

impl std::fmt::Display for TableLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.local_path() {
            Some(path) => write!(f, "{}", path.display()),
            None => write!(f, "{}", self.url),
        }
    }
}

impl TryFrom<&str> for TableLocation {
    type Error = Error;
    fn try_from(value: &str) -> Result<Self> {
        Self::try_new(value)
    }
}

impl TryFrom<&Path> for TableLocation {
    type Error = Error;
    fn try_from(value: &Path) -> Result<Self> {
        Self::from_path(value)
    }
}

impl TryFrom<PathBuf> for TableLocation {
    type Error = Error;
    fn try_from(value: PathBuf) -> Result<Self> {
        Self::from_path(value)
    }
}

impl TryFrom<&PathBuf> for TableLocation {
    type Error = Error;
    fn try_from(value: &PathBuf) -> Result<Self> {
        Self::from_path(value)
    }
}

impl TryFrom<&TableLocation> for TableLocation {
    type Error = Error;
    fn try_from(value: &TableLocation) -> Result<Self> {
        Ok(value.clone())
    }
}

fn ensure_trailing_slash(url: &mut Url) {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
}

fn disabled(raw: &str, scheme: &str, feature: &str) -> Error {
    Error::InvalidLocation {
        location: raw.to_string(),
        reason: format!(
            "the '{scheme}' scheme needs the `{feature}` cargo feature of medallion-core"
        ),
    }
}

/// Registers delta-rs' object-store factories for the enabled cloud features (once).
fn register_object_stores() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        #[cfg(feature = "s3")]
        deltalake::aws::register_handlers(None);
        #[cfg(feature = "azure")]
        deltalake::azure::register_handlers(None);
        #[cfg(feature = "gcs")]
        deltalake::gcp::register_handlers(None);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_become_absolute_file_urls() {
        let loc = TableLocation::try_new("some/table").unwrap();
        assert_eq!(loc.url().scheme(), "file");
        assert!(loc.url().path().ends_with("some/table/"));
    }

    #[test]
    fn join_appends_a_child_directory() {
        let root = TableLocation::try_new("/lake").unwrap();
        let child = root.join("silver/encounters").unwrap();
        assert_eq!(child.as_str(), "file:///lake/silver/encounters/");
        assert_eq!(child.name(), "encounters");
    }

    #[test]
    fn empty_location_is_rejected() {
        assert!(matches!(
            TableLocation::try_new("  "),
            Err(Error::InvalidLocation { .. })
        ));
    }

    #[cfg(not(feature = "s3"))]
    #[test]
    fn object_store_scheme_without_feature_names_the_feature() {
        let err = TableLocation::try_new("s3://bucket/table").unwrap_err();
        assert!(err.to_string().contains("`s3` cargo feature"), "{err}");
    }
}
