//! Rebuilds that reuse the previous build: for every kind of change, the reused build
//! is byte-identical to a cold build of the same inputs, and reuses what it should.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{assert_same_trees, sample};

fn scratch(name: &str) -> marquee::foundation::scratch::ScratchDir {
    marquee::foundation::scratch::ScratchDir::new("reuse", name)
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
    common::sample_copy_in(dir, "data")
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
    let _ = std::fs::remove_dir_all(cold.with_extension("cache"));
    let report = build(data, &cold, extra);
    assert_eq!(report["data_reused"], false);
    assert_eq!(report["etl_reused"], serde_json::json!([]));
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
    record_field(raw, id, "overview")
}

/// The byte range of movie `id`'s record and the value of its `field` (empty when the
/// record is too short to have it).
fn record_field(raw: &[u8], id: &str, field: &str) -> (usize, usize, String) {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(raw);
    let header = reader.headers().unwrap().clone();
    let (id_at, overview_at) = (header.iter().position(|h| h == "id").unwrap(), header.iter().position(|h| h == field).unwrap());
    let mut record = csv::StringRecord::new();
    let mut found: Option<(usize, String)> = None;
    while reader.read_record(&mut record).unwrap() {
        let at = record.position().unwrap().byte() as usize;
        if let Some((start, overview)) = found {
            return (start, at, overview);
        }
        if record.get(id_at) == Some(id) {
            found = Some((at, record.get(overview_at).unwrap_or_default().to_string()));
        }
    }
    let (start, overview) = found.expect("no such movie");
    (start, raw.len(), overview)
}

/// Adds 1 to the popularity of a movie with a page in `out`, byte for byte elsewhere:
/// the first whose popularity is written once in its record.
fn bump_popularity(data: &Path, out: &Path) {
    let (id, popularity) = movie_with_a_popularity(data, out);
    set_popularity(data, &id, &(popularity.parse::<f64>().unwrap() + 1.0).to_string());
}

/// A movie with a page in `out` whose popularity is a number written once in its
/// record, and that popularity as written.
fn movie_with_a_popularity(data: &Path, out: &Path) -> (String, String) {
    let raw = std::fs::read(data.join("movies_metadata.csv")).unwrap();
    let popularity_of = |id: &str| {
        let (start, end, popularity) = record_field(&raw, id, "popularity");
        let once = String::from_utf8_lossy(&raw[start..end]).matches(&format!(",{popularity},")).count() == 1;
        (popularity.parse::<f64>().is_ok() && once).then_some(popularity)
    };
    let id = movie_where(out, |id| popularity_of(id).is_some());
    let popularity = popularity_of(&id).unwrap();
    (id, popularity)
}

/// A movie with a page in `out` and a plain overview (no quotes to escape).
fn some_movie(data: &Path, out: &Path) -> String {
    let raw = std::fs::read(data.join("movies_metadata.csv")).unwrap();
    movie_where(out, |id| {
        let (_, _, overview) = record_of(&raw, id);
        overview.len() > 40 && !overview.contains('"')
    })
}

/// The first movie with a page in `out` that `wanted` accepts.
fn movie_where(out: &Path, wanted: impl Fn(&str) -> bool) -> String {
    let mut pages: Vec<String> = std::fs::read_dir(out.join("movies"))
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_string_lossy().strip_suffix(".html").map(str::to_owned))
        .filter(|name| name.parse::<u64>().is_ok())
        .collect();
    pages.sort();
    pages.into_iter().find(|id| wanted(id)).expect("a movie as wanted")
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
    copy_dir(&marquee::foundation::scratch::source_dir().join("templates"), &templates, &|_| true);
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

/// Sets movie `id`'s popularity to `popularity`, byte for byte elsewhere.
fn set_popularity(data: &Path, id: &str, popularity: &str) {
    let path = data.join("movies_metadata.csv");
    let raw = std::fs::read(&path).unwrap();
    let (start, end, old) = record_field(&raw, id, "popularity");
    let record = String::from_utf8(raw[start..end].to_vec()).unwrap();
    let field = format!(",{old},");
    assert_eq!(record.matches(&field).count(), 1, "the popularity of {id} is found once in {record}");
    let edited = record.replacen(&field, &format!(",{popularity},"), 1);
    std::fs::write(&path, [&raw[..start], edited.as_bytes(), &raw[end..]].concat()).unwrap();
}

fn questions_reused(report: &serde_json::Value) -> u64 {
    count(report, "/bundle/questions_reused")
}

