//! The recommender's documents: one per movie, its text weighted by repetition.

use datafusion::arrow::array::{Array, AsArray, Float64Array, Int64Array, ListArray, RecordBatch, StringArray};
use datafusion::arrow::datatypes::Float64Type;

use crate::foundation::cells::{int_at, json_value, sort_list};
use crate::foundation::published::normalize::normalize_key;
use crate::settings::Weights;

/// The recommender's view of one movie.
#[derive(Debug, Clone, Default)]
pub struct MovieDoc {
    pub id: i64,
    pub popularity: f64,
    pub overview: Option<String>,
    pub tagline: Option<String>,
    pub collection: Option<String>,
    pub genres: Vec<String>,
    pub directors: Vec<String>,
    pub cast: Vec<String>,
    pub keywords: Vec<String>,
    pub release_year: Option<i64>,
    /// Minutes.
    pub runtime: Option<f64>,
    /// TMDB's votes (not MovieLens ratings): known for every movie.
    pub vote_count: f64,
    pub vote_average: f64,
}

/// A name as one token: `genre_science_fiction`, `cast_jose_nunez`.
fn tag(kind: &str, name: &str) -> String {
    let key: String = normalize_key(name).chars().map(|c| if c.is_alphanumeric() { c } else { '_' }).collect();
    format!("{kind}_{key}")
}

fn repeat_into(out: &mut String, piece: &str, times: usize) {
    for _ in 0..times {
        out.push_str(piece);
        out.push(' ');
    }
}

/// The weighted text of a movie's document.
pub fn document_text(doc: &MovieDoc, w: &Weights) -> String {
    let mut out = String::new();
    if let Some(text) = &doc.overview {
        repeat_into(&mut out, text, w.overview);
    }
    if let Some(text) = &doc.tagline {
        repeat_into(&mut out, text, w.tagline);
    }
    if let Some(name) = &doc.collection {
        repeat_into(&mut out, &tag("collection", name), w.collection);
    }
    for name in &doc.genres {
        repeat_into(&mut out, &tag("genre", name), w.genre);
    }
    for name in &doc.directors {
        repeat_into(&mut out, &tag("director", name), w.director);
    }
    let mut top_billed: Vec<&String> = Vec::new();
    for name in &doc.cast {
        if top_billed.len() < w.top_cast && !top_billed.contains(&name) {
            top_billed.push(name);
        }
    }
    for name in top_billed {
        repeat_into(&mut out, &tag("cast", name), w.actor);
    }
    for name in &doc.keywords {
        repeat_into(&mut out, &tag("keyword", name), w.keyword);
    }
    out
}

/// English stop words: function words that would otherwise link every overview.
pub const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "almost",
    "along",
    "already",
    "also",
    "although",
    "always",
    "am",
    "among",
    "an",
    "and",
    "another",
    "any",
    "anyone",
    "anything",
    "are",
    "around",
    "as",
    "at",
    "be",
    "became",
    "because",
    "become",
    "becomes",
    "been",
    "before",
    "behind",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "cannot",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "either",
    "else",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "get",
    "gets",
    "getting",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "last",
    "least",
    "less",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "neither",
    "never",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "often",
    "on",
    "once",
    "one",
    "only",
    "onto",
    "or",
    "other",
    "others",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "per",
    "rather",
    "same",
    "she",
    "should",
    "since",
    "so",
    "some",
    "something",
    "soon",
    "still",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "thus",
    "to",
    "together",
    "too",
    "toward",
    "towards",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "via",
    "was",
    "we",
    "well",
    "were",
    "what",
    "whatever",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whoever",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "s",
    "t",
    "don",
    "ll",
    "re",
    "ve",
    "isn",
    "aren",
    "wasn",
    "weren",
    "won",
    "didn",
    "doesn",
];

/// A floating-point cell, if it is one and finite.
fn float(array: &dyn Array, row: usize) -> Option<f64> {
    let values = array.as_primitive_opt::<Float64Type>()?;
    (!values.is_null(row)).then(|| values.value(row)).filter(|v| v.is_finite())
}

/// Reads `recommend_documents` (sql/recommend/documents.sql) into documents.
pub fn read_documents(batches: &[RecordBatch]) -> Vec<MovieDoc> {
    let mut docs = Vec::new();
    for batch in batches {
        let col = |name: &str| batch.column_by_name(name).unwrap_or_else(|| panic!("recommend_documents.{name}"));
        let ids = col("id").as_any().downcast_ref::<Int64Array>().expect("id is BIGINT");
        let popularity: &Float64Array = col("popularity").as_primitive::<Float64Type>();
        let text = |name: &str, row: usize| -> Option<String> {
            let a: &StringArray = col(name).as_string::<i32>();
            (!a.is_null(row)).then(|| a.value(row).to_string())
        };
        // array_agg keeps no order: plain lists are sorted, the cast by billing.
        let list = |name: &str, row: usize| -> Vec<String> {
            let a: &ListArray = col(name).as_list::<i32>();
            if a.is_null(row) {
                return vec![];
            }
            let items = a.value(row);
            let items = items.as_string::<i32>();
            let mut names: Vec<String> = items.iter().flatten().map(str::to_owned).collect();
            names.sort();
            names
        };
        let cast = |row: usize| -> Vec<String> {
            let mut members = json_value(col("cast_members").as_ref(), row);
            sort_list(&mut members, &["order", "person_id", "name"]);
            members.as_array().map(|m| m.iter().filter_map(|c| c["name"].as_str().map(str::to_owned)).collect()).unwrap_or_default()
        };
        for row in 0..batch.num_rows() {
            docs.push(MovieDoc {
                id: ids.value(row),
                popularity: popularity.value(row),
                overview: text("overview", row),
                tagline: text("tagline", row),
                collection: text("collection_name", row),
                genres: list("genres", row),
                directors: list("directors", row),
                cast: cast(row),
                keywords: list("keywords", row),
                release_year: int_at(col("release_year").as_ref(), row),
                runtime: float(col("runtime").as_ref(), row),
                vote_count: int_at(col("vote_count").as_ref(), row).unwrap_or(0) as f64,
                vote_average: float(col("vote_average").as_ref(), row).unwrap_or(0.0),
            });
        }
    }
    docs
}
