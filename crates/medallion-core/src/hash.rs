//! Deterministic row hashes for change detection and surrogate keys.
//!
//! Keys must be the same in every run, process and machine, so this does not use
//! Polars' (seeded, version-dependent) hashing or row numbers: each value is rendered
//! as text, joined with a separator that cannot occur in the rendering, and hashed with
//! 64-bit FNV-1a. Collisions are possible in principle (≈ 3·10⁻⁶ for ten million
//! distinct keys) and are documented where keys are built.

use polars::prelude::*;

/// Separator between values (ASCII unit separator).
const SEPARATOR: &str = "\u{1f}";
/// Stand-in for null, so `(null, "a")` and `("", "a")` hash differently.
const NULL_MARKER: &str = "\u{0}";

/// 64-bit FNV-1a of `bytes`.
pub fn fnv1a_64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// An `Int64` expression hashing the given columns deterministically.
///
/// Null-safe and order-sensitive: `[a, b]` and `[b, a]` hash differently. The `u64`
/// hash is stored bit-for-bit as `Int64` because Delta has no unsigned type.
///
/// ```
/// use medallion_core::hash::stable_hash;
/// use polars::prelude::*;
///
/// let df = df!("a" => [Some("x"), None], "b" => [1i64, 1])?;
/// let hashed = df.lazy().select([stable_hash(&[col("a"), col("b")]).alias("h")]).collect()?;
/// let h = hashed.column("h")?.i64()?;
/// assert_ne!(h.get(0), h.get(1));
/// # Ok::<(), PolarsError>(())
/// ```
pub fn stable_hash(columns: &[Expr]) -> Expr {
    let parts: Vec<Expr> = columns
        .iter()
        .map(|c| c.clone().cast(DataType::String).fill_null(lit(NULL_MARKER)))
        .collect();
    concat_str(parts, SEPARATOR, false).map(
        |column| {
            let strings = column.str()?;
            let hashed: Int64Chunked = strings
                .iter()
                .map(|v| v.map(|s| fnv1a_64(s.as_bytes()) as i64))
                .collect();
            Ok(hashed.with_name(column.name().clone()).into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::Int64)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a_64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn null_and_empty_string_hash_differently() {
        let df = df!("a" => [None, Some("")]).unwrap();
        let out = df
            .lazy()
            .select([stable_hash(&[col("a")]).alias("h")])
            .collect()
            .unwrap();
        let h = out.column("h").unwrap().i64().unwrap();
        assert_ne!(h.get(0), h.get(1));
    }

    #[test]
    fn column_order_matters() {
        let df = df!("a" => ["x"], "b" => ["y"]).unwrap();
        let out = df
            .lazy()
            .select([
                stable_hash(&[col("a"), col("b")]).alias("ab"),
                stable_hash(&[col("b"), col("a")]).alias("ba"),
            ])
            .collect()
            .unwrap();
        assert_ne!(
            out.column("ab").unwrap().i64().unwrap().get(0),
            out.column("ba").unwrap().i64().unwrap().get(0)
        );
    }
}
