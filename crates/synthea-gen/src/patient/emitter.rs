//! The writer of one patient, shared by its two halves: [`clinical`](super::clinical)
//! (conditions, medications, observations, procedures, …) and
//! [`billing`](super::billing) (insurance, encounter costs, claims and the patient row).
//! Both add methods to [`Emitter`] and import their shared types from here, not from each
//! other.

use crate::config::Layout;
use crate::patient::Ctx;
use crate::patient::demographics::Person;
use crate::patient::timeline::{Kind, Plan};
use crate::reference::codes::{self, Code};
use crate::rng::{Rng, Uuid};
use crate::writer::Chunk;

/// What a billed line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LineKind {
    Encounter,
    Procedure,
    Immunization,
    Medication,
}

/// One billed line of a claim.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line {
    pub(crate) code: Code,
    pub(crate) cost: i64,
    pub(crate) kind: LineKind,
    pub(crate) from: i64,
    pub(crate) to: i64,
}

/// A period with one payer.
#[derive(Clone, Debug)]
pub(crate) struct PayerSegment {
    pub(crate) start: i64,
    pub(crate) end: i64,
    pub(crate) payer: usize,
    pub(crate) member_id: Uuid,
}

/// A prescription decided ahead of writing (so STOP is known when START is written).
#[derive(Clone, Debug)]
pub(crate) struct Rx {
    pub(crate) med: codes::Med,
    pub(crate) reason: Option<Code>,
    pub(crate) start: i64,
    pub(crate) stop: Option<i64>,
    pub(crate) dispenses: i64,
}

/// Writes one patient.
pub(crate) struct Emitter<'a> {
    pub(crate) ctx: &'a Ctx<'a>,
    pub(crate) rng: Rng,
    pub(crate) p: &'a Person,
    pub(crate) plan: &'a Plan,
    pub(crate) chunk: &'a mut Chunk,
    pub(crate) v3: bool,
    pub(crate) life_end: i64,
    pub(crate) segments: Vec<PayerSegment>,
    pub(crate) lines: Vec<Line>,
    pub(crate) rx_by_enc: Vec<Vec<Rx>>,
    pub(crate) expenses: i64,
    pub(crate) coverage: i64,
    pub(crate) charge_id: i64,
    pub(crate) adult_height: f64,
    pub(crate) allergy_enc: Option<usize>,
    pub(crate) last_td: i64,
    pub(crate) had_covid_vaccine: u8,
    pub(crate) had_pneumo: bool,
    pub(crate) had_zoster: bool,
    /// The contraceptive method (index into `CONTRACEPTIVES`) once decided; `Some(None)`
    /// for a woman who uses none.
    pub(crate) contraceptive: Option<Option<usize>>,
    /// Until when the last contraceptive prescription lasts (less a month).
    pub(crate) contraceptive_until: i64,
    /// Treatment courses (chronic case, course) whose first visit is written.
    pub(crate) courses_started: Vec<(usize, usize)>,
}

impl<'a> Emitter<'a> {
    pub(crate) fn new(
        ctx: &'a Ctx<'a>,
        mut rng: Rng,
        p: &'a Person,
        plan: &'a Plan,
        chunk: &'a mut Chunk,
    ) -> Self {
        let adult_height = if p.female {
            rng.normal(162.0, 6.5)
        } else {
            rng.normal(176.0, 7.0)
        };
        let life_end = p.life_end(ctx.end);
        Self {
            ctx,
            rng,
            p,
            plan,
            chunk,
            v3: ctx.layout == Layout::V3,
            life_end,
            segments: Vec::new(),
            lines: Vec::with_capacity(16),
            rx_by_enc: Vec::new(),
            expenses: 0,
            coverage: 0,
            charge_id: 0,
            adult_height,
            allergy_enc: None,
            last_td: i64::MIN / 2,
            had_covid_vaccine: 0,
            had_pneumo: false,
            had_zoster: false,
            contraceptive: None,
            contraceptive_until: i64::MIN,
            courses_started: Vec::new(),
        }
    }

    /// Write every row of the patient.
    pub(crate) fn run(&mut self) {
        self.segments = self.payer_segments();
        self.plan_prescriptions();
        let ws = self.ctx.window_start.max(self.p.birth);
        self.allergy_enc = if self.rng.chance(0.2) {
            self.plan
                .encounters
                .iter()
                .position(|e| e.kind == Kind::Wellness && e.start >= ws)
        } else {
            None
        };
        for i in 0..self.plan.encounters.len() {
            self.encounter(i);
        }
        self.quality_of_life(ws);
        self.payer_transitions();
        self.patient_row();
    }
}
