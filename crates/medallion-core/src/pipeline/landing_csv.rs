//! Landed CSV files, read with care: the header, a cheap pre-scan that tells clean files
//! (Polars' fast multithreaded reader takes them as they are) from files with bad rows,
//! and the careful record-by-record path that keeps every bad row with its issue.
//!
//! A **record** is one data row: a line, or several lines when a quoted field holds a
//! line break (RFC 4180: a field that starts with `"` ends at the next `"` that is not
//! doubled). A record is **malformed** when
//! - its field count differs from the header's (a ragged row),
//! - a quoted field is not closed within [`MAX_QUOTED_LINES`] lines and
//!   [`MAX_QUOTED_BYTES`] bytes, or by the end of the file (an unbalanced quote: only its
//!   first line becomes the malformed record and reading resumes at the next line, so
//!   the quote cannot swallow the rest of the file), or
//! - a quote appears inside an unquoted field or after a closing quote (a stray quote:
//!   readers disagree on such rows, and Polars' line splitter would treat the quote as
//!   opening a field that runs across lines).
//!
//! A record with bytes that are not UTF-8 is decoded lossily (U+FFFD). Blank lines are
//! not records. Issues name the line and the column, never a field value.

use std::borrow::Cow;
use std::io::Write;

/// A quoted field may span at most this many lines before its quote counts as unbalanced.
pub(crate) const MAX_QUOTED_LINES: u64 = 1_000;
/// A quoted field may span at most this many bytes before its quote counts as unbalanced.
pub(crate) const MAX_QUOTED_BYTES: usize = 64 * 1024;

/// The UTF-8 byte-order mark some tools write at the start of a file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The header of a landed CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    /// Column names, trimmed of leading and trailing white space.
    pub(crate) names: Vec<String>,
    /// How many names had white space trimmed.
    pub(crate) trimmed: usize,
    /// Whether the file started with a UTF-8 byte-order mark (removed).
    pub(crate) bom: bool,
    /// Byte offset where the data rows start.
    pub(crate) data_start: usize,
}

impl Header {
    /// What was fixed, for the report (`None` when the header was used as written).
    pub(crate) fn fixes(&self) -> Option<String> {
        let mut fixes = Vec::new();
        if self.trimmed > 0 {
            fixes.push(format!("{} header name(s) trimmed", self.trimmed));
        }
        if self.bom {
            fixes.push("a UTF-8 byte-order mark removed".to_string());
        }
        (!fixes.is_empty()).then(|| fixes.join(", "))
    }
}

/// Why a header cannot be used (the file cannot be ingested).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HeaderProblem {
    /// The file has no header line.
    Empty,
    /// The header line is not UTF-8.
    InvalidUtf8,
    /// The header line is not a well-formed CSV record.
    Malformed(&'static str),
    /// A name is empty, or two names are equal (after trimming).
    Name(String),
}

impl std::fmt::Display for HeaderProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => write!(f, "the file is empty: no header line"),
            Self::InvalidUtf8 => write!(f, "the header line is not UTF-8"),
            Self::Malformed(why) => write!(f, "the header line is malformed: {why}"),
            Self::Name(why) => write!(f, "{why}"),
        }
    }
}

