//! The Polars ↔ arrow-rs bridge over the Arrow C Data Interface.
//!
//! Polars is built on its own Arrow implementation (`polars-arrow`), delta-rs on arrow-rs.
//! Both speak the [Arrow C Data Interface], so buffers cross without a copy: Polars
//! exports each chunk as an `ArrowArray` + `ArrowSchema` pair and arrow-rs imports the
//! same memory (and the other way round). No Parquet or IPC round-trip is involved.
//!
//! Rules the bridge applies:
//! - a multi-chunk [`DataFrame`] becomes one [`RecordBatch`] per chunk (chunks are first
//!   aligned across columns, which only copies when columns are chunked differently);
//! - `Categorical`/`Enum` columns become strings (Delta has no dictionary type);
//! - strings and binaries are exported as views ([`StringFormat::View`], zero-copy) or as
//!   large offsets ([`StringFormat::Large`], one copy, for consumers without view support).
//!   The table writers use [`StringFormat::Large`]: the Arrow schema in a Parquet footer
//!   is the one handed to the writer, and readers such as pyarrow cannot filter on
//!   `string_view` columns;
//! - on import, `Utf8`/`LargeUtf8` arrays are converted to Polars' string views (Polars
//!   has no offset-based string type), every other supported type is zero-copy.
//!
//! [Arrow C Data Interface]: https://arrow.apache.org/docs/format/CDataInterface.html
//!
//! ```
//! use medallion_core::bridge::{dataframe_to_record_batches, record_batches_to_dataframe, StringFormat};
//! use polars::prelude::*;
//!
//! let df = df!("id" => [1i64, 2, 3], "name" => [Some("a"), None, Some("c")])?;
//! let batches = dataframe_to_record_batches(&df, StringFormat::View)?;
//! assert_eq!(batches[0].num_rows(), 3);
//! let back = record_batches_to_dataframe(&batches, &batches[0].schema())?;
//! assert!(back.equals_missing(&df));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions, make_array};
use arrow::datatypes::{
    Field as ArrowRsField, Schema as ArrowRsSchema, SchemaRef as ArrowRsSchemaRef,
};
use arrow::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use polars::prelude::*;
use polars_arrow::ffi as pl_ffi;

use crate::error::{Error, Result};

const OPERATION: &str = "bridge";

/// How string and binary columns are laid out when exported to arrow-rs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum StringFormat {
    /// `Utf8View`/`BinaryView`, and `ListView`-free large lists: zero-copy (default).
    #[default]
    View,
    /// `LargeUtf8`/`LargeBinary`/`LargeList`: one copy, for consumers that lack view support.
    Large,
}

impl StringFormat {
    fn compat_level(self) -> CompatLevel {
        match self {
            StringFormat::View => CompatLevel::newest(),
            StringFormat::Large => CompatLevel::oldest(),
        }
    }
}

/// Replaces `Categorical`/`Enum` (also nested in lists and structs) by `String`, and a
/// `Null` nested inside a list or struct by `Boolean`.
///
/// The nested-`Null` rule exists because polars-arrow exports `Null` child arrays with
/// a data buffer that arrow-rs rejects; an all-null `Boolean` child carries the same
/// values. A top-level `Null` column is exported as an arrow `Null` array.
pub(crate) fn without_categoricals(dtype: &DataType) -> DataType {
    export_dtype(dtype, true)
}

