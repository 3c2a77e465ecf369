//! Browse lists on the bundled sample, built with 10 movies a page so that its lists
//! (77 dramas at most) span several pages: paging, the four orders, genre x decade
//! pages, their links, and the page size limit. Expected lists come from the published
//! Parquet tables, sorted here independently of the build's SQL.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use marquee::foundation::cells::json_value;
use marquee::foundation::published::normalize::normalize_key;
use serde_json::Value;

const PAGE: usize = 10;

/// A row of a Parquet table.
type Row = serde_json::Map<String, Value>;

fn build(args: &[&str], name: &str) -> (PathBuf, std::process::Output) {
    let out = marquee::foundation::scratch::shared_dir("browse-test").join(name).join("output");
    let output = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args(["build", "--data"])
        .arg(marquee::foundation::scratch::source_dir().join("data/sample"))
        .arg("--out")
        .arg(&out)
        .args(args)
        .output()
        .expect("run marquee build");
    (out, output)
}

/// The sample built once with `PAGE` movies a page.
fn paged() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let (out, output) = build(&["--browse-page-size", &PAGE.to_string()], "paged");
        assert!(output.status.success(), "build failed: {}", String::from_utf8_lossy(&output.stderr));
        out
    })
}

fn read(page: &Path) -> String {
    std::fs::read_to_string(page).unwrap_or_else(|e| panic!("{}: {e}", page.display()))
}

fn decode(value: &str) -> String {
    value.replace("&#x2f;", "/").replace("&#x27;", "'").replace("&quot;", "\"").replace("&amp;", "&")
}

/// Every link of an HTML text: its `href`, the rest of its tag, and its text.
fn links(html: &str) -> Vec<(String, String, String)> {
    html.match_indices("<a href=\"")
        .filter_map(|(at, needle)| {
            let rest = &html[at + needle.len()..];
            let end = rest.find('"')?;
            let tag_end = rest.find('>')?;
            let text_end = rest.find("</a>")?;
            Some((decode(&rest[..end]), rest[end..tag_end].to_string(), rest[tag_end + 1..text_end].to_string()))
        })
        .collect()
}

/// The page a link of `page` leads to, checked to exist.
fn follow(page: &Path, href: &str) -> PathBuf {
    let target = page.parent().unwrap().join(href);
    assert!(target.is_file(), "{} -> {href} does not exist", page.display());
    target
}

/// The link of `page` whose tag carries `attribute` (rel="next", aria-current="true").
fn link_marked(page: &Path, attribute: &str) -> Option<PathBuf> {
    links(&read(page)).into_iter().find(|(_, tag, _)| tag.contains(attribute)).map(|(href, _, _)| follow(page, &href))
}

/// The movie ids a list page lists, in order.
fn listed_ids(page: &Path) -> Vec<i64> {
    let html = read(page);
    let list = &html[html.find("<ol class=\"movies\"").expect("a movie list")..];
    let list = &list[..list.find("</ol>").unwrap()];
    links(list).iter().map(|(href, _, _)| href.rsplit('/').next().unwrap().trim_end_matches(".html").parse().unwrap()).collect()
}

/// "Página 1 de 8" of a page's pager: (1, 8); a list of one page has none.
fn page_of(page: &Path) -> (usize, usize) {
    let html = read(page);
    let Some(at) = html.find("<p>Página ") else { return (1, 1) };
    let text = &html[at + "<p>Página ".len()..];
    let text = &text[..text.find("</p>").unwrap()];
    let (n, total) = text.split_once(" de ").unwrap();
    (n.replace('.', "").parse().unwrap(), total.replace('.', "").parse().unwrap())
}

