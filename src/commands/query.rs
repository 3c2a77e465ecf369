//! `marquee sql`: the clean tables, queried ad hoc.

use std::path::Path;

use anyhow::Result;

use crate::foundation::engine;
use crate::stages::{etl, load};

/// `marquee sql`: the clean tables of `data`, queried ad hoc.
pub async fn run(data: &Path, statement: &str) -> Result<()> {
    let mut loaded = load::load_all(data)?;
    let ctx = engine::new_context();
    etl::run(&ctx, &mut loaded).await?;
    engine::switch_to_deterministic_plans(&ctx);
    let started = std::time::Instant::now();
    ctx.sql(statement).await?.show().await?;
    eprintln!("query: {:.3} s", started.elapsed().as_secs_f64());
    Ok(())
}
