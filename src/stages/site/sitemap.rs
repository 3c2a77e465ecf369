//! With `--base-url`: sitemap.xml (a sitemap index over sitemap-N.xml files when the
//! site has more pages than one sitemap may list) and robots.txt pointing at it.
//! Written in Rust rather than from templates/ because they are XML and plain text,
//! which the HTML auto-escaping of the templates would garble.

use crate::foundation::base_url::BaseUrl;

/// The page static hosts serve for missing paths: not a page of its own, so it is
/// neither listed nor given a canonical address.
pub const NOT_FOUND_PAGE: &str = "404.html";

/// Whether a page (its path under output/) belongs in the sitemap.
pub fn is_listed(rel_path: &str) -> bool {
    rel_path != NOT_FOUND_PAGE
}

/// The sitemap files, (name, XML text), for `pages` (paths under output/, each once,
/// in any order): one `sitemap.xml` when they fit in `per_file` URLs, otherwise
/// `sitemap-1.xml`... each with up to `per_file` and `sitemap.xml` as their index.
/// Pages are listed in byte order of their paths, so the files are the same every build.
pub fn sitemap_files(base: &BaseUrl, pages: &[String], per_file: usize) -> Vec<(String, String)> {
    let mut sorted: Vec<&str> = pages.iter().map(String::as_str).filter(|p| is_listed(p)).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let per_file = per_file.max(1);
    if sorted.len() <= per_file {
        return vec![("sitemap.xml".to_string(), url_set(base, &sorted))];
    }
    let mut files: Vec<(String, String)> =
        sorted.chunks(per_file).enumerate().map(|(i, chunk)| (format!("sitemap-{}.xml", i + 1), url_set(base, chunk))).collect();
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    let index = sitemap_index(base, &names);
    files.push(("sitemap.xml".to_string(), index));
    files
}

/// robots.txt: everything may be crawled; the sitemap is named by its absolute
/// address, as the robots.txt standard wants. (Crawlers only read robots.txt at a
/// host's root: under a sub-path it is there to be copied.)
pub fn robots(base: &BaseUrl) -> String {
    format!("User-agent: *\nAllow: /\n\nSitemap: {}\n", base.page("sitemap.xml"))
}

fn url_set(base: &BaseUrl, pages: &[&str]) -> String {
    let mut xml =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for page in pages {
        xml.push_str(&format!("<url><loc>{}</loc></url>\n", xml_escape(&base.page(page))));
    }
    xml.push_str("</urlset>\n");
    xml
}

fn sitemap_index(base: &BaseUrl, files: &[&str]) -> String {
    let mut xml =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for file in files {
        xml.push_str(&format!("<sitemap><loc>{}</loc></sitemap>\n", xml_escape(&base.page(file))));
    }
    xml.push_str("</sitemapindex>\n");
    xml
}

/// The five characters XML gives a meaning to, as entities (the sitemap protocol asks
/// for all five to be escaped in a `loc`).
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locs(xml: &str) -> Vec<String> {
        xml.split("<loc>").skip(1).map(|s| s.split("</loc>").next().unwrap().to_string()).collect()
    }

    #[test]
    fn one_sitemap_lists_every_page_once_in_order_without_the_404() {
        let base = BaseUrl::parse("https://example.org/cine").unwrap();
        let pages: Vec<String> =
            ["movies/2.html", "index.html", "404.html", "browse/index.html", "movies/10.html"].map(String::from).into();
        let files = sitemap_files(&base, &pages, 10);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "sitemap.xml");
        assert_eq!(
            locs(&files[0].1),
            [
                "https://example.org/cine/browse/index.html",
                "https://example.org/cine/index.html",
                "https://example.org/cine/movies/10.html",
                "https://example.org/cine/movies/2.html"
            ]
        );
        assert!(files[0].1.starts_with("<?xml") && files[0].1.contains("<urlset"));
    }

    #[test]
    fn more_pages_than_a_file_holds_make_an_index_over_numbered_files() {
        let base = BaseUrl::parse("https://example.org/").unwrap();
        let pages: Vec<String> = (0..7).map(|i| format!("movies/{i}.html")).collect();
        let files = sitemap_files(&base, &pages, 3);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]);
        let listed: Vec<String> = files[..3].iter().flat_map(|(_, xml)| locs(xml)).collect();
        let mut expected: Vec<String> = pages.iter().map(|p| format!("https://example.org/{p}")).collect();
        expected.sort();
        assert_eq!(listed, expected, "every page once, in order, across the files");
        assert_eq!(files[..3].iter().map(|(_, xml)| locs(xml).len()).collect::<Vec<_>>(), [3, 3, 1]);
        let index = &files[3].1;
        assert!(index.contains("<sitemapindex") && !index.contains("<urlset"));
        assert_eq!(
            locs(index),
            ["https://example.org/sitemap-1.xml", "https://example.org/sitemap-2.xml", "https://example.org/sitemap-3.xml"]
        );
    }

    #[test]
    fn addresses_are_escaped_for_xml() {
        let base = BaseUrl::parse("https://example.org/a&b'c/").unwrap();
        let files = sitemap_files(&base, &["index.html".to_string()], 10);
        assert!(files[0].1.contains("<loc>https://example.org/a&amp;b&apos;c/index.html</loc>"), "{}", files[0].1);
        assert!(robots(&base).ends_with("Sitemap: https://example.org/a&b'c/sitemap.xml\n"));
        assert_eq!(xml_escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
    }
}
