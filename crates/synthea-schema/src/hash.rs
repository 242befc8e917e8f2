//! Stable hashing for surrogate keys and SCD2 row hashes.
//!
//! Polars' own `hash` uses ahash, whose output depends on the CPU features of the
//! machine, so keys would differ between hosts. This module implements a fixed 64-bit
//! hash instead: FNV-1a over a length-prefixed encoding of the key parts, followed by
//! the SplitMix64 finalizer for avalanche. The result depends only on the parts' values:
//!
//! * strings: their UTF-8 bytes;
//! * dates / datetimes / durations: their physical integer (days since epoch, µs…)
//!   written as decimal text;
//! * other types: Polars' `String` cast (e.g. `42`, `1.5`, `true`);
//! * null: a distinct marker (so `null` ≠ `""`), and each part is length-prefixed (so
//!   `("ab","c")` ≠ `("a","bc")`).
//!
//! Keys are `Int64` (the bit pattern of the `u64` hash) because Delta Lake has no
//! unsigned integers. With 64 bits, the probability of any collision among 10⁸ keys is
//! about 3·10⁻⁴.

use polars::prelude::*;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv_bytes(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

fn finalize(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The stable hash of a sequence of optional text parts (the same function the
/// [`stable_hash`] expression applies per row).
pub fn stable_hash_parts(parts: &[Option<&str>]) -> i64 {
    let mut h = FNV_OFFSET;
    for p in parts {
        match p {
            None => h = fnv_bytes(h, &[0]),
            Some(s) => {
                h = fnv_bytes(h, &[1]);
                h = fnv_bytes(h, &(s.len() as u64).to_le_bytes());
                h = fnv_bytes(h, s.as_bytes());
            }
        }
    }
    i64::from_ne_bytes(finalize(h).to_ne_bytes())
}

fn as_text(s: &Series) -> PolarsResult<Series> {
    let s = if s.dtype().is_temporal() {
        s.to_physical_repr().into_owned()
    } else {
        s.clone()
    };
    s.cast(&DataType::String)
}

fn hash_struct(c: Column) -> PolarsResult<Column> {
    let name = c.name().clone();
    let ca = c.struct_()?;
    let fields: Vec<Series> = ca
        .fields_as_series()
        .iter()
        .map(as_text)
        .collect::<PolarsResult<_>>()?;
    let texts: Vec<&StringChunked> = fields
        .iter()
        .map(|s| s.str())
        .collect::<PolarsResult<_>>()?;
    let mut parts: Vec<Option<&str>> = Vec::with_capacity(texts.len());
    let mut out = Vec::with_capacity(ca.len());
    for i in 0..ca.len() {
        parts.clear();
        parts.extend(texts.iter().map(|t| t.get(i)));
        out.push(stable_hash_parts(&parts));
    }
    Ok(Int64Chunked::from_vec(name, out).into_column())
}

/// Expression computing the stable `Int64` hash of `parts` per row (never null).
///
/// # Panics
/// Never for a non-empty `parts`; with an empty slice the hash of the empty sequence is
/// returned as a literal.
pub fn stable_hash(parts: Vec<Expr>) -> Expr {
    if parts.is_empty() {
        return lit(stable_hash_parts(&[]));
    }
    as_struct(parts).map(hash_struct, |_, f| {
        Ok(Field::new(f.name().clone(), DataType::Int64))
    })
}

/// Stable hash of the named columns (e.g. a business key or tracked attributes).
pub fn stable_hash_columns(columns: &[&str]) -> Expr {
    stable_hash(columns.iter().map(|c| col(*c)).collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn stable_hash_is_a_fixed_function() {
        // Golden values: changing them breaks every stored surrogate key.
        assert_eq!(stable_hash_parts(&[Some("abc")]), GOLDEN_ABC);
        assert_eq!(stable_hash_parts(&[]), GOLDEN_EMPTY);
    }

    const GOLDEN_ABC: i64 = -2_594_948_081_195_863_228;
    const GOLDEN_EMPTY: i64 = -780_787_492_076_525_413;

    #[test]
    fn stable_hash_separates_parts_and_nulls() {
        let ab_c = stable_hash_parts(&[Some("ab"), Some("c")]);
        let a_bc = stable_hash_parts(&[Some("a"), Some("bc")]);
        assert_ne!(ab_c, a_bc);
        assert_ne!(stable_hash_parts(&[None]), stable_hash_parts(&[Some("")]));
        assert_ne!(
            stable_hash_parts(&[Some("x"), None]),
            stable_hash_parts(&[None, Some("x")])
        );
    }

    #[test]
    fn stable_hash_expr_matches_the_scalar_function() {
        let df = df!(
            "a" => [Some("p1"), None, Some("p1")],
            "b" => [Some(1i64), Some(2), Some(1)],
        )
        .unwrap();
        let out = df
            .lazy()
            .select([stable_hash_columns(&["a", "b"]).alias("k")])
            .collect()
            .unwrap();
        let k = out.column("k").unwrap().i64().unwrap();
        assert_eq!(k.get(0), Some(stable_hash_parts(&[Some("p1"), Some("1")])));
        assert_eq!(k.get(1), Some(stable_hash_parts(&[None, Some("2")])));
        assert_eq!(k.get(0), k.get(2));
    }
}
