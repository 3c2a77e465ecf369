//! The work split into parts that separate processes, or machines sharing the data and
//! the output's parent directory, each do one of (`marquee build --until recommend|site
//! --part K/N`), and the build that puts them together (`marquee build --parts N`).
//!
//! A part is a range of movie ids (or person ids, for person pages; see
//! `foundation::parts`). Everything the part's movies are ranked or rendered from (the
//! clean tables, the vocabulary, the trained models, the page tables, the answers) is
//! made whole in every part, by the same deterministic code, so a part's results are
//! exactly the whole build's for its ids. Parts are kept in the cache beside the output
//! with a key of what they were made from, written last; the final build checks every
//! part's key and files before any work, refuses to go on when one is missing, made
//! from other data or another program, or damaged, and publishes as a whole build does.

use std::path::Path;

use anyhow::{Result, bail};

use super::stage_results::{self, Until};
use super::{BuildOptions, PartialSummary, recommended};
use crate::foundation::fingerprint::Fingerprint;
use crate::foundation::output::replace_dir_atomically;
use crate::foundation::parts::Part;
use crate::foundation::reuse::FileLog;
use crate::foundation::timing::Stopwatch;
use crate::stages::site::parts::{SiteParts, part_dir, render_part};
use crate::stages::site::templates::Theme;
use crate::stages::{questions, recommend, site};

/// Where the parts of the site are kept, in the cache beside the output.
fn site_parts_dir(cache: &Path) -> std::path::PathBuf {
    cache.join("parts")
}

/// Runs the data stages and then part `part` of `until` (recommend or site), keeping
/// its results in the cache beside `opts.out`; the output is not touched. The etl
/// results are kept (or read) as by `--until etl`; the recommendations a part of the
/// site needs are the ones kept whole or in parts of the same count, or made here.
pub async fn build_part(opts: &BuildOptions, until: Until, part: Part, watch: &mut Stopwatch) -> Result<PartialSummary> {
    if until == Until::Etl {
        bail!("--part K/N splits the recommendations or the site: give --until recommend or --until site");
    }
    let super::Partial { cache, program, data, ctx, mut summary } = super::cleaned_for_partial(opts, watch).await?;
    if until == Until::Recommend {
        if stage_results::has_recommend_part(&cache, data, part) {
            summary.kept.push("recommend");
            return Ok(summary);
        }
        let neighbourhoods = recommend::neighbourhoods::dir(&cache);
        let (stats, distrusted) = watch.time("recommend", recommend::run_part(&ctx, Some(&neighbourhoods), Some(part))).await?;
        watch.time("keep recommend", stage_results::save_recommend_part(&cache, data, part, &ctx, &stats)).await?;
        summary.cache_distrusted = summary.cache_distrusted.or(distrusted);
        summary.recommend = Some(stats);
        return Ok(summary);
    }
    let in_parts = stage_results::has_recommend_parts(&cache, data, part.count).then_some(part.count);
    let (stats, rec) = recommended(&cache, data, &ctx, watch, in_parts).await?;
    if rec.reused {
        summary.kept.push("recommend");
    }
    summary.recommend = Some(stats);
    summary.cache_distrusted = summary.cache_distrusted.or(rec.distrusted);
    let (answers, people_answers) = watch.time("questions", questions::run(&ctx, None)).await?;
    drop(answers);
    let theme = Theme::from_option(opts.templates.as_deref())?;
    let (file_log, _) = FileLog::read(&cache);
    let previous = opts.out.is_dir().then_some(opts.out.as_path());
    let page_reuse = site::PageReuse::new(&theme, program, (data, false), &file_log, previous)?;
    let dir = part_dir(&site_parts_dir(&cache), part);
    let accounting = &summary.accounting;
    replace_dir_atomically(&dir, async |partial: &Path| {
        let render = render_part(&ctx, accounting, &people_answers, partial, &theme, &page_reuse, &opts.site, part);
        watch.time("site", render).await.map(drop)
    })
    .await?;
    summary.dir = dir;
    Ok(summary)
}

/// The parts of the site `opts.parts` names, each checked (see [`SiteParts::open`]),
/// once the recommendations' parts are found (unless they are kept whole), or an error
/// saying which are missing or unusable; none without `--parts`.
pub(super) fn site_parts(
    opts: &BuildOptions,
    cache: &Path,
    theme: &Theme,
    program: Fingerprint,
    data: Fingerprint,
    log: &FileLog,
) -> Result<Option<SiteParts>> {
    let Some(count) = opts.parts else { return Ok(None) };
    let recommendations = match stage_results::has_recommend(cache, data) {
        true => Ok(()),
        false => stage_results::check_recommend_parts(cache, data, count),
    };
    // What the parts' pages are made from does not depend on what this build reuses.
    let reuse = site::PageReuse::new(theme, program, (data, false), log, None)?;
    match (recommendations, SiteParts::open(&site_parts_dir(cache), count, &reuse, &opts.site)) {
        (Ok(()), Ok(pages)) => Ok(Some(pages)),
        (Err(recommendations), Err(pages)) => bail!("{recommendations:#}\n{pages:#}"),
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// Removes the parts of the site once a build is published: it holds their pages.
pub(super) fn forget(cache: &Path) {
    let _ = std::fs::remove_dir_all(site_parts_dir(cache));
}
