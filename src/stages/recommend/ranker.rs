//! The learned ranker: candidates for every movie from several sources, a logistic
//! regression (linfa-logistic) scoring each (movie, candidate) pair, the top five kept.
//!
//! Labels come from the label users only: for a movie, its candidates that those users
//! co-rated most (Jaccard of the two rater sets) are the positives. The collaborative
//! features come from the feature users only, so the model learns how much co-rating
//! among some people predicts co-rating among others. A second model, trained the same
//! way without the collaborative features, ranks the movies nobody rated.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use rayon::prelude::*;

use super::features::{self, COLLABORATIVE, Catalogue, DenseRow, WIDTH};
use super::ratings::{CoRated, jaccard, shared};
use super::tfidf::SparseRows;
use super::top_k::Neighbor;
use crate::settings::{Hyper, RANKER_ITERATIONS, RANKER_TOLERANCE_PER_PAIR};

/// Everything candidates and features are drawn from.
pub struct Signals<'a> {
    pub hyper: Hyper,
    pub catalogue: Catalogue<'a>,
    pub content: SparseRows,
    /// Each movie's most similar documents (TF-IDF).
    pub content_lists: Vec<Vec<Neighbor>>,
    /// Raters the collaborative features may use.
    pub raters: Vec<Vec<u32>>,
    /// Each movie's most co-rated movies among those raters.
    pub co_rated: Vec<Vec<CoRated>>,
    /// The movies with the most TMDB votes: candidates for everyone.
    pub popular: Vec<u32>,
    /// Rows of each collection's movies.
    pub collections: BTreeMap<u32, Vec<u32>>,
}

impl<'a> Signals<'a> {
    pub fn new(
        hyper: Hyper,
        catalogue: Catalogue<'a>,
        content: SparseRows,
        content_lists: Vec<Vec<Neighbor>>,
        raters: Vec<Vec<u32>>,
        co_rated: Vec<Vec<CoRated>>,
    ) -> Signals<'a> {
        let docs = catalogue.docs;
        let mut by_votes: Vec<u32> = (0..docs.len() as u32).collect();
        by_votes.sort_by(|&a, &b| docs[b as usize].vote_count.total_cmp(&docs[a as usize].vote_count).then(a.cmp(&b)));
        by_votes.truncate(hyper.popular_candidates);
        let mut collections: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for (row, facts) in catalogue.facts.iter().enumerate() {
            if let Some(c) = facts.collection {
                collections.entry(c).or_default().push(row as u32);
            }
        }
        Signals { hyper, catalogue, content, content_lists, raters, co_rated, popular: by_votes, collections }
    }

    /// The same signals with the collaborative ones from other raters.
    pub fn with_raters(self, raters: Vec<Vec<u32>>, co_rated: Vec<Vec<CoRated>>) -> Signals<'a> {
        Signals { raters, co_rated, ..self }
    }

    /// A movie's candidates: its content and co-rating neighbours, its collection and
    /// the most-voted movies; sorted, without itself.
    pub fn candidates(&self, i: usize) -> Vec<u32> {
        let mut out: Vec<u32> = self.content_lists[i].iter().map(|n| n.row).collect();
        out.extend(self.co_rated[i].iter().map(|n| n.row));
        out.extend(self.popular.iter().copied());
        if let Some(c) = self.catalogue.facts[i].collection {
            out.extend(self.collections[&c].iter().copied());
        }
        out.sort_unstable();
        out.dedup();
        out.retain(|&j| j as usize != i);
        out
    }

    pub fn features(&self, i: usize, j: usize) -> [f64; WIDTH] {
        features::pair(&self.catalogue, &self.content, &self.raters, self.hyper.cf_shrink, i, j)
    }

    /// The features of every candidate `j` for `i`, row `i` spread out in `dense`.
    fn features_of(&self, dense: &mut DenseRow, i: usize, candidates: &[u32]) -> Vec<[f64; WIDTH]> {
        dense.load(&self.content, i);
        candidates
            .iter()
            .map(|&j| {
                let cosine = dense.cosine(&self.content, j as usize);
                features::pair_with_cosine(&self.catalogue, cosine, &self.raters, self.hyper.cf_shrink, i, j as usize)
            })
            .collect()
    }
}

