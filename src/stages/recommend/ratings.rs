//! The collaborative signal: who rated which movie (MovieLens, joined to TMDB ids in
//! sql/recommend/documents.sql), the deterministic split of raters into the parts a
//! model may learn from and the part it is judged on, and item-item similarity.
//!
//! Similarity is the cosine between two movies' rater sets, shrunk towards zero when
//! few people rated both (`co / (co + shrink)`), computed sparse: each movie only meets
//! the movies its raters also rated, so the cost is the sum over users of their
//! ratings squared, never an n x n matrix.

use std::collections::HashMap;

use datafusion::arrow::array::{Array, RecordBatch};
use rayon::prelude::*;

use crate::foundation::cells::int_at;
use crate::foundation::published::fnv1a32;
use crate::settings::{HELD_OUT_EVERY, HIGH_RATING, LABEL_EVERY, VALIDATION_EVERY};

/// One rating, by the row of the rated movie among the documents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rating {
    pub row: u32,
    pub user: u32,
    pub rating: f32,
    pub rated_at: i64,
}

impl Rating {
    pub fn is_high(&self) -> bool {
        self.rating >= HIGH_RATING
    }
}

/// The part of the raters a user belongs to. The rule is a hash of the user id, so it
/// is the same on every run and does not depend on what else is in the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Judges the model in `marquee eval`: nothing the model learns comes from them.
    HeldOut,
    /// Gives the ranker its labels (what people who liked a movie went on to rate).
    Label,
    /// Gives the ranker its collaborative features.
    Feature,
}

/// `marquee eval` holds out the users with `fnv1a32("user:<id>") % HELD_OUT_EVERY == 0`
/// (a fifth); of the others, `fnv1a32("label:<id>") % LABEL_EVERY == 0` give labels and
/// the rest features. The published build has no held-out part (`hold_out` false).
pub fn part_of(user: u32, hold_out: bool) -> Part {
    if hold_out && fnv1a32(&format!("user:{user}")).is_multiple_of(HELD_OUT_EVERY) {
        Part::HeldOut
    } else if fnv1a32(&format!("label:{user}")).is_multiple_of(LABEL_EVERY) {
        Part::Label
    } else {
        Part::Feature
    }
}

/// `marquee eval --tune` scores hyperparameters on validation users, trained without
/// them: of the users not held out, those with `fnv1a32("validation:<id>") %
/// VALIDATION_EVERY == 0`. The held-out users are never among them.
pub fn is_validation(user: u32) -> bool {
    part_of(user, true) != Part::HeldOut && fnv1a32(&format!("validation:{user}")).is_multiple_of(VALIDATION_EVERY)
}

/// Reads batches of `movie_ratings` (movie_id, user_id, rating, rated_at), keeping
/// movies among the documents, in the batches' order.
pub fn read_ratings(batches: &[RecordBatch], row_of: &HashMap<i64, usize>) -> Vec<Rating> {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::Float64Type;
    let mut out = Vec::new();
    for batch in batches {
        let column = |name: &str| batch.column_by_name(name).unwrap_or_else(|| panic!("movie_ratings.{name}"));
        let (movies, users, ratings, times) = (column("movie_id"), column("user_id"), column("rating"), column("rated_at"));
        let ratings = ratings.as_primitive::<Float64Type>();
        for r in 0..batch.num_rows() {
            let (Some(movie), Some(user)) = (int_at(movies.as_ref(), r), int_at(users.as_ref(), r)) else { continue };
            let Some(&row) = row_of.get(&movie) else { continue };
            if ratings.is_null(r) || !(0..=i64::from(u32::MAX)).contains(&user) {
                continue;
            }
            out.push(Rating {
                row: row as u32,
                user: user as u32,
                rating: ratings.value(r) as f32,
                rated_at: int_at(times.as_ref(), r).unwrap_or(0),
            });
        }
    }
    out
}

/// For each movie row, the sorted ids of the users (of the kept ratings) who rated it.
pub fn raters(ratings: &[Rating], rows: usize, keep: impl Fn(&Rating) -> bool) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); rows];
    for r in ratings.iter().filter(|r| keep(r)) {
        out[r.row as usize].push(r.user);
    }
    out.iter_mut().for_each(|users| {
        users.sort_unstable();
        users.dedup();
    });
    out
}

/// How many users two sorted rater lists share.
pub fn shared(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut both) = (0, 0, 0);
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
    both
}

/// Jaccard overlap of two sorted id lists (0 when both are empty).
pub fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    let both = shared(a, b);
    let union = a.len() + b.len() - both;
    if union == 0 { 0.0 } else { both as f64 / union as f64 }
}

/// Cosine between two rater sets of sizes `a` and `b` sharing `co`, shrunk by
/// `co / (co + shrink)`: two movies seen by the same two people are not yet alike.
pub fn shrunk_cosine(co: usize, a: usize, b: usize, shrink: f64) -> f64 {
    if co == 0 {
        return 0.0;
    }
    let co = co as f64;
    co / ((a as f64) * (b as f64)).sqrt() * co / (co + shrink)
}

/// One collaborative neighbour: a row, its shrunk cosine and how many raters it shares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoRated {
    pub row: u32,
    pub similarity: f64,
    pub co: u32,
}

