//! Column names: the silver columns this crate reads that `synthea_schema::columns` does
//! not list yet, and the gold output columns of this crate. Every other silver column is
//! read through `synthea_schema::columns`.

/// Silver columns read here that `synthea_schema::columns` does not name yet (each is
/// checked against `synthea_schema::normalize::silver_schema` by a test).
pub mod silver {
    /// Silver `patients.race` (`String`, lower case, e.g. `white`).
    pub const RACE: &str = "race";
    /// Silver `patients.ethnicity` (`String`, e.g. `nonhispanic`).
    pub const ETHNICITY: &str = "ethnicity";
    /// Silver `observations.units` (`String`, e.g. `kg/m2`).
    pub const UNITS: &str = "units";
    /// Silver `observations.occurred_date`: calendar date of `occurred_at` (`Date`).
    pub const OCCURRED_DATE: &str = "occurred_date";
}

/// Age in full years on the as-of date (`Int32`).
pub const AGE_YEARS: &str = "age_years";
/// Age band label on the as-of date, e.g. `18-34` (`String`).
pub const AGE_BAND: &str = "age_band";
/// Grouping dimension: `overall`, `gender`, `race`, `ethnicity` or `age_band`.
pub const DIMENSION: &str = "dimension";
/// Value of the grouping dimension (`all` for `overall`, `unknown` when null).
pub const GROUP_VALUE: &str = "group_value";
/// Patients of the group alive on the as-of date: the denominator.
pub const POPULATION: &str = "population";
/// Patients with the condition active on the as-of date.
pub const ACTIVE_PATIENTS: &str = "active_patients";
/// Patients with the condition diagnosed on or before the as-of date.
pub const EVER_PATIENTS: &str = "ever_patients";
/// `active_patients` per 1,000 of `population`.
pub const ACTIVE_PER_1000: &str = "active_per_1000";
/// `ever_patients` per 1,000 of `population`.
pub const EVER_PER_1000: &str = "ever_per_1000";
/// `active_patients` is a small cell and was suppressed.
pub const ACTIVE_SUPPRESSED_FLAG: &str = "active_suppressed_flag";
/// `ever_patients` is a small cell and was suppressed.
pub const EVER_SUPPRESSED_FLAG: &str = "ever_suppressed_flag";
/// 1-based rank of a condition within its age band.
pub const RANK: &str = "rank";
/// Configured name of a measure or condition of interest.
pub const MEASURE: &str = "measure";
/// Expected unit of a measure.
pub const UNIT: &str = "unit";
/// Patients whose latest value is in the expected unit (and counted in mean/median).
pub const MEASURED_PATIENTS: &str = "measured_patients";
/// Patients whose latest value is in another unit (flagged, not averaged).
pub const WRONG_UNIT_PATIENTS: &str = "wrong_unit_patients";
/// Mean of the latest values.
pub const MEAN_VALUE: &str = "mean_value";
/// Median of the latest values.
pub const MEDIAN_VALUE: &str = "median_value";
/// Condition of interest (value set name).
pub const CONDITION: &str = "condition";
/// Calendar date.
pub const DATE: &str = "date";
/// `yyyymmdd` key of `date` (joins `dim_date`).
pub const DATE_KEY: &str = "date_key";
/// Monday of an ISO week.
pub const WEEK_START: &str = "week_start";
/// Days of the week inside the surveillance period (7 except at its ends).
pub const DAYS_IN_PERIOD: &str = "days_in_period";
/// New cases.
pub const NEW_CASES: &str = "new_cases";
/// Mean of `new_cases` over the 7 days ending on `date`.
pub const NEW_CASES_7D_AVG: &str = "new_cases_7d_avg";
/// Mean of `new_cases` over the 28 days ending on `date`.
pub const NEW_CASES_28D_AVG: &str = "new_cases_28d_avg";
/// Mean of `new_cases` over the 4 weeks ending with `week_start`'s week.
pub const NEW_CASES_4W_AVG: &str = "new_cases_4w_avg";
/// New cases per 100,000 population.
pub const INCIDENCE_PER_100K: &str = "incidence_per_100k";
/// First day of a calendar month.
pub const MONTH: &str = "month";
/// Results in the expected unit.
pub const RESULTS: &str = "results";
/// Results below the reference range.
pub const BELOW_RANGE: &str = "below_range";
/// Results above the reference range.
pub const ABOVE_RANGE: &str = "above_range";
/// Results in a unit other than the range's (flagged, not classified).
pub const WRONG_UNIT_RESULTS: &str = "wrong_unit_results";
/// (below + above) / results.
pub const SHARE_ABNORMAL: &str = "share_abnormal";

#[cfg(test)]
mod tests {
    use synthea_schema::TableKind;
    use synthea_schema::normalize::silver_schema;

    #[test]
    fn silver_constants_are_columns_of_their_silver_tables() {
        let patients = silver_schema(TableKind::Patients);
        let observations = silver_schema(TableKind::Observations);
        assert!(patients.contains(super::silver::RACE));
        assert!(patients.contains(super::silver::ETHNICITY));
        assert!(observations.contains(super::silver::UNITS));
        assert!(observations.contains(super::silver::OCCURRED_DATE));
    }
}