/// Reads and trims the header (line 1; a leading byte-order mark is removed).
pub(crate) fn read_header(data: &[u8]) -> Result<Header, HeaderProblem> {
    let bom = data.starts_with(BOM);
    let start = if bom { BOM.len() } else { 0 };
    let mut records = Records::new(data, start, 1);
    records.header_fields = None;
    let Some(record) = records.next() else {
        return Err(HeaderProblem::Empty);
    };
    if record.line != 1 {
        return Err(HeaderProblem::Malformed("line 1 is blank"));
    }
    match record.shape {
        Shape::Clean => {}
        Shape::UnbalancedQuote { .. } => return Err(HeaderProblem::Malformed("unbalanced quote")),
        Shape::StrayQuote { .. } => return Err(HeaderProblem::Malformed("stray quote")),
        Shape::FieldCount { .. } => return Err(HeaderProblem::Malformed("field count")),
    }
    let text = std::str::from_utf8(record.bytes).map_err(|_| HeaderProblem::InvalidUtf8)?;
    let raw = split_fields(text.as_bytes());
    let mut names: Vec<String> = Vec::with_capacity(raw.len());
    let mut trimmed = 0;
    for (position, name) in raw.iter().enumerate() {
        let clean = name.trim();
        trimmed += usize::from(clean.len() != name.len());
        if clean.is_empty() {
            return Err(HeaderProblem::Name(format!(
                "header name {} is empty",
                position + 1
            )));
        }
        if let Some(earlier) = names.iter().position(|n| n == clean) {
            // Positions only: a file landed without a header has data in line 1.
            return Err(HeaderProblem::Name(format!(
                "header names {} and {} are equal (after trimming white space)",
                earlier + 1,
                position + 1
            )));
        }
        names.push(clean.to_string());
    }
    Ok(Header {
        names,
        trimmed,
        bom,
        data_start: records.pos,
    })
}

/// What the pre-scan found in a CSV file's data rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Prescan {
    /// Data rows (records).
    pub(crate) rows: u64,
    /// `true` when every record is well-formed UTF-8 with the header's field count and
    /// there are no blank lines: Polars reads the file as it is.
    pub(crate) clean: bool,
}

/// Counts the data rows and checks them cheaply: the data is split at line ends into
/// one chunk per core, and each chunk is read once, per line counting commas and
/// noting quotes and non-ASCII bytes (a chunk with non-ASCII bytes is then checked
/// with `std::str::from_utf8`). A file with quotes is checked again record by record
/// with the quote-aware scan.
pub(crate) fn prescan(data: &[u8], header: &Header) -> Prescan {
    let body = &data[header.data_start.min(data.len())..];
    let fields = header.names.len();
    let chunks = split_at_line_ends(body, PRESCAN_CHUNK_BYTES);
    let scans: Vec<LineScan> = if chunks.len() == 1 {
        vec![scan_lines(body, fields)]
    } else {
        std::thread::scope(|scope| {
            let running: Vec<_> = chunks
                .iter()
                .map(|chunk| scope.spawn(move || scan_lines(chunk, fields)))
                .collect();
            running
                .into_iter()
                .map(|t| t.join().unwrap_or(LineScan::FAILED))
                .collect()
        })
    };
    if scans.iter().any(|s| s.quotes) {
        return prescan_quoted(data, header);
    }
    Prescan {
        rows: scans.iter().map(|s| s.rows).sum(),
        clean: scans.iter().all(|s| s.clean),
    }
}

/// The pre-scan record by record, for data with quotes.
fn prescan_quoted(data: &[u8], header: &Header) -> Prescan {
    let body = &data[header.data_start.min(data.len())..];
    let mut clean = std::str::from_utf8(body).is_ok();
    let mut rows = 0;
    let mut records = Records::new(data, header.data_start, 2);
    records.header_fields = Some(header.names.len());
    for record in &mut records {
        rows += 1;
        clean &= record.shape == Shape::Clean;
    }
    Prescan {
        rows,
        clean: clean && records.blank_lines == 0,
    }
}

/// Below this many bytes per core, the pre-scan does not spread over threads.
const PRESCAN_CHUNK_BYTES: usize = 16 << 20;

/// `body` cut after line feeds into at most one piece per core, each at least
/// `min_bytes` long (a line feed is ASCII, so no UTF-8 sequence spans two pieces).
fn split_at_line_ends(body: &[u8], min_bytes: usize) -> Vec<&[u8]> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pieces = (body.len() / min_bytes.max(1)).clamp(1, cores);
    let target = body.len() / pieces;
    let mut out = Vec::with_capacity(pieces);
    let mut start = 0;
    for _ in 1..pieces {
        let from = (start + target).min(body.len());
        let Some(k) = memchr::memchr(b'\n', &body[from..]) else {
            break;
        };
        out.push(&body[start..from + k + 1]);
        start = from + k + 1;
    }
    out.push(&body[start..]);
    out
}

