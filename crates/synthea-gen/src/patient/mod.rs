//! One patient at a time: demographics, a planned care timeline, then every row the
//! patient contributes to the per-patient tables.
//!
//! Each patient is generated from its own random stream derived from
//! `(seed, patient index)`, so output is identical for any thread count or chunk size.

pub(crate) mod billing;
pub(crate) mod clinical;
pub(crate) mod demographics;
pub(crate) mod emitter;
pub(crate) mod preventive;
pub(crate) mod stays;
pub(crate) mod timeline;

use crate::config::Layout;
use crate::reference::organizations::Reference;
use crate::rng::{Rng, Stream};
use crate::writer::Chunk;

/// Run-wide, read-only context shared by all workers.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub(crate) seed: u64,
    pub(crate) layout: Layout,
    pub(crate) reference: &'a Reference,
    /// Start of the detailed-history window (instant).
    pub(crate) window_start: i64,
    /// Last instant of the export (end date, 23:59:59 UTC).
    pub(crate) end: i64,
    pub(crate) readmission_rate: f64,
    pub(crate) transfer_rate: f64,
    pub(crate) er_admission_rate: f64,
}

/// Generate patient `index` into `chunk`.
pub(crate) fn generate(ctx: &Ctx<'_>, index: u64, chunk: &mut Chunk) {
    let mut rng = Rng::derive(ctx.seed, Stream::Patient, index);
    if let Some(d) = chunk.dirty.as_mut() {
        d.begin_patient(index);
    }
    let mut person = demographics::draw(&mut rng, ctx.end, ctx.window_start);
    let plan = timeline::plan(ctx, &mut rng, &mut person);
    let mut em = emitter::Emitter::new(ctx, rng, &person, &plan, chunk);
    em.run();
    chunk.patients += 1;
}
