//! TF-IDF rows for every document against a vocabulary learned by linfa.

use anyhow::{Context, Result};
use linfa_preprocessing::CountVectorizer;
use ndarray::Array1;
use rayon::prelude::*;
use regex::Regex;

use super::documents::STOP_WORDS;
use crate::foundation::timing::trace;
use crate::settings::Vocabulary;

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

fn count_vectorizer(texts: &Array1<String>, vocab: &Vocabulary) -> Result<CountVectorizer> {
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
        .fit(texts)
        .context("learning the vocabulary")
}

/// One document as its distinct tokens (sorted, joined by spaces: what linfa's
/// vocabulary fit reads) and how often each occurs.
struct Tokens {
    distinct: String,
    counts: Vec<u32>,
}

fn tokens_of(pattern: &Regex, text: &str) -> Tokens {
    let lower = text.to_lowercase();
    let mut all: Vec<&str> = pattern.find_iter(&lower).map(|m| m.as_str()).collect();
    all.sort_unstable();
    let (mut distinct, mut counts) = (String::new(), Vec::new());
    let mut last: Option<&str> = None;
    for token in all {
        if last == Some(token) {
            *counts.last_mut().expect("a token before") += 1;
            continue;
        }
        if last.is_some() {
            distinct.push(' ');
        }
        distinct.push_str(token);
        counts.push(1);
        last = Some(token);
    }
    Tokens { distinct, counts }
}

/// Counts, weights and normalises every document against a linfa-learned vocabulary.
pub fn tfidf(texts: &[String], vocab: &Vocabulary) -> Result<SparseRows> {
    tfidf_of(texts.len(), |i| std::borrow::Cow::Borrowed(texts[i].as_str()), vocab)
}

/// [`tfidf`] of `n` documents made one at a time by `text_of`: only each document's
/// distinct tokens are held, never every document's text or every token at once
/// (weighted documents repeat their names; at 4x the data the two took a gigabyte).
pub fn tfidf_of<'t>(n: usize, text_of: impl Fn(usize) -> std::borrow::Cow<'t, str> + Sync, vocab: &Vocabulary) -> Result<SparseRows> {
    let mut clock = std::time::Instant::now();
    let pattern = Regex::new(TOKEN_PATTERN).expect("token pattern");
    let (distinct, counts): (Vec<String>, Vec<Vec<u32>>) = (0..n)
        .into_par_iter()
        .map(|i| {
            let Tokens { distinct, counts } = tokens_of(&pattern, &text_of(i));
            (distinct, counts)
        })
        .unzip();
    // linfa's vocabulary only needs document frequencies: each document's distinct
    // tokens teach it the same vocabulary for less work.
    let distinct = Array1::from(distinct);
    trace("recommend: tokens", &mut clock);
    let fitted = count_vectorizer(&distinct, vocab)?;
    trace("recommend: vocabulary (linfa)", &mut clock);
    let mut vocabulary = fitted.vocabulary().clone();
    drop(fitted);
    vocabulary.sort();
    // Every distinct token of every document is looked up: a fast hash, not SipHash.
    let column: datafusion::common::HashMap<&str, u32> = vocabulary.iter().enumerate().map(|(i, t)| (t.as_str(), i as u32)).collect();
    let counted: Vec<Vec<(u32, u32)>> = (distinct.as_slice().expect("made from a Vec"))
        .par_iter()
        .zip(&counts)
        .map(|(tokens, counts)| {
            let mut row: Vec<(u32, u32)> = tokens.split(' ').zip(counts).filter_map(|(t, &c)| column.get(t).map(|&col| (col, c))).collect();
            row.sort_unstable();
            row
        })
        .collect();
    drop(column);
    drop((distinct, counts));
    let mut df = vec![0u32; vocabulary.len()];
    counted.iter().flatten().for_each(|&(t, _)| df[t as usize] += 1);
    let n = n as f64;
    // linfa's TfIdfMethod::Smooth.
    let idf: Vec<f64> = df.iter().map(|&d| ((1.0 + n) / (1.0 + d as f64)).ln() + 1.0).collect();
    let nonzeros = counted.iter().map(Vec::len).sum();
    let mut indptr = Vec::with_capacity(counted.len() + 1);
    let mut indices = Vec::with_capacity(nonzeros);
    let mut values = Vec::with_capacity(nonzeros);
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