/// A fitted logistic model over some of the features, standardised as in training.
#[derive(Debug, Clone)]
pub struct Model {
    pub uses: Vec<usize>,
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
    pub weights: Vec<f64>,
    pub intercept: f64,
}

impl Model {
    /// The log-odds that the pair is one the label users co-rated most.
    pub fn score(&self, x: &[f64; WIDTH]) -> f64 {
        self.uses.iter().enumerate().map(|(k, &f)| self.weights[k] * (x[f] - self.mean[k]) / self.scale[k]).sum::<f64>() + self.intercept
    }

    /// The weights by feature name, for `marquee eval`.
    pub fn describe(&self) -> Vec<(&'static str, f64)> {
        self.uses.iter().enumerate().map(|(k, &f)| (features::FEATURES[f], self.weights[k])).collect()
    }
}

/// The training pairs: for every movie with enough label raters, each candidate's
/// features and whether it is among the movie's `label_positives` most co-rated
/// candidates (by Jaccard among the label raters, ties by row).
pub fn training_pairs(signals: &Signals<'_>, label_raters: &[Vec<u32>]) -> (Vec<[f64; WIDTH]>, Vec<bool>) {
    let per_query: Vec<(Vec<[f64; WIDTH]>, Vec<bool>)> = (0..label_raters.len())
        .into_par_iter()
        .filter(|&i| label_raters[i].len() >= signals.hyper.min_label_raters)
        .map_init(
            || DenseRow::new(&signals.content),
            |dense, i| {
                let candidates = signals.candidates(i);
                let mut overlap: Vec<(f64, u32)> =
                    candidates.iter().map(|&j| (jaccard(&label_raters[i], &label_raters[j as usize]), j)).collect();
                overlap.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
                let positive: Vec<u32> =
                    overlap.iter().take(signals.hyper.label_positives).filter(|(jac, _)| *jac > 0.0).map(|(_, j)| *j).collect();
                let rows = signals.features_of(dense, i, &candidates);
                let labels = candidates.iter().map(|j| positive.contains(j)).collect();
                (rows, labels)
            },
        )
        .collect();
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for (r, l) in per_query {
        rows.extend(r);
        labels.extend(l);
    }
    (rows, labels)
}

/// Fits a logistic regression on the chosen features, standardised, with L2 penalty
/// `alpha`.
pub fn fit(rows: &[[f64; WIDTH]], labels: &[bool], uses: &[usize], alpha: f64) -> Result<Model> {
    anyhow::ensure!(labels.iter().any(|&l| l) && labels.iter().any(|&l| !l), "the ranker needs positive and negative pairs to learn from");
    let n = rows.len() as f64;
    let mean: Vec<f64> = uses.iter().map(|&f| rows.iter().map(|r| r[f]).sum::<f64>() / n).collect();
    let scale: Vec<f64> = uses
        .iter()
        .zip(&mean)
        .map(|(&f, m)| {
            let var = rows.iter().map(|r| (r[f] - m).powi(2)).sum::<f64>() / n;
            if var > 1e-12 { var.sqrt() } else { 1.0 }
        })
        .collect();
    let x = Array2::from_shape_fn((rows.len(), uses.len()), |(r, k)| (rows[r][uses[k]] - mean[k]) / scale[k]);
    let y = Array1::from(labels.to_vec());
    let fitted = LogisticRegression::default()
        .alpha(alpha)
        .max_iterations(RANKER_ITERATIONS)
        .gradient_tolerance(RANKER_TOLERANCE_PER_PAIR * n)
        .fit(&Dataset::new(x, y))
        .context("fitting the ranker")?;
    // linfa's "positive" class is the first label it meets in the data: turn its
    // weights round when that is `false`, so a higher score always means a positive.
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    let weights = fitted.params().iter().map(|w| sign * w).collect();
    Ok(Model { uses: uses.to_vec(), mean, scale, weights, intercept: sign * fitted.intercept() })
}

/// The two models: with the collaborative features, and without them.
pub struct Models {
    pub hybrid: Model,
    pub content_only: Model,
    pub training_pairs: usize,
    pub positives: usize,
}

