//! A tiny deterministic PRNG for the simulator: wyrand (Wang Yi's 64-bit generator,
//! the one of `wyhash`), plus the few distributions the simulator draws from.
//!
//! Not cryptographic; the same seed gives the same sequence on every platform.

/// wyrand: a 64-bit state advanced by a constant, output mixed by a 128-bit multiply.
#[derive(Debug, Clone)]
pub(crate) struct WyRand {
    state: u64,
}

impl WyRand {
    /// A generator for `seed` on the independent sub-stream `stream`.
    pub(crate) fn new(seed: u64, stream: u64) -> Self {
        let mut rng = Self {
            state: seed ^ stream.rotate_left(32) ^ 0x2D35_8DCC_AA6C_78A5,
        };
        // Decorrelate nearby seeds before the first draw.
        rng.state = rng.next_u64();
        rng
    }

    /// Next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0xA076_1D64_78BD_642F);
        let product = u128::from(self.state) * u128::from(self.state ^ 0xE703_7ED1_A0B4_28DB);
        ((product >> 64) as u64) ^ (product as u64)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform integer in `[0, n)` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform integer in `[low, high]` (both inclusive; `low` when empty).
    pub(crate) fn between(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        low + self.below((high - low) as u64 + 1) as i64
    }

    /// `true` with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Standard normal draw (Box–Muller).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Poisson draw with mean `lambda` (Knuth's product method below 30, a rounded
    /// normal approximation above).
    pub(crate) fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda >= 30.0 {
            return (lambda + lambda.sqrt() * self.normal()).round().max(0.0) as u64;
        }
        let limit = (-lambda).exp();
        let mut count = 0;
        let mut product = self.unit();
        while product > limit {
            count += 1;
            product *= self.unit();
        }
        count
    }

    /// Index drawn with probability proportional to `weights` (0 when all are 0).
    pub(crate) fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().filter(|w| **w > 0.0).sum();
        if total <= 0.0 {
            return 0;
        }
        let mut target = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if *w <= 0.0 {
                continue;
            }
            if target < *w {
                return i;
            }
            target -= w;
        }
        weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_and_stream_give_the_same_sequence() {
        let mut a = WyRand::new(7, 1);
        let mut b = WyRand::new(7, 1);
        let mut c = WyRand::new(7, 2);
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn draws_stay_in_their_ranges_and_match_their_means() {
        let mut rng = WyRand::new(1, 0);
        let n = 20_000;
        let mut unit_sum = 0.0;
        let mut poisson_sum = 0;
        for _ in 0..n {
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
            unit_sum += u;
            let b = rng.between(-2, 2);
            assert!((-2..=2).contains(&b));
            poisson_sum += rng.poisson(3.0);
        }
        assert!((unit_sum / f64::from(n) - 0.5).abs() < 0.02);
        assert!((poisson_sum as f64 / f64::from(n) - 3.0).abs() < 0.1);
    }

    #[test]
    fn weighted_never_picks_a_zero_weight() {
        let mut rng = WyRand::new(3, 0);
        for _ in 0..1000 {
            assert_ne!(rng.weighted(&[1.0, 0.0, 2.0]), 1);
        }
        assert_eq!(rng.weighted(&[0.0, 0.0]), 0);
    }
}
