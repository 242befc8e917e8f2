//! Deterministic pseudo-random numbers: the workspace's one generator, `det_rng`
//! (xoshiro256++ seeded through SplitMix64), and the generator's stream tags.
//!
//! Every patient gets its own generator derived from `(seed, stream, patient index)`, so
//! the output does not depend on how patients are distributed over threads.

pub(crate) use det_rng::{Rng, Uuid};

/// Stream tags keep independent random sequences apart.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stream {
    /// Shared reference entities (organizations, providers).
    Reference = 1,
    /// Clinical content of one patient.
    Patient = 2,
    /// Dirty-data injection for one patient (separate so clean content is unchanged).
    Dirty = 3,
}

impl From<Stream> for u64 {
    fn from(stream: Stream) -> Self {
        stream as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_tags_derive_distinct_generators() {
        let first = |stream: Stream| Rng::derive(7, stream, 3).next_u64();
        assert_ne!(first(Stream::Patient), first(Stream::Dirty));
        assert_ne!(first(Stream::Patient), first(Stream::Reference));
        assert_eq!(
            first(Stream::Patient),
            Rng::derive(7, Stream::Patient as u64, 3).next_u64()
        );
    }
}
