//! Recommend stage: five recommendations for every movie, chosen by a learned ranker
//! from candidates that are textually similar (TF-IDF), co-rated by MovieLens users
//! (item-item, sparse), in the same collection, or widely seen.
//!
//! TF-IDF: linfa-preprocessing's CountVectorizer learns the vocabulary (stop words,
//! document frequency caps); rows are counted here in parallel against it, weighted
//! with linfa's smooth idf, L2-normalised, and checked against linfa's TfIdfVectorizer
//! in the tests. Similarities come from an inverted index: each row only meets the rows
//! it shares a term with. The ranker (ranker.rs) is a linfa-logistic regression whose
//! labels come from one part of the raters and whose collaborative features come from
//! another; `marquee eval` holds out a third part to judge it (ratings.rs).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use datafusion::arrow::array::{Float64Array, Int64Array, ListBuilder, RecordBatch, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use rayon::prelude::*;

use crate::foundation::engine::scripts;
use crate::foundation::parts::Part as IdPart;
use crate::foundation::tables;
use crate::foundation::timing::trace;
use crate::settings::{Hyper, RECOMMENDER, TOP_K, VOCABULARY, Vocabulary, WEIGHTS, Weights};

pub mod documents;
pub mod evaluate;
pub mod features;
pub mod neighbourhoods;
pub mod ranker;
pub mod ratings;
pub mod tfidf;
pub mod top_k;
pub mod tune;

pub use documents::{MovieDoc, document_text, read_documents};
pub use ranker::{Models, Ranked, Signals};
pub use ratings::{Part, Rating};
pub use tfidf::{SparseRows, tfidf, tfidf_of};
pub use top_k::{Neighbor, pair_updates, top_k};

use neighbourhoods::Kept;

/// Timings of the two steps, for the build summary and `make bench`.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct RecommendStats {
    pub movies: usize,
    pub vocabulary: usize,
    pub nonzeros: usize,
    /// Sum over terms of document frequency squared: the top-k step's work.
    pub pair_updates: u64,
    pub tfidf_s: f64,
    pub top_k_s: f64,
    /// Rated movies, training pairs and positives of the ranker; 0 when it could not
    /// be trained (no ratings) and content similarity ranked alone.
    pub rated_movies: usize,
    pub training_pairs: usize,
    pub positives: usize,
    pub ranker_s: f64,
}

/// Documents to top-`k` lists by content alone (a baseline of `marquee eval`), timed.
pub fn recommend(docs: &[MovieDoc], weights: &Weights, vocab: &Vocabulary, k: usize) -> Result<(Vec<Vec<Neighbor>>, RecommendStats)> {
    let (content, _) = content_side(docs, weights, vocab, k, None)?;
    let stats = content.stats(docs.len());
    Ok((content.lists, stats))
}

/// The documents and ratings of a session (sql/recommend run first).
pub async fn read_inputs(ctx: &SessionContext) -> Result<(Vec<MovieDoc>, Vec<Rating>)> {
    scripts::run_scripts(ctx, scripts::RECOMMEND).await?;
    let docs = read_documents(&ctx.table(tables::RECOMMEND_DOCUMENTS).await?.collect().await?);
    let row_of: HashMap<i64, usize> = docs.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
    Ok((docs, read_movie_ratings(ctx, &row_of).await?))
}

/// The rater lists of every part straight from `movie_ratings`, batch by batch: the
/// published build needs no list of ratings (26 million take 600 MB).
async fn read_raters(ctx: &SessionContext, row_of: &HashMap<i64, usize>, hold_out: bool) -> Result<Raters> {
    use futures::StreamExt;
    let mut stream = ctx.table(tables::MOVIE_RATINGS).await?.execute_stream().await?;
    let mut raters = Raters::new(row_of.len());
    while let Some(batch) = stream.next().await {
        for rating in ratings::read_ratings(std::slice::from_ref(&batch?), row_of) {
            raters.add(&rating, hold_out);
        }
    }
    Ok(raters.finish())
}

/// Each part's users per movie row (see [`Part`]), sorted and without repeats.
pub struct Raters {
    feature: Vec<Vec<u32>>,
    label: Vec<Vec<u32>>,
    all: Vec<Vec<u32>>,
}

impl Raters {
    fn new(rows: usize) -> Raters {
        Raters { feature: vec![Vec::new(); rows], label: vec![Vec::new(); rows], all: vec![Vec::new(); rows] }
    }

    fn add(&mut self, r: &Rating, hold_out: bool) {
        let row = r.row as usize;
        match ratings::part_of(r.user, hold_out) {
            Part::HeldOut => return,
            Part::Feature => self.feature[row].push(r.user),
            Part::Label => self.label[row].push(r.user),
        }
        self.all[row].push(r.user);
    }

    fn finish(mut self) -> Raters {
        for list in self.feature.iter_mut().chain(self.label.iter_mut()).chain(self.all.iter_mut()) {
            list.sort_unstable();
            list.dedup();
            list.shrink_to_fit();
        }
        self
    }