/// What one pass over a chunk of lines found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LineScan {
    /// Non-blank lines.
    rows: u64,
    /// Every line has the header's field count, and the chunk is UTF-8 with no blank line.
    clean: bool,
    /// Some line has a quote: lines are not records, the quote-aware scan decides.
    quotes: bool,
}

impl LineScan {
    /// The outcome of a pass that did not finish.
    const FAILED: Self = Self {
        rows: 0,
        clean: false,
        quotes: true,
    };
}

/// One pass over `chunk`: per line, commas counted, quotes and non-ASCII bytes noted.
fn scan_lines(chunk: &[u8], fields: usize) -> LineScan {
    let mut scan = LineScan {
        rows: 0,
        clean: true,
        quotes: false,
    };
    let mut non_ascii = false;
    let mut start = 0;
    let mut check = |line: &[u8]| {
        let line = strip_cr(line);
        let counts = count_bytes(line);
        // A blank line is no record; the careful path passes over it.
        scan.clean &= !line.is_empty() && counts.commas + 1 == fields;
        scan.quotes |= counts.quotes;
        non_ascii |= counts.non_ascii;
        scan.rows += u64::from(!line.is_empty());
    };
    for end in memchr::memchr_iter(b'\n', chunk) {
        check(&chunk[start..end]);
        start = end + 1;
    }
    if start < chunk.len() {
        check(&chunk[start..]);
    }
    if non_ascii {
        scan.clean &= std::str::from_utf8(chunk).is_ok();
    }
    scan
}

/// What [`count_bytes`] found in a line.
struct ByteCounts {
    commas: usize,
    quotes: bool,
    non_ascii: bool,
}

/// Commas, quotes and non-ASCII bytes in `line`, in blocks of 32 bytes so the compiler
/// vectorizes the loop.
fn count_bytes(line: &[u8]) -> ByteCounts {
    let mut blocks = line.chunks_exact(32);
    let (mut commas, mut quotes, mut high) = (0usize, 0usize, 0u8);
    for block in &mut blocks {
        // Sums (not flags) per block: this shape is what the vectorizer handles best.
        let (mut c, mut q, mut h) = (0u8, 0u8, 0u8);
        for &b in block {
            c += u8::from(b == b',');
            q += u8::from(b == b'"');
            h |= b & 0x80;
        }
        commas += usize::from(c);
        quotes += usize::from(q);
        high |= h;
    }
    for &b in blocks.remainder() {
        commas += usize::from(b == b',');
        quotes += usize::from(b == b'"');
        high |= b & 0x80;
    }
    ByteCounts {
        commas,
        quotes: quotes > 0,
        non_ascii: high != 0,
    }
}

/// How many data rows a careful pass kept, and how many of them carry an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Repaired {
    /// Data rows written.
    pub(crate) rows: u64,
    /// Rows with an `_ingest_issue`.
    pub(crate) issues: u64,
}

/// Column names of the lineage columns the careful path writes in front of the data.
pub(crate) struct RepairColumns<'a> {
    /// `_source_row`.
    pub(crate) source_row: &'a str,
    /// `_ingest_issue`.
    pub(crate) issue: &'a str,
    /// `_raw_line`.
    pub(crate) raw_line: &'a str,
}

