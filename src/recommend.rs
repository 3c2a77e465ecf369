//! Recommend stage: exact top-5 cosine similarity over TF-IDF documents for every
//! movie, without ever holding an n x n matrix.
//!
//! linfa-preprocessing's CountVectorizer learns the vocabulary (stop words, document
//! frequency caps). Its transform allocates a dense vocabulary-sized row per document
//! (O(docs x vocabulary)) and its TF-IDF takes idf from whatever batch it is given, so
//! rows are counted here in parallel against that vocabulary, weighted with linfa's
//! smooth idf, L2-normalised, and checked against linfa's TfIdfVectorizer in the tests.
//! Similarities come from an inverted index: each row only meets the rows it shares a
//! term with, so the cost is the sum of squared document frequencies.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context, Result};
use datafusion::arrow::array::{Array, AsArray, Float64Array, Int64Array, ListArray, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use linfa_preprocessing::CountVectorizer;
use ndarray::Array1;
use rayon::prelude::*;
use regex::Regex;

use crate::normalize::normalize_key;

/// How much each part of a movie counts, as the number of times it is repeated in the
/// document (TF-IDF multiplies term frequency, so repetition is weight).
#[derive(Debug, Clone, Copy)]
pub struct Weights {
    pub overview: usize,
    pub tagline: usize,
    pub genre: usize,
    pub director: usize,
    /// Top-billed actors: the first `top_cast` names of the cast.
    pub actor: usize,
    pub top_cast: usize,
    pub collection: usize,
    pub keyword: usize,
}

pub const WEIGHTS: Weights = Weights { overview: 1, tagline: 1, genre: 2, director: 3, actor: 2, top_cast: 3, collection: 5, keyword: 2 };

/// Only genres: what most bootcamp projects do; `marquee eval` compares against it.
pub const GENRES_ONLY: Weights =
    Weights { overview: 0, tagline: 0, genre: 1, director: 0, actor: 0, top_cast: 0, collection: 0, keyword: 0 };

/// Vocabulary limits.
#[derive(Debug, Clone, Copy)]
pub struct Vocabulary {
    /// A term must appear in at least this many documents (a term in one document
    /// relates it to nothing).
    pub min_docs: usize,
    /// A term in more than this share of documents is dropped: it says little and
    /// costs the most (the top-k cost grows with the square of document frequency).
    pub max_df: f32,
    /// The same cap in documents, whatever the corpus size: with it the top-k cost
    /// grows about linearly with the number of movies instead of quadratically.
    pub max_docs: usize,
}

pub const VOCABULARY: Vocabulary = Vocabulary { min_docs: 2, max_df: 0.05, max_docs: 2500 };
pub const GENRES_ONLY_VOCABULARY: Vocabulary = Vocabulary { min_docs: 1, max_df: 1.0, max_docs: usize::MAX };

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

/// Sparse rows (CSR) with L2-normalised TF-IDF weights; columns in sorted-term order.
#[derive(Debug, Clone)]
pub struct SparseRows {
    pub n_cols: usize,
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
    pub vocabulary: Vec<String>,
}

impl SparseRows {
    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[a..b], &self.values[a..b])
    }
}

/// linfa's default token pattern: words of two or more word characters.
const TOKEN_PATTERN: &str = r"\b\w\w+\b";

fn count_vectorizer(texts: &[String], vocab: &Vocabulary) -> Result<CountVectorizer> {
    let n = texts.len().max(1) as f32;
    // linfa turns relative frequencies into counts by truncation; the half keeps
    // `min_docs` exact despite float rounding.
    let min_df = ((vocab.min_docs as f32 - 0.5) / n).clamp(0.0, 1.0);
    let max_df = vocab.max_df.min(vocab.max_docs as f32 / n).max(min_df);
    CountVectorizer::params()
        .normalize(false)
        .convert_to_lowercase(true)
        .document_frequency(min_df, max_df)
        .stopwords(STOP_WORDS)
        .fit(&Array1::from(texts.to_vec()))
        .context("learning the vocabulary")
}

