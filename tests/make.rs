//! The scheduled `make`: a rebuild with nothing changed does nothing, and a changed
//! input makes it rebuild.

use std::path::Path;
use std::process::Command;

fn make(root: &Path, data: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    make_target(root, "site", data, out, extra)
}

#[test]
fn nothing_changed_means_nothing_to_do() {
    let root = &marquee::foundation::scratch::source_dir();
    let work = marquee::foundation::scratch::ScratchDir::new("make", "nothing-changed");
    let data = work.join("data");
    std::fs::create_dir_all(&data).unwrap();
    for name in ["movies_metadata.csv", "credits.csv"] {
        std::fs::copy(root.join("data/sample").join(name), data.join(name)).unwrap();
    }
    let out = work.join("output");
    let first = make(root, &data, &out, &[]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(out.join("manifest.json").is_file());

    // `make -q` exits 0 only when the target is up to date.
    assert_eq!(make(root, &data, &out, &["-q"]).status.code(), Some(0), "a second make would rebuild");
    let again = make(root, &data, &out, &[]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("Nothing to be done"));

    // A newer input file makes the output stale.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let credits = data.join("credits.csv");
    let text = std::fs::read(&credits).unwrap();
    std::fs::write(&credits, text).unwrap();
    assert_eq!(make(root, &data, &out, &["-q"]).status.code(), Some(1), "a changed input must rebuild");
}

#[test]
fn a_template_edit_is_a_rebuild_not_a_recompile() {
    let root = &marquee::foundation::scratch::source_dir();
    let work = marquee::foundation::scratch::ScratchDir::new("make", "templates");
    let templates = work.join("templates");
    std::fs::create_dir_all(templates.join("static")).unwrap();
    for dir in ["", "static"] {
        for entry in std::fs::read_dir(root.join("templates").join(dir)).unwrap().flatten() {
            if entry.path().is_file() {
                std::fs::copy(entry.path(), templates.join(dir).join(entry.file_name())).unwrap();
            }
        }
    }
    let out = work.join("output");
    let setting = format!("TEMPLATES_DIR={}", templates.display());
    let sample = root.join("data/sample");
    assert!(make(root, &sample, &out, &[&setting]).status.success());
    assert_eq!(make(root, &sample, &out, &["-q", &setting]).status.code(), Some(0));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let css = templates.join("static/style.css");
    std::fs::write(&css, std::fs::read_to_string(&css).unwrap() + "\n/* editado */\n").unwrap();
    assert_eq!(make(root, &sample, &out, &["-q", &setting]).status.code(), Some(1), "a changed template must rebuild");
    let rebuilt = make(root, &sample, &out, &[&setting]);
    assert!(rebuilt.status.success(), "{}", String::from_utf8_lossy(&rebuilt.stderr));
    assert!(!String::from_utf8_lossy(&rebuilt.stdout).contains("cargo build"), "no recompile");
    assert!(std::fs::read_to_string(out.join("static/style.css")).unwrap().contains("editado"));
    assert_eq!(make(root, &sample, &out, &["-q", &setting]).status.code(), Some(0));
    // A deleted output is not up to date, whatever the stamp says.
    std::fs::remove_dir_all(&out).unwrap();
    assert_eq!(make(root, &sample, &out, &["-q", &setting]).status.code(), Some(1));
}

fn make_target(root: &Path, target: &str, data: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    Command::new("make")
        .current_dir(root)
        .arg(target)
        .arg(format!("BIN={}", env!("CARGO_BIN_EXE_marquee")))
        .arg(format!("DATA={}", data.display()))
        .arg(format!("OUT={}", out.display()))
        .args(extra)
        .output()
        .expect("make")
}

#[test]
fn each_stage_is_a_target_and_make_q_tells_which_are_stale() {
    let root = &marquee::foundation::scratch::source_dir();
    let work = marquee::foundation::scratch::ScratchDir::new("make", "stages");
    let data = work.join("data");
    std::fs::create_dir_all(&data).unwrap();
    for name in ["movies_metadata.csv", "credits.csv", "links.csv", "ratings_small.csv"] {
        std::fs::copy(root.join("data/sample").join(name), data.join(name)).unwrap();
    }
    let out = work.join("output");
    let q = |target: &str| make_target(root, target, &data, &out, &["-q"]).status.code();

    // `make -n` shows the pipeline in order.
    let plan = String::from_utf8_lossy(&make_target(root, "site", &data, &out, &["-n"]).stdout).to_string();
    let at = |what: &str| plan.find(what).unwrap_or_else(|| panic!("{what} in {plan}"));
    assert!(at("--until etl") < at("--until recommend"));
    assert!(at("--until recommend") < at("--templates"));

    let etl = make_target(root, "etl", &data, &out, &[]);
    assert!(etl.status.success(), "{}", String::from_utf8_lossy(&etl.stderr));
    assert!(!out.exists(), "make etl publishes nothing");
    assert_eq!((q("etl"), q("recommend"), q("site")), (Some(0), Some(1), Some(1)));

    let site = make_target(root, "site", &data, &out, &[]);
    assert!(site.status.success(), "{}", String::from_utf8_lossy(&site.stderr));
    let log = String::from_utf8_lossy(&site.stdout).to_string() + &String::from_utf8_lossy(&site.stderr);
    assert!(!log.contains("--until etl"), "etl was up to date: {log}");
    assert!(log.contains("etl: kept from the last"), "the site build starts from the kept etl results: {log}");
    assert!(out.join("manifest.json").is_file());
    assert_eq!((q("etl"), q("recommend"), q("site")), (Some(0), Some(0), Some(0)));

    // A changed input makes every stage stale.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let ratings = data.join("ratings_small.csv");
    std::fs::write(&ratings, std::fs::read(&ratings).unwrap()).unwrap();
    assert_eq!((q("etl"), q("recommend"), q("site")), (Some(1), Some(1), Some(1)));
}
