//! `marquee eval`: the recommendations scored against baselines.

use std::path::Path;

use anyhow::Result;

use crate::foundation::engine::scripts;
use crate::foundation::tables;
use crate::pipeline;
use crate::settings::{GENRES_ONLY, GENRES_ONLY_VOCABULARY, TOP_K, VOCABULARY, Vocabulary, WEIGHTS};
use crate::stages::{load, recommend};

/// `marquee eval`: loads and cleans `data`, then scores marquee's recommendations and
/// the genres-only baseline side by side.
pub async fn run(data: &Path, json_out: Option<&Path>, max_df: Option<f32>, min_docs: Option<usize>) -> Result<()> {
    let (ctx, _) = pipeline::clean(&mut load::load_all(data)?).await?;
    scripts::run_scripts(&ctx, scripts::RECOMMEND).await?;
    let docs = recommend::read_documents(&ctx.table(tables::RECOMMEND_DOCUMENTS).await?.collect().await?);
    let raters = recommend::raters(&ctx, &docs).await?;
    let mut report = serde_json::Map::new();
    println!(
        "{:<14} {:>10} {:>10} {:>10} {:>9} {:>12} {:>12} {:>9} {:>9} {:>8} {:>14}",
        "documents", "coll.movies", "hit@5", "rated", "lift", "jacc.recs", "jacc.random", "tfidf s", "top-5 s", "terms", "sum df^2"
    );
    let vocabulary = Vocabulary {
        max_df: max_df.unwrap_or(VOCABULARY.max_df),
        min_docs: min_docs.unwrap_or(VOCABULARY.min_docs),
        max_docs: if max_df.is_some() { usize::MAX } else { VOCABULARY.max_docs },
    };
    for (name, weights, vocab) in [("marquee", WEIGHTS, vocabulary), ("genres-only", GENRES_ONLY, GENRES_ONLY_VOCABULARY)] {
        let (lists, stats) = recommend::recommend(&docs, &weights, &vocab, TOP_K)?;
        let q = recommend::evaluate::quality(&docs, &lists, &raters);
        println!(
            "{:<14} {:>10} {:>10.3} {:>10} {:>9.2} {:>12.4} {:>12.4} {:>9.3} {:>9.3} {:>8} {:>14}",
            name,
            q.collection_movies,
            q.collection_hit_at_5,
            q.rated_movies,
            q.co_rating_lift,
            q.mean_jaccard_recommended,
            q.mean_jaccard_random,
            stats.tfidf_s,
            stats.top_k_s,
            stats.vocabulary,
            stats.pair_updates
        );
        report.insert(name.to_string(), serde_json::json!({"quality": q, "timing": stats}));
    }
    if let Some(path) = json_out {
        std::fs::write(path, serde_json::to_string_pretty(&report)? + "\n")?;
    }
    Ok(())
}
