//! Bad inputs, killed builds and repeated builds: the published output is never
//! half-written, errors name file, line and problem, and output is byte-for-byte stable.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{assert_same_trees, sample, sample_copy_in, tree};
use std::time::Duration;

fn scratch(name: &str) -> marquee::foundation::scratch::ScratchDir {
    marquee::foundation::scratch::ScratchDir::new("robust", name)
}

fn build(data: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_marquee")).arg("build").arg("--data").arg(data).arg("--out").arg(out).args(extra).output().unwrap()
}

/// A copy of the sample to damage.
fn sample_copy(dir: &Path) -> PathBuf {
    sample_copy_in(dir, "data")
}

/// Builds the sample into `dir/output` as "the previous, good output".
fn good_output(dir: &Path) -> (PathBuf, Vec<u8>) {
    let out = dir.join("output");
    let built = build(&sample(), &out, &[]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let manifest = std::fs::read(out.join("manifest.json")).unwrap();
    (out, manifest)
}

/// The build fails, says `expected`, and leaves the previous output as it was.
fn assert_fails_cleanly(dir: &Path, data: &Path, expected: &[&str]) {
    let (out, manifest) = good_output(dir);
    let before = tree(&out);
    let result = build(data, &out, &[]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success(), "should fail: {stderr}");
    assert_ne!(result.status.code(), Some(0));
    for text in expected {
        assert!(stderr.contains(text), "stderr lacks {text:?}:\n{stderr}");
    }
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), manifest);
    assert!(tree(&out) == before, "output changed");
    let leftovers: Vec<_> =
        std::fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name()).filter(|n| n.to_string_lossy().contains("staging")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, f(text)).unwrap();
}

#[test]
fn missing_file() {
    let dir = scratch("missing");
    let data = sample_copy(&dir);
    std::fs::remove_file(data.join("credits.csv")).unwrap();
    assert_fails_cleanly(&dir, &data, &["credits.csv", "missing required input file"]);
}

#[test]
fn wrong_header() {
    let dir = scratch("header");
    let data = sample_copy(&dir);
    edit(&data.join("credits.csv"), |t| t.replacen("cast,crew,id", "cast,crew,movie_id", 1));
    assert_fails_cleanly(&dir, &data, &["credits.csv:1:", "header lacks column(s) id"]);
}

#[test]
fn empty_file() {
    let dir = scratch("empty");
    let data = sample_copy(&dir);
    std::fs::write(data.join("movies_metadata.csv"), "").unwrap();
    assert_fails_cleanly(&dir, &data, &["movies_metadata.csv:1:", "file is empty"]);
}

#[test]
fn invalid_utf8() {
    let dir = scratch("utf8");
    let data = sample_copy(&dir);
    let path = data.join("keywords.csv");
    let mut bytes = std::fs::read(&path).unwrap();
    let line_10 = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(8).unwrap().0 + 1;
    bytes.insert(line_10 + 3, 0xFF);
    std::fs::write(&path, bytes).unwrap();
    assert_fails_cleanly(&dir, &data, &["keywords.csv:10:", "invalid UTF-8"]);
}

#[test]
fn truncated_gzip() {
    let dir = scratch("gzip");
    let data = sample_copy(&dir);
    let raw = std::fs::read(data.join("credits.csv")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&raw).unwrap();
    let gz = gz.finish().unwrap();
    std::fs::remove_file(data.join("credits.csv")).unwrap();
    std::fs::write(data.join("credits.csv.gz"), &gz[..gz.len() / 2]).unwrap();
    assert_fails_cleanly(&dir, &data, &["credits.csv.gz", "corrupt or truncated gzip"]);
}

