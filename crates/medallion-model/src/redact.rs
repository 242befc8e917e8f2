//! Redaction: how messages refer to data values without disclosing them.
//!
//! Landed files hold patient data (names, SSNs, addresses, birth dates). Error messages,
//! logs, progress output and run reports name the **file, line, column and kind** of a
//! problem; when a glimpse of the offending value helps, they show at most
//! [`redacted_excerpt`] of it: its shape (letters become `x`/`X`, digits `9`, other
//! characters stay) and length, cut to a few characters. `"123-45-6789"` becomes
//! `"999-99-9999"`, `"Jane Doe"` becomes `"Xxxx Xxx"`: enough to see a stray quote, a
//! missing separator or a value in the wrong column, never enough to identify anyone.
//!
//! ```
//! use medallion_model::redact::{redacted_excerpt, DEFAULT_EXCERPT_CHARS};
//!
//! assert_eq!(redacted_excerpt("123-45-6789", DEFAULT_EXCERPT_CHARS), "999-99-9999");
//! assert_eq!(redacted_excerpt("Jane \"Doe", 16), "Xxxx \"Xxx");
//! assert_eq!(redacted_excerpt("Müller, Anna Maria, 12 Elm Street", 7), "Xxxxxx, … (33 chars)");
//! ```

/// How many characters of a value [`redacted_excerpt`] keeps by default.
pub const DEFAULT_EXCERPT_CHARS: usize = 16;

/// The shape of `value`: upper-case letters become `X`, other letters `x`, digits `9`;
/// punctuation, quotes and white space stay (control characters become `?`). At most
/// `max_chars` characters are kept; a longer value ends in `… (N chars)`.
pub fn redacted_excerpt(value: &str, max_chars: usize) -> String {
    let total = value.chars().count();
    let mut out: String = value.chars().take(max_chars).map(mask).collect();
    if total > max_chars {
        out.push_str(&format!(" … ({total} chars)"));
    }
    out
}

fn mask(c: char) -> char {
    if c.is_uppercase() {
        'X'
    } else if c.is_alphabetic() {
        'x'
    } else if c.is_numeric() {
        '9'
    } else if c.is_control() {
        '?'
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_digits_are_masked() {
        assert_eq!(redacted_excerpt("999-12-3456 Anna", 40), "999-99-9999 Xxxx");
    }

    #[test]
    fn long_values_are_cut_and_their_length_is_told() {
        assert_eq!(redacted_excerpt("abcdefgh", 3), "xxx … (8 chars)");
    }

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(redacted_excerpt("a\nb\u{0}", 10), "x?x?");
    }

    #[test]
    fn non_ascii_letters_are_masked() {
        assert_eq!(redacted_excerpt("Ωmega ñ ٣", 10), "Xxxxx x 9");
    }
}
