//! Splitting the per-movie and per-person work into parts (`marquee build --part K/N`):
//! part K of N is the K-th of N ranges of ids, cut so that each holds about as many of
//! the ids that exist. The ranges cover every integer, so any id, even one the cut
//! never saw, falls in exactly one part, and the same ids always give the same ranges.

use anyhow::{Result, bail};

/// Part `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub index: usize,
    pub count: usize,
}

impl Part {
    /// Reads `K/N`, with 1 <= K <= N.
    pub fn parse(text: &str) -> Result<Part> {
        let numbers = text.split_once('/').and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
        match numbers {
            Some((index, count)) if (1..=count).contains(&index) => Ok(Part { index, count }),
            _ => bail!("{text:?} is not a part: write K/N with 1 <= K <= N, e.g. 2/3"),
        }
    }

    /// Every part of `count`, in order.
    pub fn all(count: usize) -> impl Iterator<Item = Part> {
        (1..=count).map(move |index| Part { index, count })
    }

    /// This part's range of `ids` (sorted ascending, without repeats): the K-th of N
    /// slices of about equal length, widened to the ids between its neighbours' slices.
    pub fn range_of(&self, ids: &[i64]) -> IdRange {
        let cut = |k: usize| ids.get(k * ids.len() / self.count).copied().unwrap_or(i64::MAX);
        IdRange { from: (self.index > 1).then(|| cut(self.index - 1)), to: (self.index < self.count).then(|| cut(self.index)) }
    }

    /// A name for files and messages: `2-of-3`.
    pub fn name(&self) -> String {
        format!("{}-of-{}", self.index, self.count)
    }
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The ids `from <= id < to`, either end open when `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IdRange {
    pub from: Option<i64>,
    pub to: Option<i64>,
}

impl IdRange {
    pub fn contains(&self, id: i64) -> bool {
        self.from.is_none_or(|f| id >= f) && self.to.is_none_or(|t| id < t)
    }

    /// This range cut into consecutive ranges that cover it, each holding ids of
    /// `weighted` (id, weight; sorted ascending, without repeats) whose weights sum to
    /// at most `budget`, or a single id heavier than that. One range, this one, when
    /// everything fits: so small data is not cut at all.
    pub fn chunks(&self, weighted: &[(i64, u64)], budget: u64) -> Vec<IdRange> {
        let mut cuts = Vec::new();
        let mut held = 0u64;
        for &(id, weight) in weighted.iter().filter(|(id, _)| self.contains(*id)) {
            if held > 0 && held.saturating_add(weight) > budget {
                cuts.push(id);
                held = 0;
            }
            held = held.saturating_add(weight);
        }
        let starts = std::iter::once(self.from).chain(cuts.iter().copied().map(Some));
        let ends = cuts.iter().copied().map(Some).chain(std::iter::once(self.to));
        starts.zip(ends).map(|(from, to)| IdRange { from, to }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_read_as_k_of_n() {
        assert_eq!(Part::parse("2/3").unwrap(), Part { index: 2, count: 3 });
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "-1/2", ""] {
            assert!(Part::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn every_id_falls_in_exactly_one_part() {
        let ids: Vec<i64> = vec![2, 3, 5, 8, 13, 21, 34, 55, 89, 144];
        for count in 1..=12 {
            let ranges: Vec<IdRange> = Part::all(count).map(|p| p.range_of(&ids)).collect();
            for id in -5..200 {
                assert_eq!(ranges.iter().filter(|r| r.contains(id)).count(), 1, "id {id} of {count} parts");
            }
            if count <= ids.len() {
                // About as many existing ids in each part.
                let sizes: Vec<usize> = ranges.iter().map(|r| ids.iter().filter(|&&id| r.contains(id)).count()).collect();
                assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1, "{count}: {sizes:?}");
            }
        }
        assert_eq!(Part { index: 1, count: 1 }.range_of(&[]), IdRange::default());
    }

    #[test]
    fn chunks_cover_their_range_each_within_the_budget() {
        let weighted: Vec<(i64, u64)> = vec![(1, 3), (4, 3), (6, 1), (9, 7), (10, 2), (12, 2), (15, 1), (20, 4)];
        for within in [IdRange::default(), IdRange { from: Some(4), to: Some(15) }, IdRange { from: None, to: Some(10) }] {
            for budget in [1, 4, 6, 8, 100] {
                let chunks = within.chunks(&weighted, budget);
                for id in -5..30 {
                    let holding = chunks.iter().filter(|c| c.contains(id)).count();
                    assert_eq!(holding, usize::from(within.contains(id)), "id {id}, budget {budget}, {within:?}: {chunks:?}");
                }
                for chunk in &chunks {
                    let ids: Vec<&(i64, u64)> = weighted.iter().filter(|(id, _)| chunk.contains(*id)).collect();
                    let sum: u64 = ids.iter().map(|(_, w)| w).sum();
                    assert!(sum <= budget || ids.len() == 1, "{chunk:?} holds {sum} over {budget}");
                    assert!(!ids.is_empty() || chunks.len() == 1, "{chunk:?} holds nothing: {chunks:?}");
                }
            }
        }
        // Everything fits: the range itself, uncut.
        assert_eq!(IdRange::default().chunks(&weighted, 100), vec![IdRange::default()]);
        assert_eq!(IdRange::default().chunks(&weighted, 6).len(), 5);
    }
}
