//! Polars → arrow-rs → Polars must be lossless for every dtype the lakehouse uses.

use medallion_core::bridge::{
    StringFormat, dataframe_to_record_batches, polars_schema_to_arrow, record_batches_to_dataframe,
};
use polars::prelude::*;
use proptest::prelude::*;

fn roundtrip(df: &DataFrame, format: StringFormat) -> DataFrame {
    let batches = dataframe_to_record_batches(df, format).unwrap();
    let schema = batches[0].schema();
    record_batches_to_dataframe(&batches, &schema).unwrap()
}

fn assert_roundtrip(df: &DataFrame) {
    for format in [StringFormat::View, StringFormat::Large] {
        let back = roundtrip(df, format);
        assert_eq!(back.schema(), df.schema(), "schema changed ({format:?})");
        assert!(
            back.equals_missing(df),
            "data changed ({format:?}):\n{df}\n{back}"
        );
    }
}

fn int_column(values: &[Option<i64>], dtype: &DataType) -> Column {
    Series::new("c".into(), values)
        .cast(dtype)
        .unwrap()
        .into_column()
}

fn temporal_and_numeric_dtypes() -> Vec<DataType> {
    vec![
        DataType::Int8,
        DataType::Int16,
        DataType::Int32,
        DataType::Int64,
        DataType::UInt8,
        DataType::UInt16,
        DataType::UInt32,
        DataType::UInt64,
        DataType::Float32,
        DataType::Float64,
        DataType::Boolean,
        DataType::Date,
        DataType::Datetime(TimeUnit::Milliseconds, None),
        DataType::Datetime(TimeUnit::Microseconds, None),
        DataType::Datetime(TimeUnit::Nanoseconds, None),
        DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)),
        DataType::Datetime(
            TimeUnit::Nanoseconds,
            Some(unsafe { TimeZone::from_static("America/New_York") }),
        ),
        DataType::Duration(TimeUnit::Microseconds),
        DataType::Duration(TimeUnit::Nanoseconds),
        DataType::Time,
        DataType::Decimal(18, 2),
        DataType::Decimal(38, 0),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn numeric_and_temporal_columns_roundtrip(
        values in proptest::collection::vec(proptest::option::of(-100_000i64..100_000), 0..64)
    ) {
        for dtype in temporal_and_numeric_dtypes() {
            let df = DataFrame::new(values.len(), vec![int_column(&values, &dtype)]).unwrap();
            assert_roundtrip(&df);
        }
    }

    #[test]
    fn strings_and_binaries_roundtrip(
        values in proptest::collection::vec(proptest::option::of(".{0,40}"), 0..64)
    ) {
        let s = Series::new("s".into(), &values);
        let b = s.cast(&DataType::Binary).unwrap().with_name("b".into());
        let df = DataFrame::new(values.len(), vec![s.into_column(), b.into_column()]).unwrap();
        assert_roundtrip(&df);
    }

    #[test]
    fn lists_and_structs_roundtrip(
        rows in proptest::collection::vec(
            (proptest::option::of(proptest::collection::vec(-50i64..50, 0..5)), proptest::option::of("[a-z]{0,8}")),
            0..32,
        )
    ) {
        let lists: Vec<Option<Series>> = rows
            .iter()
            .map(|(l, _)| l.as_ref().map(|v| Series::new("".into(), v)))
            .collect();
        let list = Series::new("l".into(), lists)
            .cast(&DataType::List(Box::new(DataType::Int64)))
            .unwrap();
        let ints = Series::new("a".into(), rows.iter().map(|(l, _)| l.as_ref().map(|v| v.len() as i64)).collect::<Vec<_>>())
            .cast(&DataType::Int64)
            .unwrap();
        let strs = Series::new("b".into(), rows.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>())
            .cast(&DataType::String)
            .unwrap();
        let st = StructChunked::from_series("st".into(), rows.len(), [ints, strs].iter())
            .unwrap()
            .into_series();
        let df = DataFrame::new(rows.len(), vec![list.into_column(), st.into_column()]).unwrap();
        assert_roundtrip(&df);
    }

    #[test]
    fn multi_chunk_frames_become_one_batch_per_chunk(
        a in proptest::collection::vec(proptest::option::of(any::<i64>()), 1..20),
        b in proptest::collection::vec(proptest::option::of(any::<i64>()), 1..20),
    ) {
        let mut df = df!("x" => &a, "y" => a.iter().map(|v| v.map(|v| v.to_string())).collect::<Vec<_>>()).unwrap();
        let other = df!("x" => &b, "y" => b.iter().map(|v| v.map(|v| v.to_string())).collect::<Vec<_>>()).unwrap();
        df.vstack_mut_owned(other).unwrap();
        let batches = dataframe_to_record_batches(&df, StringFormat::View).unwrap();
        prop_assert_eq!(batches.len(), 2);
        prop_assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), a.len() + b.len());
        assert_roundtrip(&df);
    }
}

#[test]
fn all_null_and_empty_frames_roundtrip() {
    let df = DataFrame::new(
        3,
        vec![
            Column::full_null("n".into(), 3, &DataType::Null),
            Column::full_null("s".into(), 3, &DataType::String),
            Column::full_null("d".into(), 3, &DataType::Date),
        ],
    )
    .unwrap();
    assert_roundtrip(&df);
    let empty = df.head(Some(0));
    assert_roundtrip(&empty);
}

#[test]
fn categoricals_cross_as_strings() {
    let df = df!("c" => ["a", "b", "a"]).unwrap();
    let cat = df
        .clone()
        .lazy()
        .with_column(col("c").cast(DataType::from_categories(Categories::global())))
        .collect()
        .unwrap();
    let back = roundtrip(&cat, StringFormat::View);
    assert_eq!(back.column("c").unwrap().dtype(), &DataType::String);
    assert!(back.equals_missing(&df));
}

#[test]
fn string_format_picks_view_or_large_utf8() {
    let schema = Schema::from_iter([Field::new("s".into(), DataType::String)]);
    let view = polars_schema_to_arrow(&schema, StringFormat::View).unwrap();
    let large = polars_schema_to_arrow(&schema, StringFormat::Large).unwrap();
    assert_eq!(
        view.field(0).data_type(),
        &arrow::datatypes::DataType::Utf8View
    );
    assert_eq!(
        large.field(0).data_type(),
        &arrow::datatypes::DataType::LargeUtf8
    );
}

#[test]
fn export_is_zero_copy_for_primitive_buffers() {
    let df = df!("x" => (0..1000i64).collect::<Vec<_>>()).unwrap();
    let polars_ptr = df
        .column("x")
        .unwrap()
        .i64()
        .unwrap()
        .downcast_iter()
        .next()
        .unwrap()
        .values()
        .as_ptr();
    let batches = dataframe_to_record_batches(&df, StringFormat::View).unwrap();
    let arrow_ptr = batches[0].column(0).to_data().buffers()[0].as_ptr() as *const i64;
    assert_eq!(
        polars_ptr, arrow_ptr,
        "the bridge copied a primitive buffer"
    );
}

#[test]
fn nested_null_children_cross_as_all_null_booleans() {
    let list = Series::new("l".into(), [None::<Series>, None])
        .cast(&DataType::List(Box::new(DataType::Null)))
        .unwrap();
    let df = DataFrame::new(2, vec![list.into_column()]).unwrap();
    let back = roundtrip(&df, StringFormat::View);
    assert_eq!(
        back.column("l").unwrap().dtype(),
        &DataType::List(Box::new(DataType::Boolean))
    );
    assert_eq!(back.column("l").unwrap().null_count(), 2);
}