/// The careful path: writes `data` as a well-formed CSV to `out`, with the lineage
/// columns `_source_row`, `_ingest_issue` and `_raw_line` in front of the (trimmed)
/// header's columns. Clean records are copied byte for byte; a record with bytes that
/// are not UTF-8 is decoded lossily and gets an `invalid_utf8` issue; a malformed record
/// gets a `malformed_row` issue, its raw text (lossily decoded) in `_raw_line`, and its
/// fields, as far as they can be told apart, in the columns (extra fields are dropped,
/// missing ones are null).
pub(crate) fn repair(
    data: &[u8],
    header: &Header,
    columns: &RepairColumns<'_>,
    out: &mut impl Write,
) -> std::io::Result<Repaired> {
    let lineage = [columns.source_row, columns.issue, columns.raw_line];
    let names: Vec<&str> = lineage
        .into_iter()
        .chain(header.names.iter().map(String::as_str))
        .collect();
    write_fields(out, &names)?;
    let mut records = Records::new(data, header.data_start, 2);
    records.header_fields = Some(header.names.len());
    let mut done = Repaired::default();
    for record in &mut records {
        done.rows += 1;
        let issue = record_issue(&record, header);
        write!(out, "{},", done.rows)?;
        let Some(issue) = issue else {
            out.write_all(b",,")?;
            out.write_all(record.bytes)?;
            out.write_all(b"\n")?;
            continue;
        };
        done.issues += 1;
        write_field(out, &issue)?;
        out.write_all(b",")?;
        let text = String::from_utf8_lossy(record.bytes);
        if record.shape == Shape::Clean {
            // Only the encoding was wrong: the structure is intact.
            out.write_all(b",")?;
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n")?;
            continue;
        }
        write_field(out, &text)?;
        let mut fields = split_fields(text.as_bytes());
        fields.resize(header.names.len(), Cow::Borrowed(""));
        for field in &fields {
            out.write_all(b",")?;
            write_field(out, field)?;
        }
        out.write_all(b"\n")?;
    }
    Ok(done)
}

/// The `_ingest_issue` of a record, or `None` for a clean one.
fn record_issue(record: &Record<'_>, header: &Header) -> Option<String> {
    let utf8_error = std::str::from_utf8(record.bytes).err();
    let column_at = |offset: usize| {
        let field = field_at(record.bytes, offset);
        match header.names.get(field) {
            Some(name) => format!("column {name} (field {})", field + 1),
            None => format!("field {}", field + 1),
        }
    };
    let encoding = utf8_error.map(|e| {
        format!(
            "bytes that are not UTF-8 in {}, decoded lossily",
            column_at(e.valid_up_to())
        )
    });
    let line = record.line;
    let shape = match record.shape {
        Shape::Clean => None,
        Shape::FieldCount { found } => {
            Some(format!("{found} fields, header has {}", header.names.len()))
        }
        Shape::UnbalancedQuote { field } => Some(format!(
            "unbalanced quote: the quoted field {field} is not closed within {MAX_QUOTED_LINES} lines or {} KiB",
            MAX_QUOTED_BYTES / 1024
        )),
        Shape::StrayQuote { field } => Some(format!(
            "stray quote in field {field} (a quote inside an unquoted field or after a closing quote)"
        )),
    };
    match (shape, encoding) {
        (None, None) => None,
        (None, Some(encoding)) => Some(format!("invalid_utf8: line {line}: {encoding}")),
        (Some(shape), None) => Some(format!("malformed_row: line {line}: {shape}")),
        (Some(shape), Some(encoding)) => Some(format!(
            "malformed_row: line {line}: {shape}; also {encoding}"
        )),
    }
}

/// The 0-based field of a record that byte `offset` lies in (commas inside quotes do
/// not separate fields; a doubled quote toggles twice).
fn field_at(bytes: &[u8], offset: usize) -> usize {
    let mut in_quotes = false;
    let mut field = 0;
    for &b in &bytes[..offset.min(bytes.len())] {
        match b {
            b'"' => in_quotes = !in_quotes,
            b',' if !in_quotes => field += 1,
            _ => {}
        }
    }
    field
}

