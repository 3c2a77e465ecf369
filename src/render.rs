//! Render stage: the static site, from templates/ with minijinja.

use std::path::Path;

use anyhow::Result;
use datafusion::prelude::SessionContext;
use minijinja::{Environment, context};
use serde::Serialize;

use crate::etl::Accounting;
use crate::queries::QuestionAnswers;
use crate::recommend::Recommendations;

#[derive(Debug, Default, Clone, Serialize)]
pub struct SiteStats {
    pub pages: usize,
    pub bytes: u64,
}

/// Templates are compiled in, so the binary renders the same site wherever it runs.
fn environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.add_template("base.html", include_str!("../templates/base.html"))?;
    env.add_template("index.html", include_str!("../templates/index.html"))?;
    Ok(env)
}

pub async fn site(
    _ctx: &SessionContext,
    accounting: &Accounting,
    answers: &[QuestionAnswers],
    _recs: &Recommendations,
    out: &Path,
) -> Result<SiteStats> {
    let env = environment()?;
    let mut stats = SiteStats::default();
    let questions: Vec<_> = answers.iter().map(|a| context! { name => a.question.name, keys => a.by_key.len() }).collect();
    let html = env.get_template("index.html")?.render(context! {
        tables => &accounting.tables,
        inputs => &accounting.inputs,
        questions => questions,
    })?;
    std::fs::write(out.join("index.html"), &html)?;
    stats.pages += 1;
    stats.bytes += html.len() as u64;
    Ok(stats)
}