#[test]
fn a_changed_popularity_makes_only_its_questions_again() {
    let dir = scratch("popularity");
    let data = sample_copy(&dir);
    let out = dir.join("out");
    let first = build(&data, &out, &[]);
    assert_eq!(questions_reused(&first), 0);
    let (id, popularity) = movie_with_a_popularity(&data, &out);
    set_popularity(&data, &id, "987.654321");
    let again = build(&data, &out, &[]);
    assert_eq!(again["data_reused"], false, "the data changed");
    // score_titulo shows the popularity, so it is made again; questions about counts,
    // languages or companies are not.
    let reused = questions_reused(&again);
    let questions = marquee::stages::questions::QUESTIONS.len() as u64;
    assert!((10..questions).contains(&reused), "{reused} of {questions} questions reused");
    let shard = std::fs::read_dir(out.join("api/score_titulo")).unwrap().flatten().map(|e| std::fs::read_to_string(e.path()).unwrap());
    assert!(shard.collect::<String>().contains("987.654321"), "the new popularity is in the bundle");
    assert_same_as_cold(&dir, &data, &out, &[]);
    // A damaged or missing kept segment or record: that question is made again, the
    // output is still the cold build's.
    let kept = dir.join("out.cache/bundle");
    let segment = kept.join("cantidad_filmaciones_mes.deflate");
    let mut bytes = std::fs::read(&segment).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&segment, &bytes).unwrap();
    std::fs::write(kept.join("peliculas_idioma.json"), "{\"print\": garbage").unwrap();
    std::fs::remove_file(kept.join("franquicia.deflate")).unwrap();
    // Back as it was: the same questions differ as before.
    set_popularity(&data, &id, &popularity);
    let repaired = build(&data, &out, &[]);
    assert_eq!(questions_reused(&repaired), reused - 3, "the three damaged parts are made again");
    assert_same_as_cold(&dir, &data, &out, &[]);
}

/// Sets the popularity of a movie with a page in `out` to `popularity`, byte for byte
/// the same elsewhere: the first whose popularity is written once in its record.
fn edit_popularity(data: &Path, out: &Path, popularity: &str) -> String {
    let (id, _) = movie_with_a_popularity(data, out);
    set_popularity(data, &id, popularity);
    id
}

/// Which file a path is and when it was written: changes only when it is written anew.
fn identity(path: &Path) -> (u64, i64, i64) {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (meta.ino(), meta.mtime(), meta.mtime_nsec())
}

#[test]
fn a_changed_popularity_reuses_the_neighbourhoods_and_changed_text_does_not() {
    let dir = scratch("neighbourhoods");
    let data = sample_copy(&dir);
    let out = dir.join("out");
    let kept = dir.join("out.cache/neighbourhoods");
    let (content, co_rated) = (kept.join("content.bin"), kept.join("co_rated.bin"));
    build(&data, &out, &[]);
    let (content_made, co_rated_made) = (identity(&content), identity(&co_rated));
    // The most popular movie by far: it breaks content ties and tops up every short list,
    // so a stale tie-break or top-up would show in the output.
    edit_popularity(&data, &out, "100000.0");
    let again = build(&data, &out, &[]);
    assert_eq!(again["data_reused"], false, "the data changed");
    assert!(again["cache_distrusted"].is_null(), "{}", again["cache_distrusted"]);
    assert_eq!(identity(&content), content_made, "the content neighbourhoods were read, not made again");
    assert_eq!(identity(&co_rated), co_rated_made, "the co-rated ones too");
    assert_same_as_cold(&dir, &data, &out, &[]);
    // A changed overview: the text side is made again, the raters' is still reused.
    edit_movie(&data, &some_movie(&data, &out), Some("Una sinopsis nueva, escrita para la prueba."));
    build(&data, &out, &[]);
    assert_ne!(identity(&content), content_made, "changed text makes the content side again");
    assert_eq!(identity(&co_rated), co_rated_made);
    assert_same_as_cold(&dir, &data, &out, &[]);
}