/// Counts, weights and normalises every document against a linfa-learned vocabulary.
pub fn tfidf(texts: &[String], vocab: &Vocabulary) -> Result<SparseRows> {
    let pattern = Regex::new(TOKEN_PATTERN).expect("token pattern");
    let tokenized: Vec<Vec<String>> =
        texts.par_iter().map(|text| pattern.find_iter(&text.to_lowercase()).map(|m| m.as_str().to_owned()).collect()).collect();
    // linfa's vocabulary only needs document frequencies: each document's distinct
    // tokens, prepared in parallel, teach it the same vocabulary for less work.
    let distinct: Vec<String> = tokenized
        .par_iter()
        .map(|tokens| {
            let mut unique: Vec<&str> = tokens.iter().map(String::as_str).collect();
            unique.sort_unstable();
            unique.dedup();
            unique.join(" ")
        })
        .collect();
    let fitted = count_vectorizer(&distinct, vocab)?;
    let mut vocabulary = fitted.vocabulary().clone();
    vocabulary.sort();
    let column: HashMap<&str, u32> = vocabulary.iter().enumerate().map(|(i, t)| (t.as_str(), i as u32)).collect();
    let counted: Vec<Vec<(u32, u32)>> = tokenized
        .par_iter()
        .map(|tokens| {
            let mut terms: Vec<u32> = tokens.iter().filter_map(|t| column.get(t.as_str()).copied()).collect();
            terms.sort_unstable();
            let mut row: Vec<(u32, u32)> = Vec::new();
            for t in terms {
                match row.last_mut() {
                    Some((last, count)) if *last == t => *count += 1,
                    _ => row.push((t, 1)),
                }
            }
            row
        })
        .collect();
    let mut df = vec![0u32; vocabulary.len()];
    counted.iter().flatten().for_each(|&(t, _)| df[t as usize] += 1);
    let n = texts.len() as f64;
    // linfa's TfIdfMethod::Smooth.
    let idf: Vec<f64> = df.iter().map(|&d| ((1.0 + n) / (1.0 + d as f64)).ln() + 1.0).collect();
    let mut indptr = Vec::with_capacity(texts.len() + 1);
    let mut indices = Vec::new();
    let mut values = Vec::new();
    indptr.push(0);
    for row in &counted {
        let weights: Vec<f64> = row.iter().map(|&(t, c)| c as f64 * idf[t as usize]).collect();
        let norm = weights.iter().map(|w| w * w).sum::<f64>().sqrt();
        for (&(t, _), w) in row.iter().zip(weights) {
            indices.push(t);
            values.push((w / norm) as f32);
        }
        indptr.push(indices.len());
    }
    Ok(SparseRows { n_cols: vocabulary.len(), indptr, indices, values, vocabulary })
}

/// One recommendation: a row index and its cosine similarity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbor {
    pub row: u32,
    pub score: f32,
}

/// Term -> (row, weight) postings, rows ascending.
struct Postings {
    start: Vec<usize>,
    rows: Vec<u32>,
    values: Vec<f32>,
}

fn postings(m: &SparseRows) -> Postings {
    let mut start = vec![0usize; m.n_cols + 1];
    m.indices.iter().for_each(|&t| start[t as usize + 1] += 1);
    for t in 0..m.n_cols {
        start[t + 1] += start[t];
    }
    let mut fill = start.clone();
    let mut rows = vec![0u32; m.indices.len()];
    let mut values = vec![0f32; m.indices.len()];
    for i in 0..m.n_rows() {
        let (terms, weights) = m.row(i);
        for (&t, &w) in terms.iter().zip(weights) {
            let slot = &mut fill[t as usize];
            rows[*slot] = i as u32;
            values[*slot] = w;
            *slot += 1;
        }
    }
    Postings { start, rows, values }
}

/// Ranking order: score desc, then popularity desc, then id asc. Total orders
/// (`total_cmp`) throughout, so no float value, NaN included, can make a sort panic
/// or depend on the input order.
struct Ranking<'a> {
    popularity: &'a [f64],
    ids: &'a [i64],
}

impl Ranking<'_> {
    fn order(&self, a: Neighbor, b: Neighbor) -> std::cmp::Ordering {
        let (pa, pb) = (self.popularity[a.row as usize], self.popularity[b.row as usize]);
        b.score.total_cmp(&a.score).then(pb.total_cmp(&pa)).then(self.ids[a.row as usize].cmp(&self.ids[b.row as usize]))
    }

    fn before(&self, a: Neighbor, b: Neighbor) -> bool {
        self.order(a, b).is_lt()
    }

    /// Inserts into a best-first list capped at k.
    fn offer(&self, best: &mut Vec<Neighbor>, k: usize, candidate: Neighbor) {
        if best.len() == k && !self.before(candidate, best[k - 1]) {
            return;
        }
        let at = best.iter().position(|&b| self.before(candidate, b)).unwrap_or(best.len());
        best.insert(at, candidate);
        best.truncate(k);
    }
}

/// Per-thread scratch space: one score slot per row, and the rows touched.
struct Scratch {
    scores: Vec<f32>,
    touched: Vec<u32>,
}