/// Walks a list in one order from its first page by "Siguiente", checking that each
/// page's "Anterior" leads back and that the pager counts right: the ids in order.
fn walk(first: &Path) -> Vec<i64> {
    let (_, total) = page_of(first);
    let mut ids = listed_ids(first);
    let mut page = first.to_path_buf();
    assert!(link_marked(first, "rel=\"prev\"").is_none(), "{}: no page before the first", first.display());
    for n in 2..=total {
        let next = link_marked(&page, "rel=\"next\"").unwrap_or_else(|| panic!("{}: no next page", page.display()));
        assert_eq!(page_of(&next), (n, total), "{}", next.display());
        let back = link_marked(&next, "rel=\"prev\"").expect("a previous page");
        assert_eq!(back.canonicalize().unwrap(), page.canonicalize().unwrap(), "{}: Anterior", next.display());
        let listed = listed_ids(&next);
        assert!(listed.len() <= PAGE && !listed.is_empty(), "{}: {} movies", next.display(), listed.len());
        ids.extend(listed);
        page = next;
    }
    assert!(link_marked(&page, "rel=\"next\"").is_none(), "{}: no page after the last", page.display());
    assert_eq!(ids.len().div_ceil(PAGE).max(1), total, "{}: page count", first.display());
    ids
}

/// The page of each order, from the "Ordenar por" links of a list's first page.
fn order_pages(first: &Path) -> BTreeMap<String, PathBuf> {
    let html = read(first);
    let Some(at) = html.find("<nav class=\"orders\"") else { return BTreeMap::new() };
    let nav = &html[at..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    links(nav).into_iter().map(|(href, _, text)| (text, follow(first, &href))).collect()
}

/// Rows of a published Parquet table.
fn parquet_rows(out: &Path, tables: &[&str], sql: &str) -> Vec<Row> {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        let ctx = datafusion::prelude::SessionContext::new();
        for table in tables {
            let path = out.join(format!("data/{table}.parquet"));
            ctx.register_parquet(*table, path.to_str().unwrap(), Default::default()).await.unwrap();
        }
        let mut rows = Vec::new();
        for b in ctx.sql(sql).await.unwrap().collect().await.unwrap() {
            for r in 0..b.num_rows() {
                rows.push(
                    b.schema().fields().iter().enumerate().map(|(i, f)| (f.name().clone(), json_value(b.column(i).as_ref(), r))).collect(),
                );
            }
        }
        rows
    })
}

/// The sample's movies of a genre (and decade), with what the orders sort by.
fn genre_movies(genre: &str, decade: Option<i64>) -> Vec<Row> {
    let years = decade.map_or(String::new(), |d| format!(" AND m.release_year BETWEEN {d} AND {}", d + 9));
    parquet_rows(
        paged(),
        &["movies", "movie_genres"],
        &format!(
            "SELECT DISTINCT m.id, m.title, m.popularity, m.release_date, m.vote_average, m.vote_count FROM movies m \
             JOIN movie_genres g ON g.movie_id = m.id WHERE g.name = '{genre}'{years}"
        ),
    )
}

fn num(row: &Row, field: &str) -> f64 {
    row[field].as_f64().unwrap_or(f64::NEG_INFINITY)
}

/// The expected id sequence of each order, sorted here in Rust.
fn expected_orders(rows: &[Row]) -> BTreeMap<&'static str, Vec<i64>> {
    let id = |r: &Row| r["id"].as_i64().unwrap();
    let sorted = |cmp: &dyn Fn(&Row, &Row) -> std::cmp::Ordering| {
        let mut rows = rows.to_vec();
        rows.sort_by(|a, b| cmp(a, b).then(id(a).cmp(&id(b))));
        rows.iter().map(id).collect::<Vec<_>>()
    };
    let title = |r: &Row| r["title"].as_str().map(|t| (normalize_key(t), t.to_string()));
    let rated = |r: &Row| num(r, "vote_count") >= marquee::settings::BROWSE_MIN_VOTES as f64;
    BTreeMap::from([
        ("popularidad", sorted(&|a, b| num(b, "popularity").total_cmp(&num(a, "popularity")))),
        ("año", sorted(&|a, b| b["release_date"].as_str().cmp(&a["release_date"].as_str()))),
        // Titles by their folded key, then as written; a movie without one last.
        (
            "título",
            sorted(&|a, b| match (title(a), title(b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (x, y) => x.is_none().cmp(&y.is_none()),
            }),
        ),
        (
            "valoración",
            sorted(&|a, b| {
                rated(b)
                    .cmp(&rated(a))
                    .then(num(b, "vote_average").total_cmp(&num(a, "vote_average")))
                    .then(num(b, "vote_count").total_cmp(&num(a, "vote_count")))
            }),
        ),
    ])
}

