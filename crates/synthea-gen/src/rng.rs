//! Deterministic pseudo-random numbers (xoshiro256++ seeded through SplitMix64).
//!
//! Every patient gets its own generator derived from `(seed, stream, patient index)`, so
//! the output does not depend on how patients are distributed over threads.

/// SplitMix64 step: a well-mixed 64-bit value from a counter.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

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

/// A 128-bit identifier written as a 36-character UUID-shaped string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Uuid(pub(crate) [u8; 16]);

const HEX: &[u8; 16] = b"0123456789abcdef";

impl Uuid {
    /// Append the `8-4-4-4-12` lowercase hex form to `out`.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        let mut buf = [0u8; 36];
        let mut j = 0;
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                buf[j] = b'-';
                j += 1;
            }
            buf[j] = HEX[(b >> 4) as usize];
            buf[j + 1] = HEX[(b & 0xF) as usize];
            j += 2;
        }
        out.extend_from_slice(&buf);
    }

    /// The string form.
    pub(crate) fn to_string_lossless(self) -> String {
        let mut v = Vec::with_capacity(36);
        self.write(&mut v);
        String::from_utf8_lossy(&v).into_owned()
    }
}

/// xoshiro256++ generator.
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator from a 64-bit seed.
    pub(crate) fn from_seed(seed: u64) -> Self {
        let mut st = seed;
        let s = [
            splitmix64(&mut st),
            splitmix64(&mut st),
            splitmix64(&mut st),
            splitmix64(&mut st),
        ];
        Self { s }
    }

    /// The generator of `(seed, stream, index)`.
    pub(crate) fn derive(seed: u64, stream: Stream, index: u64) -> Self {
        let mut st = seed ^ (stream as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
        let a = splitmix64(&mut st);
        let mut st2 = a ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Self::from_seed(splitmix64(&mut st2))
    }

    /// Next 64 random bits.
    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)`.
    #[inline]
    pub(crate) fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `[lo, hi)`; `lo` when the range is empty.
    #[inline]
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64;
        lo + ((u128::from(self.next_u64()) * u128::from(span)) >> 64) as i64
    }

    /// Uniform index in `[0, n)`.
    #[inline]
    pub(crate) fn index(&mut self, n: usize) -> usize {
        self.range(0, n as i64) as usize
    }

    /// Uniform float in `[lo, hi)`.
    #[inline]
    pub(crate) fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    /// `true` with probability `p`.
    #[inline]
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Normal variate (Box–Muller).
    pub(crate) fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let u1 = 1.0 - self.f64();
        let u2 = self.f64();
        mean + sd * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Exponential variate with the given mean.
    pub(crate) fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.f64()).ln()
    }

    /// A uniformly chosen element (`slice` must not be empty).
    #[inline]
    pub(crate) fn pick<'a, T>(&mut self, slice: &'a [T]) -> &'a T {
        &slice[self.index(slice.len())]
    }

    /// Index chosen proportionally to `weights` (non-negative, not all zero).
    pub(crate) fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// A fresh identifier.
    #[inline]
    pub(crate) fn uuid(&mut self) -> Uuid {
        let a = self.next_u64().to_be_bytes();
        let b = self.next_u64().to_be_bytes();
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&a);
        out[8..].copy_from_slice(&b);
        Uuid(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_streams_are_reproducible_and_distinct() {
        let mut a = Rng::derive(7, Stream::Patient, 3);
        let mut b = Rng::derive(7, Stream::Patient, 3);
        let mut c = Rng::derive(7, Stream::Patient, 4);
        let mut d = Rng::derive(7, Stream::Dirty, 3);
        let xa: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..4).map(|_| c.next_u64()).collect();
        let xd: Vec<u64> = (0..4).map(|_| d.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
        assert_ne!(xa, xd);
    }

    #[test]
    fn range_stays_in_bounds_and_covers_it() {
        let mut r = Rng::from_seed(1);
        let mut seen = [false; 5];
        for _ in 0..1000 {
            let v = r.range(10, 15);
            assert!((10..15).contains(&v));
            seen[(v - 10) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }

    #[test]
    fn uuid_has_synthea_shape() {
        let mut r = Rng::from_seed(9);
        let s = r.uuid().to_string_lossless();
        assert_eq!(s.len(), 36);
        assert_eq!(s.as_bytes()[8], b'-');
        assert_eq!(s.as_bytes()[23], b'-');
        assert!(s.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()));
    }

    #[test]
    fn normal_mean_is_close() {
        let mut r = Rng::from_seed(2);
        let n = 20_000;
        let m: f64 = (0..n).map(|_| r.normal(5.0, 2.0)).sum::<f64>() / f64::from(n);
        assert!((m - 5.0).abs() < 0.1, "{m}");
    }
}