    pub fn of(ratings: &[Rating], rows: usize, hold_out: bool) -> Raters {
        let mut raters = Raters::new(rows);
        ratings.iter().for_each(|r| raters.add(r, hold_out));
        raters.finish()
    }
}

/// `movie_ratings` batch by batch (the view is never held whole), in (movie row, user)
/// order whatever order the plan produced.
async fn read_movie_ratings(ctx: &SessionContext, row_of: &HashMap<i64, usize>) -> Result<Vec<Rating>> {
    use futures::StreamExt;
    // Room for every clean rating up front (movie_ratings has no more): grown by
    // doubling, 26 million ratings would briefly take twice their 600 MB.
    let most = ctx.table(tables::RATINGS).await?.count().await?;
    let mut stream = ctx.table(tables::MOVIE_RATINGS).await?.execute_stream().await?;
    let mut ratings = Vec::with_capacity(most);
    while let Some(batch) = stream.next().await {
        ratings.extend(ratings::read_ratings(std::slice::from_ref(&batch?), row_of));
    }
    ratings.par_sort_unstable_by_key(|r| (r.row, r.user));
    Ok(ratings)
}

/// A trained recommender: its signals, its models and every movie's list.
pub struct Recommender<'a> {
    pub signals: Signals<'a>,
    pub models: Models,
    pub lists: Vec<Vec<Ranked>>,
    pub stats: RecommendStats,
    /// Why a kept neighbourhoods file was not trusted (it was made again), if one was not.
    pub distrusted: Option<String>,
}

/// Candidates, features, training and ranking for every movie. With `hold_out`, the
/// held-out users' ratings are not read at all (`marquee eval`). The ratings are let
/// go once sorted into rater lists (26 million of them take 600 MB).
pub fn build(docs: &[MovieDoc], ratings: Vec<Rating>, hold_out: bool) -> Result<Recommender<'_>> {
    let raters = Raters::of(&ratings, docs.len(), hold_out);
    drop(ratings);
    build_from(docs, raters, RECOMMENDER)
}

/// [`build`] from the rater lists, with the given hyperparameters.
pub fn build_from(docs: &[MovieDoc], raters: Raters, hyper: Hyper) -> Result<Recommender<'_>> {
    build_keeping(docs, raters, hyper, None)
}

/// [`build_from`], taking the neighbourhoods kept in `kept` (see [`neighbourhoods`])
/// when they were made from the same text and raters, and keeping them there when not.
/// The same recommender either way, bit for bit.
pub fn build_keeping<'a>(docs: &'a [MovieDoc], raters: Raters, hyper: Hyper, kept: Option<&Path>) -> Result<Recommender<'a>> {
    build_part(docs, raters, hyper, kept, None)
}

/// [`build_keeping`] ranking only the movies of `part` (by id; see `foundation::parts`):
/// everything the ranking learns from is made whole, as for every movie, so each part
/// ranks its movies exactly as the whole build does. The other movies' lists are empty.
pub fn build_part<'a>(
    docs: &'a [MovieDoc],
    raters: Raters,
    hyper: Hyper,
    kept: Option<&Path>,
    part: Option<IdPart>,
) -> Result<Recommender<'a>> {
    let started = std::time::Instant::now();
    // The text side and the ratings side share nothing until training: run together,
    // the ratings side fills the core that linfa's one-threaded vocabulary fit leaves
    // idle (the same values either way; only the wall time changes).
    let (content, collaborative) = rayon::join(
        || content_side(docs, &WEIGHTS, &VOCABULARY, hyper.content_candidates, kept),
        || CollaborativeSide::new(docs, raters, &hyper, kept),
    );
    let (content, content_distrusted) = content?;
    let (collaborative, co_rated_distrusted) = collaborative?;
    let distrusted = content_distrusted.or(co_rated_distrusted);
    let mut stats = content.stats(docs.len());
    let ContentSide { rows: content, lists: content_lists, .. } = content;
    let CollaborativeSide { catalogue, feature_raters, label_raters, feature_co_rated, all_raters, all_co_rated } = collaborative;
    let mut clock = std::time::Instant::now();
    trace("recommend: tf-idf, neighbours, raters and item-item", &mut started.clone());
    let learning = Signals::new(hyper, catalogue, content, content_lists, feature_raters, feature_co_rated);
    let models = ranker::train(&learning, &label_raters).unwrap_or_else(|_| Models::content_similarity());
    trace("recommend: training", &mut clock);
    // The model learnt how co-rating among some users predicts it among others; it
    // ranks with the co-rating of every user it may read (label users included).
    stats.rated_movies = all_raters.iter().filter(|r| !r.is_empty()).count();
    let signals = learning.with_raters(all_raters, all_co_rated);
    let rated = |i: usize| !signals.raters[i].is_empty();
    let lists = match part {
        None => ranker::rank(&signals, &models, rated, TOP_K),
        Some(part) => rank_part(&signals, &models, rated, part),
    };
    trace("recommend: ranking", &mut clock);
    (stats.training_pairs, stats.positives) = (models.training_pairs, models.positives);
    stats.ranker_s = started.elapsed().as_secs_f64() - stats.tfidf_s - stats.top_k_s;
    Ok(Recommender { signals, models, lists, stats, distrusted })
}