/// Writes one CSV field, quoted when it must be.
fn write_field(out: &mut impl Write, field: &str) -> std::io::Result<()> {
    if field.contains([',', '"', '\n', '\r']) {
        out.write_all(b"\"")?;
        out.write_all(field.replace('"', "\"\"").as_bytes())?;
        out.write_all(b"\"")
    } else {
        out.write_all(field.as_bytes())
    }
}

/// Writes a CSV record of `fields` and a line end.
fn write_fields(out: &mut impl Write, fields: &[&str]) -> std::io::Result<()> {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_field(out, field)?;
    }
    out.write_all(b"\n")
}

/// The fields of one record, leniently: a field that starts with a quote runs to its
/// closing quote (`""` is a quote) or to the end of the record, and any text after the
/// closing quote up to the next comma is kept; other fields run to the next comma.
fn split_fields(bytes: &[u8]) -> Vec<Cow<'_, str>> {
    let mut fields = Vec::new();
    let mut i = 0;
    loop {
        if bytes.get(i) == Some(&b'"') {
            let mut value = Vec::new();
            i += 1;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' if bytes.get(i + 1) == Some(&b'"') => {
                        value.push(b'"');
                        i += 2;
                    }
                    b'"' => {
                        i += 1;
                        break;
                    }
                    b => {
                        value.push(b);
                        i += 1;
                    }
                }
            }
            let rest_end = memchr::memchr(b',', &bytes[i..]).map_or(bytes.len(), |k| i + k);
            value.extend_from_slice(&bytes[i..rest_end]);
            fields.push(Cow::Owned(String::from_utf8_lossy(&value).into_owned()));
            i = rest_end;
        } else {
            let end = memchr::memchr(b',', &bytes[i..]).map_or(bytes.len(), |k| i + k);
            fields.push(String::from_utf8_lossy(&bytes[i..end]));
            i = end;
        }
        if i >= bytes.len() {
            return fields;
        }
        i += 1; // the comma
    }
}

/// The structure of one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Well-formed, with the header's field count.
    Clean,
    /// Well-formed, but `found` fields.
    FieldCount {
        /// Fields in the record.
        found: usize,
    },
    /// The quoted field at this 1-based position never closes.
    UnbalancedQuote {
        /// 1-based field position.
        field: usize,
    },
    /// A quote inside an unquoted field, or text after a closing quote.
    StrayQuote {
        /// 1-based field position.
        field: usize,
    },
}

/// One record: its bytes (without the line end) and the line it starts on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record<'a> {
    pub(crate) bytes: &'a [u8],
    /// 1-based line number of the record's first line in the file.
    pub(crate) line: u64,
    pub(crate) shape: Shape,
}

/// The records of `data` from a byte offset on.
pub(crate) struct Records<'a> {
    data: &'a [u8],
    pos: usize,
    line: u64,
    /// Expected field count (`None`: any count is clean, as for the header).
    header_fields: Option<usize>,
    /// Blank lines passed over.
    blank_lines: u64,
}

impl<'a> Records<'a> {
    fn new(data: &'a [u8], pos: usize, line: u64) -> Self {
        Self {
            data,
            pos,
            line,
            header_fields: None,
            blank_lines: 0,
        }
    }

    /// The shape of a structurally complete record with `fields` fields.
    fn counted(&self, fields: usize) -> Shape {
        match self.header_fields {
            Some(expected) if expected != fields => Shape::FieldCount { found: fields },
            _ => Shape::Clean,
        }
    }
}

