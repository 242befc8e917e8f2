//! Money: insurance timelines (payer transitions), encounter and medication costs, claims
//! and claims transactions, and the patient row with lifetime expenses and coverage.

use synthea_schema::TableKind;

use crate::patient::emitter::{Emitter, Line, LineKind, PayerSegment, Rx};
use crate::patient::timeline::{Class, Enc};
use crate::reference::payers::{
    DUAL_ELIGIBLE, FIRST_PRIVATE, MEDICAID, MEDICARE, NO_INSURANCE, Ownership, PAYERS,
};
use crate::reference::places::{CITIES, STATE};
use crate::rng::Uuid;
use crate::time::{DAY, YEAR, year_of};

impl Emitter<'_> {
    /// Insurance over life: one period before the history window, then yearly periods.
    pub(crate) fn payer_segments(&mut self) -> Vec<PayerSegment> {
        let p = self.p;
        let mut private = FIRST_PRIVATE + self.rng.index(NO_INSURANCE - FIRST_PRIVATE);
        let uninsured_prone = self.rng.chance(0.08);
        let mut out = Vec::new();
        let ws = self.ctx.window_start.max(p.birth);
        let mut bounds = Vec::new();
        if ws > p.birth {
            bounds.push(p.birth);
        }
        let mut t = ws;
        while t < self.life_end {
            bounds.push(t);
            t += YEAR;
        }
        bounds.push(self.life_end);
        for w in bounds.windows(2) {
            let (s, e) = (w[0], w[1]);
            if e <= s {
                continue;
            }
            let age = p.age_at(e - DAY);
            if self.rng.chance(0.1) {
                private = FIRST_PRIVATE + self.rng.index(NO_INSURANCE - FIRST_PRIVATE);
            }
            let payer = if age >= 65.0 {
                if p.income < 22_000 {
                    DUAL_ELIGIBLE
                } else {
                    MEDICARE
                }
            } else if p.income < 30_000 {
                if uninsured_prone {
                    NO_INSURANCE
                } else {
                    MEDICAID
                }
            } else if uninsured_prone {
                NO_INSURANCE
            } else {
                private
            };
            out.push(PayerSegment {
                start: s,
                end: e,
                payer,
                member_id: self.rng.uuid(),
            });
        }
        let mut seen = [false; PAYERS.len()];
        for seg in &out {
            let ps = &mut self.chunk.stats.payers[seg.payer];
            ps.member_months += ((seg.end - seg.start) / (30 * DAY)).max(0) as u64;
            if !seen[seg.payer] {
                seen[seg.payer] = true;
                ps.unique_customers += 1;
            }
        }
        out
    }

    pub(crate) fn segment_index(&self, t: i64) -> Option<usize> {
        self.segments
            .iter()
            .position(|s| t >= s.start && t < s.end)
            .or_else(|| (!self.segments.is_empty()).then(|| self.segments.len() - 1))
    }

    fn payer_at(&self, t: i64) -> usize {
        self.segment_index(t)
            .map_or(NO_INSURANCE, |i| self.segments[i].payer)
    }

    fn split(&self, payer: usize, total: i64) -> (i64, i64) {
        let covered = total * PAYERS[payer].coverage_pct / 100;
        (covered, total - covered)
    }

    /// Write a prescription row and its medication claim.
    pub(crate) fn medication(&mut self, e: &Enc, rx: &Rx) {
        let payer = self.payer_at(rx.start);
        let base = rx.med.cost;
        let total = base * rx.dispenses;
        let (covered, own) = self.split(payer, total);
        let pid = self.p.id;
        self.chunk
            .row(TableKind::Medications)
            .ts(rx.start)
            .opt_ts(rx.stop)
            .id(pid)
            .s(PAYERS[payer].id)
            .id(e.id)
            .s(rx.med.code.code)
            .s(rx.med.code.desc)
            .money(base)
            .money(covered)
            .int(rx.dispenses)
            .money(total)
            .opt(rx.reason.map(|r| r.code))
            .opt(rx.reason.map(|r| r.desc))
            .end();
        self.expenses += own;
        self.coverage += covered;
        let ps = &mut self.chunk.stats.payers[payer];
        if covered > 0 {
            ps.covered_medications += 1;
            ps.amount_covered += covered;
        } else {
            ps.uncovered_medications += 1;
        }
        ps.amount_uncovered += own;
        if self.v3 {
            let line = Line {
                code: rx.med.code,
                cost: total,
                kind: LineKind::Medication,
                from: rx.start,
                to: rx.start,
            };
            // A prescription without a reason is billed with its encounter's diagnosis.
            let diag = [rx.reason.or(e.reason).unwrap_or(e.code).code];
            self.claim(e, payer, &[line], &diag, 1);
        }
    }

    /// Write the encounter row (costs include its billed lines) and its claim.
    pub(crate) fn finish_encounter(&mut self, e: &Enc) {
        let payer = self.payer_at(e.start);
        let base = e.class.base_cost();
        let lines_total: i64 = self.lines.iter().map(|l| l.cost).sum();
        let total = base + lines_total;
        let (covered, own) = self.split(payer, total);
        let pid = self.p.id;
        let org_id = self.ctx.reference.orgs[e.org].id;
        let prov_id = self.ctx.reference.providers[e.provider].id;
        self.chunk
            .row(TableKind::Encounters)
            .id(e.id)
            .ts(e.start)
            .ts(e.stop)
            .id(pid)
            .id(org_id)
            .id(prov_id)
            .s(PAYERS[payer].id)
            .s(e.class.as_str())
            .s(e.code.code)
            .s(e.code.desc)
            .money(base)
            .money(total)
            .money(covered)
            .opt(e.reason.map(|r| r.code))
            .opt(e.reason.map(|r| r.desc))
            .end();
        self.expenses += own;
        self.coverage += covered;
        let stats = &mut self.chunk.stats;
        stats.org_encounters[e.org] += 1;
        stats.provider_encounters[e.provider] += 1;
        let ps = &mut stats.payers[payer];
        ps.amount_covered += covered;
        ps.amount_uncovered += own;
        if covered > 0 {
            ps.covered_encounters += 1;
        } else {
            ps.uncovered_encounters += 1;
        }
        for l in &self.lines {
            match (l.kind, covered > 0) {
                (LineKind::Procedure, true) => ps.covered_procedures += 1,
                (LineKind::Procedure, false) => ps.uncovered_procedures += 1,
                (LineKind::Immunization, true) => ps.covered_immunizations += 1,
                (LineKind::Immunization, false) => ps.uncovered_immunizations += 1,
                _ => {}
            }
        }
        if self.v3 {
            let mut lines = Vec::with_capacity(self.lines.len() + 1);
            lines.push(Line {
                code: e.code,
                cost: base,
                kind: LineKind::Encounter,
                from: e.start,
                to: e.stop,
            });
            lines.extend_from_slice(&self.lines);
            let mut diag: Vec<&'static str> = Vec::with_capacity(8);
            if let Some(r) = e.reason {
                diag.push(r.code);
            }
            for c in &self.plan.chronic {
                if diag.len() >= 8 {
                    break;
                }
                if c.onset <= e.start && !diag.contains(&c.def.code.code) {
                    diag.push(c.def.code.code);
                }
            }
            if diag.is_empty() {
                diag.push(e.code.code);
            }
            let dept = department(e.class);
            self.claim(e, payer, &lines, &diag, dept);
        }
    }

    /// A claim of encounter `e` billed to `payer`: the claims row, then the transactions
    /// of each line.
    fn claim(&mut self, e: &Enc, payer: usize, lines: &[Line], diag: &[&'static str], dept: i64) {
        let claim_id = self.rng.uuid();
        let prov = self.ctx.reference.providers[e.provider].id;
        let org = self.ctx.reference.orgs[e.org].id;
        self.claim_row(claim_id, e, payer, lines, diag, dept);
        let diag_refs = diag.len().min(4);
        for l in lines {
            // Synthea writes the epoch as TODATE of immunization charges.
            let to = if l.kind == LineKind::Immunization {
                0
            } else {
                l.to.max(l.from)
            };
            let at = LineRef {
                claim: claim_id,
                line: l,
                to,
                org,
                dept,
                diag_refs,
                enc: e,
                prov,
            };
            self.line_transactions(&at, payer);
        }
    }

    /// The `claims.csv` row: one primary payer (none when uninsured), up to eight
    /// diagnoses, closed and fully paid.
    fn claim_row(
        &mut self,
        claim_id: Uuid,
        e: &Enc,
        payer: usize,
        lines: &[Line],
        diag: &[&'static str],
        dept: i64,
    ) {
        let pid = self.p.id;
        let prov = self.ctx.reference.providers[e.provider].id;
        let insured = payer != NO_INSURANCE;
        let institutional = matches!(
            e.class,
            Class::Inpatient | Class::Emergency | Class::Snf | Class::Hospice
        );
        let claim_type = if institutional { 2 } else { 1 };
        let from = lines.first().map_or(e.start, |l| l.from);
        let billed = e.stop.max(from);
        let mut r = self
            .chunk
            .row(TableKind::Claims)
            .id(claim_id)
            .id(pid)
            .id(prov);
        r = if insured {
            r.s(PAYERS[payer].id)
        } else {
            r.null()
        };
        r = r.null().int(dept).int(dept);
        for k in 0..8 {
            r = r.opt(diag.get(k).copied());
        }
        r.null()
            .id(e.id)
            .ts(from)
            .ts(from)
            .id(prov)
            .s("CLOSED")
            .null()
            .s("CLOSED")
            .int(0)
            .null()
            .int(0)
            .ts(billed)
            .null()
            .ts(billed)
            .int(claim_type)
            // No secondary payer is generated: claim type 0 ("none"), as Synthea writes.
            .int(0)
            .end();
    }

    /// The transactions of one claim line: its charge, the payer's payment of the
    /// covered part, and the patient's share.
    fn line_transactions(&mut self, at: &LineRef<'_>, payer: usize) {
        let cost = at.line.cost;
        let (covered, own) = self.split(payer, cost);
        let charge = self.next_charge();
        self.tx(
            at,
            charge,
            "CHARGE",
            Some(cost),
            None,
            TxAmounts {
                unit: Some(cost),
                transfer_out: None,
                transfer_type: Some("1"),
                payments: Some(0),
                adjustments: Some(0),
                transfers: None,
                outstanding: Some(0),
            },
        );
        if covered > 0 {
            self.payment(at, &["CHECK", "ECHECK"], covered, own);
        }
        if own > 0 {
            self.patient_share(at, own);
        }
    }

    /// The patient's share `own` of a line: transferred out of the payer's balance, into
    /// the patient's, and paid.
    fn patient_share(&mut self, at: &LineRef<'_>, own: i64) {
        let out_id = self.next_charge();
        self.tx(
            at,
            out_id,
            "TRANSFEROUT",
            None,
            None,
            TxAmounts {
                unit: Some(0),
                transfer_out: None,
                transfer_type: None,
                payments: Some(0),
                adjustments: Some(0),
                transfers: Some(own),
                outstanding: Some(own),
            },
        );
        let in_id = self.next_charge();
        self.tx(
            at,
            in_id,
            "TRANSFERIN",
            Some(own),
            None,
            TxAmounts {
                unit: Some(0),
                transfer_out: Some(out_id),
                transfer_type: Some("p"),
                payments: Some(0),
                adjustments: Some(0),
                transfers: Some(own),
                outstanding: Some(own),
            },
        );
        self.payment(at, &["CASH", "CC", "COPAY", "CHECK"], own, 0);
    }

    /// A payment of `paid` by one of `methods`, leaving `outstanding`.
    fn payment(&mut self, at: &LineRef<'_>, methods: &[&'static str], paid: i64, outstanding: i64) {
        let id = self.next_charge();
        let method = *self.rng.pick(methods);
        self.tx(
            at,
            id,
            "PAYMENT",
            None,
            Some(method),
            TxAmounts {
                unit: Some(0),
                transfer_out: None,
                transfer_type: None,
                payments: Some(paid),
                adjustments: Some(0),
                transfers: None,
                outstanding: Some(outstanding),
            },
        );
    }

    fn next_charge(&mut self) -> i64 {
        let c = self.charge_id;
        self.charge_id += 1;
        c
    }

    fn tx(
        &mut self,
        at: &LineRef<'_>,
        charge_id: i64,
        kind: &str,
        amount: Option<i64>,
        method: Option<&str>,
        a: TxAmounts,
    ) {
        let l = at.line;
        let id = self.rng.uuid();
        let pid = self.p.id;
        let mut r = self
            .chunk
            .row(TableKind::ClaimsTransactions)
            .id(id)
            .id(at.claim)
            .int(charge_id)
            .id(pid)
            .s(kind);
        r = match amount {
            Some(x) => r.money(x),
            None => r.null(),
        };
        r = r
            .opt(method)
            .ts(l.from)
            .ts(at.to)
            .id(at.org)
            .s(l.code.code)
            .nulls(2);
        for k in 0..4 {
            r = if k < at.diag_refs {
                r.int(k as i64 + 1)
            } else {
                r.null()
            };
        }
        r = r.int(1).int(at.dept).s(l.code.desc);
        r = opt_money(r, a.unit);
        r = match a.transfer_out {
            Some(x) => r.int(x),
            None => r.null(),
        };
        r = r.opt(a.transfer_type);
        r = opt_money(r, a.payments);
        r = opt_money(r, a.adjustments);
        r = opt_money(r, a.transfers);
        r = opt_money(r, a.outstanding);
        r.id(at.enc.id)
            .null()
            .id(pid)
            .int(1)
            .id(at.prov)
            .id(at.prov)
            .end();
    }

    /// Payer transition rows (3.x: yearly periods with member ids; 2.x: years).
    pub(crate) fn payer_transitions(&mut self) {
        let pid = self.p.id;
        let adult_at = self.p.birth + 18 * YEAR;
        let segs = std::mem::take(&mut self.segments);
        for s in &segs {
            let payer = &PAYERS[s.payer];
            let insured = payer.ownership != Ownership::NoInsurance;
            let ownership = if s.start >= adult_at {
                if self.p.marital == Some("M") && self.rng.chance(0.3) {
                    "Spouse"
                } else {
                    "Self"
                }
            } else {
                "Guardian"
            };
            if self.v3 {
                let owner = match ownership {
                    "Self" => format!("{} {}", self.p.first, self.p.last),
                    "Spouse" => format!(
                        "{} {}",
                        if self.p.female { "Mr." } else { "Mrs." },
                        self.p.last
                    ),
                    _ => format!(
                        "{} {}",
                        if self.rng.chance(0.5) { "Mr." } else { "Mrs." },
                        self.p.last
                    ),
                };
                let mut r = self.chunk.row(TableKind::PayerTransitions).id(pid);
                r = if insured { r.id(s.member_id) } else { r.null() };
                r = r.ts(s.start).ts(s.end).s(payer.id).null();
                r = if insured {
                    r.s(ownership).s(&owner)
                } else {
                    r.nulls(2)
                };
                r.end();
            } else {
                let mut r = self
                    .chunk
                    .row(TableKind::PayerTransitions)
                    .id(pid)
                    .int(year_of(s.start))
                    .int(year_of(s.end))
                    .s(payer.id);
                r = if insured { r.s(ownership) } else { r.null() };
                r.end();
            }
        }
        self.segments = segs;
    }

    /// The patients row (written last, when lifetime costs are known).
    pub(crate) fn patient_row(&mut self) {
        let p = self.p;
        let city = &CITIES[p.city];
        let v3 = self.v3;
        let mut r = self
            .chunk
            .row(TableKind::Patients)
            .id(p.id)
            .date(p.birth)
            .opt_date(p.death)
            .s(&p.ssn)
            .opt(p.drivers.as_deref())
            .opt(p.passport.as_deref())
            .opt(p.prefix)
            .s(&p.first)
            .s(&p.last)
            .opt(p.suffix)
            .opt(p.maiden.as_deref())
            .opt(p.marital)
            .s(p.race)
            .s(if p.hispanic {
                "hispanic"
            } else {
                "nonhispanic"
            })
            .s(if p.female { "F" } else { "M" })
            .s(&p.birthplace)
            .s(&p.address)
            .s(city.name)
            .s(STATE)
            .s(city.county);
        if v3 {
            r = if p.fips { r.s(city.fips) } else { r.null() };
        }
        r = r
            .s(city.zip)
            .float(p.lat)
            .float(p.lon)
            .money(self.expenses)
            .money(self.coverage);
        if v3 {
            r = r.int(p.income);
        }
        r.end();
    }
}

/// What every claims-transaction row of one claim line shares.
#[derive(Clone, Copy)]
struct LineRef<'a> {
    claim: Uuid,
    line: &'a Line,
    /// `TODATE` (the epoch for immunization charges, as Synthea writes).
    to: i64,
    org: Uuid,
    dept: i64,
    diag_refs: usize,
    enc: &'a Enc,
    prov: Uuid,
}

/// Amount columns of a claims transaction.
struct TxAmounts {
    unit: Option<i64>,
    transfer_out: Option<i64>,
    transfer_type: Option<&'static str>,
    payments: Option<i64>,
    adjustments: Option<i64>,
    transfers: Option<i64>,
    outstanding: Option<i64>,
}

fn opt_money(r: crate::writer::Row<'_>, v: Option<i64>) -> crate::writer::Row<'_> {
    match v {
        Some(x) => r.money(x),
        None => r.null(),
    }
}

fn department(c: Class) -> i64 {
    match c {
        Class::Wellness => 20,
        Class::Ambulatory => 1,
        Class::Outpatient => 2,
        Class::Urgentcare => 3,
        Class::Emergency => 4,
        Class::Inpatient => 5,
        Class::Home => 6,
        Class::Snf => 7,
        Class::Hospice => 8,
    }
}
