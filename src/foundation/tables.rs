//! The names of the tables that SQL creates and Rust reads: the contract between sql/
//! and src/. A table only SQL touches needs no name here.

/// The clean tables (sql/etl), in the order they are documented and exported as
/// `output/data/<table>.parquet`.
pub const CLEAN: &[&str] = &[
    MOVIES,
    "movie_genres",
    "movie_companies",
    "movie_countries",
    "movie_languages",
    "collections",
    "cast",
    "crew",
    "keywords",
    "links",
    RATINGS,
];
pub const MOVIES: &str = "movies";
pub const RATINGS: &str = "ratings";

/// Row accounting: every source's outcomes in one view (made from the load registry),
/// and sql/etl/accounting.sql's counts and rejected records over it.
pub const ROW_OUTCOMES: &str = "row_outcomes";
pub const OUTCOME_COUNTS: &str = "outcome_counts";
pub const REJECTS: &str = "rejects";

/// The recommend stage: its input (sql/recommend) and its output, also exported.
pub const RECOMMEND_DOCUMENTS: &str = "recommend_documents";
pub const MOVIE_RATINGS: &str = "movie_ratings";
pub const RECOMMENDATIONS: &str = "recommendations";

/// Page tables (sql/render), each dropped once its pages are written.
pub const PAGED_PEOPLE: &str = "paged_people";
pub const PAGE_COLLECTIONS: &str = "page_collections";
pub const PAGE_MOVIES: &str = "page_movies";
pub const PAGE_PEOPLE: &str = "page_people";
pub const PERSON_CREDITS: &str = "person_credits";
pub const PAGE_BROWSE: &str = "page_browse";
pub const FACET_MEMBERS: &str = "facet_members";
pub const SEARCH_MOVIES: &str = "search_movies";
pub const SEARCH_PEOPLE: &str = "search_people";
pub const SEARCH_COLLECTIONS: &str = "search_collections";
pub const REPORT_COLUMNS: &str = "report_columns";
pub const REPORT_HISTOGRAMS: &str = "report_histograms";
pub const REPORT_CORRELATIONS: &str = "report_correlations";
pub const REPORT_OUTLIERS: &str = "report_outliers";
pub const REPORT_TOP: &str = "report_top";
pub const REPORT_SCATTER: &str = "report_scatter";
pub const REPORT_CORRELATION_PAIRS: &str = "report_correlation_pairs";
pub const DICTIONARY_COLUMNS: &str = "dictionary_columns";

/// The answer table of a question: `q_<name>` (`sql/queries/<name>.sql`).
pub fn answers(question: &str) -> String {
    format!("q_{question}")
}
