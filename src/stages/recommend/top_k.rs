//! The exact top-k most similar rows of every row, from an inverted index: each row
//! only meets the rows it shares a term with.

use rayon::prelude::*;

use super::tfidf::SparseRows;

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
pub(super) struct Ranking<'a> {
    pub(super) popularity: &'a [f64],
    pub(super) ids: &'a [i64],
}

impl Ranking<'_> {
    pub(super) fn order(&self, a: Neighbor, b: Neighbor) -> std::cmp::Ordering {
        // Lazily: most comparisons are settled by the score, and the popularity and id
        // lookups are random reads (a third of the top-k time when done eagerly).
        b.score.total_cmp(&a.score).then_with(|| {
            let (pa, pb) = (self.popularity[a.row as usize], self.popularity[b.row as usize]);
            pb.total_cmp(&pa).then_with(|| self.ids[a.row as usize].cmp(&self.ids[b.row as usize]))
        })
    }

    #[cfg(test)]
    pub(super) fn before(&self, a: Neighbor, b: Neighbor) -> bool {
        self.order(a, b).is_lt()
    }

    /// Inserts into a best-first list capped at k: the reference [`nearest`] and
    /// [`resolve`] are checked against in the tests.
    #[cfg(test)]
    pub(super) fn offer(&self, best: &mut Vec<Neighbor>, k: usize, candidate: Neighbor) {
        // A lower score than the last kept one settles it without the full order: most
        // of the thousands of rows a row meets end here.
        if best.len() == k && (candidate.score.total_cmp(&best[k - 1].score).is_lt() || !self.before(candidate, best[k - 1])) {
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
    resolve(&nearest(m, k), popularity, ids, k)
}

/// The part of [`top_k`] that reads nothing but the rows: for every row, each other row
/// whose score is at least its k-th best positive score, score descending, ties by row.
/// Popularity and ids only break ties among equal scores ([`resolve`]), so every row
/// that can make the top k whatever they are is here, and no other.
pub fn nearest(m: &SparseRows, k: usize) -> Vec<Vec<Neighbor>> {
    let n = m.n_rows();
    let index = postings(m);
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
                let mut near = Vec::with_capacity(k + 1);
                for &j in &scratch.touched {
                    let score = std::mem::take(&mut scratch.scores[j as usize]);
                    if j as usize != i && score > 0.0 {
                        keep_with_ties(&mut near, k, Neighbor { row: j, score });
                    }
                }
                scratch.touched.clear();
                near.shrink_to_fit();
                near
            },
        )
        .collect()
}

/// Inserts into a list (score descending, ties by row) that holds every candidate
/// scoring at least the k-th best score: the ties at the k-th place all stay.
fn keep_with_ties(near: &mut Vec<Neighbor>, k: usize, candidate: Neighbor) {
    if k == 0 || (near.len() >= k && candidate.score.total_cmp(&near[k - 1].score).is_lt()) {
        return;
    }
    let at = near.partition_point(|b| b.score.total_cmp(&candidate.score).then(candidate.row.cmp(&b.row)).is_gt());
    near.insert(at, candidate);
    if near.len() > k {
        let kth = near[k - 1].score;
        let end = near.partition_point(|b| b.score.total_cmp(&kth).is_ge());
        near.truncate(end);
    }
}

/// Each row's top k from its [`nearest`] rows: score descending, then popularity
/// descending, then id ascending; topped up with the most popular others at score 0.
pub fn resolve(nearest: &[Vec<Neighbor>], popularity: &[f64], ids: &[i64], k: usize) -> Vec<Vec<Neighbor>> {
    let n = nearest.len();
    let ranking = Ranking { popularity, ids };
    let mut by_popularity: Vec<u32> = (0..n as u32).collect();
    by_popularity.sort_by(|&a, &b| ranking.order(Neighbor { row: a, score: 0.0 }, Neighbor { row: b, score: 0.0 }));
    let fallback = &by_popularity[..(k + 1).min(n)];
    (nearest.par_iter().enumerate())
        .map(|(i, near)| {
            let mut best = near.clone();
            best.sort_by(|&a, &b| ranking.order(a, b));
            best.truncate(k);
            for &j in fallback {
                if best.len() == k {
                    break;
                }
                if j as usize != i && !best.iter().any(|b| b.row == j) {
                    best.push(Neighbor { row: j, score: 0.0 });
                }
            }
            best
        })
        .collect()
}

/// The top-k cost: how many (row, row) score updates the inverted index makes.
pub fn pair_updates(m: &SparseRows) -> u64 {
    let mut df = vec![0u64; m.n_cols];
    m.indices.iter().for_each(|&t| df[t as usize] += 1);
    df.iter().map(|d| d * d).sum()
}