#[test]
fn garbage_numbers_beyond_the_limit_fail_the_build() {
    let dir = scratch("garbage");
    let data = sample_copy(&dir);
    // Every tenth movie gets a runtime of "104.0x": far more than the 2% default.
    edit(&data.join("movies_metadata.csv"), |t| {
        t.split('\n')
            .enumerate()
            .map(|(i, l)| if i % 10 == 5 { l.replacen(".0,\"[{'iso_639_1'", ".0x,\"[{'iso_639_1'", 1) } else { l.to_string() })
            .collect::<Vec<_>>()
            .join("\n")
    });
    assert_fails_cleanly(
        &dir,
        &data,
        &["movies_metadata.csv", "rejected as damaged", "runtime is not a number", "first rejected records:", "output.rejects.csv"],
    );
    // The refused build's rejects are beside the output, which it left alone.
    let beside = std::fs::read_to_string(dir.join("output.rejects.csv")).unwrap();
    assert!(beside.starts_with("file,line,key,reason,detail\n"));
    assert!(beside.lines().filter(|l| l.contains("runtime is not a number")).count() >= 25, "{beside}");
}

#[test]
fn one_unparsable_nested_cell_is_rejected_and_the_build_goes_on() {
    let dir = scratch("nested");
    let data = sample_copy(&dir);
    let out = dir.join("output");
    let baseline = build(&data, &out, &[]);
    assert!(baseline.status.success());
    let rejects_before = std::fs::read_to_string(out.join("rejects.csv")).unwrap().lines().count();
    edit(&data.join("keywords.csv"), |t| t.replacen("[{'id': ", "[{'id' ", 1));
    let result = build(&data, &out, &[]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    assert_eq!(rejects.lines().count(), rejects_before + 1);
    assert!(rejects.contains("keywords.csv,2,"), "{rejects}");
    assert!(rejects.contains("unparsable keywords"));
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = scratch("determinism");
    let a = dir.join("a");
    let b = dir.join("b");
    assert!(build(&sample(), &a, &[]).status.success());
    let two_threads = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .env("RAYON_NUM_THREADS", "1")
        .args(["build", "--data"])
        .arg(sample())
        .arg("--out")
        .arg(&b)
        .status()
        .unwrap();
    assert!(two_threads.success());
    assert!(assert_same_trees(&a, &b) > 100);
}

#[test]
fn a_killed_build_leaves_the_previous_output_intact() {
    let dir = scratch("kill");
    let (out, manifest) = good_output(&dir);
    let before = tree(&out);
    for delay_ms in [5u64, 40, 120, 250, 400, 700] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_marquee"))
            .args(["build", "--data"])
            .arg(sample())
            .arg("--out")
            .arg(&out)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = tree(&out);
        // Either the old tree or a complete new one (identical input, identical bytes).
        assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), manifest, "after {delay_ms} ms");
        assert!(now == before, "output changed after a kill at {delay_ms} ms");
    }
    // The next build clears the killed builds' staging directories.
    assert!(build(&sample(), &out, &[]).status.success());
    let leftovers: Vec<_> =
        std::fs::read_dir(&dir).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().contains("staging")).collect();
    assert!(leftovers.is_empty());
}

/// Rewrites the movies file of `data`, changing `column` of the row with id `id`.
fn set_movie_field(data: &Path, id: &str, column: &str, value: &str) {
    let path = data.join("movies_metadata.csv");
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(&path).unwrap();
    let header = reader.headers().unwrap().clone();
    let (id_at, column_at) = (header.iter().position(|h| h == "id").unwrap(), header.iter().position(|h| h == column).unwrap());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut writer = csv::WriterBuilder::new().flexible(true).from_path(&path).unwrap();
    writer.write_record(&header).unwrap();
    let mut found = false;
    for row in rows {
        let mut fields: Vec<String> = row.iter().map(str::to_owned).collect();
        if fields.get(id_at).map(String::as_str) == Some(id) {
            fields[column_at] = value.to_string();
            found = true;
        }
        writer.write_record(&fields).unwrap();
    }
    writer.flush().unwrap();
    assert!(found, "no movie {id}");
}

