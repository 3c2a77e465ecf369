//! The work split into parts (`marquee build --until recommend|site --part K/N`, then
//! `marquee build --parts N`): parts run as separate processes, in any order or at
//! once, give the plain build byte for byte; a part missing, made from other data, or
//! damaged is refused by name and the published output stays as it was.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};

mod common;
use common::{assert_same_trees, sample, sample_copy_in, tree};

fn scratch(name: &str) -> marquee::foundation::scratch::ScratchDir {
    marquee::foundation::scratch::ScratchDir::new("parts", name)
}

fn marquee(data: &Path, out: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_marquee"));
    command.args(["build", "--wait-for-cleanup", "--data"]).arg(data).arg("--out").arg(out).args(args);
    command
}

fn succeeds(done: Output) -> String {
    let stderr = String::from_utf8_lossy(&done.stderr).into_owned();
    assert!(done.status.success(), "{stderr}");
    stderr
}

fn run(data: &Path, out: &Path, args: &[&str]) -> String {
    succeeds(marquee(data, out, args).output().unwrap())
}

/// Runs the build and returns its error output; it must fail.
fn fails(data: &Path, out: &Path, args: &[&str]) -> String {
    let done = marquee(data, out, args).output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr).into_owned();
    assert!(!done.status.success(), "should have failed:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// Every part of `stage` of `count`, started at once as separate processes.
fn all_parts_at_once(data: &Path, out: &Path, stage: &str, count: usize) {
    let children: Vec<Child> = (1..=count)
        .rev()
        .map(|k| {
            let part = format!("{k}/{count}");
            let mut command = marquee(data, out, &["--until", stage, "--part", &part]);
            command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn().unwrap()
        })
        .collect();
    for child in children {
        succeeds(child.wait_with_output().unwrap());
    }
}

fn part(data: &Path, out: &Path, stage: &str, part: &str) -> String {
    run(data, out, &["--until", stage, "--part", part])
}

/// The plain build of `data`, into `dir/plain`.
fn plain(dir: &Path, data: &Path) -> PathBuf {
    let plain = dir.join("plain");
    run(data, &plain, &[]);
    plain
}

/// The person and movie pages under `dir`, by path.
fn people_and_movie_pages(dir: &Path) -> BTreeSet<PathBuf> {
    tree(dir).into_keys().filter(|p| p.starts_with("people") || p.starts_with("movies")).collect()
}

fn parts_dir(out: &Path) -> PathBuf {
    out.with_extension("cache").join("parts")
}

#[test]
fn parts_at_once_or_in_any_order_give_the_plain_build() {
    let dir = scratch("same");
    let data = sample();
    let plain = plain(&dir, &data);
    let out = dir.join("out");

    // Two parts of each, run at the same time once the clean tables are kept.
    run(&data, &out, &["--until", "etl"]);
    all_parts_at_once(&data, &out, "recommend", 2);
    all_parts_at_once(&data, &out, "site", 2);
    assert!(!out.exists(), "parts leave the output alone");
    // Each part rendered its own pages, and together they are every person and movie page.
    let (one, two) =
        (people_and_movie_pages(&parts_dir(&out).join("site-1-of-2")), people_and_movie_pages(&parts_dir(&out).join("site-2-of-2")));
    assert!(!one.is_empty() && !two.is_empty());
    assert!(one.is_disjoint(&two), "no page is in both parts");
    assert_eq!(one.union(&two).cloned().collect::<BTreeSet<_>>(), people_and_movie_pages(&plain));
    let finished = run(&data, &out, &["--parts", "2"]);
    assert!(finished.contains(&format!("{} reused", one.len() + two.len())), "the parts' pages are linked: {finished}");
    assert_same_trees(&out, &plain);
    assert!(!parts_dir(&out).exists(), "a published build holds the parts' pages; the parts go");

    // Three parts, one after another in no particular order, each making what it needs,
    // over the output just published.
    for k in ["3/3", "1/3", "2/3"] {
        part(&data, &out, "recommend", k);
    }
    // Put together once, the recommendations are kept whole for the steps after.
    let stages = out.with_extension("cache").join("stages");
    run(&data, &out, &["--until", "recommend", "--parts", "3"]);
    assert!(stages.join("recommend/key").is_file());
    std::fs::remove_dir_all(stages.join("recommend-part-2-of-3")).unwrap();
    for k in ["2/3", "3/3", "1/3"] {
        part(&data, &out, "site", k);
    }
    run(&data, &out, &["--parts", "3"]);
    assert_same_trees(&out, &plain);
}

#[test]
fn a_missing_part_is_refused_by_name_and_the_output_stays() {
    let dir = scratch("missing");
    let data = sample();
    let out = plain(&dir, &data);
    let before = tree(&out);

    part(&data, &out, "recommend", "1/2");
    part(&data, &out, "recommend", "2/2");
    part(&data, &out, "site", "2/2");
    let error = fails(&data, &out, &["--parts", "2"]);
    assert!(error.contains("the site cannot be put together from 2 parts: part 1/2 is missing"), "{error}");
    assert!(!error.contains("part 2/2"), "{error}");
    assert_eq!(tree(&out), before, "nothing published");

    // The site is all there; the recommendations are not.
    part(&data, &out, "site", "1/2");
    std::fs::remove_dir_all(out.with_extension("cache").join("stages/recommend-part-2-of-2")).unwrap();
    let error = fails(&data, &out, &["--parts", "2"]);
    assert!(error.contains("recommendations") && error.contains("part 2/2 is missing"), "{error}");
    assert_eq!(tree(&out), before, "nothing published");

    part(&data, &out, "recommend", "2/2");
    run(&data, &out, &["--parts", "2"]);
    assert_same_trees(&out, &dir.join("plain"));
}

/// A copy of the sample with one movie's overview changed.
fn other_data(dir: &Path) -> PathBuf {
    let data = sample_copy_in(dir, "other-data");
    let movies = data.join("movies_metadata.csv");
    let text = std::fs::read_to_string(&movies).unwrap();
    let changed = text.replacen("A curious young girl sets off", "A curious young boy sets off", 1);
    assert_ne!(changed, text, "the sample has The Little Dragon's overview");
    std::fs::write(&movies, changed).unwrap();
    data
}

#[test]
fn parts_of_other_data_or_damaged_are_refused_by_name() {
    let dir = scratch("other");
    let data = sample();
    let other = other_data(&dir);
    let out = plain(&dir, &data);
    let before = tree(&out);
    for k in ["1/2", "2/2"] {
        part(&data, &out, "recommend", k);
        part(&data, &out, "site", k);
    }

    // Made from the sample, put together for other data.
    let error = fails(&other, &out, &["--parts", "2"]);
    assert!(error.contains("part 1/2 was made from other data, another program"), "{error}");
    assert!(error.contains("part 2/2 was made from other data, another program"), "{error}");
    assert_eq!(tree(&out), before);
    // The site parts made again from the other data; the recommendations' parts still
    // are not. A site part without them makes the recommendations whole, and keeps them
    // for the steps after: gone, the final build must refuse the parts.
    for k in ["1/2", "2/2"] {
        part(&other, &out, "site", k);
    }
    let whole = out.with_extension("cache").join("stages/recommend");
    assert!(whole.join("key").is_file());
    std::fs::remove_dir_all(&whole).unwrap();
    let error = fails(&other, &out, &["--parts", "2"]);
    assert!(error.contains("recommendations") && error.contains("part 1/2 was made from other data or another program"), "{error}");
    assert_eq!(tree(&out), before);

    // A page of a part changed since it was made, and a file log cut short.
    for k in ["1/2", "2/2"] {
        part(&other, &out, "recommend", k);
    }
    let second = parts_dir(&out).join("site-2-of-2");
    let page = people_and_movie_pages(&second).into_iter().next().unwrap();
    std::fs::remove_file(second.join(&page)).unwrap();
    std::fs::write(second.join(&page), "<html>edited</html>").unwrap();
    let error = fails(&other, &out, &["--parts", "2"]);
    assert!(error.contains("part 2/2 is damaged") && error.contains(&page.display().to_string()), "{error}");
    assert!(!error.contains("part 1/2"), "{error}");
    let log = parts_dir(&out).join("site-1-of-2/files.tsv");
    let text = std::fs::read(&log).unwrap();
    std::fs::write(&log, &text[..text.len() / 2]).unwrap();
    let error = fails(&other, &out, &["--parts", "2"]);
    assert!(error.contains("part 1/2 is damaged") && error.contains("cut short"), "{error}");
    assert_eq!(tree(&out), before, "nothing published");
    // A log that reads back whole but names a file outside its part.
    part(&other, &out, "site", "1/2");
    let first = parts_dir(&out).join("site-1-of-2");
    let (mut log, distrust) = marquee::foundation::reuse::FileLog::read(&first);
    assert!(distrust.is_none());
    let record = *log.files.values().find(|r| r.size > 0).unwrap();
    log.files.insert("people/../../escaped.html".into(), record);
    let records: Vec<_> = log.files.into_iter().collect();
    marquee::foundation::reuse::FileLog::write(&first, &records).unwrap();
    let error = fails(&other, &out, &["--parts", "2"]);
    assert!(error.contains("part 1/2 is damaged") && error.contains("outside the part"), "{error}");
    assert_eq!(tree(&out), before, "nothing published");

    // Made again, they give the plain build of the other data.
    for k in ["1/2", "2/2"] {
        part(&other, &out, "site", k);
    }
    run(&other, &out, &["--parts", "2"]);
    let plain_other = dir.join("plain-other");
    run(&other, &plain_other, &[]);
    assert_same_trees(&out, &plain_other);
}

#[test]
fn a_part_needs_a_stage_to_split() {
    let dir = scratch("usage");
    let out = dir.join("out");
    let error = fails(&sample(), &out, &["--until", "etl", "--part", "1/2"]);
    assert!(error.contains("--until recommend or --until site"), "{error}");
    let error = fails(&sample(), &out, &["--until", "site"]);
    assert!(error.contains("--part K/N"), "{error}");
    let error = fails(&sample(), &out, &["--until", "site", "--part", "3/2"]);
    assert!(error.contains("K/N"), "{error}");
    assert!(!out.exists());
}

/// How many ranges of ids the trace says the pages of `dir` were queried in.
fn ranges_queried(stderr: &str, dir: &str) -> usize {
    let line =
        stderr.lines().find(|l| l.contains(&format!("trace: {dir}: ")) && l.contains("queried in")).unwrap_or_else(|| panic!("{stderr}"));
    line.split("queried in ").nth(1).and_then(|rest| rest.split_whitespace().next()).and_then(|n| n.parse().ok()).unwrap()
}

fn traced(data: &Path, out: &Path, args: &[&str]) -> String {
    succeeds(marquee(data, out, args).env("MARQUEE_TRACE", "1").output().unwrap())
}

/// The person and movie pages are queried one range of ids at a time, so that memory
/// does not grow with the data: however small the ranges, in a whole build or in parts,
/// the output is the plain build's byte for byte.
#[test]
fn pages_queried_in_small_ranges_give_the_plain_build() {
    let dir = scratch("ranges");
    let data = sample();
    let plain = plain(&dir, &data);
    let small = ["--person-range-credits", "7", "--movie-range-movies", "3"];

    let ranged = dir.join("ranged");
    let stderr = traced(&data, &ranged, &small);
    assert!(ranges_queried(&stderr, "people") > 10 && ranges_queried(&stderr, "movies") > 10, "{stderr}");
    assert_same_trees(&ranged, &plain);
    // The plain build fits in one range of each.
    let whole = traced(&data, &dir.join("whole"), &[]);
    assert_eq!((ranges_queried(&whole, "people"), ranges_queried(&whole, "movies")), (1, 1));

    // Parts cut into ranges of their own.
    let out = dir.join("out");
    run(&data, &out, &["--until", "etl"]);
    for k in ["1/2", "2/2"] {
        part(&data, &out, "recommend", k);
        let stderr = traced(&data, &out, &[&["--until", "site", "--part", k][..], &small].concat());
        assert!(ranges_queried(&stderr, "people") > 5, "{stderr}");
    }
    run(&data, &out, &["--parts", "2"]);
    assert_same_trees(&out, &plain);
}
