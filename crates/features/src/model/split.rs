//! Patient-level, stratified, deterministic train/test split.

use std::collections::BTreeMap;

use medallion_model::hash::stable_hash_parts;

/// Which rows go to the test set: every row of a patient lands on the same side.
///
/// # Definition
/// A patient is positive when any of their rows is. Within each stratum (positive,
/// negative patients) patients are ordered by the stable hash of (`seed`, patient id)
/// and the first `round(test_fraction × stratum size)` are test patients. So the split
/// keeps the positive share in both sets, depends only on the seed and the patient ids
/// (not on row order), and no patient is in both.
///
/// Returns one flag per row: `true` = test.
pub fn patient_split(
    patients: &[String],
    labels: &[bool],
    test_fraction: f64,
    seed: u64,
) -> Vec<bool> {
    let mut positive: BTreeMap<&str, bool> = BTreeMap::new();
    for (p, l) in patients.iter().zip(labels) {
        *positive.entry(p.as_str()).or_insert(false) |= *l;
    }
    let seed = seed.to_string();
    let mut test = std::collections::BTreeSet::new();
    for stratum in [true, false] {
        let mut members: Vec<(i64, &str)> = positive
            .iter()
            .filter(|(_, pos)| **pos == stratum)
            .map(|(p, _)| (stable_hash_parts(&[Some(seed.as_str()), Some(p)]), *p))
            .collect();
        members.sort_unstable();
        let take = (test_fraction.clamp(0.0, 1.0) * members.len() as f64).round() as usize;
        test.extend(members.into_iter().take(take).map(|(_, p)| p));
    }
    patients.iter().map(|p| test.contains(p.as_str())).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn no_patient_is_in_both_sets_and_strata_keep_their_share(
            rows in proptest::collection::vec((0..40u32, any::<bool>()), 1..200),
            seed in any::<u64>(),
        ) {
            let patients: Vec<String> = rows.iter().map(|(p, _)| format!("p{p}")).collect();
            let labels: Vec<bool> = rows.iter().map(|(_, l)| *l).collect();
            let test = patient_split(&patients, &labels, 0.25, seed);
            let mut side: BTreeMap<&str, bool> = BTreeMap::new();
            for (p, t) in patients.iter().zip(&test) {
                prop_assert_eq!(*side.entry(p.as_str()).or_insert(*t), *t);
            }
            // Positive patients in the test set: round(0.25 × positive patients).
            let mut pos: BTreeMap<&str, bool> = BTreeMap::new();
            for (p, l) in patients.iter().zip(&labels) { *pos.entry(p.as_str()).or_insert(false) |= *l; }
            let n_pos = pos.values().filter(|v| **v).count();
            let test_pos = pos.iter().filter(|(p, v)| **v && side[*p]).count();
            prop_assert_eq!(test_pos, (0.25 * n_pos as f64).round() as usize);
            // Deterministic and independent of row order.
            let mut rev_p = patients.clone(); rev_p.reverse();
            let mut rev_l = labels.clone(); rev_l.reverse();
            let mut rev_t = patient_split(&rev_p, &rev_l, 0.25, seed); rev_t.reverse();
            prop_assert_eq!(rev_t, test);
        }
    }
}
