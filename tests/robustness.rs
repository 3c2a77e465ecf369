//! Bad inputs, killed builds and repeated builds: the published output is never
//! half-written, errors name file, line and problem, and output is byte-for-byte stable.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("marquee-robust-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn build(data: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_marquee"))
        .arg("build")
        .arg("--data")
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// A copy of the sample to damage.
fn sample_copy(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    for entry in std::fs::read_dir(sample()).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "csv") {
            std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
        }
    }
    data
}

/// Every file under `dir`, with its bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Builds the sample into `dir/output` as "the previous, good output".
fn good_output(dir: &Path) -> (PathBuf, Vec<u8>) {
    let out = dir.join("output");
    let built = build(&sample(), &out, &["--max-reject-share", "0.05"]);
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
    let leftovers: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name()).filter(|n| n.to_string_lossy().contains("staging")).collect();
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
    // Every tenth movie gets a runtime of "104.0x": far more than 1% of the file.
    edit(&data.join("movies_metadata.csv"), |t| {
        t.split('\n')
            .enumerate()
            .map(|(i, l)| if i % 10 == 5 { l.replacen(".0,\"[{'iso_639_1'", ".0x,\"[{'iso_639_1'", 1) } else { l.to_string() })
            .collect::<Vec<_>>()
            .join("\n")
    });
    assert_fails_cleanly(&dir, &data, &["movies_metadata.csv", "rejected as damaged", "runtime is not a number"]);
}

#[test]
fn one_unparsable_nested_cell_is_rejected_and_the_build_goes_on() {
    let dir = scratch("nested");
    let data = sample_copy(&dir);
    let out = dir.join("output");
    let baseline = build(&data, &out, &["--max-reject-share", "0.05"]);
    assert!(baseline.status.success());
    let rejects_before = std::fs::read_to_string(out.join("rejects.csv")).unwrap().lines().count();
    edit(&data.join("keywords.csv"), |t| t.replacen("[{'id': ", "[{'id' ", 1));
    let result = build(&data, &out, &["--max-reject-share", "0.05"]);
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
    assert!(build(&sample(), &a, &["--max-reject-share", "0.05"]).status.success());
    let two_threads = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .env("RAYON_NUM_THREADS", "1")
        .args(["build", "--max-reject-share", "0.05", "--data"])
        .arg(sample())
        .arg("--out")
        .arg(&b)
        .status()
        .unwrap();
    assert!(two_threads.success());
    let (ta, tb) = (tree(&a), tree(&b));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (path, bytes) in &ta {
        assert!(bytes == &tb[path], "{} differs", path.display());
    }
    assert!(ta.len() > 100);
}

#[test]
fn a_killed_build_leaves_the_previous_output_intact() {
    let dir = scratch("kill");
    let (out, manifest) = good_output(&dir);
    let before = tree(&out);
    for delay_ms in [5u64, 40, 120, 250, 400, 700] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_marquee"))
            .args(["build", "--max-reject-share", "0.05", "--data"])
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
    assert!(build(&sample(), &out, &["--max-reject-share", "0.05"]).status.success());
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().contains("staging")).collect();
    assert!(leftovers.is_empty());
}