/// `bytes` without one trailing carriage return.
fn strip_cr(bytes: &[u8]) -> &[u8] {
    bytes.strip_suffix(b"\r").unwrap_or(bytes)
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        loop {
            let (data, start) = (self.data, self.pos);
            if start >= data.len() {
                return None;
            }
            let line_end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |k| start + k);
            let line = strip_cr(&data[start..line_end]);
            let first_line = self.line;
            if line.is_empty() {
                self.pos = line_end + 1;
                self.line += 1;
                self.blank_lines += 1;
                continue;
            }
            if memchr::memchr(b'"', line).is_none() {
                // The common case: no quotes, the record is the line.
                self.pos = line_end + 1;
                self.line += 1;
                let fields = 1 + count_bytes(line).commas;
                let shape = self.counted(fields);
                return Some(Record {
                    bytes: line,
                    line: first_line,
                    shape,
                });
            }
            let scanned = scan_quoted(data, start);
            return Some(match scanned {
                Scanned::Complete {
                    spanning: Some(field),
                    fields,
                    stray,
                    ..
                } if stray.is_some() || self.counted(fields) != Shape::Clean => {
                    // A quote that spans lines and yields no well-formed record was
                    // never closed: it paired with a quote of a later line.
                    self.pos = line_end + 1;
                    self.line += 1;
                    Record {
                        bytes: line,
                        line: first_line,
                        shape: Shape::UnbalancedQuote { field },
                    }
                }
                Scanned::Complete {
                    end,
                    lines,
                    fields,
                    stray,
                    ..
                } => {
                    self.pos = end + 1;
                    self.line += lines;
                    let shape = match stray {
                        Some(field) => Shape::StrayQuote { field },
                        None => self.counted(fields),
                    };
                    Record {
                        bytes: strip_cr(&data[start..end.min(data.len())]),
                        line: first_line,
                        shape,
                    }
                }
                Scanned::Unclosed { field } => {
                    self.pos = line_end + 1;
                    self.line += 1;
                    Record {
                        bytes: line,
                        line: first_line,
                        shape: Shape::UnbalancedQuote { field },
                    }
                }
            });
        }
    }
}

/// The outcome of a quote-aware scan of one record.
enum Scanned {
    /// The record ends at byte `end` (its line feed, or the end of the data).
    Complete {
        end: usize,
        lines: u64,
        /// The first quoted field that holds a line break, if any.
        spanning: Option<usize>,
        fields: usize,
        stray: Option<usize>,
    },
    /// The quoted field at this position does not close within the limits.
    Unclosed { field: usize },
}

/// Scans one record starting at `start` that contains a quote (RFC 4180 quoting).
fn scan_quoted(data: &[u8], start: usize) -> Scanned {
    let (mut i, mut fields, mut lines) = (start, 1usize, 1u64);
    let mut field_start = true;
    let (mut stray, mut spanning) = (None, None);
    loop {
        let Some(&b) = data.get(i) else {
            return Scanned::Complete {
                end: data.len(),
                lines,
                spanning,
                fields,
                stray,
            };
        };
        if field_start && b == b'"' {
            let lines_before = lines;
            let Some(after) = closing_quote(data, i + 1, start, &mut lines) else {
                return Scanned::Unclosed { field: fields };
            };
            if lines > lines_before {
                spanning.get_or_insert(fields);
            }
            i = after;
            match data.get(i) {
                None | Some(b',' | b'\n') => {}
                Some(b'\r') if matches!(data.get(i + 1), None | Some(b'\n')) => {}
                Some(_) => {
                    stray.get_or_insert(fields);
                }
            }
            field_start = false;
            continue;
        }
        field_start = false;
        match b {
            b',' => {
                fields += 1;
                field_start = true;
            }
            b'\n' => {
                return Scanned::Complete {
                    end: i,
                    lines,
                    spanning,
                    fields,
                    stray,
                };
            }
            b'"' => {
                stray.get_or_insert(fields);
            }
            _ => {}
        }
        i += 1;
    }
}

