//! The questions' answer rows wait for the bundle in files, not in memory: what comes
//! back from a file is what went in, the bundle made from spilled answers is the bundle
//! made from held ones, and a build leaves no spill directory behind, whether it
//! succeeds or fails.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use datafusion::arrow::array::RecordBatch;
use marquee::foundation::fingerprint::Fingerprinter;
use marquee::foundation::reuse::{FileLog, cache_dir};
use marquee::foundation::scratch::ScratchDir;
use marquee::stages::bundle::{self, BundleReuse};
use marquee::stages::questions::{self, Answers};

// Shared by every test file; not every helper is used here.
#[allow(dead_code)]
mod common;
use common::{assert_same_trees, sample};

fn scratch(name: &str) -> ScratchDir {
    ScratchDir::new("answers-spill", name)
}

/// The answers of every question on the sample data, their rows spilled into `spill`
/// or held.
fn sample_answers(spill: Option<&Path>) -> Vec<Answers> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut loaded = marquee::stages::load::load_all(&sample()).unwrap();
    runtime.block_on(async {
        let (ctx, _) = marquee::pipeline::clean(&mut loaded).await.unwrap();
        marquee::stages::recommend::run(&ctx).await.unwrap();
        questions::run(&ctx, spill).await.unwrap().0
    })
}

fn rows(answers: &Answers) -> Vec<RecordBatch> {
    answers.batches().unwrap().expect("answers as rows").collect::<anyhow::Result<_>>().unwrap()
}

#[test]
fn spilled_rows_come_back_as_they_were_held() {
    let dir = scratch("rows");
    let held = sample_answers(None);
    let spilled = sample_answers(Some(&dir));
    assert_eq!(spilled.len(), questions::QUESTIONS.len());
    let mut rows_seen = 0;
    for (held, spilled) in held.into_iter().zip(spilled) {
        let Answers::Spilled(question, path) = &spilled else { panic!("{} was held, not spilled", spilled.question().name) };
        let (name, path) = (question.name, path.clone());
        assert!(path.is_file() && path.starts_with(&*dir), "{name}: {}", path.display());
        assert_eq!(name, held.question().name);
        let kept = rows(&held);
        assert_eq!(rows(&spilled), kept, "{name}: the rows read back differ from the rows held");
        rows_seen += kept.iter().map(RecordBatch::num_rows).sum::<usize>();
        assert_eq!(spilled.into_text().unwrap().by_key, held.into_text().unwrap().by_key);
        assert!(!path.exists(), "{name}: its file is removed once made into text");
    }
    assert!(rows_seen > 0, "the sample answers something");
}

#[test]
fn the_bundle_from_spilled_answers_is_the_bundle_from_held_ones() {
    let dir = scratch("bundle");
    let log = FileLog::default();
    let made_from = Fingerprinter::new("test").finish();
    let tables = BTreeMap::new();
    let (held_out, spilled_out, spill) = (dir.join("held"), dir.join("spilled"), dir.join("spill"));
    std::fs::create_dir_all(&spill).unwrap();
    bundle::write(&held_out, &BundleReuse::none(&log), sample_answers(None), &tables, made_from).unwrap();
    bundle::write(&spilled_out, &BundleReuse::none(&log), sample_answers(Some(&spill)), &tables, made_from).unwrap();
    assert!(assert_same_trees(&held_out, &spilled_out) > questions::QUESTIONS.len());
    assert_eq!(std::fs::read_dir(&spill).unwrap().count(), 0, "every spilled file is read back and removed");
}

/// Builds the sample into `out`; whether the build succeeded.
fn build(out: &Path, extra: &[&str]) -> bool {
    let done = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args(["build", "--wait-for-cleanup", "--data"])
        .arg(sample())
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    done.status.success()
}

/// A file left in the answers' spill directory, as a killed build leaves it.
fn leave_a_spill(out: &Path) -> std::path::PathBuf {
    let dir = questions::spill_dir(&cache_dir(out));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("get_actor.arrow"), b"left by a killed build").unwrap();
    dir
}

#[test]
fn no_spill_directory_outlives_a_build_that_succeeds_or_fails() {
    let dir = scratch("builds");
    // A page limit no page meets fails the build in the site, after the bundle.
    let failed = dir.join("failed");
    let spill = leave_a_spill(&failed);
    assert!(!build(&failed, &["--max-page-kb", "1"]), "a 1 KB page limit fails the build");
    assert!(!spill.exists(), "a failed build leaves {}", spill.display());
    // A cold build, then one that reuses its data stages (the questions do not run).
    let out = dir.join("out");
    let spill = leave_a_spill(&out);
    assert!(build(&out, &[]));
    assert!(!spill.exists(), "a build leaves {}", spill.display());
    leave_a_spill(&out);
    assert!(build(&out, &[]));
    assert!(!spill.exists(), "a rebuild reusing the data leaves {}", spill.display());
}