impl Models {
    /// Without ratings to learn from, content similarity alone ranks the candidates.
    pub fn content_similarity() -> Models {
        let cosine = Model { uses: vec![0], mean: vec![0.0], scale: vec![1.0], weights: vec![1.0], intercept: 0.0 };
        Models { hybrid: cosine.clone(), content_only: cosine, training_pairs: 0, positives: 0 }
    }
}

pub fn train(signals: &Signals<'_>, label_raters: &[Vec<u32>]) -> Result<Models> {
    let mut clock = std::time::Instant::now();
    let (rows, labels) = training_pairs(signals, label_raters);
    crate::foundation::timing::trace("recommend: training pairs", &mut clock);
    fit_both(&rows, &labels, signals.hyper.ranker_alpha)
}

/// The hybrid and the content-only model, fitted on the same pairs.
pub fn fit_both(rows: &[[f64; WIDTH]], labels: &[bool], alpha: f64) -> Result<Models> {
    let all: Vec<usize> = (0..WIDTH).collect();
    let without: Vec<usize> = (0..WIDTH).filter(|f| !COLLABORATIVE.contains(f)).collect();
    let (hybrid, content_only) = rayon::join(|| fit(rows, labels, &all, alpha), || fit(rows, labels, &without, alpha));
    Ok(Models {
        hybrid: hybrid?,
        content_only: content_only?,
        training_pairs: rows.len(),
        positives: labels.iter().filter(|&&l| l).count(),
    })
}

/// One recommendation with what it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub row: u32,
    pub score: f64,
    /// Raters (of those the features use) who rated both movies.
    pub co_raters: usize,
}

/// The top `k` candidates of every movie: by the hybrid model where `rated(i)`, by the
/// content-only model otherwise; ties by popularity, then id.
pub fn rank(signals: &Signals<'_>, models: &Models, rated: impl Fn(usize) -> bool + Sync, k: usize) -> Vec<Vec<Ranked>> {
    let every: Vec<usize> = (0..signals.catalogue.docs.len()).collect();
    rank_rows(signals, models, &every, rated, k)
}

/// [`rank`] for the movies `rows` only, in that order.
pub fn rank_rows(
    signals: &Signals<'_>,
    models: &Models,
    rows: &[usize],
    rated: impl Fn(usize) -> bool + Sync,
    k: usize,
) -> Vec<Vec<Ranked>> {
    let docs = signals.catalogue.docs;
    rows.par_iter()
        .copied()
        .map_init(
            || DenseRow::new(&signals.content),
            |dense, i| {
                let model = if rated(i) { &models.hybrid } else { &models.content_only };
                let candidates = signals.candidates(i);
                let features = signals.features_of(dense, i, &candidates);
                let mut scored: Vec<Ranked> =
                    candidates.iter().zip(&features).map(|(&j, x)| Ranked { row: j, score: model.score(x), co_raters: 0 }).collect();
                scored.sort_by(|a, b| {
                    let (da, db) = (&docs[a.row as usize], &docs[b.row as usize]);
                    b.score.total_cmp(&a.score).then(db.popularity.total_cmp(&da.popularity)).then(da.id.cmp(&db.id))
                });
                keep_a_collection_member(&mut scored, signals, i, k);
                scored.truncate(k);
                scored.shrink_to_fit();
                // Only the kept five need their co-raters (for the reasons).
                for r in &mut scored {
                    r.co_raters = shared(&signals.raters[i], &signals.raters[r.row as usize]);
                }
                scored
            },
        )
        .collect()
}

/// A film of a collection always lists at least one other film of it (the best-scored
/// one, in place of the fifth): people who open a sequel look for the series first.
fn keep_a_collection_member(scored: &mut Vec<Ranked>, signals: &Signals<'_>, i: usize, k: usize) {
    let facts = &signals.catalogue.facts;
    let Some(collection) = facts[i].collection else { return };
    let member = |r: &Ranked| facts[r.row as usize].collection == Some(collection);
    if k == 0 || scored.iter().take(k).any(member) {
        return;
    }
    if let Some(at) = scored.iter().position(member) {
        let best = scored.remove(at);
        scored.insert((k - 1).min(scored.len()), best);
    }
}
