//! The address a site is published at (`marquee build --base-url`): what its sitemap,
//! canonical links and Open Graph tags are made from. Without it every link stays
//! relative and the site works under any path, or from disk.

use std::fmt;

use anyhow::{Result, bail};
use url::Url;

/// An absolute http(s) address, without credentials, query or fragment, whose path
/// ends in `/` so that page paths join below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(Url);

impl BaseUrl {
    /// Checks `text` and normalises it (lower-case host, punycode, percent-encoded path,
    /// trailing slash).
    pub fn parse(text: &str) -> Result<BaseUrl> {
        let mut url = match Url::parse(text.trim()) {
            Ok(url) => url,
            Err(e) => bail!("{text:?} is not an absolute URL ({e}); write it like https://example.org/movies/"),
        };
        if !matches!(url.scheme(), "http" | "https") {
            bail!("{text:?}: the site's address must start with http:// or https://, not {}:", url.scheme());
        }
        if url.host_str().is_none_or(str::is_empty) {
            bail!("{text:?} has no host name");
        }
        if !url.username().is_empty() || url.password().is_some() {
            bail!("{text:?} holds a user name or password; a public site's address must not");
        }
        if url.query().is_some() || url.fragment().is_some() {
            bail!("{text:?} has a query (?) or fragment (#); give the folder the site is published in");
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(BaseUrl(url))
    }

    /// The address as normalised, for fingerprints.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The absolute address of a file of the site, from its path under output/
    /// (`movies/862.html`); characters a URL cannot hold are percent-encoded.
    pub fn page(&self, rel_path: &str) -> String {
        let mut url = self.0.clone();
        let path = format!("{}{}", self.0.path(), rel_path.trim_start_matches('/'));
        url.set_path(&path);
        url.to_string()
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https_and_ends_the_path_with_a_slash() {
        assert_eq!(BaseUrl::parse("https://Example.org").unwrap().to_string(), "https://example.org/");
        assert_eq!(BaseUrl::parse("http://example.org/cine").unwrap().to_string(), "http://example.org/cine/");
        assert_eq!(
            BaseUrl::parse(" https://example.org/a/b/ ").unwrap().page("movies/862.html"),
            "https://example.org/a/b/movies/862.html"
        );
    }

    #[test]
    fn refuses_what_is_not_a_public_http_address() {
        for bad in [
            "example.org",
            "/cine/",
            "ftp://example.org/",
            "javascript:alert(1)",
            "file:///tmp/site/",
            "https://user:pw@example.org/",
            "https://example.org/?a=1",
            "https://example.org/#top",
            "https://",
            "",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn characters_a_url_cannot_hold_are_percent_encoded() {
        let base = BaseUrl::parse("https://example.org/pel\u{ed}culas & \"series\"/<x>").unwrap();
        let page = base.page("browse/a b.html");
        assert_eq!(page, "https://example.org/pel%C3%ADculas%20&%20%22series%22/%3Cx%3E/browse/a%20b.html");
        assert!(!page.contains(['<', '>', '"', ' ']), "{page}");
    }
}
