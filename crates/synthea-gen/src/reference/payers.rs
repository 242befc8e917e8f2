//! The ten payers of Synthea's default payer file (3.x ≥ 2023 id set).

/// Number of payers.
pub(crate) const PAYER_COUNT: usize = 10;

/// Payer ownership class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ownership {
    Government,
    Private,
    NoInsurance,
}

impl Ownership {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Ownership::Government => "GOVERNMENT",
            Ownership::Private => "PRIVATE",
            Ownership::NoInsurance => "NO_INSURANCE",
        }
    }
}

/// One payer.
#[derive(Debug)]
pub(crate) struct Payer {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) ownership: Ownership,
    /// Share of a bill the payer pays (percent).
    pub(crate) coverage_pct: i64,
    /// Monthly premium in cents (drives REVENUE).
    pub(crate) premium_cents: i64,
}

pub(crate) const MEDICARE: usize = 0;
pub(crate) const MEDICAID: usize = 1;
pub(crate) const DUAL_ELIGIBLE: usize = 2;
/// Index of the first private payer; private payers run up to [`NO_INSURANCE`] (exclusive).
pub(crate) const FIRST_PRIVATE: usize = 3;
pub(crate) const NO_INSURANCE: usize = 9;

pub(crate) static PAYERS: [Payer; PAYER_COUNT] = [
    payer(
        "a735bf55-83e9-331a-899d-a82a60b9f60c",
        "Medicare",
        Ownership::Government,
        80,
        17_480,
    ),
    payer(
        "df166300-5a78-3502-a46a-832842197811",
        "Medicaid",
        Ownership::Government,
        95,
        0,
    ),
    payer(
        "d18ef2e6-ef40-324c-be54-34a5ee865625",
        "Dual Eligible",
        Ownership::Government,
        100,
        0,
    ),
    payer(
        "26aab0cd-6aba-3e1b-ac5b-05c8867e762c",
        "Humana",
        Ownership::Private,
        75,
        42_500,
    ),
    payer(
        "b046940f-1664-3047-bca7-dfa76be352a4",
        "Blue Cross Blue Shield",
        Ownership::Private,
        80,
        45_000,
    ),
    payer(
        "d31fccc3-1767-390d-966a-22a5156f4219",
        "UnitedHealthcare",
        Ownership::Private,
        78,
        43_200,
    ),
    payer(
        "0133f751-9229-3cfd-815f-b6d4979bdd6a",
        "Aetna",
        Ownership::Private,
        77,
        44_100,
    ),
    payer(
        "8fa6c185-e44e-3e34-8bd8-39be8694f4ce",
        "Cigna Health",
        Ownership::Private,
        76,
        41_900,
    ),
    payer(
        "734afbd6-4794-363b-9bc0-6a3981533ed5",
        "Anthem",
        Ownership::Private,
        79,
        40_800,
    ),
    payer(
        "e03e23c9-4df1-3eb6-a62d-f70f02301496",
        "NO_INSURANCE",
        Ownership::NoInsurance,
        0,
        0,
    ),
];

const fn payer(
    id: &'static str,
    name: &'static str,
    ownership: Ownership,
    coverage_pct: i64,
    premium_cents: i64,
) -> Payer {
    Payer {
        id,
        name,
        ownership,
        coverage_pct,
        premium_cents,
    }
}
