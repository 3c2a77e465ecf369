//! How good a set of recommendation lists is, judged on held-out users only (users the
//! model never read, see ratings.rs):
//!
//! - co-rating lift: for movies with `MIN_HELD_OUT_RATERS`+ held-out raters, the mean
//!   Jaccard overlap of the movie's held-out raters with each recommendation's, over
//!   the same for five random movies that have held-out raters;
//! - next watch hit@5: for each held-out user with two or more movies rated 4+, is the
//!   last of them (by time) among the five recommendations of the one before?
//! - collection hit@5: of movies in a collection of 2+, the share whose list holds
//!   another member;
//! - coverage: distinct recommended movies over all movies;
//! - median popularity rank of the recommended movies (1 = the most popular).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::MovieDoc;
use super::ratings::{Part, Rating, high_ratings_in_order, jaccard, part_of, raters};
use crate::settings::MIN_HELD_OUT_RATERS;

#[derive(Debug, Clone, Serialize, Default)]
pub struct Quality {
    pub co_rating_lift: f64,
    /// Movies the lift is measured on.
    pub lift_movies: usize,
    pub next_watch_hit_at_5: f64,
    pub next_watch_users: usize,
    pub collection_hit_at_5: f64,
    pub collection_movies: usize,
    pub coverage: f64,
    pub median_popularity_rank: f64,
}

/// What the held-out users did.
pub struct HeldOut {
    /// Per movie row, the sorted held-out users who rated it.
    pub raters: Vec<Vec<u32>>,
    /// Per held-out user, the rows they rated 4+, oldest first.
    pub liked_in_order: Vec<(u32, Vec<u32>)>,
    /// Rows with at least one held-out rater: where random movies are drawn from.
    pub pool: Vec<u32>,
}

impl HeldOut {
    pub fn new(ratings: &[Rating], rows: usize) -> HeldOut {
        HeldOut::of(ratings, rows, |user| part_of(user, true) == Part::HeldOut)
    }

    /// What the users `judge` picks did (the validation users, for `marquee eval --tune`).
    pub fn of(ratings: &[Rating], rows: usize, judge: impl Fn(u32) -> bool) -> HeldOut {
        let raters = raters(ratings, rows, |r| judge(r.user));
        let pool = (0..rows as u32).filter(|&i| !raters[i as usize].is_empty()).collect();
        HeldOut { raters, liked_in_order: high_ratings_in_order(ratings, judge), pool }
    }
}

/// Share of movies in multi-member collections whose list holds a fellow member.
pub fn collection_hit_rate(docs: &[MovieDoc], lists: &[Vec<u32>]) -> (usize, f64) {
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
        if lists[i].iter().any(|&j| docs[j as usize].collection.as_deref() == Some(c)) {
            hits += 1;
        }
    }
    (eligible, if eligible == 0 { 0.0 } else { hits as f64 / eligible as f64 })
}

/// A fixed-seed generator: random draws are the same on every run.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

/// (movies measured, mean Jaccard with the recommendations, mean Jaccard with random).
pub fn co_rating(held: &HeldOut, lists: &[Vec<u32>]) -> (usize, f64, f64) {
    let mut rng = XorShift(0x9E3779B97F4A7C15);
    let (mut eligible, mut recommended, mut random) = (0usize, 0.0, 0.0);
    for (i, list) in lists.iter().enumerate() {
        if held.raters[i].len() < MIN_HELD_OUT_RATERS || held.pool.len() < 2 {
            continue;
        }
        eligible += 1;
        recommended += list.iter().map(|&j| jaccard(&held.raters[i], &held.raters[j as usize])).sum::<f64>() / list.len().max(1) as f64;
        let mut total = 0.0;
        for _ in 0..5 {
            let mut j = held.pool[rng.next(held.pool.len())];
            while j as usize == i {
                j = held.pool[rng.next(held.pool.len())];
            }
            total += jaccard(&held.raters[i], &held.raters[j as usize]);
        }
        random += total / 5.0;
    }
    if eligible == 0 {
        return (0, 0.0, 0.0);
    }
    (eligible, recommended / eligible as f64, random / eligible as f64)
}

/// (users, share whose last liked movie is recommended for the one liked before it).
pub fn next_watch(held: &HeldOut, lists: &[Vec<u32>]) -> (usize, f64) {
    let mut users = 0;
    let mut hits = 0;
    for (_, liked) in &held.liked_in_order {
        let [.., before, last] = liked.as_slice() else { continue };
        users += 1;
        if lists[*before as usize].contains(last) {
            hits += 1;
        }
    }
    (users, if users == 0 { 0.0 } else { hits as f64 / users as f64 })
}

pub fn quality(docs: &[MovieDoc], lists: &[Vec<u32>], held: &HeldOut) -> Quality {
    let (collection_movies, collection_hit_at_5) = collection_hit_rate(docs, lists);
    let (lift_movies, rec, rand) = co_rating(held, lists);
    let (next_watch_users, next_watch_hit_at_5) = next_watch(held, lists);
    let distinct: HashSet<u32> = lists.iter().flatten().copied().collect();
    let mut by_popularity: Vec<usize> = (0..docs.len()).collect();
    by_popularity.sort_by(|&a, &b| docs[b].popularity.total_cmp(&docs[a].popularity).then(docs[a].id.cmp(&docs[b].id)));
    let mut rank_of = vec![0usize; docs.len()];
    for (rank, &row) in by_popularity.iter().enumerate() {
        rank_of[row] = rank + 1;
    }
    let mut ranks: Vec<usize> = lists.iter().flatten().map(|&j| rank_of[j as usize]).collect();
    ranks.sort_unstable();
    let median_popularity_rank = match ranks.len() {
        0 => 0.0,
        n if n % 2 == 1 => ranks[n / 2] as f64,
        n => (ranks[n / 2 - 1] + ranks[n / 2]) as f64 / 2.0,
    };
    Quality {
        co_rating_lift: if rand > 0.0 { rec / rand } else { 0.0 },
        lift_movies,
        next_watch_hit_at_5,
        next_watch_users,
        collection_hit_at_5,
        collection_movies,
        coverage: if docs.is_empty() { 0.0 } else { distinct.len() as f64 / docs.len() as f64 },
        median_popularity_rank,
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
        let lists = vec![vec![1], vec![2], vec![0], vec![0]];
        // B has one member: not eligible. Of A's two, only the first finds the other.
        assert_eq!(collection_hit_rate(&docs, &lists), (2, 0.5));
    }

    #[test]
    fn next_watch_asks_for_the_last_liked_after_the_one_before() {
        let held =
            HeldOut { raters: vec![vec![]; 4], liked_in_order: vec![(1, vec![0, 1, 2]), (2, vec![3, 0]), (3, vec![2])], pool: vec![] };
        let lists = vec![vec![3], vec![2], vec![], vec![]];
        // User 1: after 1 came 2, and 1's list holds 2. User 2: after 3 came 0, not in 3's list.
        assert_eq!(next_watch(&held, &lists), (2, 0.5));
    }
}
