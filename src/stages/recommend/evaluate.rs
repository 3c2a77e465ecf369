//! Recommendation quality, measured on the data: collection hit@5 and co-rating lift,
//! for marquee's documents and for a genres-only baseline.

use std::collections::HashMap;

use serde::Serialize;

use super::{MovieDoc, Neighbor};
use crate::settings::MIN_RATERS;

#[derive(Debug, Clone, Serialize, Default)]
pub struct Quality {
    /// Movies whose collection has 2+ members.
    pub collection_movies: usize,
    /// Share of those whose top-5 holds another member of their collection.
    pub collection_hit_at_5: f64,
    /// Movies with 20+ raters (ratings_small through links).
    pub rated_movies: usize,
    pub mean_jaccard_recommended: f64,
    pub mean_jaccard_random: f64,
    /// mean_jaccard_recommended / mean_jaccard_random.
    pub co_rating_lift: f64,
}

/// Share of movies in multi-member collections whose top-5 holds a fellow member.
pub fn collection_hit_rate(docs: &[MovieDoc], lists: &[Vec<Neighbor>]) -> (usize, f64) {
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for d in docs {
        if let Some(c) = &d.collection {
            *sizes.entry(c.as_str()).or_default() += 1;
        }
    }
    let mut eligible = 0;
    let mut hits = 0;
    for (i, d) in docs.iter().enumerate() {
        let Some(c) = d.collection.as_deref() else { continue };
        if sizes[c] < 2 {
            continue;
        }
        eligible += 1;
        if lists[i].iter().any(|n| docs[n.row as usize].collection.as_deref() == Some(c)) {
            hits += 1;
        }
    }
    (eligible, if eligible == 0 { 0.0 } else { hits as f64 / eligible as f64 })
}

fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    both as f64 / (a.len() + b.len() - both) as f64
}

/// A fixed-seed generator: the random baseline is the same on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

/// Mean rater overlap between a movie and its recommendations, against random movies.
/// `raters[i]` is the sorted user ids who rated row i.
pub fn co_rating(raters: &[Vec<u32>], lists: &[Vec<Neighbor>]) -> (usize, f64, f64) {
    let n = raters.len();
    let mut rng = XorShift(0x9E3779B97F4A7C15);
    let (mut eligible, mut recommended, mut random) = (0usize, 0.0, 0.0);
    for i in 0..n {
        if raters[i].len() < MIN_RATERS {
            continue;
        }
        eligible += 1;
        let recs = &lists[i];
        recommended += recs.iter().map(|nb| jaccard(&raters[i], &raters[nb.row as usize])).sum::<f64>() / recs.len().max(1) as f64;
        let mut total = 0.0;
        for _ in 0..5 {
            let mut j = rng.next(n);
            while j == i && n > 1 {
                j = rng.next(n);
            }
            total += jaccard(&raters[i], &raters[j]);
        }
        random += total / 5.0;
    }
    if eligible == 0 {
        return (0, 0.0, 0.0);
    }
    (eligible, recommended / eligible as f64, random / eligible as f64)
}

pub fn quality(docs: &[MovieDoc], lists: &[Vec<Neighbor>], raters: &[Vec<u32>]) -> Quality {
    let (collection_movies, collection_hit_at_5) = collection_hit_rate(docs, lists);
    let (rated_movies, rec, rand) = co_rating(raters, lists);
    Quality {
        collection_movies,
        collection_hit_at_5,
        rated_movies,
        mean_jaccard_recommended: rec,
        mean_jaccard_random: rand,
        co_rating_lift: if rand > 0.0 { rec / rand } else { 0.0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaccard_of_sorted_sets() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 0.0);
        assert_eq!(jaccard(&[1], &[2]), 0.0);
    }

    #[test]
    fn collection_hits_count_fellow_members_only() {
        let doc = |c: Option<&str>| MovieDoc { collection: c.map(str::to_owned), ..Default::default() };
        let docs = vec![doc(Some("A")), doc(Some("A")), doc(Some("B")), doc(None)];
        let nb = |row| Neighbor { row, score: 1.0 };
        let lists = vec![vec![nb(1)], vec![nb(2)], vec![nb(0)], vec![nb(0)]];
        // B has one member: not eligible. Of A's two, only the first finds the other.
        assert_eq!(collection_hit_rate(&docs, &lists), (2, 0.5));
    }
}