/// The lists of the movies of `part`, every other movie's left empty.
fn rank_part(signals: &Signals<'_>, models: &Models, rated: impl Fn(usize) -> bool + Sync, part: IdPart) -> Vec<Vec<Ranked>> {
    let docs = signals.catalogue.docs;
    let mut ids: Vec<i64> = docs.iter().map(|d| d.id).collect();
    ids.sort_unstable();
    ids.dedup();
    let range = part.range_of(&ids);
    let rows: Vec<usize> = (0..docs.len()).filter(|&i| range.contains(docs[i].id)).collect();
    let mut lists = vec![Vec::new(); docs.len()];
    for (row, list) in rows.iter().zip(ranker::rank_rows(signals, models, &rows, rated, TOP_K)) {
        lists[*row] = list;
    }
    lists
}

/// TF-IDF rows and each movie's most similar documents, timed.
struct ContentSide {
    rows: SparseRows,
    lists: Vec<Vec<Neighbor>>,
    tfidf_s: f64,
    top_k_s: f64,
}

impl ContentSide {
    /// The figures of the content side alone (the ranker's are filled in after).
    fn stats(&self, movies: usize) -> RecommendStats {
        RecommendStats {
            movies,
            vocabulary: self.rows.n_cols,
            nonzeros: self.rows.indices.len(),
            pair_updates: pair_updates(&self.rows),
            tfidf_s: self.tfidf_s,
            top_k_s: self.top_k_s,
            ..Default::default()
        }
    }
}

/// The content side and why its kept file was not trusted, if it was not. Only the
/// ties among equal scores are broken here by popularity and id ([`top_k::resolve`]):
/// what is kept in `kept` reads the text alone. When loaded, `tfidf_s` is the loading.
fn content_side(
    docs: &[MovieDoc],
    weights: &Weights,
    vocab: &Vocabulary,
    candidates: usize,
    kept: Option<&Path>,
) -> Result<(ContentSide, Option<String>)> {
    let started = std::time::Instant::now();
    let key = match kept {
        Some(dir) => Some((dir, neighbourhoods::content_key(docs, weights, vocab, candidates)?)),
        None => None,
    };
    let (found, distrusted) = match key {
        Some((dir, key)) => split(neighbourhoods::load_content(dir, key, docs.len())),
        None => (None, None),
    };
    let (rows, nearest, tfidf_s) = match found {
        Some((rows, nearest)) => {
            trace("recommend: content neighbourhoods kept", &mut started.clone());
            (rows, nearest, started.elapsed().as_secs_f64())
        }
        None => {
            let rows = tfidf_of(docs.len(), |i| document_text(&docs[i], weights).into(), vocab)?;
            let tfidf_s = started.elapsed().as_secs_f64();
            let nearest = top_k::nearest(&rows, candidates);
            if let Some((dir, key)) = key {
                neighbourhoods::save_content(dir, key, &rows, &nearest)?;
            }
            (rows, nearest, tfidf_s)
        }
    };
    let popularity: Vec<f64> = docs.iter().map(|d| d.popularity).collect();
    let ids: Vec<i64> = docs.iter().map(|d| d.id).collect();
    let lists = top_k::resolve(&nearest, &popularity, &ids, candidates);
    let top_k_s = started.elapsed().as_secs_f64() - tfidf_s;
    Ok((ContentSide { rows, lists, tfidf_s, top_k_s }, distrusted))
}

/// A kept result, if found, and why it was not trusted, if it was not.
fn split<T>(kept: Kept<T>) -> (Option<T>, Option<String>) {
    match kept {
        Kept::Found(t) => (Some(t), None),
        Kept::Missing => (None, None),
        Kept::Distrusted(why) => (None, Some(why)),
    }
}

/// The catalogue's facts, and each part of the raters with its item-item neighbours:
/// the feature users' (for training) and every readable user's (for ranking).
struct CollaborativeSide<'a> {
    catalogue: features::Catalogue<'a>,
    feature_raters: Vec<Vec<u32>>,
    label_raters: Vec<Vec<u32>>,
    feature_co_rated: Vec<Vec<ratings::CoRated>>,
    all_raters: Vec<Vec<u32>>,
    all_co_rated: Vec<Vec<ratings::CoRated>>,
}

