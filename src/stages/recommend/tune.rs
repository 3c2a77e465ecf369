//! `marquee eval --tune`: the recommender's hyperparameters chosen on validation users.
//!
//! The held-out users' ratings are dropped before anything else reads them. Of the
//! rest, the validation users ([`is_validation`]) only judge: every point of the grid
//! is trained and ranked without them, then scored by co-rating lift among them (the
//! same measure `marquee eval` reports for the held-out users).

use std::collections::HashMap;

use anyhow::Result;
use serde::Serialize;

use super::evaluate::{HeldOut, co_rating};
use super::features::Catalogue;
use super::ranker::{self, Models, Signals};
use super::ratings::{self, CoRated, Part, Rating, is_validation, part_of};
use super::top_k::Neighbor;
use super::{MovieDoc, Raters, content_side};
use crate::settings::{Grid, Hyper, MIN_HELD_OUT_RATERS, TOP_K, VOCABULARY, WEIGHTS};

/// One point of the grid and its lifts on the validation users.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub hyper: Hyper,
    /// Co-rating lift of the hybrid ranker, and of the content-only model ranking the
    /// same movies as if nobody had rated them.
    pub hybrid_lift: f64,
    pub no_ratings_lift: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tuned {
    pub points: Vec<Point>,
    /// The point with the highest hybrid lift (the first of equals, in grid order).
    pub chosen: usize,
    pub validation_users: usize,
    /// Movies with `MIN_HELD_OUT_RATERS`+ validation raters: where the lift is measured.
    pub lift_movies: usize,
}

impl Grid {
    /// Every combination, the ranker's penalty varying fastest (the training pairs of
    /// neighbouring points are then the same).
    pub fn points(&self) -> Vec<Hyper> {
        let mut out = Vec::new();
        for &content_candidates in self.content_candidates {
            for &co_rated_candidates in self.co_rated_candidates {
                for &popular_candidates in self.popular_candidates {
                    for &cf_shrink in self.cf_shrink {
                        for &min_label_raters in self.min_label_raters {
                            for &label_positives in self.label_positives {
                                for &ranker_alpha in self.ranker_alpha {
                                    out.push(Hyper {
                                        content_candidates,
                                        co_rated_candidates,
                                        popular_candidates,
                                        cf_shrink,
                                        min_label_raters,
                                        label_positives,
                                        ranker_alpha,
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }
}

/// The first `k` of every list.
fn first<T: Copy>(lists: &[Vec<T>], k: usize) -> Vec<Vec<T>> {
    lists.iter().map(|l| l.iter().take(k).copied().collect()).collect()
}

/// Item-item neighbours of the feature users and of every training user, at the
/// largest candidate count (a shorter list is their first entries: the same order).
struct CoRatedLists {
    feature: Vec<Vec<CoRated>>,
    all: Vec<Vec<CoRated>>,
}

/// The held-out users dropped, what the validation users did (and how many they are),
/// and the rater lists of everyone else: all a tuning run reads.
pub fn split(ratings: Vec<Rating>, rows: usize) -> (HeldOut, usize, Raters) {
    let ratings: Vec<Rating> = ratings.into_iter().filter(|r| part_of(r.user, true) != Part::HeldOut).collect();
    let judges = HeldOut::of(&ratings, rows, is_validation);
    let mut validation_users: Vec<u32> = ratings.iter().map(|r| r.user).filter(|&u| is_validation(u)).collect();
    validation_users.sort_unstable();
    validation_users.dedup();
    let training: Vec<Rating> = ratings.into_iter().filter(|r| !is_validation(r.user)).collect();
    (judges, validation_users.len(), Raters::of(&training, rows, true))
}

/// Scores every point of `grid` on the validation users and picks the best.
pub fn tune(docs: &[MovieDoc], ratings: Vec<Rating>, grid: &Grid) -> Result<Tuned> {
    let (judges, validation_users, raters) = split(ratings, docs.len());
    let points = grid.points();
    anyhow::ensure!(!points.is_empty(), "the tuning grid is empty");
    let most = |of: fn(&Hyper) -> usize| points.iter().map(of).max().unwrap_or(0);
    let (content, _) = content_side(docs, &WEIGHTS, &VOCABULARY, most(|h| h.content_candidates), None)?;
    let catalogue = Catalogue::new(docs);
    let co_k = most(|h| h.co_rated_candidates);
    let mut co_rated: HashMap<u64, CoRatedLists> = HashMap::new();
    for &shrink in grid.cf_shrink {
        co_rated.entry(shrink.to_bits()).or_insert_with(|| CoRatedLists {
            feature: ratings::item_item(&raters.feature, co_k, shrink),
            all: ratings::item_item(&raters.all, co_k, shrink),
        });
    }
    let judged: Vec<usize> = (0..docs.len()).filter(|&i| judges.raters[i].len() >= MIN_HELD_OUT_RATERS).collect();
    let lift = |ranked: Vec<Vec<ranker::Ranked>>| -> f64 {
        let mut lists: Vec<Vec<u32>> = vec![Vec::new(); docs.len()];
        for (&i, list) in judged.iter().zip(ranked) {
            lists[i] = list.iter().map(|r| r.row).collect();
        }
        let (_, recommended, random) = co_rating(&judges, &lists);
        if random > 0.0 { recommended / random } else { 0.0 }
    };
    let mut scored = Vec::with_capacity(points.len());
    // The last training pairs and what they were made with: only the penalty changes
    // from one point to the next most of the time.
    let mut pairs: Option<(Hyper, Vec<[f64; super::features::WIDTH]>, Vec<bool>)> = None;
    for hyper in points {
        let lists = &co_rated[&hyper.cf_shrink.to_bits()];
        let content_lists: Vec<Vec<Neighbor>> = first(&content.lists, hyper.content_candidates);
        let learning = Signals::new(
            hyper,
            catalogue.clone(),
            content.rows.clone(),
            content_lists,
            raters.feature.clone(),
            first(&lists.feature, hyper.co_rated_candidates),
        );
        let same_pairs = pairs.as_ref().is_some_and(|(made, _, _)| Hyper { ranker_alpha: hyper.ranker_alpha, ..*made } == hyper);
        if !same_pairs {
            let (rows, labels) = ranker::training_pairs(&learning, &raters.label);
            pairs = Some((hyper, rows, labels));
        }
        let (_, rows, labels) = pairs.as_ref().expect("made above");
        let models = ranker::fit_both(rows, labels, hyper.ranker_alpha).unwrap_or_else(|_| Models::content_similarity());
        let signals = learning.with_raters(raters.all.clone(), first(&lists.all, hyper.co_rated_candidates));
        let hybrid = ranker::rank_rows(&signals, &models, &judged, |i| !signals.raters[i].is_empty(), TOP_K);
        let no_ratings = ranker::rank_rows(&signals, &models, &judged, |_| false, TOP_K);
        scored.push(Point { hyper, hybrid_lift: lift(hybrid), no_ratings_lift: lift(no_ratings) });
    }
    let chosen = (0..scored.len()).fold(0, |best, i| if scored[i].hybrid_lift > scored[best].hybrid_lift { i } else { best });
    Ok(Tuned { points: scored, chosen, validation_users, lift_movies: judged.len() })
}