/// The position after the quote that closes a quoted field whose text starts at `i`,
/// or `None` when it does not close within the limits (counted from the record's
/// `start`). Line feeds inside the field are added to `lines`.
fn closing_quote(data: &[u8], mut i: usize, start: usize, lines: &mut u64) -> Option<usize> {
    loop {
        let k = memchr::memchr2(b'"', b'\n', &data[i.min(data.len())..])?;
        i += k;
        if data[i] == b'\n' {
            *lines += 1;
            if *lines > MAX_QUOTED_LINES || i - start > MAX_QUOTED_BYTES {
                return None;
            }
            i += 1;
        } else if data.get(i + 1) == Some(&b'"') {
            i += 2;
        } else {
            return Some(i + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;

    fn shapes(text: &str, fields: usize) -> Vec<(u64, Shape)> {
        let mut records = Records::new(text.as_bytes(), 0, 1);
        records.header_fields = Some(fields);
        records.map(|r| (r.line, r.shape)).collect()
    }

    #[test]
    fn header_names_are_trimmed_and_a_bom_removed() {
        let header = read_header(b"\xEF\xBB\xBFId, START ,\"STOP\"\r\n1,2,3\n").unwrap();
        assert_eq!(header.names, ["Id", "START", "STOP"]);
        assert_eq!((header.trimmed, header.bom), (1, true));
        assert_eq!(
            header.fixes().unwrap(),
            "1 header name(s) trimmed, a UTF-8 byte-order mark removed"
        );
    }

    #[test]
    fn a_header_with_names_equal_after_trimming_is_refused() {
        assert_eq!(
            read_header(b"Id,X, Id\n"),
            Err(HeaderProblem::Name(
                "header names 1 and 3 are equal (after trimming white space)".into()
            ))
        );
        assert_eq!(read_header(b""), Err(HeaderProblem::Empty));
    }

    #[test]
    fn the_field_of_an_offset_skips_commas_inside_quotes() {
        let record = b"a,\"b,\"\"c\",d";
        assert_eq!(field_at(record, 1), 0);
        assert_eq!(field_at(record, 5), 1);
        assert_eq!(field_at(record, record.len() - 1), 2);
    }

    #[test]
    fn ragged_rows_are_malformed_by_field_count() {
        assert_eq!(
            shapes("a,b\na,b,c\na\n", 2),
            [
                (1, Shape::Clean),
                (2, Shape::FieldCount { found: 3 }),
                (3, Shape::FieldCount { found: 1 })
            ]
        );
    }

    #[test]
    fn a_quoted_field_may_hold_commas_quotes_and_line_breaks() {
        assert_eq!(
            shapes("\"a,\"\"b\"\"\nc\",d\r\ne,f\n", 2),
            [(1, Shape::Clean), (3, Shape::Clean)]
        );
    }

    #[test]
    fn an_unbalanced_quote_takes_only_its_line() {
        assert_eq!(
            shapes("a,b\nc,\"d\ne,f\ng,h\n", 2),
            [
                (1, Shape::Clean),
                (2, Shape::UnbalancedQuote { field: 2 }),
                (3, Shape::Clean),
                (4, Shape::Clean)
            ]
        );
    }

    #[test]
    fn an_unclosed_quote_does_not_pair_with_a_quote_of_a_later_line() {
        assert_eq!(
            shapes("a,\"b\nc,d\ne,\"f, g\"\n", 2),
            [
                (1, Shape::UnbalancedQuote { field: 2 }),
                (2, Shape::Clean),
                (3, Shape::Clean)
            ]
        );
    }

    #[test]
    fn a_quote_open_past_the_line_limit_is_unbalanced() {
        let long: String = "x\n".repeat(MAX_QUOTED_LINES as usize + 1);
        let text = format!("\"{long}\",y\n");
        let shapes = shapes(&text, 2);
        assert_eq!(shapes[0], (1, Shape::UnbalancedQuote { field: 1 }));
        assert_eq!(shapes.len(), MAX_QUOTED_LINES as usize + 2);
    }

    #[test]
    fn stray_quotes_are_malformed() {
        assert_eq!(
            shapes("a\"b,c\n\"a\"b,c\n", 2),
            [
                (1, Shape::StrayQuote { field: 1 }),
                (2, Shape::StrayQuote { field: 1 })
            ]
        );
    }

    #[test]
    fn repair_keeps_every_row_and_names_line_and_column_of_each_issue() {
        let data = b"Id,NAME,SSN\n1,Ann,999-12-3456\n2,B\xFFb,999-12-3457\n3,\"Zed,999\n4,Cy\n";
        let header = read_header(data).unwrap();
        assert!(!prescan(data, &header).clean);
        let mut out = Vec::new();
        let columns = RepairColumns {
            source_row: "_source_row",
            issue: "_ingest_issue",
            raw_line: "_raw_line",
        };
        let done = repair(data, &header, &columns, &mut out).unwrap();
        assert_eq!(done, Repaired { rows: 4, issues: 3 });
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "_source_row,_ingest_issue,_raw_line,Id,NAME,SSN");
        assert_eq!(lines[1], "1,,,1,Ann,999-12-3456");
        assert_eq!(
            lines[2],
            "2,\"invalid_utf8: line 3: bytes that are not UTF-8 in column NAME (field 2), decoded lossily\",,2,B\u{FFFD}b,999-12-3457"
        );
        assert!(lines[3].starts_with(
            "3,malformed_row: line 4: unbalanced quote: the quoted field 2 is not closed"
        ));
        assert!(
            lines[3].ends_with(",\"3,\"\"Zed,999\",3,\"Zed,999\","),
            "{}",
            lines[3]
        );
        assert_eq!(
            lines[4],
            "4,\"malformed_row: line 5: 2 fields, header has 3\",\"4,Cy\",4,Cy,"
        );
    }

    #[test]
    fn the_prescan_of_a_file_split_over_cores_counts_every_row() {
        let mut text = String::from("a,b\n");
        for i in 0..1000 {
            text.push_str(&format!("{i},x\n"));
        }
        let header = read_header(text.as_bytes()).unwrap();
        let body = &text.as_bytes()[header.data_start..];
        let pieces = split_at_line_ends(body, 100);
        assert_eq!(pieces.concat(), body);
        assert!(pieces.iter().all(|p| p.ends_with(b"\n")));
        let scans: Vec<LineScan> = pieces.iter().map(|p| scan_lines(p, 2)).collect();
        assert_eq!(scans.iter().map(|s| s.rows).sum::<u64>(), 1000);
        assert!(scans.iter().all(|s| s.clean && !s.quotes));
        text.push_str("1000,x,extra\n");
        assert_eq!(
            prescan(text.as_bytes(), &header),
            Prescan {
                rows: 1001,
                clean: false
            }
        );
    }

    fn clean_field() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9 ]{0,6}",
            "[a-z,\"\n ]{0,6}".prop_map(|s| format!("\"{}\"", s.replace('"', "\"\""))),
        ]
    }

    proptest! {
        /// Invariant: for well-formed CSV the pre-scan finds it clean and counts exactly
        /// the records Polars reads, with the same values.
        #[test]
        fn prescan_and_polars_agree_on_well_formed_csv(
            rows in proptest::collection::vec(proptest::collection::vec(clean_field(), 3), 0..8)
        ) {
            use polars::prelude::*;
            let mut text = String::from("a,b,c\n");
            for row in &rows {
                text.push_str(&row.join(","));
                text.push('\n');
            }
            // A record of three empty fields is a line of two commas: not blank.
            let header = read_header(text.as_bytes()).unwrap();
            let scan = prescan(text.as_bytes(), &header);
            prop_assert!(scan.clean);
            prop_assert_eq!(scan.rows, rows.len() as u64);
            let frame = CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .into_reader_with_file_handle(std::io::Cursor::new(text.clone().into_bytes()))
                .finish()
                .unwrap();
            prop_assert_eq!(frame.height(), rows.len());
        }
    }
}