impl<'a> CollaborativeSide<'a> {
    /// The item-item neighbours come from `kept` when made from the same rater lists,
    /// and are kept there when not; with why a kept file was not trusted, if it was not.
    fn new(docs: &'a [MovieDoc], raters: Raters, hyper: &Hyper, kept: Option<&Path>) -> Result<(CollaborativeSide<'a>, Option<String>)> {
        let Raters { feature: feature_raters, label: label_raters, all: all_raters } = raters;
        let (k, shrink) = (hyper.co_rated_candidates, hyper.cf_shrink);
        let key = match kept {
            Some(dir) => Some((dir, neighbourhoods::co_rated_key(&feature_raters, &all_raters, k, shrink)?)),
            None => None,
        };
        let (found, distrusted) = match key {
            Some((dir, key)) => split(neighbourhoods::load_co_rated(dir, key, docs.len())),
            None => (None, None),
        };
        let (feature_co_rated, all_co_rated) = match found {
            Some(lists) => lists,
            None => {
                let feature_co_rated = ratings::item_item(&feature_raters, k, shrink);
                let all_co_rated = ratings::item_item(&all_raters, k, shrink);
                if let Some((dir, key)) = key {
                    neighbourhoods::save_co_rated(dir, key, &feature_co_rated, &all_co_rated)?;
                }
                (feature_co_rated, all_co_rated)
            }
        };
        let catalogue = features::Catalogue::new(docs);
        let side = CollaborativeSide { catalogue, feature_raters, label_raters, feature_co_rated, all_raters, all_co_rated };
        Ok((side, distrusted))
    }
}

/// Runs sql/recommend, ranks every movie's top five and registers them as the
/// `recommendations` table (movie_id, rank, recommended_id, score, reasons) for the
/// questions, the pages and the Parquet export.
pub async fn run(ctx: &SessionContext) -> Result<RecommendStats> {
    Ok(run_keeping(ctx, None).await?.0)
}

/// [`run`] with the neighbourhoods kept in the directory `kept` (see
/// [`neighbourhoods`]); with why a kept file was not trusted, if one was not.
pub async fn run_keeping(ctx: &SessionContext, kept: Option<&Path>) -> Result<(RecommendStats, Option<String>)> {
    run_part(ctx, kept, None).await
}

/// [`run_keeping`] for the movies of `part` only: the `recommendations` table then
/// holds their rows, which are the whole table's rows for those movies, in its order.
pub async fn run_part(ctx: &SessionContext, kept: Option<&Path>, part: Option<IdPart>) -> Result<(RecommendStats, Option<String>)> {
    scripts::run_scripts(ctx, scripts::RECOMMEND).await?;
    let mut clock = std::time::Instant::now();
    let docs = read_documents(&ctx.table(tables::RECOMMEND_DOCUMENTS).await?.collect().await?);
    trace("recommend: documents read", &mut clock);
    let row_of: HashMap<i64, usize> = docs.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
    let raters = read_raters(ctx, &row_of, false).await?;
    trace("recommend: raters read", &mut clock);
    let built = build_part(&docs, raters, RECOMMENDER, kept, part)?;
    let mut clock = std::time::Instant::now();
    ctx.register_table(tables::RECOMMENDATIONS, Arc::new(recommendations_table(&built)?))?;
    trace("recommend: table of lists and reasons", &mut clock);
    Ok((built.stats, built.distrusted))
}

/// Scores rounded to 4 decimals: enough to rank by eye, stable to print.
pub fn rounded_score(score: f64) -> f64 {
    (score * 1e4).round() / 1e4
}

/// The logistic probability of a log-odds score.
fn probability(log_odds: f64) -> f64 {
    1.0 / (1.0 + (-log_odds).exp())
}

/// The `recommendations` table's columns.
pub fn recommendations_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("movie_id", DataType::Int64, false),
        Field::new("rank", DataType::Int64, false),
        Field::new("recommended_id", DataType::Int64, false),
        Field::new("score", DataType::Float64, false),
        Field::new("reasons", DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))), false),
    ]))
}

fn recommendations_table(built: &Recommender<'_>) -> Result<MemTable> {
    let docs = built.signals.catalogue.docs;
    let schema = recommendations_schema();
    let (mut movie, mut rank, mut rec, mut score) = (vec![], vec![], vec![], vec![]);
    let mut reasons = ListBuilder::new(StringBuilder::new());
    for (i, list) in built.lists.iter().enumerate() {
        for (r, nb) in list.iter().enumerate() {
            movie.push(docs[i].id);
            rank.push(r as i64 + 1);
            rec.push(docs[nb.row as usize].id);
            score.push(rounded_score(probability(nb.score)));
            for reason in features::reasons(&built.signals.catalogue, i, nb.row as usize, nb.co_raters) {
                reasons.values().append_value(reason);
            }
            reasons.append(true);
        }
    }
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(movie)),
            Arc::new(Int64Array::from(rank)),
            Arc::new(Int64Array::from(rec)),
            Arc::new(Float64Array::from(score)),
            Arc::new(reasons.finish()),
        ],
    )?;
    Ok(MemTable::try_new(schema, vec![vec![batch]])?)
}

