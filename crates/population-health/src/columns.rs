//! Column names of this crate's gold output. Silver columns are read through
//! `synthea_schema::columns`, the silver column contract.

medallion_model::documented_columns! {
    /// Age in full years on the as-of date (`Int32`).
    AGE_YEARS = "age_years";
    /// Age band label on the as-of date, e.g. `18-34` (`String`).
    AGE_BAND = "age_band";
    /// Grouping dimension: `overall`, `gender`, `race`, `ethnicity` or `age_band`.
    DIMENSION = "dimension";
    /// Value of the grouping dimension (`all` for `overall`, `unknown` when null).
    GROUP_VALUE = "group_value";
    /// Patients of the group alive on the as-of date: the denominator.
    POPULATION = "population";
    /// Patients with the condition active on the as-of date.
    ACTIVE_PATIENTS = "active_patients";
    /// Patients with the condition diagnosed on or before the as-of date.
    EVER_PATIENTS = "ever_patients";
    /// `active_patients` per 1,000 of `population`.
    ACTIVE_PER_1000 = "active_per_1000";
    /// `ever_patients` per 1,000 of `population`.
    EVER_PER_1000 = "ever_per_1000";
    /// `active_patients` is a small cell and was suppressed.
    ACTIVE_SUPPRESSED_FLAG = "active_suppressed_flag";
    /// `ever_patients` is a small cell and was suppressed.
    EVER_SUPPRESSED_FLAG = "ever_suppressed_flag";
    /// 1-based rank of a condition within its age band.
    RANK = "rank";
    /// Configured name of a measure or condition of interest.
    MEASURE = "measure";
    /// Expected unit of a measure.
    UNIT = "unit";
    /// Patients whose latest value is in the expected unit (and counted in mean/median).
    MEASURED_PATIENTS = "measured_patients";
    /// Patients whose latest value is in another unit (flagged, not averaged).
    WRONG_UNIT_PATIENTS = "wrong_unit_patients";
    /// Mean of the latest values.
    MEAN_VALUE = "mean_value";
    /// Median of the latest values.
    MEDIAN_VALUE = "median_value";
    /// Condition of interest (value set name).
    CONDITION = "condition";
    /// Calendar date.
    DATE = "date";
    /// `yyyymmdd` key of `date` (joins `dim_date`).
    DATE_KEY = "date_key";
    /// Monday of an ISO week.
    WEEK_START = "week_start";
    /// Days of the week inside the surveillance period (7 except at its ends).
    DAYS_IN_PERIOD = "days_in_period";
    /// New cases.
    NEW_CASES = "new_cases";
    /// Mean of `new_cases` over the 7 days ending on `date`.
    NEW_CASES_7D_AVG = "new_cases_7d_avg";
    /// Mean of `new_cases` over the 28 days ending on `date`.
    NEW_CASES_28D_AVG = "new_cases_28d_avg";
    /// Mean of `new_cases` over the 4 weeks ending with `week_start`'s week.
    NEW_CASES_4W_AVG = "new_cases_4w_avg";
    /// New cases per 100,000 population.
    INCIDENCE_PER_100K = "incidence_per_100k";
    /// First day of a calendar month.
    MONTH = "month";
    /// Results in the expected unit.
    RESULTS = "results";
    /// Results below the reference range.
    BELOW_RANGE = "below_range";
    /// Results above the reference range.
    ABOVE_RANGE = "above_range";
    /// Results in a unit other than the range's (flagged, not classified).
    WRONG_UNIT_RESULTS = "wrong_unit_results";
    /// (below + above) / results.
    SHARE_ABNORMAL = "share_abnormal";
}
