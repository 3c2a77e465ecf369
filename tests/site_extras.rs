//! The extras of a published site, on the bundled sample: with `--base-url`, a
//! sitemap, robots.txt, canonical links and Open Graph tags; without it, none of them
//! and pages byte for byte as before.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Spaces and `&` in the address check the escaping of every place it lands in.
const BASE: &str = "https://example.org/cine & co";
const BASE_NORMALISED: &str = "https://example.org/cine%20&%20co/";

fn build(name: &str, extra: &[&str]) -> Output {
    let out = marquee::foundation::scratch::shared_dir("extras-test").join(name);
    Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args(["build", "--data"])
        .arg(marquee::foundation::scratch::source_dir().join("data/sample"))
        .arg("--out")
        .arg(&out)
        .args(extra)
        .output()
        .expect("run marquee build")
}

fn built(name: &'static str, extra: &'static [&'static str], cell: &'static OnceLock<PathBuf>) -> &'static Path {
    cell.get_or_init(|| {
        let output = build(name, extra);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        marquee::foundation::scratch::shared_dir("extras-test").join(name)
    })
}

fn plain() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    built("plain", &[], &OUT)
}

fn published() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    built("published", &["--base-url", BASE], &OUT)
}

/// Every HTML file under `dir`, by its path under it with `/` separators, sorted.
fn html_pages(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "html") {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut pages = Vec::new();
    walk(dir, dir, &mut pages);
    pages.sort();
    pages
}