#[cfg(test)]
mod tests {
    use ndarray::Array1;

    use super::documents::STOP_WORDS;
    use super::top_k::Ranking;
    use super::*;
    use crate::settings::GENRES_ONLY;
    use linfa_preprocessing::tf_idf_vectorization::TfIdfVectorizer;

    fn rng(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    fn random_corpus(n: usize, seed: u64) -> Vec<String> {
        let words: Vec<String> = (0..300).map(|i| format!("w{i}")).collect();
        let mut s = seed;
        (0..n)
            .map(|_| {
                let len = 3 + (rng(&mut s) % 12) as usize;
                (0..len).map(|_| words[(rng(&mut s) % 300) as usize].as_str()).collect::<Vec<_>>().join(" ")
            })
            .collect()
    }

    fn dense_cosine(m: &SparseRows, a: usize, b: usize) -> f32 {
        let (ta, wa) = m.row(a);
        let (tb, wb) = m.row(b);
        let mut s = 0.0;
        for (x, wx) in ta.iter().zip(wa) {
            if let Some(p) = tb.iter().position(|y| y == x) {
                s += wx * wb[p];
            }
        }
        s
    }

    /// A small catalogue where taste follows genre: users like one genre's movies.
    fn catalogue_and_ratings(seed: u64, users: std::ops::Range<u32>) -> (Vec<MovieDoc>, Vec<Rating>) {
        let genres = ["Drama", "Comedy", "Horror", "Western"];
        let docs: Vec<MovieDoc> = (0..80)
            .map(|i| MovieDoc {
                id: 1000 + i,
                popularity: (i % 9) as f64,
                overview: Some(format!("a story about {} and {}", ["love", "war", "ghosts", "horses"][i as usize % 4], i % 7)),
                genres: vec![genres[i as usize % 4].to_string()],
                keywords: vec![format!("k{}", i % 11)],
                collection: (i % 10 == 0).then(|| format!("Saga {}", i % 20)),
                vote_count: (i * 13 % 50) as f64,
                ..Default::default()
            })
            .collect();
        let mut state = seed;
        let mut ratings = Vec::new();
        for user in users {
            let taste = user as usize % 4;
            for _ in 0..20 {
                let row = (rng(&mut state) % 20) as usize * 4 + taste;
                ratings.push(Rating {
                    row: row as u32,
                    user,
                    rating: 3.5 + (rng(&mut state) % 4) as f32 * 0.5,
                    rated_at: rng(&mut state) as i64 % 1000,
                });
            }
        }
        (docs, ratings)
    }

    #[test]
    fn held_out_users_never_influence_what_eval_trains_and_ranks() {
        let (docs, ratings) = catalogue_and_ratings(7, 0..400);
        let held_out = |r: &Rating| ratings::part_of(r.user, true) == Part::HeldOut;
        assert!(ratings.iter().any(held_out), "the data has held-out users");
        // Their ratings replaced by others entirely (other movies, other scores).
        let changed = replaced(&ratings, |user| ratings::part_of(user, true) == Part::HeldOut);
        let (a, b) = (build(&docs, ratings.clone(), true).unwrap(), build(&docs, changed.clone(), true).unwrap());
        assert!(a.models.training_pairs > 0, "the ranker was trained");
        assert_eq!(a.models.hybrid.weights, b.models.hybrid.weights);
        assert_eq!(a.models.content_only.weights, b.models.content_only.weights);
        assert_eq!(a.lists, b.lists);
        // Without holding out, the same change does reach the model: the check can fail.
        let (c, d) = (build(&docs, ratings.clone(), false).unwrap(), build(&docs, changed.clone(), false).unwrap());
        assert_ne!(c.models.hybrid.weights, d.models.hybrid.weights);
    }

    /// A grid of two points, small enough for the test catalogue.
    const TINY_GRID: crate::settings::Grid = crate::settings::Grid {
        content_candidates: &[10],
        co_rated_candidates: &[5, 10],
        popular_candidates: &[5],
        cf_shrink: &[2.0],
        min_label_raters: &[3],
        label_positives: &[3],
        ranker_alpha: &[1.0],
    };

    /// `ratings` with the ratings of the users `replace` picks swapped for other ones
    /// (other movies, other scores).
    fn replaced(ratings: &[Rating], replace: impl Fn(u32) -> bool) -> Vec<Rating> {
        let (_, noise) = catalogue_and_ratings(99, 0..400);
        let mut changed: Vec<Rating> = ratings.iter().filter(|r| !replace(r.user)).copied().collect();
        changed.extend(noise.iter().filter(|r| replace(r.user)).map(|r| Rating { row: (r.row + 1) % 80, ..*r }));
        changed
    }

    #[test]
    fn tuning_never_reads_held_out_users_and_trains_without_validation_users() {
        let (docs, ratings) = catalogue_and_ratings(7, 0..400);
        let held_out = |user: u32| ratings::part_of(user, true) == Part::HeldOut;
        let a = tune::tune(&docs, ratings.clone(), &TINY_GRID).unwrap();
        assert!(a.lift_movies > 0 && a.points.iter().all(|p| p.hybrid_lift > 0.0), "{a:?}");
        assert_eq!(a, tune::tune(&docs, replaced(&ratings, held_out), &TINY_GRID).unwrap());
        // The validation users do move the scores: the comparison above can fail.
        let c = tune::tune(&docs, replaced(&ratings, ratings::is_validation), &TINY_GRID).unwrap();
        assert_ne!(a.points, c.points);
        // What the scored models learn from holds neither held-out nor validation users.
        let (_, validation_users, raters) = tune::split(ratings.clone(), docs.len());
        assert!(validation_users > 0);
        let trained: Vec<u32> = raters.all.iter().flatten().copied().collect();
        assert!(!trained.is_empty() && trained.iter().all(|&u| !held_out(u) && !ratings::is_validation(u)));
    }

    /// The share of every movie's recommendations that `alike` says belong with it.
    fn share_alike(lists: &[Vec<Ranked>], movies: std::ops::Range<usize>, alike: impl Fn(usize, usize) -> bool) -> f64 {
        let (mut hits, mut all) = (0, 0);
        for i in movies {
            hits += lists[i].iter().filter(|r| alike(i, r.row as usize)).count();
            all += lists[i].len();
        }
        hits as f64 / all as f64
    }

    /// The catalogue of [`catalogue_and_ratings`] (text and genre follow row % 4), rated
    /// by users whose taste the text does not show: each likes the movies of one row % 5.
    fn taste_hidden_from_text(seed: u64) -> (Vec<MovieDoc>, Vec<Rating>) {
        let (docs, _) = catalogue_and_ratings(seed, 0..0);
        let mut state = seed;
        let mut ratings = Vec::new();
        for user in 0..400u32 {
            for _ in 0..20 {
                let row = (rng(&mut state) % 16) as u32 * 5 + user % 5;
                ratings.push(Rating { row, user, rating: 4.0, rated_at: rng(&mut state) as i64 % 1000 });
            }
        }
        (docs, ratings)
    }

    #[test]
    fn co_rating_wins_over_text_where_they_disagree() {
        let (docs, ratings) = taste_hidden_from_text(11);
        let built = build(&docs, ratings, false).unwrap();
        assert!(built.models.training_pairs > 0);
        let same_taste = |i: usize, j: usize| i % 5 == j % 5;
        let hybrid = share_alike(&built.lists, 0..docs.len(), same_taste);
        // Text similarity alone, on the same candidates, picks by genre instead.
        let by_text = ranker::rank(&built.signals, &Models::content_similarity(), |_| true, TOP_K);
        let text_only = share_alike(&by_text, 0..docs.len(), same_taste);
        assert!(hybrid >= 0.9, "the learned ranker follows co-rating: {hybrid}");
        assert!(text_only <= 0.5, "text alone does not: {text_only}");
    }

    #[test]
    fn text_ranks_the_movies_nobody_rated() {
        // Taste follows genre (row % 4); the last 20 movies have no ratings at all.
        let (docs, ratings) = catalogue_and_ratings(5, 0..400);
        let rated: Vec<Rating> = ratings.into_iter().filter(|r| r.row < 60).collect();
        let built = build(&docs, rated, false).unwrap();
        assert!(built.models.training_pairs > 0, "trained on the rated movies");
        assert!((60..80).all(|i| built.signals.raters[i].is_empty()));
        let same_genre = |i: usize, j: usize| i % 4 == j % 4;
        let unrated = share_alike(&built.lists, 60..80, same_genre);
        // The most-voted movies, the fallback without text or ratings, do not.
        let popular: Vec<Vec<Ranked>> = (0..80)
            .map(|i| {
                built
                    .signals
                    .popular
                    .iter()
                    .filter(|&&j| j as usize != i)
                    .take(TOP_K)
                    .map(|&j| Ranked { row: j, score: 0.0, co_raters: 0 })
                    .collect()
            })
            .collect();
        let most_voted = share_alike(&popular, 60..80, same_genre);
        assert!(unrated >= 0.8, "unrated movies are ranked by what their text shares: {unrated}");
        assert!(most_voted <= 0.5, "{most_voted}");
    }

    #[test]
    fn the_whole_recommender_is_the_same_on_one_thread_and_two() {
        let (docs, ratings) = catalogue_and_ratings(13, 0..300);
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let built = pool.install(|| build(&docs, ratings.clone(), false).unwrap());
            let catalogue = &built.signals.catalogue;
            let reasons: Vec<Vec<String>> = (built.lists.iter().enumerate())
                .flat_map(|(i, list)| list.iter().map(move |r| features::reasons(catalogue, i, r.row as usize, r.co_raters)))
                .collect();
            let weights = (built.models.hybrid.weights.clone(), built.models.content_only.weights.clone());
            (built.lists.clone(), weights, reasons)
        };
        let one = on(1);
        assert_eq!(one.0.iter().map(Vec::len).sum::<usize>(), docs.len() * TOP_K);
        assert_eq!(one, on(2));
        assert_eq!(one, on(3));
    }

