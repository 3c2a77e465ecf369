//! Rebuilds that reuse the previous build: for every kind of change, the reused build
//! is byte-identical to a cold build of the same inputs, and reuses what it should.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{assert_same_trees, sample};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("marquee-reuse-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A copy of the sample's inputs (and of templates/) to change.
fn copy_dir(from: &Path, to: &Path, keep: &dyn Fn(&Path) -> bool) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()), keep);
        } else if keep(&path) {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

fn sample_copy(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    copy_dir(&sample(), &data, &|p| p.extension().is_some_and(|e| e == "csv"));
    data
}

/// Builds `data` into `out` and returns the build's JSON report.
fn build(data: &Path, out: &Path, extra: &[&str]) -> serde_json::Value {
    let report = out.with_extension("report.json");
    let done = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args(["build", "--wait-for-cleanup", "--data"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .arg("--report")
        .arg(&report)
        .args(extra)
        .output()
        .unwrap();
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap()
}

/// The reused output equals a cold build of the same inputs into a fresh directory.
fn assert_same_as_cold(dir: &Path, data: &Path, reused: &Path, extra: &[&str]) {
    let cold = dir.join(format!("cold-{}", reused.file_name().unwrap().to_string_lossy()));
    let _ = std::fs::remove_dir_all(&cold);
    let report = build(data, &cold, extra);
    assert_eq!(report["data_reused"], false);
    assert_eq!(report["pages"]["reused"], 0);
    assert_same_trees(reused, &cold);
}

fn count(report: &serde_json::Value, pointer: &str) -> u64 {
    report.pointer(pointer).and_then(serde_json::Value::as_u64).unwrap_or_else(|| panic!("{pointer} in {report}"))
}

/// Edits the movies file in place, byte for byte elsewhere: replaces the overview of
/// the movie `id` with `overview`, or drops its record with `None`.
fn edit_movie(data: &Path, id: &str, overview: Option<&str>) {
    let path = data.join("movies_metadata.csv");
    let raw = std::fs::read(&path).unwrap();
    let (start, end, old) = record_of(&raw, id);
    let record = &raw[start..end];
    let replaced = match overview {
        None => Vec::new(),
        Some(new) => {
            let at = record.windows(old.len()).position(|w| w == old.as_bytes()).expect("the overview as written");
            [&record[..at], new.as_bytes(), &record[at + old.len()..]].concat()
        }
    };
    std::fs::write(&path, [&raw[..start], &replaced[..], &raw[end..]].concat()).unwrap();
}

/// The byte range of movie `id`'s record and its overview.
fn record_of(raw: &[u8], id: &str) -> (usize, usize, String) {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(raw);
    let header = reader.headers().unwrap().clone();
    let (id_at, overview_at) = (header.iter().position(|h| h == "id").unwrap(), header.iter().position(|h| h == "overview").unwrap());
    let mut record = csv::StringRecord::new();
    let mut found: Option<(usize, String)> = None;
    while reader.read_record(&mut record).unwrap() {
        let at = record.position().unwrap().byte() as usize;
        if let Some((start, overview)) = found {
            return (start, at, overview);
        }
        if record.get(id_at) == Some(id) {
            found = Some((at, record.get(overview_at).unwrap().to_string()));
        }
    }
    let (start, overview) = found.expect("no such movie");
    (start, raw.len(), overview)
}

/// A movie with a page in `out` and a plain overview (no quotes to escape).
fn some_movie(data: &Path, out: &Path) -> String {
    let raw = std::fs::read(data.join("movies_metadata.csv")).unwrap();
    let mut pages: Vec<String> = std::fs::read_dir(out.join("movies"))
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_string_lossy().strip_suffix(".html").map(str::to_owned))
        .filter(|name| name.parse::<u64>().is_ok())
        .collect();
    pages.sort();
    pages
        .into_iter()
        .find(|id| {
            let (_, _, overview) = record_of(&raw, id);
            overview.len() > 40 && !overview.contains('"')
        })
        .expect("a movie with a plain overview")
}

#[test]
fn an_unchanged_rebuild_reuses_everything() {
    let dir = scratch("unchanged");
    let out = dir.join("out");
    let first = build(&sample(), &out, &[]);
    assert_eq!(first["data_reused"], false);
    assert_eq!(count(&first, "/pages/reused"), 0);
    let again = build(&sample(), &out, &[]);
    assert_eq!(again["data_reused"], true);
    assert_eq!(count(&again, "/pages/rendered"), 0);
    assert_eq!(count(&again, "/pages/reused"), count(&first, "/pages/total"));
    let reused: Vec<&str> =
        again["stages"].as_array().unwrap().iter().filter(|s| s["reused"] == true).map(|s| s["stage"].as_str().unwrap()).collect();
    assert_eq!(reused, ["load", "etl", "recommend", "questions", "bundle", "publish"]);
    assert!(dir.join("out.cache").is_dir() && !out.join("out.cache").exists(), "the cache is beside the output, not in it");
    assert_same_as_cold(&dir, &sample(), &out, &[]);
}

#[test]
fn a_template_edit_renders_only_the_pages_that_use_it() {
    let dir = scratch("template");
    let out = dir.join("out");
    let templates = dir.join("templates");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"), &templates, &|_| true);
    let args = ["--templates", templates.to_str().unwrap()];
    let first = build(&sample(), &out, &args);
    let person = templates.join("person.html");
    let text = std::fs::read_to_string(&person).unwrap();
    std::fs::write(&person, text.replacen("<h1>{{ person.name }}</h1>", "<h1>{{ person.name }}</h1><!-- editado -->", 1)).unwrap();
    let again = build(&sample(), &out, &args);
    assert_eq!(again["data_reused"], true, "a template is not data");
    let people = count(&first, "/site/kinds/people/pages");
    assert!(people > 10);
    assert_eq!(count(&again, "/pages/rendered"), people, "only the person pages");
    assert!(
        std::fs::read_to_string(
            out.join("people").join(std::fs::read_dir(out.join("people")).unwrap().flatten().next().unwrap().file_name())
        )
        .unwrap()
        .contains("<!-- editado -->")
    );
    assert_same_as_cold(&dir, &sample(), &out, &args);
    // The movie pages link to browse pages: those are made again (and found unchanged)
    // or linked, never missing.
    let movie = templates.join("movie.html");
    let text = std::fs::read_to_string(&movie).unwrap();
    std::fs::write(&movie, text.replacen("</h1>", "</h1><!-- editado -->", 1)).unwrap();
    let movies = build(&sample(), &out, &args);
    assert_eq!(count(&movies, "/pages/rendered"), count(&first, "/site/kinds/movies/pages"), "only the movie pages");
    assert_same_as_cold(&dir, &sample(), &out, &args);
    // The stylesheet is not a page: it is written anew, and no page renders again.
    let css = templates.join("static/style.css");
    std::fs::write(&css, std::fs::read_to_string(&css).unwrap() + "\n/* editado */\n").unwrap();
    let styled = build(&sample(), &out, &args);
    assert_eq!(count(&styled, "/pages/rendered"), 0);
    assert!(std::fs::read_to_string(out.join("static/style.css")).unwrap().contains("editado"));
    assert_same_as_cold(&dir, &sample(), &out, &args);
}

#[test]
fn one_changed_movie_renders_few_pages() {
    let dir = scratch("row");
    let data = sample_copy(&dir);
    let out = dir.join("out");
    let first = build(&data, &out, &[]);
    let id = some_movie(&data, &out);
    edit_movie(&data, &id, Some("Una sinopsis nueva, escrita para la prueba."));
    let again = build(&data, &out, &[]);
    assert_eq!(again["data_reused"], false, "the data changed");
    let rendered = count(&again, "/pages/rendered");
    assert!(rendered >= 1 && rendered * 10 < count(&first, "/pages/total"), "{rendered} pages rendered again");
    assert!(std::fs::read_to_string(out.join(format!("movies/{id}.html"))).unwrap().contains("Una sinopsis nueva"));
    assert_same_as_cold(&dir, &data, &out, &[]);
}

#[test]
fn a_removed_movie_loses_its_page() {
    let dir = scratch("removed");
    let data = sample_copy(&dir);
    let out = dir.join("out");
    build(&data, &out, &[]);
    let id = some_movie(&data, &out);
    edit_movie(&data, &id, None);
    let again = build(&data, &out, &["--allow-shrink"]);
    assert!(!out.join(format!("movies/{id}.html")).exists());
    assert!(count(&again, "/pages/deleted") >= 1);
    assert_same_as_cold(&dir, &data, &out, &["--allow-shrink"]);
}

#[test]
fn a_new_input_file_is_used() {
    let dir = scratch("new-file");
    let data = sample_copy(&dir);
    let keywords = std::fs::read(data.join("keywords.csv")).unwrap();
    std::fs::remove_file(data.join("keywords.csv")).unwrap();
    let out = dir.join("out");
    build(&data, &out, &[]);
    std::fs::write(data.join("keywords.csv"), keywords).unwrap();
    let again = build(&data, &out, &[]);
    assert_eq!(again["data_reused"], false);
    assert!(again["tables"]["keywords"].as_u64().unwrap() > 0);
    assert_same_as_cold(&dir, &data, &out, &[]);
}

#[test]
fn a_damaged_cache_or_an_edited_output_is_not_trusted() {
    let dir = scratch("damaged");
    let out = dir.join("out");
    let cache = dir.join("out.cache");
    build(&sample(), &out, &[]);
    // A log cut short: nothing reused, and the build says why.
    let log = std::fs::read_to_string(cache.join("files.tsv")).unwrap();
    std::fs::write(cache.join("files.tsv"), &log[..log.len() / 2]).unwrap();
    let cut = build(&sample(), &out, &[]);
    assert_eq!(cut["data_reused"], false);
    assert_eq!(count(&cut, "/pages/reused"), 0);
    assert!(cut["cache_distrusted"].as_str().unwrap().contains("files.tsv"), "{}", cut["cache_distrusted"]);
    assert_same_as_cold(&dir, &sample(), &out, &[]);
    // A state that is not JSON: the data stages run again.
    std::fs::write(cache.join("data.json"), "{\"data\": \"0\", garbage").unwrap();
    let garbage = build(&sample(), &out, &[]);
    assert_eq!(garbage["data_reused"], false);
    assert!(garbage["cache_distrusted"].as_str().unwrap().contains("data.json"));
    assert_same_as_cold(&dir, &sample(), &out, &[]);
    // A published page edited in place is made again, not linked.
    let id = some_movie(&sample(), &out);
    let page = out.join(format!("movies/{id}.html"));
    let mut file = std::fs::OpenOptions::new().append(true).open(&page).unwrap();
    std::io::Write::write_all(&mut file, b"<!-- tampered -->").unwrap();
    drop(file);
    let repaired = build(&sample(), &out, &[]);
    assert_eq!(count(&repaired, "/pages/rendered"), 1);
    assert!(!std::fs::read_to_string(&page).unwrap().contains("tampered"));
    // A bundle file edited in place: the data stages run again.
    let index = out.join("api/index.json");
    let mut file = std::fs::OpenOptions::new().append(true).open(&index).unwrap();
    std::io::Write::write_all(&mut file, b" ").unwrap();
    drop(file);
    let rebuilt = build(&sample(), &out, &[]);
    assert_eq!(rebuilt["data_reused"], false);
    assert_same_as_cold(&dir, &sample(), &out, &[]);
}

#[test]
fn a_changed_site_setting_is_not_reused_across() {
    let dir = scratch("setting");
    let out = dir.join("out");
    build(&sample(), &out, &[]);
    // Shorter browse lists: every browse page changes, and new pages appear.
    let args = ["--browse-page-size", "3"];
    let paged = build(&sample(), &out, &args);
    assert_eq!(paged["data_reused"], true);
    assert!(count(&paged, "/pages/rendered") > 0, "browse pages are cut again");
    assert_same_as_cold(&dir, &sample(), &out, &args);
    // A lower page limit fails the rebuild, though its data is reused.
    let done = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args(["build", "--wait-for-cleanup", "--max-page-kb", "1", "--data"])
        .arg(sample())
        .arg("--out")
        .arg(&out)
        .args(args)
        .output()
        .unwrap();
    assert!(!done.status.success());
    assert!(String::from_utf8_lossy(&done.stderr).contains("over the 1 KB limit"), "{}", String::from_utf8_lossy(&done.stderr));
}

#[test]
fn a_base_url_reaches_pages_linked_from_the_previous_build() {
    let dir = scratch("base-url");
    let out = dir.join("out");
    build(&sample(), &out, &[]);
    let args = ["--base-url", "https://example.org/cine/"];
    let added = build(&sample(), &out, &args);
    assert!(count(&added, "/pages/rendered") > 0, "every page gains a canonical link");
    assert_same_as_cold(&dir, &sample(), &out, &args);
    // Nothing changed: every kind is linked whole, and the sitemap still lists them all.
    let again = build(&sample(), &out, &args);
    assert_eq!(count(&again, "/pages/rendered"), 0);
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("https://example.org/cine/movies/"), "{sitemap}");
    assert_same_as_cold(&dir, &sample(), &out, &args);
}

#[test]
fn adding_or_removing_ratings_csv_or_the_file_it_hides_is_not_reused() {
    let dir = scratch("ratings-csv");
    let data = sample_copy(&dir);
    let out = dir.join("out");
    let manifest_ratings = |out: &Path| -> serde_json::Value {
        let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        manifest["inputs"]["ratings"].clone()
    };
    build(&data, &out, &[]);
    // The same bytes under the preferred name: another file is read, so nothing is reused.
    let small = std::fs::read(data.join("ratings_small.csv")).unwrap();
    std::fs::write(data.join("ratings.csv"), &small).unwrap();
    let added = build(&data, &out, &[]);
    assert_eq!(added["data_reused"], false);
    assert_eq!(manifest_ratings(&out)["file"], "ratings.csv");
    assert_eq!(manifest_ratings(&out)["ignored"], serde_json::json!(["ratings_small.csv"]));
    assert_same_as_cold(&dir, &data, &out, &[]);
    // The file read is unchanged but the one it hides is gone: the manifest changes.
    std::fs::remove_file(data.join("ratings_small.csv")).unwrap();
    let hidden_removed = build(&data, &out, &[]);
    assert_eq!(hidden_removed["data_reused"], false);
    assert!(manifest_ratings(&out).get("ignored").is_none());
    assert_same_as_cold(&dir, &data, &out, &[]);
    // Back to the sample's file alone.
    std::fs::write(data.join("ratings_small.csv"), &small).unwrap();
    std::fs::remove_file(data.join("ratings.csv")).unwrap();
    let removed = build(&data, &out, &[]);
    assert_eq!(removed["data_reused"], false);
    assert_eq!(manifest_ratings(&out)["file"], "ratings_small.csv");
    assert_same_as_cold(&dir, &data, &out, &[]);
    assert_eq!(build(&data, &out, &[])["data_reused"], true, "and an unchanged rebuild reuses again");
}

/// Runs `marquee build --until STAGE` and returns its report.
fn build_until(data: &Path, out: &Path, stage: &str) -> serde_json::Value {
    let report = out.with_extension(format!("{stage}.json"));
    let done = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args(["build", "--data"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(["--until", stage, "--report"])
        .arg(&report)
        .output()
        .unwrap();
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap()
}

fn stages_marked(report: &serde_json::Value, reused: bool) -> Vec<String> {
    let stages = report["stages"].as_array().unwrap().iter();
    stages.filter(|s| s["reused"] == reused).map(|s| s["stage"].as_str().unwrap().to_string()).collect()
}

#[test]
fn stages_run_one_at_a_time_give_the_cold_build() {
    let dir = scratch("until");
    let data = sample_copy(&dir);
    let out = dir.join("out");
    let stages = dir.join("out.cache/stages");

    let etl = build_until(&data, &out, "etl");
    assert!(!out.exists(), "a partial run leaves the output alone");
    assert!(stages.join("etl/key").is_file() && !stages.join("recommend").exists());
    assert_eq!(stages_marked(&etl, true), Vec::<String>::new());
    assert_eq!(etl["kept"], serde_json::json!([]));

    let recommend = build_until(&data, &out, "recommend");
    assert_eq!(recommend["kept"], serde_json::json!(["load", "etl"]), "the etl results are read, not made again");
    assert!(stages_marked(&recommend, false).contains(&"recommend".to_string()));
    assert!(stages.join("recommend/key").is_file());

    let site = build(&data, &out, &[]);
    assert_eq!(stages_marked(&site, true), ["load", "etl", "recommend"]);
    let stages_run = stages_marked(&site, false);
    assert!(stages_run.contains(&"read kept etl".to_string()) && !stages_run.contains(&"recommend".to_string()), "{stages_run:?}");
    assert!(site["cache_distrusted"].is_null(), "{}", site["cache_distrusted"]);
    assert!(!stages.exists(), "a published build holds the stages' results; the kept ones go");
    assert_same_as_cold(&dir, &data, &out, &[]);

    // Kept results of other data are not read: a changed input runs etl again.
    build_until(&data, &out, "etl");
    edit_movie(&data, &some_movie(&data, &out), Some("Una sinopsis nueva, sin comillas, para la prueba."));
    let changed = build_until(&data, &out, "recommend");
    assert_eq!(changed["kept"], serde_json::json!([]));
    let rebuilt = build(&data, &out, &[]);
    assert_eq!(stages_marked(&rebuilt, true)[..3], ["load", "etl", "recommend"]);
    assert_same_as_cold(&dir, &data, &out, &[]);
}

#[test]
fn damaged_stage_results_are_made_again_not_trusted() {
    let dir = scratch("until-damaged");
    let data = sample_copy(&dir);
    let out = dir.join("out");
    build_until(&data, &out, "recommend");
    let stages = dir.join("out.cache/stages");
    // The key still matches: only reading the files can tell.
    std::fs::write(stages.join("etl/movies.parquet"), b"PAR1 not really").unwrap();
    std::fs::write(stages.join("recommend/state.json"), b"{\"movies\": ").unwrap();
    let site = build(&data, &out, &[]);
    let distrusted = site["cache_distrusted"].as_str().expect("the damage is reported");
    assert!(distrusted.contains("etl"), "{distrusted}");
    assert_eq!(stages_marked(&site, true), Vec::<String>::new(), "nothing damaged is used");
    assert!(stages_marked(&site, false).contains(&"etl".to_string()));
    assert_same_as_cold(&dir, &data, &out, &[]);

    // A stage directory cut short before its key was written is not results at all.
    build_until(&data, &out, "etl");
    std::fs::remove_file(stages.join("etl/key")).unwrap();
    let again = build_until(&data, &out, "etl");
    assert_eq!(again["kept"], serde_json::json!([]));
    assert!(again["cache_distrusted"].is_null());
}

/// Replaces the last `old` in movie `id`'s record (the title comes after the original
/// title) with `new`, byte for byte elsewhere.
fn edit_movie_last(data: &Path, id: &str, old: &str, new: &str) {
    let path = data.join("movies_metadata.csv");
    let raw = std::fs::read(&path).unwrap();
    let (start, end, _) = record_of(&raw, id);
    let record = &raw[start..end];
    let at = record.windows(old.len()).rposition(|w| w == old.as_bytes()).expect("the value as written");
    let replaced = [&record[..at], new.as_bytes(), &record[at + old.len()..]].concat();
    std::fs::write(&path, [&raw[..start], &replaced[..], &raw[end..]].concat()).unwrap();
}

/// A movie with a plain title (no quotes or commas) whose collection has other movies
/// with pages in `out`: (its id, its title, the others' ids).
fn movie_in_collection(data: &Path, out: &Path) -> (String, String, Vec<String>) {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(data.join("movies_metadata.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (id_at, collection_at, title_at) = (at("id"), at("belongs_to_collection"), at("title"));
    let mut by_collection: std::collections::BTreeMap<String, Vec<(String, String)>> = Default::default();
    for record in reader.records().flatten() {
        let (Some(id), Some(title), Some(collection)) = (record.get(id_at), record.get(title_at), record.get(collection_at)) else {
            continue;
        };
        let (id, title) = (id.to_string(), title.to_string());
        let Some(collection) = collection.strip_prefix("{'id': ").and_then(|r| r.split(',').next()) else { continue };
        if out.join(format!("movies/{id}.html")).is_file() {
            by_collection.entry(collection.to_string()).or_default().push((id, title));
        }
    }
    by_collection
        .values()
        .filter(|movies| movies.len() > 1)
        .find_map(|movies| {
            let (id, title) = movies.iter().find(|(_, t)| t.len() > 3 && !t.contains(['"', ',']))?;
            let others = movies.iter().filter(|(other, _)| other != id).map(|(other, _)| other.clone()).collect();
            Some((id.clone(), title.clone(), others))
        })
        .expect("a collection of two movies with pages")
}

fn inode(path: &Path) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).unwrap())
}

#[test]
fn a_changed_row_renders_only_the_pages_that_show_it() {
    let dir = scratch("row-pages");
    let data = sample_copy(&dir);
    let out = dir.join("out");
    let first = build(&data, &out, &[]);
    // An overview is shown on its movie's page, and moves the recommendations of a few
    // others; no person page or search file shows it: those are linked as they were,
    // not made again.
    let people: Vec<PathBuf> = std::fs::read_dir(out.join("people")).unwrap().flatten().map(|e| e.path()).collect();
    let kept: Vec<(PathBuf, u64)> = people.iter().chain([&out.join("search/index.json")]).map(|p| (p.clone(), inode(p))).collect();
    let id = some_movie(&data, &out);
    edit_movie(&data, &id, Some("Otra sinopsis, que solo muestra su página."));
    let overview = build(&data, &out, &[]);
    assert_eq!(overview["data_reused"], false);
    let rendered = count(&overview, "/pages/rendered");
    assert!((1..=10).contains(&rendered), "{rendered} pages rendered");
    assert_eq!(count(&overview, "/pages/reused"), count(&first, "/pages/total") - rendered);
    assert!(std::fs::read_to_string(out.join(format!("movies/{id}.html"))).unwrap().contains("Otra sinopsis"));
    for (path, before) in kept {
        assert_eq!(inode(&path), before, "{} was made again", path.display());
    }
    assert_same_as_cold(&dir, &data, &out, &[]);
    // A title is also on the pages of its collection's other movies (a lookup outside
    // their rows), its people's and its lists': those are rendered, and they equal a
    // cold build.
    let (movie, title, others) = movie_in_collection(&data, &out);
    edit_movie_last(&data, &movie, &title, "Un título cambiado");
    let renamed = build(&data, &out, &[]);
    for other in &others {
        assert!(std::fs::read_to_string(out.join(format!("movies/{other}.html"))).unwrap().contains("Un título cambiado"), "{other}");
    }
    let rendered = count(&renamed, "/pages/rendered");
    assert!(rendered > others.len() as u64 + 1 && rendered * 10 < count(&first, "/pages/total"), "{rendered} pages rendered");
    assert_same_as_cold(&dir, &data, &out, &[]);
}

#[test]
fn a_page_record_made_from_something_else_is_not_trusted() {
    use marquee::foundation::fingerprint::Fingerprinter;
    use marquee::foundation::reuse::FileLog;
    let dir = scratch("page-record");
    let data = sample_copy(&dir);
    let out = dir.join("out");
    let original = std::fs::read(data.join("movies_metadata.csv")).unwrap();
    build(&data, &out, &[]);
    let id = some_movie(&data, &out);
    let edit = || edit_movie(&data, &id, Some("Otra sinopsis para que los datos cambien."));
    // How many pages one changed overview renders, on a sound record.
    edit();
    let sound = count(&build(&data, &out, &[]), "/pages/rendered");
    std::fs::write(data.join("movies_metadata.csv"), &original).unwrap();
    build(&data, &out, &[]);
    // The log reads back whole, but says a person page and a browse page (which do not
    // show the overview) were made from something else, as a log of other data would:
    // both are rendered again besides.
    let (log, distrust) = FileLog::read(&dir.join("out.cache"));
    assert_eq!(distrust, None);
    let mut records: Vec<_> = log.files.into_iter().collect();
    records.sort_by(|a, b| a.0.cmp(&b.0));
    let wrong = Fingerprinter::new("not what the page was made from").finish();
    for dir in ["people/", "browse/genre/"] {
        let (_, record) = records.iter_mut().find(|(rel, _)| rel.starts_with(dir) && rel.ends_with(".html")).unwrap();
        record.made_from = wrong;
    }
    FileLog::write(&dir.join("out.cache"), &records).unwrap();
    edit();
    let again = build(&data, &out, &[]);
    assert_eq!(again["data_reused"], false);
    assert!(again["cache_distrusted"].is_null());
    assert_eq!(count(&again, "/pages/rendered"), sound + 2);
    assert_same_as_cold(&dir, &data, &out, &[]);
}