fn unescape(text: &str) -> String {
    text.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&apos;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `content`/`href` of every tag holding `marker` (e.g. `property="og:url"`).
fn tag_values(html: &str, marker: &str, attr: &str) -> Vec<String> {
    html.lines()
        .filter(|l| l.contains(marker))
        .filter_map(|l| {
            let start = l.find(&format!("{attr}=\""))? + attr.len() + 2;
            Some(unescape(&l[start..start + l[start..].find('"')?]))
        })
        .collect()
}

fn locs(xml: &str) -> Vec<String> {
    xml.split("<loc>").skip(1).map(|s| unescape(s.split("</loc>").next().unwrap())).collect()
}

#[test]
fn the_sitemap_lists_every_page_once_in_order() {
    let out = published();
    let xml = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(xml.contains("<urlset"), "the sample fits in one sitemap");
    assert!(!xml.contains("cine & co") && xml.contains("cine%20&amp;%20co"), "the address is URL- and XML-escaped");
    let listed = locs(&xml);
    let expected: Vec<String> = html_pages(out).into_iter().filter(|p| p != "404.html").map(|p| format!("{BASE_NORMALISED}{p}")).collect();
    assert!(expected.len() > 300);
    assert_eq!(listed, expected, "every page but the 404 page, once each, in path order");
}

#[test]
fn robots_txt_points_at_the_sitemap() {
    let robots = std::fs::read_to_string(published().join("robots.txt")).unwrap();
    assert!(robots.lines().any(|l| l == format!("Sitemap: {BASE_NORMALISED}sitemap.xml")), "{robots}");
    assert!(robots.contains("User-agent: *"));
}

#[test]
fn every_page_names_its_canonical_address_and_open_graph_tags() {
    let out = published();
    for page in html_pages(out) {
        let html = std::fs::read_to_string(out.join(&page)).unwrap();
        if page == "404.html" {
            assert!(!html.contains("rel=\"canonical\""), "the 404 page has no address of its own");
            continue;
        }
        let url = format!("{BASE_NORMALISED}{page}");
        assert_eq!(tag_values(&html, "rel=\"canonical\"", "href"), std::slice::from_ref(&url), "{page}");
        assert_eq!(tag_values(&html, "property=\"og:url\"", "content"), [url], "{page}");
        assert_eq!(tag_values(&html, "property=\"og:site_name\"", "content"), ["marquee"], "{page}");
        let title = tag_values(&html, "property=\"og:title\"", "content");
        assert_eq!(title.len(), 1, "{page}");
        assert!(html.contains(&format!("<title>{} · marquee</title>", html_escaped(&title[0]))), "{page}: og:title {title:?}");
        assert!(!html.contains("&amp;amp;"), "{page}: escaped twice");
    }
}

/// How the templates escape text (minijinja's HTML escaping).
fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

#[test]
fn movie_pages_describe_the_movie() {
    let html = std::fs::read_to_string(published().join("movies/309733.html")).unwrap();
    assert_eq!(tag_values(&html, "property=\"og:type\"", "content"), ["video.movie"]);
    let description = tag_values(&html, "property=\"og:description\"", "content");
    assert_eq!(
        description,
        [
            "A curious young girl sets off on a magical adventure to win the great balloon race. Along the way they meet a colorful band of new friends."
        ]
    );
    assert_eq!(tag_values(&html, "property=\"og:title\"", "content"), ["The Little Dragon"]);
    // Titles are escaped once, in the tag as in the page's title.
    let html = std::fs::read_to_string(published().join("movies/171338.html")).unwrap();
    assert_eq!(tag_values(&html, "property=\"og:title\"", "content"), ["Hunter's Moon"]);
}

#[test]
fn the_404_page_links_to_the_site_from_any_depth() {
    // Hosts serve it at any missing path: with a base URL its links are absolute.
    let html = std::fs::read_to_string(published().join("404.html")).unwrap();
    let root = BASE_NORMALISED.replace('&', "&amp;");
    for link in ["static/style.css", "index.html", "browse/index.html", "questions.html"] {
        assert!(html.contains(&format!("href=\"{root}{link}\"")), "{link} in {html}");
    }
    let plain = std::fs::read_to_string(plain().join("404.html")).unwrap();
    assert!(plain.contains("href=\"./static/style.css\"") && !plain.contains("example.org"));
}

#[test]
fn without_a_base_url_nothing_changes() {
    let (plain, published) = (plain(), published());
    assert!(!plain.join("sitemap.xml").exists() && !plain.join("robots.txt").exists());
    let pages = html_pages(plain);
    assert_eq!(pages, html_pages(published));
    for page in pages.into_iter().filter(|p| p != "404.html") {
        let without = std::fs::read_to_string(plain.join(&page)).unwrap();
        assert!(!without.contains("canonical") && !without.contains("og:") && !without.contains("example.org"), "{page}");
        // The published page is the same page plus its head tags, and nothing else.
        let with = std::fs::read_to_string(published.join(&page)).unwrap();
        let stripped = match (with.find("<link rel=\"canonical\""), with.find("</head>")) {
            (Some(start), Some(end)) => format!("{}{}", &with[..start], &with[end..]),
            _ => with.clone(),
        };
        assert_eq!(stripped, without, "{page}");
    }
}

#[test]
fn a_base_url_that_is_not_http_is_refused_clearly() {
    for bad in ["ftp://example.org/", "example.org", "https://example.org/?x=1"] {
        let output = build("refused", &["--base-url", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--base-url") && stderr.contains(bad), "{bad}: {stderr}");
    }
}

/// The data dictionary lists every column of every published CSV, with its meaning,
/// counts that match the CSV, and links to both downloads.
#[test]
fn the_data_dictionary_describes_every_published_column() {
    let out = plain();
    let html = std::fs::read_to_string(out.join("datos.html")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let tables = manifest["tables"].as_object().unwrap();
    let clean: Vec<&String> = tables.keys().filter(|t| out.join(format!("data/{t}.csv")).is_file()).collect();
    assert!(clean.len() >= 11, "{clean:?}");
    for table in clean {
        let start = html.find(&format!("<h2 id=\"t-{table}\">")).unwrap_or_else(|| panic!("no section for {table}"));
        let section = &html[start..start + html[start..].find("</section>").unwrap()];
        assert!(
            section.contains(&format!("href=\"data/{table}.csv\"")) && section.contains(&format!("href=\"data/{table}.parquet\"")),
            "{table}"
        );
        let mut reader = csv::Reader::from_path(out.join(format!("data/{table}.csv"))).unwrap();
        let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let rows: Vec<&str> = section.split("<tr><th scope=\"row\">").skip(1).collect();
        assert_eq!(rows.len(), headers.len(), "{table}: one row per column");
        for (i, (column, row)) in headers.iter().zip(&rows).enumerate() {
            let cells: Vec<&str> = row.split("<td").skip(1).map(|c| &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()]).collect();
            assert!(row.starts_with(&format!("<code>{column}</code>")), "{table}: row {i} is {row}");
            assert!(cells[1].len() > 10, "{table}.{column} has a meaning: {cells:?}");
            // Nulls are empty CSV cells; the page prints Spanish thousands points.
            let nulls = records.iter().filter(|r| r[i].is_empty()).count();
            assert_eq!(cells[2], spanish(nulls), "{table}.{column} nulls");
            if cells[0].contains("Int64") || cells[0].contains("Float64") {
                let zeros = records.iter().filter(|r| r[i].parse::<f64>().is_ok_and(|v| v == 0.0)).count();
                assert_eq!(cells[3], spanish(zeros), "{table}.{column} zeros");
            } else {
                assert_eq!(cells[3], "—", "{table}.{column}: zeros only for numbers");
            }
        }
    }
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("href=\"datos.html\""));
}

fn spanish(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Every chart of the report has labelled axes and its data as a table; the scatter's
/// bins hold every movie with a budget and a revenue, and the heatmap all 36 pairs.
#[test]
fn report_charts_have_axes_and_table_alternatives() {
    let html = std::fs::read_to_string(plain().join("report.html")).unwrap();
    let figures: Vec<&str> = html.split("<figure").skip(1).map(|f| &f[..f.find("</figure>").unwrap()]).collect();
    assert!(figures.len() >= 13, "{} figures", figures.len());
    for figure in &figures {
        assert!(figure.contains("<svg") && figure.contains("class=\"axis-title\"") || figure.contains("heatmap"), "axes: {figure}");
        assert!(figure.contains("<details class=\"data\">") && figure.contains("<table>"), "table alternative: {figure}");
    }
    let scatter = figures.iter().find(|f| f.starts_with(" id=\"scatter\"")).unwrap();
    let table = &scatter[scatter.find("<tbody>").unwrap()..];
    let binned: u64 =
        table.split("<td class=\"num\">").skip(1).map(|c| c[..c.find('<').unwrap()].replace('.', "").parse::<u64>().unwrap()).sum();
    assert_eq!(scatter.matches("<circle").count(), table.matches("<tr>").count());
    // The correlations table's row for the same movies counts them.
    let row = html.split("<tr><td>presupuesto y recaudación &gt; 0</td><td class=\"num\">").nth(1).unwrap();
    assert_eq!(binned.to_string(), row[..row.find('<').unwrap()].replace('.', ""));
    let heatmap = figures.iter().find(|f| f.starts_with(" id=\"heatmap\"")).unwrap();
    assert_eq!(heatmap.matches("<rect").count(), 36);
    assert_eq!(heatmap.matches(">1,00</text>").count(), 6, "the diagonal");
    assert!(!html.contains("10^") && !html.contains("0.5 en"), "numbers read the Spanish way");
}