/// The rejects.csv rows of an output, as (line, key, reason) for one file.
fn rejects_of(out: &Path, file: &str) -> Vec<(u64, String, String)> {
    let mut reader = csv::Reader::from_path(out.join("rejects.csv")).unwrap();
    reader
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[0] == file)
        .map(|r| (r[1].parse().unwrap(), r[2].to_string(), r[3].to_string()))
        .collect()
}

fn movies_account(out: &Path) -> serde_json::Value {
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    manifest["inputs"]["movies"].clone()
}

fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_data_directory_as_output_is_refused_and_untouched() {
    let dir = scratch("data-as-out");
    let data = sample_copy(&dir);
    let before = tree(&data);
    let result = build(&data, &data, &[]);
    assert_eq!(result.status.code(), Some(2), "{}", stderr_of(&result));
    assert!(stderr_of(&result).contains("not written by marquee"), "{}", stderr_of(&result));
    assert!(tree(&data) == before, "the user's CSVs changed");
    // Nothing was left beside it either.
    let names: Vec<String> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec!["data".to_string()]);
}

#[test]
fn a_file_or_a_foreign_directory_as_output_is_refused() {
    let dir = scratch("foreign-out");
    let file = dir.join("somefile");
    std::fs::write(&file, "precious").unwrap();
    let result = build(&sample(), &file, &[]);
    assert_eq!(result.status.code(), Some(2));
    assert!(stderr_of(&result).contains("is not a directory"), "{}", stderr_of(&result));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "precious");
    let foreign = dir.join("site");
    std::fs::create_dir_all(foreign.join("blog")).unwrap();
    std::fs::write(foreign.join("blog/post.html"), "mine").unwrap();
    let result = build(&sample(), &foreign, &[]);
    assert_eq!(result.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(foreign.join("blog/post.html")).unwrap(), "mine");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2, "no staging or hidden renames left");
    // An empty directory is fine, and the result carries the marker for the next build.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert!(build(&sample(), &empty, &["--wait-for-cleanup"]).status.success());
    assert!(empty.join(".marquee-output").is_file());
    assert!(build(&sample(), &empty, &["--wait-for-cleanup"]).status.success(), "its own output is replaceable");
}

#[test]
fn a_header_only_movies_file_does_not_replace_a_good_site() {
    let dir = scratch("header-only");
    let data = sample_copy(&dir);
    edit(&data.join("movies_metadata.csv"), |t| t.lines().next().unwrap().to_string() + "\n");
    assert_fails_cleanly(&dir, &data, &["movies_metadata.csv: no movie kept out of 0 records", "refusing to publish an empty site"]);
}

#[test]
fn a_much_smaller_build_needs_allow_shrink() {
    let dir = scratch("shrink");
    let data = sample_copy(&dir);
    // Keep the header and the first 100 of ~300 records.
    edit(&data.join("movies_metadata.csv"), |t| t.lines().take(101).collect::<Vec<_>>().join("\n") + "\n");
    assert_fails_cleanly(&dir, &data, &["movies_metadata.csv:", "fewer than 50% of the 288 movies", "--allow-shrink"]);
    let out = dir.join("output");
    let allowed = build(&data, &out, &["--allow-shrink"]);
    assert!(allowed.status.success(), "{}", stderr_of(&allowed));
    assert!(movies_account(&out)["kept"].as_u64().unwrap() < 144);
    // A lower threshold is a choice too.
    let dir2 = scratch("shrink-2");
    let (out2, _) = good_output(&dir2);
    assert!(build(&data, &out2, &["--min-movie-share", "0.2"]).status.success());
}