/// The exact top-k most similar rows of every row (never the row itself). Rows with
/// fewer than k similar rows are topped up with the most popular others, at score 0.
pub fn top_k(m: &SparseRows, popularity: &[f64], ids: &[i64], k: usize) -> Vec<Vec<Neighbor>> {
    let n = m.n_rows();
    let index = postings(m);
    let ranking = Ranking { popularity, ids };
    let mut by_popularity: Vec<u32> = (0..n as u32).collect();
    by_popularity.sort_by(|&a, &b| ranking.order(Neighbor { row: a, score: 0.0 }, Neighbor { row: b, score: 0.0 }));
    let fallback = &by_popularity[..(k + 1).min(n)];
    (0..n)
        .into_par_iter()
        .map_init(
            || Scratch { scores: vec![0.0; n], touched: Vec::new() },
            |scratch, i| {
                let (terms, weights) = m.row(i);
                for (&t, &w) in terms.iter().zip(weights) {
                    let span = index.start[t as usize]..index.start[t as usize + 1];
                    for (&j, &v) in index.rows[span.clone()].iter().zip(&index.values[span]) {
                        let slot = &mut scratch.scores[j as usize];
                        if *slot == 0.0 {
                            scratch.touched.push(j);
                        }
                        *slot += w * v;
                    }
                }
                let mut best = Vec::with_capacity(k + 1);
                for &j in &scratch.touched {
                    let score = std::mem::take(&mut scratch.scores[j as usize]);
                    if j as usize != i && score > 0.0 {
                        ranking.offer(&mut best, k, Neighbor { row: j, score });
                    }
                }
                scratch.touched.clear();
                for &j in fallback {
                    if best.len() == k {
                        break;
                    }
                    if j as usize != i && !best.iter().any(|b| b.row == j) {
                        best.push(Neighbor { row: j, score: 0.0 });
                    }
                }
                best
            },
        )
        .collect()
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
            let mut members = crate::queries::json_value(col("cast_members").as_ref(), row);
            crate::queries::sort_list(&mut members, &["order", "person_id", "name"]);
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
            });
        }
    }
    docs
}

fn pair_updates(m: &SparseRows) -> u64 {
    let mut df = vec![0u64; m.n_cols];
    m.indices.iter().for_each(|&t| df[t as usize] += 1);
    df.iter().map(|d| d * d).sum()
}

/// Timings of the two steps, for the build summary and `make bench`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RecommendStats {
    pub movies: usize,
    pub vocabulary: usize,
    pub nonzeros: usize,
    /// Sum over terms of document frequency squared: the top-k step's work.
    pub pair_updates: u64,
    pub tfidf_s: f64,
    pub top_k_s: f64,
}

/// Documents to top-5 lists, timed.
pub fn recommend(docs: &[MovieDoc], weights: &Weights, vocab: &Vocabulary, k: usize) -> Result<(Vec<Vec<Neighbor>>, RecommendStats)> {
    let started = std::time::Instant::now();
    let texts: Vec<String> = docs.par_iter().map(|d| document_text(d, weights)).collect();
    let rows = tfidf(&texts, vocab)?;
    let tfidf_s = started.elapsed().as_secs_f64();
    let started = std::time::Instant::now();
    let popularity: Vec<f64> = docs.iter().map(|d| d.popularity).collect();
    let ids: Vec<i64> = docs.iter().map(|d| d.id).collect();
    let lists = top_k(&rows, &popularity, &ids, k);
    let stats = RecommendStats {
        movies: docs.len(),
        vocabulary: rows.n_cols,
        nonzeros: rows.indices.len(),
        pair_updates: pair_updates(&rows),
        tfidf_s,
        top_k_s: started.elapsed().as_secs_f64(),
    };
    Ok((lists, stats))
}

pub const TOP_K: usize = 5;

/// Runs sql/recommend, computes every movie's top-5 and registers them as the
/// `recommendations` table (movie_id, rank, recommended_id, score) for the queries.
/// Only the figures are returned: the documents and lists are not needed afterwards.
pub async fn run(ctx: &SessionContext) -> Result<RecommendStats> {
    crate::sql::run_scripts(ctx, crate::sql::RECOMMEND, "recommend").await?;
    let docs = read_documents(&ctx.table("recommend_documents").await?.collect().await?);
    let (lists, stats) = recommend(&docs, &WEIGHTS, &VOCABULARY, TOP_K)?;
    ctx.register_table("recommendations", Arc::new(recommendations_table(&docs, &lists)?))?;
    Ok(stats)
}