#[test]
fn a_damaged_neighbourhoods_file_is_made_again_not_trusted() {
    let dir = scratch("neighbourhoods-damaged");
    let data = sample_copy(&dir);
    let out = dir.join("out");
    let content = dir.join("out.cache/neighbourhoods/content.bin");
    build(&data, &out, &[]);
    let whole = std::fs::read(&content).unwrap();
    // Cut short, with its key intact: only its checksum can tell.
    std::fs::write(&content, &whole[..whole.len() - 100]).unwrap();
    edit_popularity(&data, &out, "12345.0");
    let cut = build(&data, &out, &[]);
    let distrusted = cut["cache_distrusted"].as_str().expect("the damage is reported");
    assert!(distrusted.contains("content.bin") && distrusted.contains("checksum"), "{distrusted}");
    assert_same_as_cold(&dir, &data, &out, &[]);
    assert_eq!(std::fs::read(&content).unwrap().len(), whole.len(), "made again, whole");
    // One value changed in the middle, same length.
    let mut flipped = std::fs::read(&content).unwrap();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x10;
    std::fs::write(&content, &flipped).unwrap();
    edit_popularity(&data, &out, "54321.0");
    let altered = build(&data, &out, &[]);
    assert!(altered["cache_distrusted"].as_str().is_some_and(|why| why.contains("content.bin")), "{}", altered["cache_distrusted"]);
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

fn etl_reused(report: &serde_json::Value) -> Vec<&str> {
    report["etl_reused"].as_array().unwrap_or_else(|| panic!("etl_reused in {report}")).iter().map(|s| s.as_str().unwrap()).collect()
}

#[test]
fn a_popularity_change_reuses_the_credits_keywords_and_links_etl() {
    let dir = scratch("etl-sources");
    let data = sample_copy(&dir);
    let out = dir.join("out");
    let first = build(&data, &out, &[]);
    assert_eq!(etl_reused(&first), Vec::<&str>::new());
    assert!(dir.join("out.cache/etl-sources/credits/entry.json").is_file(), "kept beside the output");
    // One movie's popularity: the same credits and keywords files, the same kept ids.
    bump_popularity(&data, &out);
    let again = build(&data, &out, &[]);
    assert_eq!(again["data_reused"], false, "the data changed");
    assert_eq!(etl_reused(&again), ["credits", "keywords", "links"]);
    assert!(again["cache_distrusted"].is_null(), "{}", again["cache_distrusted"]);
    assert_same_as_cold(&dir, &data, &out, &[]);
    // credits.csv changed: its ETL runs again, the keywords' does not.
    let credits = data.join("credits.csv");
    let text = std::fs::read_to_string(&credits).unwrap();
    std::fs::write(&credits, text.replacen("'character': '", "'character': 'Otro ", 1)).unwrap();
    let changed = build(&data, &out, &[]);
    assert_eq!(etl_reused(&changed), ["keywords", "links"]);
    assert_same_as_cold(&dir, &data, &out, &[]);
    // A movie removed: the kept ids differ, so both run again (its credits are
    // rejected); links.sql does not read the movies.
    edit_movie(&data, &some_movie(&data, &out), None);
    let removed = build(&data, &out, &["--allow-shrink"]);
    assert_eq!(etl_reused(&removed), ["links"]);
    assert_same_as_cold(&dir, &data, &out, &["--allow-shrink"]);
    // What those builds made is kept in turn.
    bump_popularity(&data, &out);
    let after = build(&data, &out, &[]);
    assert_eq!(etl_reused(&after), ["credits", "keywords", "links"]);
    assert_same_as_cold(&dir, &data, &out, &[]);
    // `--until etl` reuses them too, and so gives what the whole build does.
    bump_popularity(&data, &out);
    let until = build_until(&data, &out, "etl");
    assert_eq!(etl_reused(&until), ["credits", "keywords", "links"]);
    build(&data, &out, &[]);
    assert_same_as_cold(&dir, &data, &out, &[]);
}

#[test]
fn a_damaged_etl_source_entry_is_made_again_not_trusted() {
    let dir = scratch("etl-sources-damaged");
    let data = sample_copy(&dir);
    let out = dir.join("out");
    build(&data, &out, &[]);
    let credits = dir.join("out.cache/etl-sources/credits");
    // A table changed in place under an intact record: only its checksum can tell.
    let cast = credits.join("cast.arrow");
    let mut bytes = std::fs::read(&cast).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    std::fs::write(&cast, &bytes).unwrap();
    bump_popularity(&data, &out);
    let damaged = build(&data, &out, &[]);
    let why = damaged["cache_distrusted"].as_str().expect("the damage is reported");
    assert!(why.contains("cast.arrow") && why.contains("credits ETL runs again"), "{why}");
    assert_eq!(etl_reused(&damaged), ["keywords", "links"]);
    assert_same_as_cold(&dir, &data, &out, &[]);
    // Made again, and then reused.
    bump_popularity(&data, &out);
    let remade = build(&data, &out, &[]);
    assert_eq!(etl_reused(&remade), ["credits", "keywords", "links"]);
    assert!(remade["cache_distrusted"].is_null(), "{}", remade["cache_distrusted"]);
    assert_same_as_cold(&dir, &data, &out, &[]);
    // A table cut short, a record that is not JSON, an entry whose record is missing.
    let crew = credits.join("crew.arrow");
    let bytes = std::fs::read(&crew).unwrap();
    std::fs::write(&crew, &bytes[..bytes.len() / 2]).unwrap();
    bump_popularity(&data, &out);
    let cut = build(&data, &out, &[]);
    assert!(cut["cache_distrusted"].as_str().unwrap().contains("crew.arrow"), "{}", cut["cache_distrusted"]);
    assert_eq!(etl_reused(&cut), ["keywords", "links"]);
    std::fs::write(credits.join("entry.json"), b"{\"file_key\": ").unwrap();
    std::fs::remove_file(dir.join("out.cache/etl-sources/keywords/entry.json")).unwrap();
    bump_popularity(&data, &out);
    let garbage = build(&data, &out, &[]);
    assert!(garbage["cache_distrusted"].as_str().unwrap().contains("entry.json"), "{}", garbage["cache_distrusted"]);
    assert_eq!(etl_reused(&garbage), ["links"]);
    assert_same_as_cold(&dir, &data, &out, &[]);
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