#[test]
fn hostile_numbers_and_dates_reject_their_row_and_the_build_goes_on() {
    let dir = scratch("hostile-numbers");
    let data = sample_copy(&dir);
    let long_title = "Long ".repeat(60_000);
    // Unparsable text and parsed-but-impossible values are both damage ("is not a
    // number" or "out of range", depending on what the float parser makes of it).
    let cases = [
        ("309733", "budget", "1e309", "budget "),
        ("363552", "revenue", "NaN", "revenue "),
        ("316210", "vote_count", "inf", "vote_count "),
        ("26706", "budget", "1e20", "budget out of range"),
        ("237394", "popularity", "NaN", "popularity out of range"),
        ("455625", "runtime", "-5", "runtime out of range"),
        ("35674", "vote_count", "-3", "vote_count out of range"),
        ("460162", "release_date", "+10000-01-01", "release_date"),
        ("97456", "release_date", "-0001-03-01", "release_date"),
        ("122730", "id", "-122730", "id is not a positive integer"),
        ("48810", "title", long_title.as_str(), "title too long"),
    ];
    for (id, column, value, _) in cases {
        set_movie_field(&data, id, column, value);
    }
    let out = dir.join("output");
    let result = build(&data, &out, &["--max-reject-share", "0.1"]);
    assert!(result.status.success(), "{}", stderr_of(&result));
    let rejects = rejects_of(&out, "movies_metadata.csv");
    for (id, column, value, reason) in cases {
        let key = if column == "id" { value } else { id };
        let found = rejects.iter().find(|(_, k, _)| k == key).unwrap_or_else(|| panic!("{id} {column}={value} not rejected: {rejects:?}"));
        assert!(found.2.contains(reason), "{id} {column}={value}: {found:?}");
    }
    let account = movies_account(&out);
    assert_eq!(account["kept"], 288 - cases.len() as u64);
    let site_movies = std::fs::read_dir(out.join("movies")).unwrap().count();
    assert!(site_movies > 200);
}

