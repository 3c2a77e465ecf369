//! The registry of input files. A source owns everything about one kind of file:
//! its names, its columns, how it is read, the sql/etl scripts that clean it, the
//! table where each of its records gets an outcome (for the row accounting), and how
//! `marquee scale` copies its records. Adding an input is one entry here plus its
//! ETL script.

use crate::foundation::engine::scripts::Script;
use crate::sql;

/// One kind of input file.
#[derive(Debug)]
pub struct Source {
    /// Table name the raw rows are registered under (`raw_<table>`), and the source's
    /// name in the manifest and rejects.csv.
    pub table: &'static str,
    /// Accepted file stems, in order of preference.
    pub stems: &'static [&'static str],
    /// What happens when files of several stems are present: the first wins and the
    /// others are ignored (and named in the manifest), or the build stops because which
    /// one was meant cannot be guessed.
    pub alternatives: Alternatives,
    pub columns: &'static [&'static str],
    pub required: bool,
    /// Whether a record split in two (fewer fields, then the rest) is re-joined.
    pub rejoin_split_records: bool,
    /// For a source whose columns are all numbers, what each one is: its records with
    /// every field a plain number go to `raw_<table>_numbers` typed (about 20 bytes a
    /// row, where text takes 65: the full MovieLens ratings have 26 million rows), the
    /// rest to `raw_<table>` as text. Empty: every record as text.
    pub numbers: &'static [Number],
    /// The sql/etl scripts that turn `raw_<table>` into clean tables.
    pub etl: &'static [Script],
    /// The table those scripts leave with one row per record: line, records, id_text,
    /// outcome ('kept', 'duplicate' or 'rejected') and rejection {reason, detail}; or,
    /// with a `rows` column, one row per several records of the same outcome.
    pub outcomes: &'static str,
    /// Whether a rebuild may take this source's ETL results (the tables its scripts
    /// leave, outcomes included) from the cache instead of loading and cleaning the file
    /// again, when the program, the file and the kept movie ids are unchanged (see
    /// `stages::etl::reuse`). Only for a source whose scripts read nothing but its own
    /// raw tables and the ids of `movies`: a test and the reuse itself check that.
    pub reuse_etl: bool,
    /// How `marquee scale` makes its copies.
    pub copies: Copies,
}

/// Several files for one source, of different stems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alternatives {
    /// An error: the files are different exports of the same thing.
    Ambiguous,
    /// The first stem present wins: a bigger version of the same data (the full
    /// MovieLens `ratings.csv` over its `ratings_small.csv` sample).
    FirstWins,
}

/// The type of a number column read typed (see [`Source::numbers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Number {
    /// An integer written plainly (no sign but a leading minus, no leading zeros) that
    /// fits 32 bits: Arrow `Int32`.
    Integer,
    /// A decimal written `digits.digit` whose value a 32-bit float holds exactly (half
    /// stars do): Arrow `Float32`, which SQL widens to the same double as the text.
    Decimal,
}

/// How `marquee scale` makes the extra copies of a source's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copies {
    /// A new movie per copy: id shifted, titles, overview and collection varied.
    Movie,
    /// Credits for the copied movie (id shifted), with the cast and crew of another
    /// record, so name frequencies keep their distribution.
    CreditsFromDonor,
    /// These id columns shifted; a record whose first one is not a number is not copied.
    KeyedBy(&'static [&'static str]),
    /// These id columns shifted where they are numbers.
    Ids(&'static [&'static str]),
}

pub const MOVIE_COLUMNS: &[&str] = &[
    "adult",
    "belongs_to_collection",
    "budget",
    "genres",
    "homepage",
    "id",
    "imdb_id",
    "original_language",
    "original_title",
    "overview",
    "popularity",
    "poster_path",
    "production_companies",
    "production_countries",
    "release_date",
    "revenue",
    "runtime",
    "spoken_languages",
    "status",
    "tagline",
    "title",
    "video",
    "vote_average",
    "vote_count",
];

pub static SOURCES: &[Source] = &[
    Source {
        table: "movies",
        stems: &["movies_metadata", "movies_dataset"],
        alternatives: Alternatives::Ambiguous,
        columns: MOVIE_COLUMNS,
        required: true,
        rejoin_split_records: true,
        numbers: &[],
        etl: &[sql!("etl/movies.sql"), sql!("etl/movie_lists.sql")],
        outcomes: "movie_outcomes",
        reuse_etl: false,
        copies: Copies::Movie,
    },
    Source {
        table: "credits",
        stems: &["credits"],
        alternatives: Alternatives::Ambiguous,
        columns: &["cast", "crew", "id"],
        required: true,
        rejoin_split_records: false,
        numbers: &[],
        etl: &[sql!("etl/credits.sql")],
        outcomes: "credit_outcomes",
        reuse_etl: true,
        copies: Copies::CreditsFromDonor,
    },
    Source {
        table: "keywords",
        stems: &["keywords"],
        alternatives: Alternatives::Ambiguous,
        columns: &["id", "keywords"],
        required: false,
        rejoin_split_records: false,
        numbers: &[],
        etl: &[sql!("etl/keywords.sql")],
        outcomes: "keyword_outcomes",
        reuse_etl: true,
        copies: Copies::KeyedBy(&["id"]),
    },
    Source {
        table: "links",
        stems: &["links"],
        alternatives: Alternatives::Ambiguous,
        columns: &["movieId", "imdbId", "tmdbId"],
        required: false,
        rejoin_split_records: false,
        numbers: &[],
        etl: &[sql!("etl/links.sql")],
        outcomes: "link_outcomes",
        reuse_etl: true,
        copies: Copies::Ids(&["movieId", "tmdbId"]),
    },
    Source {
        table: "ratings",
        // The full MovieLens ratings (26M rows) over the 100k sample when both are there.
        stems: &["ratings", "ratings_small"],
        alternatives: Alternatives::FirstWins,
        columns: &["userId", "movieId", "rating", "timestamp"],
        required: false,
        rejoin_split_records: false,
        numbers: &[Number::Integer, Number::Integer, Number::Decimal, Number::Integer],
        etl: &[sql!("etl/ratings.sql")],
        outcomes: "rating_outcomes",
        reuse_etl: false,
        copies: Copies::Ids(&["userId", "movieId"]),
    },
];