fn export_dtype(dtype: &DataType, top_level: bool) -> DataType {
    match dtype {
        DataType::Null if !top_level => DataType::Boolean,
        DataType::Categorical(_, _) | DataType::Enum(_, _) => DataType::String,
        DataType::List(inner) => DataType::List(Box::new(export_dtype(inner, false))),
        DataType::Array(inner, width) => {
            DataType::Array(Box::new(export_dtype(inner, false)), *width)
        }
        DataType::Struct(fields) => DataType::Struct(
            fields
                .iter()
                .map(|f| Field::new(f.name().clone(), export_dtype(f.dtype(), false)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn check_bridgeable(name: &str, dtype: &DataType) -> Result<()> {
    if dtype.contains_objects() {
        return Err(Error::UnsupportedBridgeType {
            column: name.to_string(),
            dtype: dtype.to_string(),
            reason: "Object columns have no Arrow representation".into(),
        });
    }
    Ok(())
}

/// Casts categorical columns to strings and rejects types Arrow cannot represent.
fn prepare_for_export(df: &DataFrame) -> Result<DataFrame> {
    let mut columns = Vec::with_capacity(df.width());
    for column in df.columns() {
        check_bridgeable(column.name(), column.dtype())?;
        let target = without_categoricals(column.dtype());
        if &target == column.dtype() {
            columns.push(column.clone());
        } else {
            columns.push(
                column
                    .cast(&target)
                    .map_err(|e| Error::polars("<memory>", OPERATION, e))?,
            );
        }
    }
    DataFrame::new(df.height(), columns).map_err(|e| Error::polars("<memory>", OPERATION, e))
}

/// Moves an exported Polars C array into arrow-rs' representation of the same struct.
fn into_arrow_rs_ffi(
    array: pl_ffi::ArrowArray,
    schema: pl_ffi::ArrowSchema,
) -> (FFI_ArrowArray, FFI_ArrowSchema) {
    // SAFETY: both types are `#[repr(C)]` definitions of the C Data Interface's
    // `ArrowArray`/`ArrowSchema` structs (same fields, same order, same size — checked at
    // compile time by `transmute`). Ownership, including the release callback, moves with
    // the value, so the buffers are released exactly once by arrow-rs.
    unsafe {
        (
            std::mem::transmute::<pl_ffi::ArrowArray, FFI_ArrowArray>(array),
            std::mem::transmute::<pl_ffi::ArrowSchema, FFI_ArrowSchema>(schema),
        )
    }
}

/// Converts a Polars [`Field`] into the arrow-rs field the bridge will produce for it.
pub fn polars_field_to_arrow(field: &Field, format: StringFormat) -> Result<ArrowRsField> {
    check_bridgeable(field.name(), field.dtype())?;
    let dtype = without_categoricals(field.dtype());
    let pl_field = dtype.to_arrow_field(field.name().clone(), format.compat_level());
    let c_schema = pl_ffi::export_field_to_c(&pl_field);
    // SAFETY: see `into_arrow_rs_ffi`; the array part is unused here.
    let ffi_schema =
        unsafe { std::mem::transmute::<pl_ffi::ArrowSchema, FFI_ArrowSchema>(c_schema) };
    ArrowRsField::try_from(&ffi_schema).map_err(|e| Error::arrow("schema export", e))
}

/// Converts a Polars [`Schema`] into an arrow-rs schema (field by field, as the bridge does).
pub fn polars_schema_to_arrow(schema: &Schema, format: StringFormat) -> Result<ArrowRsSchema> {
    let fields = schema
        .iter_fields()
        .map(|f| polars_field_to_arrow(&f, format))
        .collect::<Result<Vec<_>>>()?;
    Ok(ArrowRsSchema::new(fields))
}

/// Converts an arrow-rs field into the Polars field the bridge will produce for it.
pub fn arrow_field_to_polars(field: &ArrowRsField) -> Result<Field> {
    let ffi_schema =
        FFI_ArrowSchema::try_from(field).map_err(|e| Error::arrow("schema import", e))?;
    // SAFETY: see `into_arrow_rs_ffi` (reverse direction).
    let c_schema =
        unsafe { std::mem::transmute::<FFI_ArrowSchema, pl_ffi::ArrowSchema>(ffi_schema) };
    // SAFETY: `c_schema` was produced by arrow-rs from a valid field.
    let pl_field = unsafe { pl_ffi::import_field_from_c(&c_schema) }
        .map_err(|e| Error::polars("<memory>", "schema import", e))?;
    Ok(Field::from(&pl_field))
}

/// Converts an arrow-rs schema into a Polars [`Schema`].
pub fn arrow_schema_to_polars(schema: &ArrowRsSchema) -> Result<Schema> {
    schema
        .fields()
        .iter()
        .map(|f| arrow_field_to_polars(f))
        .collect::<Result<Schema>>()
}

/// Exports a [`DataFrame`] as arrow-rs [`RecordBatch`]es, one per (aligned) chunk.
///
/// Zero-copy for every type except when `format` is [`StringFormat::Large`] (strings are
/// re-encoded with offsets) or columns are chunked differently (they are aligned first).
/// An empty frame yields one empty batch carrying the schema.
pub fn dataframe_to_record_batches(
    df: &DataFrame,
    format: StringFormat,
) -> Result<Vec<RecordBatch>> {
    let mut df = prepare_for_export(df)?;
    if df.should_rechunk() {
        df.align_chunks_par();
    }
    let fields = df
        .columns()
        .iter()
        .map(|c| polars_field_to_arrow(&Field::new(c.name().clone(), c.dtype().clone()), format))
        .collect::<Result<Vec<_>>>()?;
    let schema: ArrowRsSchemaRef = Arc::new(ArrowRsSchema::new(fields));
    if df.height() == 0 {
        return Ok(vec![RecordBatch::new_empty(schema)]);
    }
    let compat = format.compat_level();
    let mut batches = Vec::new();
    for pl_batch in df.iter_chunks(compat, true) {
        let num_rows = pl_batch.height();
        let arrays = pl_batch.into_arrays();
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(arrays.len());
        for (array, field) in arrays.into_iter().zip(schema.fields().iter()) {
            // polars-arrow exports a buffer for Null arrays that arrow-rs (rightly) rejects.
            if field.data_type() == &arrow::datatypes::DataType::Null {
                columns.push(arrow::array::new_null_array(field.data_type(), array.len()));
                continue;
            }
            let pl_field = polars_arrow::datatypes::Field::new(
                field.name().as_str().into(),
                array.dtype().clone(),
                true,
            );
            let c_schema = pl_ffi::export_field_to_c(&pl_field);
            let c_array = pl_ffi::export_array_to_c(array);
            let (ffi_array, ffi_schema) = into_arrow_rs_ffi(c_array, c_schema);
            // SAFETY: the pair was just exported by polars-arrow from a valid array.
            let data = unsafe { arrow::ffi::from_ffi(ffi_array, &ffi_schema) }
                .map_err(|e| Error::arrow("export", e))?;
            columns.push(make_array(data));
        }
        let options = RecordBatchOptions::new().with_row_count(Some(num_rows));
        let batch = RecordBatch::try_new_with_options(schema.clone(), columns, &options)
            .map_err(|e| Error::arrow("export", e))?;
        batches.push(batch);
    }
    Ok(batches)
}

/// Imports one arrow-rs array into Polars, zero-copy where Polars' layout allows it.
fn import_array(array: &ArrayRef) -> Result<Box<dyn polars_arrow::array::Array>> {
    let (ffi_array, ffi_schema) =
        arrow::ffi::to_ffi(&array.to_data()).map_err(|e| Error::arrow("import", e))?;
    // SAFETY: see `into_arrow_rs_ffi` (reverse direction).
    let (c_array, c_schema) = unsafe {
        (
            std::mem::transmute::<FFI_ArrowArray, pl_ffi::ArrowArray>(ffi_array),
            std::mem::transmute::<FFI_ArrowSchema, pl_ffi::ArrowSchema>(ffi_schema),
        )
    };
    // SAFETY: the pair was just exported by arrow-rs from valid array data.
    let field = unsafe { pl_ffi::import_field_from_c(&c_schema) }
        .map_err(|e| Error::polars("<memory>", "import", e))?;
    // SAFETY: as above; `field.dtype` describes `c_array`.
    unsafe { pl_ffi::import_array_from_c(c_array, field.dtype().clone()) }
        .map_err(|e| Error::polars("<memory>", "import", e))
}

/// Imports arrow-rs [`RecordBatch`]es into one [`DataFrame`] with one chunk per batch.
///
/// `schema` gives the columns when `batches` is empty; every batch must have it.
pub fn record_batches_to_dataframe(
    batches: &[RecordBatch],
    schema: &ArrowRsSchema,
) -> Result<DataFrame> {
    let pl_schema = arrow_schema_to_polars(schema)?;
    if batches.is_empty() {
        return Ok(DataFrame::empty_with_schema(&pl_schema));
    }
    let mut columns = Vec::with_capacity(schema.fields().len());
    for (index, field) in schema.fields().iter().enumerate() {
        let mut chunks = Vec::with_capacity(batches.len());
        for batch in batches {
            if batch.num_columns() != schema.fields().len() {
                return Err(Error::UnsupportedBridgeType {
                    column: field.name().clone(),
                    dtype: format!("{:?}", field.data_type()),
                    reason: format!(
                        "a batch has {} columns but the schema has {}",
                        batch.num_columns(),
                        schema.fields().len()
                    ),
                });
            }
            chunks.push(import_array(batch.column(index))?);
        }
        let mut series = Series::try_from((PlSmallStr::from(field.name().as_str()), chunks))
            .map_err(|e| Error::polars("<memory>", "import", e))?;
        // Polars normalises e.g. a tz of "+00:00"; keep the dtype the schema promised.
        let expected = pl_schema
            .get(field.name().as_str())
            .cloned()
            .unwrap_or_else(|| series.dtype().clone());
        if series.dtype() != &expected {
            series = series
                .cast(&expected)
                .map_err(|e| Error::polars("<memory>", "import", e))?;
        }
        columns.push(series.into_column());
    }
    let height = batches.iter().map(RecordBatch::num_rows).sum();
    DataFrame::new(height, columns).map_err(|e| Error::polars("<memory>", "import", e))
}