/// A value's first page in a facet directory, by the slug's words.
fn value_page(facet: &str, words: &str) -> PathBuf {
    let dir = paged().join("browse").join(facet);
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().unwrap().to_string_lossy().starts_with(&format!("{words}-")))
        .collect();
    found.sort();
    assert_eq!(found.len(), 1, "{facet}/{words}: {found:?}");
    found.remove(0)
}

/// Checks a list in all four orders against the movies it should hold.
fn check_list(first: &Path, rows: &[Row]) {
    let mut orders = order_pages(first);
    let mut expected = expected_orders(rows);
    if rows.len() < marquee::settings::BROWSE_ORDER_MIN_MOVIES {
        // A short list has its one page, by popularity.
        assert!(orders.is_empty(), "{}: no other orders", first.display());
        expected.retain(|order, _| *order == "popularidad");
        orders.insert("popularidad".to_string(), first.to_path_buf());
    }
    assert_eq!(orders.keys().map(String::as_str).collect::<BTreeSet<_>>(), expected.keys().copied().collect(), "{}", first.display());
    for (order, page) in &orders {
        let ids = walk(page);
        assert_eq!(&ids, &expected[order.as_str()], "{} by {order}", first.display());
        if rows.len() >= marquee::settings::BROWSE_ORDER_MIN_MOVIES {
            let current = link_marked(page, "aria-current=\"true\"").map(|p| p.canonicalize().unwrap());
            assert_eq!(current, Some(page.canonicalize().unwrap()), "{order} marked as the current order");
        }
    }
    let text = read(first);
    assert!(text.contains(&format!("<p>{} películas", rows.len())), "{}: count", first.display());
}

#[test]
fn a_genre_pages_every_movie_once_in_each_order() {
    let drama = value_page("genre", "drama");
    let rows = genre_movies("Drama", None);
    assert!(rows.len() > 3 * PAGE, "the sample has {} dramas", rows.len());
    assert_eq!(page_of(&drama), (1, rows.len().div_ceil(PAGE)));
    check_list(&drama, &rows);
    // The pager keeps to the first, the last and a window around the current page.
    let html = read(&drama);
    assert!(html.contains("aria-current=\"page\">1</a>"), "page 1 marked current");
    assert!(html.contains(">…<"), "a gap before the last page");
    assert!(html.contains("<nav class=\"pager\" aria-label=\"Páginas\">"));
}

#[test]
fn genre_by_decade_pages_hold_that_decades_movies_and_link_both_ways() {
    let drama = value_page("genre", "drama");
    let decades = parquet_rows(
        paged(),
        &["movies", "movie_genres"],
        "SELECT DISTINCT m.release_year - m.release_year % 10 AS decade FROM movies m JOIN movie_genres g ON g.movie_id = m.id \
         WHERE g.name = 'Drama' ORDER BY decade",
    );
    assert!(decades.len() >= 3);
    let stem = drama.file_stem().unwrap().to_string_lossy().to_string();
    let drama_links: Vec<String> = links(&read(&drama)).into_iter().map(|(h, _, _)| h).collect();
    for d in decades.iter().map(|r| r["decade"].as_i64().unwrap()) {
        let href = format!("{stem}/decada-{d}.html");
        assert!(drama_links.contains(&href), "the genre page links {href}");
        let page = follow(&drama, &href);
        check_list(&page, &genre_movies("Drama", Some(d)));
        assert!(read(&page).contains(&format!("<h1>Drama, década de {d}</h1>")));
        // The decade's own page links back to this genre's cut.
        let decade_page = paged().join(format!("browse/decade/{d}.html"));
        let from_decade = format!("../genre/{href}");
        assert!(links(&read(&decade_page)).iter().any(|(h, _, _)| *h == from_decade), "{} links {from_decade}", decade_page.display());
    }
}