/// Scores rounded to 4 decimals: enough to rank by eye, stable to print.
pub fn rounded_score(score: f32) -> f64 {
    (score as f64 * 1e4).round() / 1e4
}

fn recommendations_table(docs: &[MovieDoc], lists: &[Vec<Neighbor>]) -> Result<MemTable> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("movie_id", DataType::Int64, false),
        Field::new("rank", DataType::Int64, false),
        Field::new("recommended_id", DataType::Int64, false),
        Field::new("score", DataType::Float64, false),
    ]));
    let (mut movie, mut rank, mut rec, mut score) = (vec![], vec![], vec![], vec![]);
    for (i, list) in lists.iter().enumerate() {
        for (r, nb) in list.iter().enumerate() {
            movie.push(docs[i].id);
            rank.push(r as i64 + 1);
            rec.push(docs[nb.row as usize].id);
            score.push(rounded_score(nb.score));
        }
    }
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(movie)),
            Arc::new(Int64Array::from(rank)),
            Arc::new(Int64Array::from(rec)),
            Arc::new(Float64Array::from(score)),
        ],
    )?;
    Ok(MemTable::try_new(schema, vec![vec![batch]])?)
}

/// Who rated each document's movie, as sorted user ids (table movie_raters).
pub async fn raters(ctx: &SessionContext, docs: &[MovieDoc]) -> Result<Vec<Vec<u32>>> {
    let row_of: HashMap<i64, usize> = docs.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
    let mut raters = vec![Vec::new(); docs.len()];
    for batch in ctx.table("movie_raters").await?.collect().await? {
        let movies = batch.column(0).as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        let users = batch.column(1).as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        for r in 0..batch.num_rows() {
            if let Some(&i) = row_of.get(&movies.value(r)) {
                raters[i].push(users.value(r) as u32);
            }
        }
    }
    raters.iter_mut().for_each(|r| {
        r.sort_unstable();
        r.dedup();
    });
    Ok(raters)
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa_preprocessing::tf_idf_vectorization::TfIdfVectorizer;

    fn rng(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    fn random_corpus(n: usize, seed: u64) -> Vec<String> {
        let words: Vec<String> = (0..300).map(|i| format!("w{i}")).collect();
        let mut s = seed;
        (0..n)
            .map(|_| {
                let len = 3 + (rng(&mut s) % 12) as usize;
                (0..len).map(|_| words[(rng(&mut s) % 300) as usize].as_str()).collect::<Vec<_>>().join(" ")
            })
            .collect()
    }

    fn dense_cosine(m: &SparseRows, a: usize, b: usize) -> f32 {
        let (ta, wa) = m.row(a);
        let (tb, wb) = m.row(b);
        let mut s = 0.0;
        for (x, wx) in ta.iter().zip(wa) {
            if let Some(p) = tb.iter().position(|y| y == x) {
                s += wx * wb[p];
            }
        }
        s
    }

    #[test]
    fn weights_match_linfa_tfidf_up_to_row_normalisation() {
        let texts = random_corpus(120, 7);
        let vocab = Vocabulary { min_docs: 2, max_df: 0.5, max_docs: usize::MAX };
        let ours = tfidf(&texts, &vocab).unwrap();
        let n = texts.len() as f32;
        let linfa = TfIdfVectorizer::default()
            .normalize(false)
            .document_frequency((vocab.min_docs as f32 - 0.5) / n, vocab.max_df)
            .stopwords(STOP_WORDS)
            .fit(&Array1::from(texts.clone()))
            .unwrap();
        let reference = linfa.transform(&Array1::from(texts.clone())).unwrap();
        assert_eq!(linfa.nentries(), ours.n_cols);
        let linfa_vocab = linfa.vocabulary();
        for (i, row) in reference.outer_iterator().enumerate() {
            let norm = row.iter().map(|(_, v)| v * v).sum::<f64>().sqrt();
            let (terms, weights) = ours.row(i);
            assert_eq!(terms.len(), row.nnz(), "row {i}");
            for (col, v) in row.iter() {
                let term = &linfa_vocab[col];
                let ours_col = ours.vocabulary.binary_search(term).unwrap() as u32;
                let p = terms.iter().position(|&t| t == ours_col).unwrap();
                assert!((weights[p] as f64 - v / norm).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn tiny_corpus_has_the_hand_computed_neighbours() {
        let texts: Vec<String> =
            ["space rocket astronaut", "space rocket alien", "heist bank vault", "heist bank robbers", "space alien invasion"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        let m = tfidf(&texts, &Vocabulary { min_docs: 1, max_df: 1.0, max_docs: usize::MAX }).unwrap();
        let lists = top_k(&m, &[1.0, 2.0, 3.0, 4.0, 5.0], &[10, 20, 30, 40, 50], 2);
        // 0 shares space+rocket with 1, only space with 4; 2 and 3 share heist+bank.
        assert_eq!(lists[0][0].row, 1);
        assert_eq!(lists[0][1].row, 4);
        assert_eq!(lists[2][0].row, 3);
        assert_eq!(lists[3][0].row, 2);
        // 2 shares nothing else: its second slot is the most popular other movie, at 0.
        assert_eq!(lists[2][1], Neighbor { row: 4, score: 0.0 });
        for (i, l) in lists.iter().enumerate() {
            assert!(l.iter().all(|n| n.row as usize != i));
        }
    }

    #[test]
    fn parallel_top_k_equals_brute_force() {
        let texts = random_corpus(400, 99);
        let m = tfidf(&texts, &Vocabulary { min_docs: 2, max_df: 0.2, max_docs: usize::MAX }).unwrap();
        let n = m.n_rows();
        let popularity: Vec<f64> = (0..n).map(|i| (i % 7) as f64).collect();
        let ids: Vec<i64> = (0..n as i64).map(|i| 1000 - i).collect();
        let fast = top_k(&m, &popularity, &ids, 5);
        let ranking = Ranking { popularity: &popularity, ids: &ids };
        for i in 0..n {
            let mut all: Vec<Neighbor> = (0..n)
                .filter(|&j| j != i)
                .map(|j| Neighbor { row: j as u32, score: dense_cosine(&m, i, j) })
                .filter(|nb| nb.score > 0.0)
                .collect();
            let mut best = Vec::new();
            for nb in all.drain(..) {
                ranking.offer(&mut best, 5, nb);
            }
            let fast_rows: Vec<u32> = fast[i].iter().filter(|nb| nb.score > 0.0).map(|nb| nb.row).collect();
            let brute_rows: Vec<u32> = best.iter().map(|nb| nb.row).collect();
            assert_eq!(fast_rows, brute_rows, "row {i}");
            for (a, b) in fast[i].iter().zip(&best) {
                assert!((a.score - b.score).abs() < 1e-5);
            }
            assert_eq!(fast[i].len(), 5);
        }
    }

    #[test]
    fn same_result_on_one_thread_and_two() {
        let texts = random_corpus(300, 3);
        let m = tfidf(&texts, &VOCABULARY).unwrap();
        let pop: Vec<f64> = vec![1.0; 300];
        let ids: Vec<i64> = (0..300).collect();
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| top_k(&m, &pop, &ids, 5));
        let two = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap().install(|| top_k(&m, &pop, &ids, 5));
        assert_eq!(one, two);
    }

    #[test]
    fn nan_and_infinite_popularity_rank_without_panicking() {
        let texts = random_corpus(300, 5);
        let m = tfidf(&texts, &VOCABULARY).unwrap();
        let specials = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 0.0, -f64::NAN];
        let pop: Vec<f64> = (0..300).map(|i| specials[i % specials.len()]).collect();
        let ids: Vec<i64> = (0..300).collect();
        let lists = top_k(&m, &pop, &ids, 5);
        assert!(lists.iter().all(|l| l.len() == 5));
        // The fallback ranking puts NaN (largest in the total order) first: a fixed rule.
        let ranking = Ranking { popularity: &pop, ids: &ids };
        let (nan, inf) = (Neighbor { row: 0, score: 0.0 }, Neighbor { row: 1, score: 0.0 });
        assert!(ranking.before(nan, inf));
        assert!(!ranking.before(inf, nan));
    }

    #[test]
    fn documents_weight_their_parts() {
        let doc = MovieDoc {
            id: 1,
            overview: Some("A heist.".into()),
            genres: vec!["Science Fiction".into()],
            directors: vec!["José Núñez".into()],
            cast: vec!["A".into(), "B".into(), "A".into(), "C".into(), "D".into()],
            ..Default::default()
        };
        let text = document_text(&doc, &WEIGHTS);
        assert_eq!(text.matches("genre_science_fiction").count(), 2);
        assert_eq!(text.matches("director_jose_nunez").count(), 3);
        assert_eq!(text.matches("cast_c").count(), 2);
        assert_eq!(text.matches("cast_d").count(), 0);
        assert_eq!(document_text(&doc, &GENRES_ONLY).trim(), "genre_science_fiction");
    }
}
