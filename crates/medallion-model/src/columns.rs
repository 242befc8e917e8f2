//! Column-name constants that carry their documentation at run time.
//!
//! A metric crate declares its output columns once, with a doc comment each, through
//! [`documented_columns!`](crate::documented_columns): the constants read as usual in
//! code and rustdoc, and the module also gets `COLUMN_DOCS`, the (column, documentation)
//! pairs that a writer stores as Delta column comments — so catalogs and BI tools show
//! the same text as the rustdoc, written once.

/// Declares `pub const NAME: &str = "name";` for each `NAME = "name";` entry, with the
/// entry's doc comment, plus `pub const COLUMN_DOCS: &[(&str, &str)]`: every column name
/// with its doc comment (lines joined by newlines; see [`comment_text`]).
///
/// ```
/// mod columns {
///     medallion_model::documented_columns! {
///         /// Patients of the group alive on the as-of date.
///         POPULATION = "population";
///         /// Patients with the condition
///         /// on the as-of date.
///         ACTIVE_PATIENTS = "active_patients";
///     }
/// }
/// assert_eq!(columns::POPULATION, "population");
/// let (name, doc) = columns::COLUMN_DOCS[1];
/// assert_eq!(name, "active_patients");
/// assert_eq!(
///     medallion_model::columns::comment_text(doc),
///     "Patients with the condition on the as-of date."
/// );
/// ```
#[macro_export]
macro_rules! documented_columns {
    ($( $(#[doc = $doc:literal])+ $name:ident = $value:literal; )*) => {
        $( $(#[doc = $doc])+ pub const $name: &str = $value; )*
        /// Every column declared in this module with its documentation, for Delta column
        /// comments (see `medallion_model::columns`).
        pub const COLUMN_DOCS: &[(&str, &str)] = &[ $( ($value, concat!($($doc, "\n"),+)) ),* ];
    };
}

/// A doc comment as one line of plain text: lines joined by single spaces, Markdown code
/// ticks and link brackets removed.
pub fn comment_text(doc: &str) -> String {
    doc.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['`', '[', ']'], "")
}

/// The comment of `column` from the first of `docs` lists that documents it.
pub fn comment_for(column: &str, docs: &[&[(&str, &str)]]) -> Option<String> {
    docs.iter()
        .flat_map(|list| list.iter())
        .find(|(name, _)| *name == column)
        .map(|(_, doc)| comment_text(doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_list_that_documents_a_column_wins() {
        let specific: &[(&str, &str)] = &[("rate", " Readmissions per stay.\n")];
        let general: &[(&str, &str)] = &[("rate", " A rate.\n"), ("n", " A `count`.\n")];
        assert_eq!(
            comment_for("rate", &[specific, general]).as_deref(),
            Some("Readmissions per stay.")
        );
        assert_eq!(
            comment_for("n", &[specific, general]).as_deref(),
            Some("A count.")
        );
        assert_eq!(comment_for("other", &[specific, general]), None);
    }
}