    #[test]
    fn each_part_ranks_its_movies_as_the_whole_build_does() {
        let (docs, ratings) = catalogue_and_ratings(3, 0..300);
        let whole = build(&docs, ratings.clone(), false).unwrap().lists;
        let mut ranked_by = vec![0; docs.len()];
        for part in IdPart::all(3) {
            let built = build_part(&docs, Raters::of(&ratings, docs.len(), false), RECOMMENDER, None, Some(part)).unwrap();
            for (i, list) in built.lists.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
                assert_eq!(list, &whole[i], "movie {i}, part {part}");
                ranked_by[i] += 1;
            }
        }
        assert!(ranked_by.iter().all(|&n| n == 1), "every movie in exactly one part: {ranked_by:?}");
    }

    #[test]
    fn every_movie_gets_five_others_and_collections_stay_together() {
        let (docs, ratings) = catalogue_and_ratings(3, 0..300);
        let built = build(&docs, ratings.clone(), false).unwrap();
        for (i, list) in built.lists.iter().enumerate() {
            assert_eq!(list.len(), TOP_K);
            assert!(list.iter().all(|r| r.row as usize != i), "never itself");
            if let Some(c) = &docs[i].collection {
                let others = docs.iter().enumerate().any(|(j, d)| j != i && d.collection.as_ref() == Some(c));
                assert!(!others || list.iter().any(|r| docs[r.row as usize].collection.as_ref() == Some(c)), "movie {i}");
            }
        }
        let without_ratings = build(&docs, Vec::new(), false).unwrap();
        assert_eq!(without_ratings.models.training_pairs, 0, "nothing to learn from: content similarity ranks");
        assert!(without_ratings.lists.iter().all(|l| l.len() == TOP_K));
    }

    #[test]
    fn weights_match_linfa_tfidf_up_to_row_normalisation() {
        let texts = random_corpus(120, 7);
        let vocab = Vocabulary { min_docs: 2, max_df: 0.5, max_docs: usize::MAX };
        let ours = tfidf(&texts, &vocab).unwrap();
        let n = texts.len() as f32;
        let linfa = TfIdfVectorizer::default()
            .normalize(false)
            .document_frequency((vocab.min_docs as f32 - 0.5) / n, vocab.max_df)
            .stopwords(STOP_WORDS)
            .fit(&Array1::from(texts.clone()))
            .unwrap();
        let reference = linfa.transform(&Array1::from(texts.clone())).unwrap();
        assert_eq!(linfa.nentries(), ours.n_cols);
        let linfa_vocab = linfa.vocabulary();
        for (i, row) in reference.outer_iterator().enumerate() {
            let norm = row.iter().map(|(_, v)| v * v).sum::<f64>().sqrt();
            let (terms, weights) = ours.row(i);
            assert_eq!(terms.len(), row.nnz(), "row {i}");
            for (col, v) in row.iter() {
                let term = &linfa_vocab[col];
                let ours_col = ours.vocabulary.binary_search(term).unwrap() as u32;
                let p = terms.iter().position(|&t| t == ours_col).unwrap();
                assert!((weights[p] as f64 - v / norm).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn tiny_corpus_has_the_hand_computed_neighbours() {
        let texts: Vec<String> =
            ["space rocket astronaut", "space rocket alien", "heist bank vault", "heist bank robbers", "space alien invasion"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        let m = tfidf(&texts, &Vocabulary { min_docs: 1, max_df: 1.0, max_docs: usize::MAX }).unwrap();
        let lists = top_k(&m, &[1.0, 2.0, 3.0, 4.0, 5.0], &[10, 20, 30, 40, 50], 2);
        // 0 shares space+rocket with 1, only space with 4; 2 and 3 share heist+bank.
        assert_eq!(lists[0][0].row, 1);
        assert_eq!(lists[0][1].row, 4);
        assert_eq!(lists[2][0].row, 3);
        assert_eq!(lists[3][0].row, 2);
        // 2 shares nothing else: its second slot is the most popular other movie, at 0.
        assert_eq!(lists[2][1], Neighbor { row: 4, score: 0.0 });
        for (i, l) in lists.iter().enumerate() {
            assert!(l.iter().all(|n| n.row as usize != i));
        }
    }

    #[test]
    fn parallel_top_k_equals_brute_force() {
        let texts = random_corpus(400, 99);
        let m = tfidf(&texts, &Vocabulary { min_docs: 2, max_df: 0.2, max_docs: usize::MAX }).unwrap();
        let n = m.n_rows();
        let popularity: Vec<f64> = (0..n).map(|i| (i % 7) as f64).collect();
        let ids: Vec<i64> = (0..n as i64).map(|i| 1000 - i).collect();
        let fast = top_k(&m, &popularity, &ids, 5);
        let ranking = Ranking { popularity: &popularity, ids: &ids };
        for (i, found) in fast.iter().enumerate() {
            let mut all: Vec<Neighbor> = (0..n)
                .filter(|&j| j != i)
                .map(|j| Neighbor { row: j as u32, score: dense_cosine(&m, i, j) })
                .filter(|nb| nb.score > 0.0)
                .collect();
            let mut best = Vec::new();
            for nb in all.drain(..) {
                ranking.offer(&mut best, 5, nb);
            }
            let fast_rows: Vec<u32> = found.iter().filter(|nb| nb.score > 0.0).map(|nb| nb.row).collect();
            let brute_rows: Vec<u32> = best.iter().map(|nb| nb.row).collect();
            assert_eq!(fast_rows, brute_rows, "row {i}");
            for (a, b) in found.iter().zip(&best) {
                assert!((a.score - b.score).abs() < 1e-5);
            }
            assert_eq!(found.len(), 5);
        }
    }

    #[test]
    fn ties_at_the_kth_place_all_stay_for_popularity_to_break() {
        // Eight copies of one text and two others: every copy ties with seven at 1.0.
        let mut texts: Vec<String> = vec!["space rocket".to_string(); 8];
        texts.extend(["heist bank".to_string(), "heist vault".to_string()]);
        let m = tfidf(&texts, &Vocabulary { min_docs: 1, max_df: 1.0, max_docs: usize::MAX }).unwrap();
        let nearest = top_k::nearest(&m, 3);
        assert_eq!(nearest[0].iter().map(|n| n.row).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6, 7], "every tie, by row");
        assert!(nearest[8].len() == 1 && nearest[8][0].row == 9, "fewer than k: all there is");
        let ids: Vec<i64> = (0..10).collect();
        for popularity in [(0..10).map(f64::from).collect::<Vec<_>>(), (0..10).map(|i| f64::from(10 - i)).collect()] {
            let lists = top_k::resolve(&nearest, &popularity, &ids, 3);
            assert_eq!(lists, top_k(&m, &popularity, &ids, 3));
            let ranking = Ranking { popularity: &popularity, ids: &ids };
            let mut best = Vec::new();
            for j in 1..8 {
                ranking.offer(&mut best, 3, Neighbor { row: j, score: nearest[0][0].score });
            }
            assert_eq!(lists[0], best, "the most popular of the ties");
        }
        let (up, down) = (
            top_k::resolve(&nearest, &[0.0; 10], &ids, 3),
            top_k::resolve(&nearest, &[9.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0], &ids, 3),
        );
        assert_ne!(up[0], down[0], "popularity decides which ties are kept");
    }

    #[test]
    fn same_result_on_one_thread_and_two() {
        let texts = random_corpus(300, 3);
        let m = tfidf(&texts, &VOCABULARY).unwrap();
        let pop: Vec<f64> = vec![1.0; 300];
        let ids: Vec<i64> = (0..300).collect();
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| top_k(&m, &pop, &ids, 5));
        let two = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap().install(|| top_k(&m, &pop, &ids, 5));
        assert_eq!(one, two);
    }

    #[test]
    fn nan_and_infinite_popularity_rank_without_panicking() {
        let texts = random_corpus(300, 5);
        let m = tfidf(&texts, &VOCABULARY).unwrap();
        let specials = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 0.0, -f64::NAN];
        let pop: Vec<f64> = (0..300).map(|i| specials[i % specials.len()]).collect();
        let ids: Vec<i64> = (0..300).collect();
        let lists = top_k(&m, &pop, &ids, 5);
        assert!(lists.iter().all(|l| l.len() == 5));
        // The fallback ranking puts NaN (largest in the total order) first: a fixed rule.
        let ranking = Ranking { popularity: &pop, ids: &ids };
        let (nan, inf) = (Neighbor { row: 0, score: 0.0 }, Neighbor { row: 1, score: 0.0 });
        assert!(ranking.before(nan, inf));
        assert!(!ranking.before(inf, nan));
    }

    #[test]
    fn documents_weight_their_parts() {
        let doc = MovieDoc {
            id: 1,
            overview: Some("A heist.".into()),
            genres: vec!["Science Fiction".into()],
            directors: vec!["José Núñez".into()],
            cast: vec!["A".into(), "B".into(), "A".into(), "C".into(), "D".into()],
            ..Default::default()
        };
        let text = document_text(&doc, &WEIGHTS);
        assert_eq!(text.matches("genre_science_fiction").count(), 2);
        assert_eq!(text.matches("director_jose_nunez").count(), 3);
        assert_eq!(text.matches("cast_c").count(), 2);
        assert_eq!(text.matches("cast_d").count(), 0);
        assert_eq!(document_text(&doc, &GENRES_ONLY).trim(), "genre_science_fiction");
    }
}
