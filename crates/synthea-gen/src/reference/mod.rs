//! Static reference data (codes, places, names, payers) and the shared entities
//! (organizations, providers) built once per run.

pub(crate) mod codes;
pub(crate) mod modules;
pub(crate) mod organizations;
pub(crate) mod payers;
pub(crate) mod places;
