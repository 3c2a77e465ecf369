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

use anyhow::Result;
use datafusion::arrow::array::{AsArray, Float64Array, Int64Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use rayon::prelude::*;

use crate::foundation::engine::scripts;
use crate::foundation::tables;
use crate::settings::{TOP_K, VOCABULARY, Vocabulary, WEIGHTS, Weights};

pub mod documents;
pub mod evaluate;
pub mod tfidf;
pub mod top_k;

pub use documents::{MovieDoc, document_text, read_documents};
pub use tfidf::{SparseRows, tfidf};
pub use top_k::{Neighbor, pair_updates, top_k};

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

/// Runs sql/recommend, computes every movie's top-5 and registers them as the
/// `recommendations` table (movie_id, rank, recommended_id, score) for the queries.
/// Only the figures are returned: the documents and lists are not needed afterwards.
pub async fn run(ctx: &SessionContext) -> Result<RecommendStats> {
    scripts::run_scripts(ctx, scripts::RECOMMEND).await?;
    let docs = read_documents(&ctx.table(tables::RECOMMEND_DOCUMENTS).await?.collect().await?);
    let (lists, stats) = recommend(&docs, &WEIGHTS, &VOCABULARY, TOP_K)?;
    ctx.register_table(tables::RECOMMENDATIONS, Arc::new(recommendations_table(&docs, &lists)?))?;
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
    for batch in ctx.table(tables::MOVIE_RATERS).await?.collect().await? {
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
    use ndarray::Array1;

    use super::documents::STOP_WORDS;
    use super::top_k::Ranking;
    use super::*;
    use crate::settings::GENRES_ONLY;
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
        for (i, found) in fast.iter().enumerate() {
            let mut all: Vec<Neighbor> = (0..n)
                .filter(|&j| j != i)
                .map(|j| Neighbor { row: j as u32, score: dense_cosine(&m, i, j) })
                .filter(|nb| nb.score > 0.0)
                .collect();
            let mut best = Vec::new();
            for nb in all.drain(..) {
                ranking.offer(&mut best, 5, nb);
            }
            let fast_rows: Vec<u32> = found.iter().filter(|nb| nb.score > 0.0).map(|nb| nb.row).collect();
            let brute_rows: Vec<u32> = best.iter().map(|nb| nb.row).collect();
            assert_eq!(fast_rows, brute_rows, "row {i}");
            for (a, b) in found.iter().zip(&best) {
                assert!((a.score - b.score).abs() < 1e-5);
            }
            assert_eq!(found.len(), 5);
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
