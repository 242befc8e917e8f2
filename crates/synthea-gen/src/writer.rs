//! Row serialization into per-chunk buffers, and the output files.
//!
//! Workers serialize whole patients into a [`Chunk`] (one byte buffer per table); the
//! writer thread appends chunks to the files in patient order, so the bytes do not depend
//! on the thread count. Synthea's dialect: comma separated, never quoted (text never holds
//! commas), LF line endings, empty field = null.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use synthea_schema::TableKind;

use crate::config::Layout;
use crate::dirty::DirtyState;
use crate::error::{Error, Result};
use crate::rng::Uuid;
use crate::stats::Stats;
use crate::tables::TABLE_COUNT;
use crate::time;

/// Serialized rows of a contiguous range of patients.
#[derive(Debug)]
pub(crate) struct Chunk {
    /// Number of patients in the chunk.
    pub(crate) patients: u64,
    /// CSV rows per table (no header).
    pub(crate) bufs: Vec<Vec<u8>>,
    /// Row counts per table.
    pub(crate) rows: [u64; TABLE_COUNT],
    /// Aggregates for the shared tables.
    pub(crate) stats: Stats,
    /// Dirty-data injection state (None in clean mode).
    pub(crate) dirty: Option<DirtyState>,
    /// Output layout.
    pub(crate) layout: Layout,
}

impl Chunk {
    pub(crate) fn new(layout: Layout, dirty: Option<DirtyState>, stats: Stats) -> Self {
        Self::with_buffers(layout, dirty, stats, Vec::new())
    }

    /// A chunk writing into `bufs` (buffers of a written chunk, cleared here, so their
    /// memory is reused instead of faulted in again); missing buffers are created.
    pub(crate) fn with_buffers(
        layout: Layout,
        dirty: Option<DirtyState>,
        stats: Stats,
        mut bufs: Vec<Vec<u8>>,
    ) -> Self {
        bufs.resize_with(TABLE_COUNT, Vec::new);
        for b in &mut bufs {
            b.clear();
        }
        Self {
            patients: 0,
            bufs,
            rows: [0; TABLE_COUNT],
            stats,
            dirty,
            layout,
        }
    }

    /// Start a row of `table`.
    #[inline]
    pub(crate) fn row(&mut self, table: TableKind) -> Row<'_> {
        let start = self.bufs[table.index()].len();
        Row {
            chunk: self,
            table,
            start,
            first: true,
        }
    }

    fn end_row(&mut self, table: TableKind, start: usize) {
        let ti = table.index();
        self.bufs[ti].push(b'\n');
        self.rows[ti] += 1;
        if let Some(d) = self.dirty.as_mut() {
            let added = d.after_row(
                table,
                self.layout,
                &mut self.bufs[ti],
                start,
                self.rows[ti] - 1,
            );
            self.rows[ti] += added;
        }
    }
}

/// A row being serialized; fields are appended in header order.
pub(crate) struct Row<'a> {
    chunk: &'a mut Chunk,
    table: TableKind,
    start: usize,
    first: bool,
}

impl Row<'_> {
    #[inline]
    fn sep(&mut self) -> &mut Vec<u8> {
        let buf = &mut self.chunk.bufs[self.table.index()];
        if self.first {
            self.first = false;
        } else {
            buf.push(b',');
        }
        buf
    }

    /// Text field.
    #[inline]
    pub(crate) fn s(mut self, v: &str) -> Self {
        self.sep().extend_from_slice(v.as_bytes());
        self
    }

    /// Optional text field.
    #[inline]
    pub(crate) fn opt(self, v: Option<&str>) -> Self {
        self.s(v.unwrap_or(""))
    }

    /// Empty (null) field.
    #[inline]
    pub(crate) fn null(mut self) -> Self {
        self.sep();
        self
    }

    /// Several empty fields.
    #[inline]
    pub(crate) fn nulls(mut self, n: usize) -> Self {
        for _ in 0..n {
            self = self.null();
        }
        self
    }

    /// Identifier.
    #[inline]
    pub(crate) fn id(mut self, v: Uuid) -> Self {
        v.write(self.sep());
        self
    }

    /// Optional identifier.
    #[inline]
    pub(crate) fn opt_id(self, v: Option<Uuid>) -> Self {
        match v {
            Some(v) => self.id(v),
            None => self.null(),
        }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    #[inline]
    pub(crate) fn ts(mut self, v: i64) -> Self {
        time::write_ts(self.sep(), v);
        self
    }

    /// Optional timestamp.
    #[inline]
    pub(crate) fn opt_ts(self, v: Option<i64>) -> Self {
        match v {
            Some(v) => self.ts(v),
            None => self.null(),
        }
    }

    /// `YYYY-MM-DD` of an instant.
    #[inline]
    pub(crate) fn date(mut self, v: i64) -> Self {
        time::write_date(self.sep(), v);
        self
    }

    /// Optional date.
    #[inline]
    pub(crate) fn opt_date(self, v: Option<i64>) -> Self {
        match v {
            Some(v) => self.date(v),
            None => self.null(),
        }
    }

    /// Integer.
    #[inline]
    pub(crate) fn int(mut self, v: i64) -> Self {
        write_int(self.sep(), v);
        self
    }

    /// Money from cents, two decimals (`129.16`).
    #[inline]
    pub(crate) fn money(mut self, cents: i64) -> Self {
        write_fixed(self.sep(), cents, 2);
        self
    }

    /// Number with one decimal from tenths (`101.8`).
    #[inline]
    pub(crate) fn tenths(mut self, v: i64) -> Self {
        write_fixed(self.sep(), v, 1);
        self
    }

    /// Float in Rust's shortest round-trip form (`42.16260877593776`).
    pub(crate) fn float(mut self, v: f64) -> Self {
        let buf = self.sep();
        let _ = write!(buf, "{v}");
        self
    }

    /// Finish the row (newline, counters, dirty injection).
    #[inline]
    pub(crate) fn end(self) {
        let (table, start) = (self.table, self.start);
        self.chunk.end_row(table, start);
    }
}

