//! Deterministic pseudo-random numbers: xoshiro256++ seeded through SplitMix64, and the
//! few distributions the data generators draw from.
//!
//! The one generator of the workspace: `synthea-gen` (which must stay Polars-free) and
//! `clinical-events`' simulator both draw from it, so this crate has no dependencies.
//! Not cryptographic; the same seed gives the same sequence on every platform.
//!
//! A generator is derived from `(seed, stream, index)`, so independent sequences (one per
//! patient, one for dirty-data injection, …) never depend on how work is scheduled.
//!
//! ```
//! use det_rng::Rng;
//!
//! let mut a = Rng::derive(42, 1_u64, 7);
//! let mut b = Rng::derive(42, 1_u64, 7);
//! assert_eq!(a.next_u64(), b.next_u64());
//! let die = a.range(1, 7);
//! assert!((1..7).contains(&die));
//! ```

/// SplitMix64 step: advances `state` and returns a well-mixed 64-bit value.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A 128-bit identifier written as a 36-character UUID-shaped string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uuid(pub [u8; 16]);

const HEX: &[u8; 16] = b"0123456789abcdef";

impl Uuid {
    /// Appends the `8-4-4-4-12` lower-case hex form to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
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

    /// The `8-4-4-4-12` lower-case hex form.
    pub fn to_string_lossless(self) -> String {
        let mut v = Vec::with_capacity(36);
        self.write(&mut v);
        String::from_utf8_lossy(&v).into_owned()
    }
}

/// The xoshiro256++ generator.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator from a 64-bit seed (the state is four SplitMix64 draws).
    pub fn from_seed(seed: u64) -> Self {
        let mut st = seed;
        let s = [
            splitmix64(&mut st),
            splitmix64(&mut st),
            splitmix64(&mut st),
            splitmix64(&mut st),
        ];
        Self { s }
    }

    /// The generator of `(seed, stream, index)`: `stream` tags an independent family of
    /// sequences (callers name theirs), `index` picks one sequence in it (e.g. a patient).
    pub fn derive(seed: u64, stream: impl Into<u64>, index: u64) -> Self {
        let mut st = seed ^ stream.into().wrapping_mul(0xD1B5_4A32_D192_ED03);
        let a = splitmix64(&mut st);
        let mut st2 = a ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Self::from_seed(splitmix64(&mut st2))
    }

    /// Next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
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

    /// Uniform in `[0, 1)` (53 random bits).
    #[inline]
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `[0, n)` (multiply-shift; 0 when `n` is 0).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform integer in `[lo, hi)`; `lo` when the range is empty.
    #[inline]
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo.wrapping_add(self.below(hi.wrapping_sub(lo) as u64) as i64)
    }

    /// Uniform integer in `[lo, hi]` (both inclusive); `lo` when the range is empty.
    #[inline]
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi.wrapping_sub(lo) as u64).wrapping_add(1);
        if span == 0 {
            // The whole i64 range.
            return self.next_u64() as i64;
        }
        lo.wrapping_add(self.below(span) as i64)
    }

    /// Uniform index in `[0, n)`.
    #[inline]
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Uniform float in `[lo, hi)`.
    #[inline]
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    /// `true` with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Normal variate with this mean and standard deviation (Box–Muller).
    pub fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let u1 = 1.0 - self.f64();
        let u2 = self.f64();
        mean + sd * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Exponential variate with the given mean.
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.f64()).ln()
    }

    /// Poisson variate with mean `lambda` (Knuth's product method below 30, a rounded
    /// normal approximation from 30 on; 0 when `lambda` is not positive).
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda.is_nan() || lambda <= 0.0 {
            return 0;
        }
        if lambda >= 30.0 {
            return self
                .normal(lambda, lambda.sqrt())
                .round()
                .clamp(0.0, u64::MAX as f64) as u64;
        }
        let limit = (-lambda).exp();
        let mut count = 0;
        let mut product = self.f64();
        while product > limit {
            count += 1;
            product *= self.f64();
        }
        count
    }

    /// A uniformly chosen element (`slice` must not be empty).
    #[inline]
    pub fn pick<'a, T>(&mut self, slice: &'a [T]) -> &'a T {
        &slice[self.index(slice.len())]
    }

    /// Index chosen with probability proportional to `weights`. Weights that are not
    /// positive are never chosen; 0 when no weight is positive.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let positive = |w: &&f64| **w > 0.0;
        let total: f64 = weights.iter().filter(positive).sum();
        if total.is_nan() || total <= 0.0 {
            return 0;
        }
        let mut x = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if !positive(&w) {
                continue;
            }
            if x < *w {
                return i;
            }
            x -= w;
        }
        // Rounding left a remainder: the last positive weight.
        weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
    }

    /// A fresh identifier (128 random bits).
    #[inline]
    pub fn uuid(&mut self) -> Uuid {
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
        let draws = |stream: u64, index: u64| -> Vec<u64> {
            let mut r = Rng::derive(7, stream, index);
            (0..4).map(|_| r.next_u64()).collect()
        };
        assert_eq!(draws(2, 3), draws(2, 3));
        assert_ne!(draws(2, 3), draws(2, 4));
        assert_ne!(draws(2, 3), draws(3, 3));
    }

    #[test]
    fn xoshiro256pp_matches_its_reference_sequence() {
        // The reference implementation's output for the state [1, 2, 3, 4].
        let mut r = Rng { s: [1, 2, 3, 4] };
        let first: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        assert_eq!(first, [41_943_041, 58_720_359, 3_588_806_011_781_223]);
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
        assert_eq!(r.range(3, 3), 3);
    }

    #[test]
    fn between_includes_both_ends() {
        let mut r = Rng::from_seed(4);
        let mut seen = [false; 5];
        for _ in 0..1000 {
            let v = r.between(-2, 2);
            assert!((-2..=2).contains(&v));
            seen[(v + 2) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(r.between(5, 1), 5);
    }

    #[test]
    fn uuid_has_the_uuid_shape() {
        let mut r = Rng::from_seed(9);
        let s = r.uuid().to_string_lossless();
        assert_eq!(s.len(), 36);
        assert_eq!(s.as_bytes()[8], b'-');
        assert_eq!(s.as_bytes()[23], b'-');
        assert!(s.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()));
    }

    #[test]
    fn distribution_means_are_close() {
        let mut r = Rng::from_seed(2);
        let n = 20_000;
        let mean = |f: &mut dyn FnMut() -> f64| (0..n).map(|_| f()).sum::<f64>() / f64::from(n);
        assert!((mean(&mut || r.f64()) - 0.5).abs() < 0.02);
        assert!((mean(&mut || r.normal(5.0, 2.0)) - 5.0).abs() < 0.1);
        assert!((mean(&mut || r.exp(3.0)) - 3.0).abs() < 0.1);
        assert!((mean(&mut || r.poisson(3.0) as f64) - 3.0).abs() < 0.1);
        assert!((mean(&mut || r.poisson(50.0) as f64) - 50.0).abs() < 0.3);
        assert_eq!(r.poisson(0.0), 0);
    }

    #[test]
    fn weighted_never_picks_a_weight_that_is_not_positive() {
        let mut r = Rng::from_seed(3);
        let mut seen = [0u32; 4];
        for _ in 0..3000 {
            seen[r.weighted(&[1.0, 0.0, 2.0, -1.0])] += 1;
        }
        assert_eq!((seen[1], seen[3]), (0, 0));
        assert!(seen[2] > seen[0] && seen[0] > 0);
        assert_eq!(r.weighted(&[0.0, 0.0]), 0);
        assert_eq!(r.weighted(&[]), 0);
    }
}
