//! Run-level aggregates for the shared tables (organization utilization, provider
//! encounter counts, payer totals). Workers fill one per chunk; the writer merges them in
//! patient order, so even the float sums are independent of the thread count.

use crate::reference::payers::PAYER_COUNT;

/// Totals of one payer.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct PayerStats {
    pub(crate) amount_covered: i64,
    pub(crate) amount_uncovered: i64,
    pub(crate) covered_encounters: u64,
    pub(crate) uncovered_encounters: u64,
    pub(crate) covered_medications: u64,
    pub(crate) uncovered_medications: u64,
    pub(crate) covered_procedures: u64,
    pub(crate) uncovered_procedures: u64,
    pub(crate) covered_immunizations: u64,
    pub(crate) uncovered_immunizations: u64,
    pub(crate) unique_customers: u64,
    /// Sum of yearly QOLS values in tenths (integer, so sums are order independent).
    pub(crate) qols_tenths: i64,
    pub(crate) qols_count: u64,
    pub(crate) member_months: u64,
}

/// Aggregates of a set of patients.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Stats {
    pub(crate) org_encounters: Vec<u64>,
    pub(crate) provider_encounters: Vec<u64>,
    pub(crate) provider_procedures: Vec<u64>,
    pub(crate) payers: Vec<PayerStats>,
}

impl Stats {
    /// Zeroed aggregates for `orgs` organizations and `providers` providers.
    pub(crate) fn new(orgs: usize, providers: usize) -> Self {
        Self {
            org_encounters: vec![0; orgs],
            provider_encounters: vec![0; providers],
            provider_procedures: vec![0; providers],
            payers: vec![PayerStats::default(); PAYER_COUNT],
        }
    }

    /// Add `other` into `self`.
    pub(crate) fn merge(&mut self, other: &Stats) {
        add(&mut self.org_encounters, &other.org_encounters);
        add(&mut self.provider_encounters, &other.provider_encounters);
        add(&mut self.provider_procedures, &other.provider_procedures);
        for (a, b) in self.payers.iter_mut().zip(&other.payers) {
            a.amount_covered += b.amount_covered;
            a.amount_uncovered += b.amount_uncovered;
            a.covered_encounters += b.covered_encounters;
            a.uncovered_encounters += b.uncovered_encounters;
            a.covered_medications += b.covered_medications;
            a.uncovered_medications += b.uncovered_medications;
            a.covered_procedures += b.covered_procedures;
            a.uncovered_procedures += b.uncovered_procedures;
            a.covered_immunizations += b.covered_immunizations;
            a.uncovered_immunizations += b.uncovered_immunizations;
            a.unique_customers += b.unique_customers;
            a.qols_tenths += b.qols_tenths;
            a.qols_count += b.qols_count;
            a.member_months += b.member_months;
        }
    }
}

fn add(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += *y;
    }
}
