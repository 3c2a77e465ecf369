//! TF-IDF rows for every document against a vocabulary learned by linfa.

use anyhow::{Context, Result};
use linfa_preprocessing::CountVectorizer;
use ndarray::Array1;
use rayon::prelude::*;
use regex::Regex;

use super::documents::STOP_WORDS;
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
    // Every token of every document is looked up: a fast hash, not the default SipHash.
    let column: datafusion::common::HashMap<&str, u32> = vocabulary.iter().enumerate().map(|(i, t)| (t.as_str(), i as u32)).collect();
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
    drop(column);
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
