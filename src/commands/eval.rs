//! `marquee eval`: the recommender against baselines, judged on held-out users.
//!
//! A fifth of the MovieLens users (by a hash of their id, see
//! `stages::recommend::ratings::part_of`) are held out: nothing trained or ranked here
//! reads their ratings; every figure is measured on them.

use std::path::Path;

use anyhow::Result;

use crate::pipeline;
use crate::settings::{GENRES_ONLY, GENRES_ONLY_VOCABULARY, MIN_HELD_OUT_RATERS, TOP_K, TUNING_GRID};
use crate::stages::load;
use crate::stages::recommend::evaluate::{HeldOut, Quality, XorShift, quality};
use crate::stages::recommend::tune::Tuned;
use crate::stages::recommend::{self, MovieDoc, Rating, ranker};

/// Five random other movies per movie (a fixed seed).
fn random_lists(n: usize) -> Vec<Vec<u32>> {
    let mut rng = XorShift(0x2545F4914F6CDD1D);
    (0..n)
        .map(|i| {
            let mut list = Vec::new();
            while list.len() < TOP_K.min(n.saturating_sub(1)) {
                let j = rng.next(n) as u32;
                if j as usize != i && !list.contains(&j) {
                    list.push(j);
                }
            }
            list
        })
        .collect()
}

/// The movies the most training users rated, in that order (ties by row).
fn most_rated(training_raters: &[Vec<u32>]) -> Vec<u32> {
    let mut rows: Vec<u32> = (0..training_raters.len() as u32).collect();
    rows.sort_by(|&a, &b| training_raters[b as usize].len().cmp(&training_raters[a as usize].len()).then(a.cmp(&b)));
    rows.truncate(TOP_K + 1);
    rows
}

/// `list`, topped up from `fill` (skipping `i` and repeats) to five.
fn topped_up(i: usize, mut list: Vec<u32>, fill: &[u32]) -> Vec<u32> {
    for &j in fill {
        if list.len() >= TOP_K {
            break;
        }
        if j as usize != i && !list.contains(&j) {
            list.push(j);
        }
    }
    list
}

