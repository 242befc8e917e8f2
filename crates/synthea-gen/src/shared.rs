//! The shared reference tables, written once at the end of a run with run-level
//! aggregates: organizations, providers and payers.

use synthea_schema::TableKind;

use crate::config::Layout;
use crate::error::Result;
use crate::reference::organizations::Reference;
use crate::reference::payers::PAYERS;
use crate::reference::places;
use crate::stats::Stats;
use crate::writer::{Chunk, OutputFiles};

/// Write organizations, providers and payers with run-level aggregates. Only
/// organizations and providers that appear in an encounter are exported, as Synthea does.
pub(crate) fn write_shared(
    reference: &Reference,
    totals: &Stats,
    layout: Layout,
    files: &mut OutputFiles,
) -> Result<()> {
    let mut chunk = Chunk::new(layout, None, Stats::default());
    organizations(&mut chunk, reference, totals);
    providers(&mut chunk, reference, totals, layout);
    payers(&mut chunk, totals, layout);
    for t in [
        TableKind::Organizations,
        TableKind::Providers,
        TableKind::Payers,
    ] {
        files.append(t, &chunk.bufs[t.index()], chunk.rows[t.index()])?;
    }
    Ok(())
}

/// Organizations with their encounter count (`UTILIZATION`).
fn organizations(chunk: &mut Chunk, reference: &Reference, totals: &Stats) {
    for (i, o) in reference.orgs.iter().enumerate() {
        let util = totals.org_encounters[i];
        if util == 0 {
            continue;
        }
        let city = &places::CITIES[o.city];
        chunk
            .row(TableKind::Organizations)
            .id(o.id)
            .s(&o.name)
            .s(&o.address)
            .s(city.name)
            .s(places::STATE_CODE)
            .s(&o.zip)
            .float(o.lat)
            .float(o.lon)
            .s(&o.phone)
            .s("0.0")
            .int(util as i64)
            .end();
    }
}

/// Providers with their encounter (3.x: and procedure) counts.
fn providers(chunk: &mut Chunk, reference: &Reference, totals: &Stats, layout: Layout) {
    let v3 = layout == Layout::V3;
    for (i, p) in reference.providers.iter().enumerate() {
        let enc = totals.provider_encounters[i];
        if enc == 0 {
            continue;
        }
        let o = &reference.orgs[p.org];
        let city = &places::CITIES[o.city];
        let r = chunk
            .row(TableKind::Providers)
            .id(p.id)
            .id(o.id)
            .s(&p.name)
            .s(p.gender)
            .s("GENERAL PRACTICE")
            .s(&o.address)
            .s(city.name)
            .s(places::STATE_CODE)
            .s(&o.zip)
            .float(o.lat)
            .float(o.lon);
        if v3 {
            r.int(enc as i64)
                .int(totals.provider_procedures[i] as i64)
                .end();
        } else {
            r.int(enc as i64).end();
        }
    }
}

/// Payers with the run's coverage and membership aggregates (3.x: and `OWNERSHIP`).
fn payers(chunk: &mut Chunk, totals: &Stats, layout: Layout) {
    let v3 = layout == Layout::V3;
    for (i, p) in PAYERS.iter().enumerate() {
        let s = &totals.payers[i];
        let mut r = chunk.row(TableKind::Payers).s(p.id).s(p.name);
        if v3 {
            r = r.s(p.ownership.as_str());
        }
        let qols = if s.qols_count > 0 {
            Some(s.qols_tenths as f64 / 10.0 / s.qols_count as f64)
        } else {
            None
        };
        r = r
            .nulls(5)
            .money(s.amount_covered)
            .money(s.amount_uncovered)
            .money(s.member_months as i64 * p.premium_cents)
            .int(s.covered_encounters as i64)
            .int(s.uncovered_encounters as i64)
            .int(s.covered_medications as i64)
            .int(s.uncovered_medications as i64)
            .int(s.covered_procedures as i64)
            .int(s.uncovered_procedures as i64)
            .int(s.covered_immunizations as i64)
            .int(s.uncovered_immunizations as i64)
            .int(s.unique_customers as i64);
        r = match qols {
            Some(q) => r.float(q),
            None => r.s("NaN"),
        };
        r.int(s.member_months as i64).end();
    }
}