#[test]
fn a_stray_quote_rejects_one_line_and_keeps_the_lines_it_swallowed() {
    let dir = scratch("stray-quote");
    let data = sample_copy(&dir);
    let out = dir.join("output");
    assert!(build(&data, &out, &[]).status.success());
    let kept_before = movies_account(&out)["kept"].as_u64().unwrap();
    // Line 2's title gains an opening quote: the CSV reader runs on into the next lines.
    edit(&data.join("movies_metadata.csv"), |t| t.replacen(",Released,,The Little Dragon,", ",Released,,\"The Little Dragon,", 1));
    let result = build(&data, &out, &[]);
    assert!(result.status.success(), "{}", stderr_of(&result));
    let account = movies_account(&out);
    assert_eq!(account["kept"].as_u64().unwrap(), kept_before - 1, "only the damaged line is lost: {account}");
    let rejects = rejects_of(&out, "movies_metadata.csv");
    assert!(rejects.iter().any(|(line, _, reason)| *line == 2 && reason == "malformed record"), "{rejects:?}");
    let total = ["kept", "duplicates", "rejoined", "rejected"].iter().map(|k| account[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(total, account["records_read"].as_u64().unwrap());
}

#[test]
fn reject_shares_must_be_numbers_from_zero_to_one() {
    let dir = scratch("share-args");
    let (out, _) = good_output(&dir);
    let before = tree(&out);
    for bad in ["NaN", "inf", "5", "-0.5"] {
        for flag in ["--max-reject-share", "--min-movie-share"] {
            let result = build(&sample(), &out, &[&format!("{flag}={bad}")]);
            assert_eq!(result.status.code(), Some(2), "{flag} {bad}");
            assert!(stderr_of(&result).contains(bad), "{}", stderr_of(&result));
        }
    }
    assert!(tree(&out) == before);
}

#[test]
fn control_characters_never_reach_pages_or_the_terminal() {
    let dir = scratch("controls");
    let data = sample_copy(&dir);
    set_movie_field(&data, "309733", "title", "The Little\u{1b}[2J Dragon\u{0}\u{7}");
    edit(&data.join("movies_metadata.csv"), |t| {
        t.replacen("'name': 'Granite Hill Media'", "'name': 'Granite\\x1b[31m Hill\\x00 Media'", 1)
    });
    let out = dir.join("output");
    let result = build(&data, &out, &[]);
    assert!(result.status.success(), "{}", stderr_of(&result));
    for (path, bytes) in tree(&out) {
        if path.extension().is_some_and(|e| e == "html" || e == "json") {
            assert!(!bytes.iter().any(|&b| b == 0x1b || b == 0 || b == 7), "{} holds a control character", path.display());
        }
    }
    let page = std::fs::read_to_string(out.join("movies/309733.html")).unwrap();
    assert!(page.contains("The Little[2J Dragon"));
    assert!(page.contains("Granite[31m Hill Media"));
    let asked = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args(["ask", "score_titulo", "the little[2j dragon", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(asked.status.success(), "{}", stderr_of(&asked));
    assert!(!asked.stdout.contains(&0x1b));
}

#[test]
fn a_memory_limit_spills_to_the_same_output_or_fails_cleanly() {
    let dir = scratch("memory-limit");
    let free = dir.join("free");
    assert!(build(&sample(), &free, &[]).status.success());
    // Bounded close to what the sample needs: the output does not change.
    let bounded = dir.join("bounded");
    let spilled = build(&sample(), &bounded, &["--memory-limit", "32MB"]);
    assert!(spilled.status.success(), "{}", stderr_of(&spilled));
    assert!(assert_same_trees(&free, &bounded) > 100);
    // Too small for a sort to merge: an error naming the flag, the previous output kept.
    let before = tree(&bounded);
    let starved = build(&sample(), &bounded, &["--memory-limit", "1MB"]);
    assert_eq!(starved.status.code(), Some(2), "{}", stderr_of(&starved));
    assert!(stderr_of(&starved).contains("more memory than --memory-limit allows (1 MB)"), "{}", stderr_of(&starved));
    assert!(tree(&bounded) == before, "output changed");
}

#[test]
fn full_ratings_take_precedence_over_the_sample_and_every_row_is_accounted() {
    let dir = scratch("ratings-precedence");
    let data = sample_copy(&dir);
    // Eight records: five kept, one repeat of (user, movie), one out of range, one
    // with a user id that is not a number.
    let ratings = "userId,movieId,rating,timestamp\n\
                   1,1,4.0,100\n1,2,3.5,101\n2,1,5.0,102\n2,3,2.0,103\n3,2,4.5,104\n\
                   1,1,1.0,105\n3,3,7.5,106\nx,3,3.0,107\n";
    std::fs::write(data.join("ratings.csv"), ratings).unwrap();
    let out = dir.join("out");
    // Two damaged records of eight is over the default limit: allowed here on purpose.
    let output = build(&data, &out, &["--max-reject-share", "0.5"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let account = &manifest["inputs"]["ratings"];
    assert_eq!(account["file"], "ratings.csv");
    assert_eq!(account["ignored"], serde_json::json!(["ratings_small.csv"]));
    assert_eq!(account["records_read"], 8, "the rows of ratings.csv, none of ratings_small.csv: {account}");
    assert_eq!((account["kept"].as_u64(), account["duplicates"].as_u64(), account["rejected"].as_u64()), (Some(5), Some(1), Some(2)));
    assert_eq!(manifest["tables"]["ratings"], 5);
    assert!(stderr_of(&output).contains("ratings_small.csv not read: ratings.csv takes precedence"), "{}", stderr_of(&output));
    let rejected: Vec<u64> = rejects_of(&out, "ratings.csv").into_iter().map(|(line, _, _)| line).collect();
    assert_eq!(rejected, [8, 9]);
    // Without ratings.csv the sample is read again, and nothing is said to be ignored.
    std::fs::remove_file(data.join("ratings.csv")).unwrap();
    let output = build(&data, &out, &[]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["inputs"]["ratings"]["file"], "ratings_small.csv");
    assert!(manifest["inputs"]["ratings"].get("ignored").is_none());
    assert_eq!(manifest["inputs"]["ratings"]["records_read"], 3131);
}