/// The `k` most similar rows of every row by shrunk rater cosine (never itself; ties
/// by row), from user -> rows postings. Rows without raters get an empty list.
pub fn item_item(raters: &[Vec<u32>], k: usize, shrink: f64) -> Vec<Vec<CoRated>> {
    // User ids are sparse (a scaled copy shifts them by millions): index them densely.
    let mut users: Vec<u32> = raters.iter().flatten().copied().collect();
    users.sort_unstable();
    users.dedup();
    let dense: HashMap<u32, u32> = users.iter().enumerate().map(|(i, &u)| (u, i as u32)).collect();
    let mut rated: Vec<Vec<u32>> = vec![Vec::new(); users.len()];
    for (row, list) in raters.iter().enumerate() {
        for u in list {
            rated[dense[u] as usize].push(row as u32);
        }
    }
    let raters: Vec<Vec<u32>> = raters.iter().map(|list| list.iter().map(|u| dense[u]).collect()).collect();
    (0..raters.len())
        .into_par_iter()
        .map_init(
            || (vec![0u32; raters.len()], Vec::<u32>::new()),
            |(counts, touched), i| {
                for &u in &raters[i] {
                    for &j in &rated[u as usize] {
                        if j as usize != i {
                            if counts[j as usize] == 0 {
                                touched.push(j);
                            }
                            counts[j as usize] += 1;
                        }
                    }
                }
                let mut found: Vec<CoRated> = touched
                    .iter()
                    .map(|&j| {
                        let co = counts[j as usize];
                        CoRated { row: j, similarity: shrunk_cosine(co as usize, raters[i].len(), raters[j as usize].len(), shrink), co }
                    })
                    .collect();
                for &j in touched.iter() {
                    counts[j as usize] = 0;
                }
                touched.clear();
                let order = |a: &CoRated, b: &CoRated| b.similarity.total_cmp(&a.similarity).then(a.row.cmp(&b.row));
                if found.len() > k && k > 0 {
                    found.select_nth_unstable_by(k - 1, order);
                    found.truncate(k);
                }
                found.sort_by(order);
                found.truncate(k);
                // Without this every list keeps the capacity of all it touched.
                found.shrink_to_fit();
                found
            },
        )
        .collect()
}

/// The rows a user rated highly, oldest first (ties by row): for the leave-last-out
/// check, the last is what they went on to watch after the one before.
pub fn high_ratings_in_order(ratings: &[Rating], keep: impl Fn(u32) -> bool) -> Vec<(u32, Vec<u32>)> {
    let mut by_user: std::collections::BTreeMap<u32, Vec<(i64, u32)>> = Default::default();
    for r in ratings.iter().filter(|r| r.is_high() && keep(r.user)) {
        by_user.entry(r.user).or_default().push((r.rated_at, r.row));
    }
    by_user
        .into_iter()
        .map(|(user, mut seen)| {
            seen.sort_unstable();
            (user, seen.into_iter().map(|(_, row)| row).collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_item_matches_a_direct_count() {
        let raters = vec![vec![1, 2, 3], vec![2, 3], vec![3, 9], vec![], vec![1, 2, 3, 9]];
        let lists = item_item(&raters, 10, 2.0);
        assert!(lists[3].is_empty(), "no raters, no neighbours");
        for (i, list) in lists.iter().enumerate() {
            assert!(list.iter().all(|n| n.row as usize != i), "never itself");
            for n in list {
                let co = shared(&raters[i], &raters[n.row as usize]);
                assert_eq!(n.co as usize, co);
                assert_eq!(n.similarity, shrunk_cosine(co, raters[i].len(), raters[n.row as usize].len(), 2.0));
            }
            assert!(list.windows(2).all(|w| w[0].similarity >= w[1].similarity));
        }
        assert_eq!(lists[0][0].row, 4, "movie 0's raters all rated movie 4");
    }

    #[test]
    fn shrinkage_favours_more_co_raters() {
        assert!(shrunk_cosine(2, 2, 2, 5.0) < shrunk_cosine(20, 20, 20, 5.0));
        assert_eq!(shrunk_cosine(0, 5, 5, 5.0), 0.0);
    }

    #[test]
    fn the_split_is_fixed_and_about_a_fifth() {
        let held_out = (0..10_000u32).filter(|&u| part_of(u, true) == Part::HeldOut).count();
        assert!((1_700..2_300).contains(&held_out), "{held_out}");
        assert!((0..1000u32).all(|u| part_of(u, false) != Part::HeldOut), "a build holds nobody out");
        assert!((0..1000u32).all(|u| part_of(u, true) == part_of(u, true)));
        let labels = (0..10_000u32).filter(|&u| part_of(u, false) == Part::Label).count();
        assert!(labels > 1_000 && labels < 4_000, "{labels}");
        let validation: Vec<u32> = (0..10_000u32).filter(|&u| is_validation(u)).collect();
        assert!((1_700..2_300).contains(&validation.len()), "{}", validation.len());
        assert!(validation.iter().all(|&u| part_of(u, true) != Part::HeldOut), "validation users are never held out");
    }
}