/// Append a base-10 integer.
#[inline]
pub(crate) fn write_int(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    let mut n = v.unsigned_abs();
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&tmp[i..]);
}

/// Append `v / 10^decimals` with exactly `decimals` decimals.
#[inline]
pub(crate) fn write_fixed(out: &mut Vec<u8>, v: i64, decimals: u32) {
    let p = 10i64.pow(decimals);
    if v < 0 {
        out.push(b'-');
    }
    let a = v.unsigned_abs();
    write_int(out, (a / p as u64) as i64);
    out.push(b'.');
    let frac = a % p as u64;
    let mut digits = [b'0'; 4];
    let mut f = frac;
    for k in (0..decimals as usize).rev() {
        digits[k] = b'0' + (f % 10) as u8;
        f /= 10;
    }
    out.extend_from_slice(&digits[..decimals as usize]);
}

/// The open output files of one export.
pub(crate) struct OutputFiles {
    files: Vec<Option<(PathBuf, BufWriter<File>)>>,
    /// Bytes written per table (header included).
    pub(crate) bytes: [u64; TABLE_COUNT],
    /// Data rows written per table.
    pub(crate) rows: [u64; TABLE_COUNT],
}

impl OutputFiles {
    /// Create every file of `layout` in `dir` and write the header lines.
    pub(crate) fn create(dir: &Path, layout: Layout) -> Result<Self> {
        let mut files = Vec::with_capacity(TABLE_COUNT);
        let mut bytes = [0u64; TABLE_COUNT];
        for t in TableKind::ALL {
            match layout.header(t) {
                None => files.push(None),
                Some(h) => {
                    let path = dir.join(t.file_name());
                    let f = File::create(&path).map_err(|source| Error::Io {
                        path: path.clone(),
                        source,
                    })?;
                    let mut w = BufWriter::with_capacity(1 << 18, f);
                    w.write_all(h.as_bytes())
                        .and_then(|()| w.write_all(b"\n"))
                        .map_err(|source| Error::Io {
                            path: path.clone(),
                            source,
                        })?;
                    bytes[t.index()] = h.len() as u64 + 1;
                    files.push(Some((path, w)));
                }
            }
        }
        Ok(Self {
            files,
            bytes,
            rows: [0; TABLE_COUNT],
        })
    }

    /// Append serialized rows of `table`.
    pub(crate) fn append(&mut self, table: TableKind, data: &[u8], rows: u64) -> Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        if let Some((path, w)) = self.files[table.index()].as_mut() {
            w.write_all(data).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            self.bytes[table.index()] += data.len() as u64;
            self.rows[table.index()] += rows;
        }
        Ok(())
    }

    /// Flush and close every file.
    pub(crate) fn finish(self) -> Result<()> {
        for (path, mut w) in self.files.into_iter().flatten() {
            w.flush().map_err(|source| Error::Io { path, source })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(v: i64, d: u32) -> String {
        let mut b = Vec::new();
        write_fixed(&mut b, v, d);
        String::from_utf8(b).unwrap_or_default()
    }

    #[test]
    fn money_and_tenths_formats() {
        assert_eq!(fixed(12916, 2), "129.16");
        assert_eq!(fixed(5, 2), "0.05");
        assert_eq!(fixed(0, 2), "0.00");
        assert_eq!(fixed(1018, 1), "101.8");
        assert_eq!(fixed(-250, 2), "-2.50");
    }

    #[test]
    fn rows_are_comma_separated_with_empty_nulls() {
        let mut c = Chunk::new(Layout::V3, None, Stats::default());
        c.row(TableKind::Supplies)
            .date(0)
            .s("a")
            .null()
            .int(-7)
            .money(100)
            .end();
        assert_eq!(
            c.bufs[TableKind::Supplies.index()],
            b"1970-01-01,a,,-7,1.00\n"
        );
        assert_eq!(c.rows[TableKind::Supplies.index()], 1);
    }
}