/// A system's name and its list of rows for every movie.
type Lists = Vec<(&'static str, Vec<Vec<u32>>)>;

/// Every system's lists, by name. The TF-IDF and item-item baselines are the first
/// five of the ranker's own candidate lists (the same total order), not computed again.
fn systems(docs: &[MovieDoc], ratings: Vec<Rating>) -> Result<(Lists, recommend::Models)> {
    let (genres_only, _) = recommend::recommend(docs, &GENRES_ONLY, &GENRES_ONLY_VOCABULARY, TOP_K)?;
    let genres_only = genres_only.into_iter().map(|l| l.into_iter().map(|n| n.row).collect()).collect();
    let built = recommend::build(docs, ratings, true)?;
    // The ranker's raters are every user not held out: the training users.
    let popular = most_rated(&built.signals.raters);
    let content = built.signals.content_lists.iter().map(|l| l.iter().take(TOP_K).map(|n| n.row).collect()).collect();
    let item_item = (built.signals.co_rated.iter().enumerate())
        .map(|(i, l)| topped_up(i, l.iter().take(TOP_K).map(|n| n.row).collect(), &popular))
        .collect();
    let rows = |lists: &[Vec<recommend::Ranked>]| -> Vec<Vec<u32>> { lists.iter().map(|l| l.iter().map(|r| r.row).collect()).collect() };
    let hybrid = rows(&built.lists);
    let content_only = rows(&ranker::rank(&built.signals, &built.models, |_| false, TOP_K));
    Ok((
        vec![
            ("random", random_lists(docs.len())),
            ("most-rated", (0..docs.len()).map(|i| topped_up(i, Vec::new(), &popular)).collect()),
            ("genres-only", genres_only),
            ("content tf-idf", content),
            ("item-item cf", item_item),
            ("ranker, no ratings", content_only),
            ("ranker (hybrid)", hybrid),
        ],
        built.models,
    ))
}

pub fn table(rows: &[(&str, Quality)]) -> String {
    let mut out = format!(
        "{:<20} {:>7} {:>8} {:>11} {:>8} {:>11} {:>9} {:>10}\n",
        "system", "lift", "movies", "next-watch", "users", "collection", "coverage", "pop. rank"
    );
    for (name, q) in rows {
        out += &format!(
            "{:<20} {:>7.2} {:>8} {:>11.3} {:>8} {:>11.3} {:>9.3} {:>10.0}\n",
            name,
            q.co_rating_lift,
            q.lift_movies,
            q.next_watch_hit_at_5,
            q.next_watch_users,
            q.collection_hit_at_5,
            q.coverage,
            q.median_popularity_rank
        );
    }
    out
}

/// The grid, one line a point, the chosen one marked.
pub fn tuning_table(tuned: &Tuned) -> String {
    let mut out = format!(
        "  {:>7} {:>8} {:>7} {:>6} {:>9} {:>9} {:>6} {:>7} {:>10}\n",
        "content", "co-rated", "popular", "shrink", "min label", "positives", "alpha", "hybrid", "no ratings"
    );
    for (i, p) in tuned.points.iter().enumerate() {
        let h = &p.hyper;
        out += &format!(
            "{} {:>7} {:>8} {:>7} {:>6} {:>9} {:>9} {:>6} {:>7.3} {:>10.3}\n",
            if i == tuned.chosen { '*' } else { ' ' },
            h.content_candidates,
            h.co_rated_candidates,
            h.popular_candidates,
            h.cf_shrink,
            h.min_label_raters,
            h.label_positives,
            h.ranker_alpha,
            p.hybrid_lift,
            p.no_ratings_lift
        );
    }
    out
}

/// `marquee eval --tune`: the grid scored on validation users; held-out users unread.
pub async fn tune(data: &Path, json_out: Option<&Path>) -> Result<()> {
    let (ctx, _) = pipeline::clean(&mut load::load_all(data)?).await?;
    let (docs, ratings) = recommend::read_inputs(&ctx).await?;
    let tuned = recommend::tune::tune(&docs, ratings, &TUNING_GRID)?;
    println!(
        "co-rating lift on {} validation users ({} movies with {MIN_HELD_OUT_RATERS}+ of them), trained without them:",
        tuned.validation_users, tuned.lift_movies
    );
    print!("{}", tuning_table(&tuned));
    println!("chosen (*): {:?}", tuned.points[tuned.chosen].hyper);
    if let Some(path) = json_out {
        std::fs::write(path, serde_json::to_string_pretty(&tuned)? + "\n")?;
    }
    Ok(())
}

pub async fn run(data: &Path, json_out: Option<&Path>) -> Result<()> {
    let (ctx, _) = pipeline::clean(&mut load::load_all(data)?).await?;
    let (docs, ratings) = recommend::read_inputs(&ctx).await?;
    let held = HeldOut::new(&ratings, docs.len());
    let (lists, models) = systems(&docs, ratings)?;
    let judged: Vec<(&str, Quality)> = lists.iter().map(|(name, l)| (*name, quality(&docs, l, &held))).collect();
    print!("{}", table(&judged));
    println!(
        "held-out users with a movie rated 4+: {}; ranker trained on {} pairs ({} positive); its weights:",
        held.liked_in_order.len(),
        models.training_pairs,
        models.positives
    );
    for (feature, weight) in models.hybrid.describe() {
        println!("  {weight:>8.3}  {feature}");
    }
    if let Some(path) = json_out {
        let report: serde_json::Map<String, serde_json::Value> =
            judged.iter().map(|(name, q)| (name.to_string(), serde_json::to_value(q).expect("serialises"))).collect();
        std::fs::write(path, serde_json::to_string_pretty(&report)? + "\n")?;
    }
    Ok(())
}