#[test]
fn decade_pages_list_every_movie_of_their_decade() {
    for entry in std::fs::read_dir(paged().join("browse/decade")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(decade) = name.strip_suffix(".html").and_then(|d| d.parse::<i64>().ok()) else { continue };
        let expected =
            parquet_rows(paged(), &["movies"], &format!("SELECT id FROM movies WHERE release_year BETWEEN {decade} AND {}", decade + 9));
        let mut ids = walk(&entry.path());
        ids.sort();
        let mut want: Vec<i64> = expected.iter().map(|r| r["id"].as_i64().unwrap()).collect();
        want.sort();
        assert_eq!(ids, want, "{name}");
    }
}

#[test]
fn facet_indexes_page_through_every_value() {
    let index = paged().join("browse/year/index.html");
    let (_, total) = page_of(&index);
    assert!(total >= 2, "the sample's years span {total} index pages");
    let mut page = index.clone();
    let mut values = Vec::new();
    for n in 1..=total {
        let html = read(&page);
        let list = &html[html.find("<ul class=\"cols\">").unwrap()..];
        let list = &list[..list.find("</ul>").unwrap()];
        values.extend(links(list).into_iter().map(|(href, _, _)| {
            follow(&page, &href);
            href
        }));
        if n < total {
            page = link_marked(&page, "rel=\"next\"").unwrap();
        }
    }
    let years = parquet_rows(paged(), &["movies"], "SELECT COUNT(DISTINCT release_year) AS n FROM movies");
    assert_eq!(values.len() as i64, years[0]["n"].as_i64().unwrap());
    assert_eq!(values.iter().collect::<BTreeSet<_>>().len(), values.len(), "each year once");
}

#[test]
fn every_link_of_the_paged_site_resolves() {
    fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                html_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "html") {
                out.push(path);
            }
        }
    }
    let mut pages = Vec::new();
    html_files(&paged().join("browse"), &mut pages);
    assert!(pages.len() > 500, "{} browse pages", pages.len());
    let mut broken = Vec::new();
    for page in &pages {
        for (href, _, _) in links(&read(page)) {
            if !page.parent().unwrap().join(&href).is_file() {
                broken.push(format!("{} -> {href}", page.display()));
            }
        }
    }
    assert!(broken.is_empty(), "{} broken links, e.g. {:?}", broken.len(), &broken[..broken.len().min(5)]);
}

#[test]
fn a_page_over_the_size_limit_fails_the_build_naming_it() {
    let limit_kb = 20;
    let (out, output) = build(&["--max-page-kb", &limit_kb.to_string(), "--browse-page-size", &PAGE.to_string()], "limit");
    assert_eq!(output.status.code(), Some(2), "the build must fail");
    assert!(!out.exists(), "nothing published");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let error = stderr.lines().find(|l| l.starts_with("marquee: error:")).unwrap_or_else(|| panic!("no error: {stderr}"));
    let at = error.find(": page ").unwrap_or_else(|| panic!("no page named: {error}"));
    let page = error[at + ": page ".len()..].split_whitespace().next().unwrap();
    let bytes = error.split_once(" KB (").and_then(|(_, rest)| rest.split_once(" bytes)")).map(|(n, _)| n);
    let bytes: u64 = bytes.and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("size in {error}"));
    assert!(bytes > limit_kb * 1024, "{error}");
    assert!(error.contains(&format!("over the {limit_kb} KB limit")), "{error}");
    // The page it names is that size in a build without the limit.
    assert_eq!(std::fs::metadata(paged().join(page)).unwrap().len(), bytes, "{page}");
}
