//! Pagination and the relative links between pages: pure functions over page paths
//! (from the site's root, `browse/genre/drama-770729c0.html`), so every link of the
//! site works under any sub-path and offline.

use serde::Serialize;

use crate::settings::PAGER_WINDOW;

/// How many pages `items` take at `per_page` a page: an empty list still has its page.
pub fn page_count(items: usize, per_page: usize) -> usize {
    items.div_ceil(per_page.max(1)).max(1)
}

/// The items of page `n` (from 1).
pub fn page_slice<T>(items: &[T], per_page: usize, n: usize) -> &[T] {
    let start = ((n - 1) * per_page).min(items.len());
    &items[start..(start + per_page).min(items.len())]
}

/// The link from the page at `from` to the file at `to`, both from the site's root.
pub fn relative_href(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect::<Vec<_>>().split_last().map(|(_, dir)| dir.to_vec()).unwrap_or_default();
    let to_parts: Vec<&str> = to.split('/').collect();
    let to_dir = &to_parts[..to_parts.len() - 1];
    let common = from_dir.iter().zip(to_dir).take_while(|(a, b)| a == b).count();
    let mut parts = vec![".."; from_dir.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

/// The site's root as seen from the page at `page`: `..` from `browse/index.html`.
pub fn root_of(page: &str) -> String {
    match page.matches('/').count() {
        0 => ".".to_string(),
        depth => vec![".."; depth].join("/"),
    }
}

/// One entry of a pager: a page number with its link, or a gap (`…`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PagerItem {
    pub n: Option<usize>,
    pub href: Option<String>,
    pub current: bool,
}

/// The pager of one page: where it is, its neighbours and the numbers to show.
#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    pub current: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub items: Vec<PagerItem>,
}

/// The page numbers a pager shows: the first, the last and `window` on each side of
/// `current`, with `None` for each run left out. A long list stays a short pager.
pub fn shown_pages(current: usize, total: usize, window: usize) -> Vec<Option<usize>> {
    let mut shown = Vec::new();
    let mut last = 0;
    for n in 1..=total {
        if n == 1 || n == total || n.abs_diff(current) <= window {
            // A gap stands for two pages or more: one left-out page is shown instead.
            if n == last + 2 {
                shown.push(Some(last + 1));
            } else if n > last + 2 {
                shown.push(None);
            }
            shown.push(Some(n));
            last = n;
        }
    }
    shown
}

/// The pager of page `current` of `total`, at `page`; `path_of(n)` is page n's path.
pub fn pager(page: &str, current: usize, total: usize, path_of: impl Fn(usize) -> String) -> Pager {
    let href = |n: usize| relative_href(page, &path_of(n));
    let items = shown_pages(current, total, PAGER_WINDOW)
        .into_iter()
        .map(|n| PagerItem { n, href: n.map(href), current: n == Some(current) })
        .collect();
    Pager { current, total, prev: (current > 1).then(|| href(current - 1)), next: (current < total).then(|| href(current + 1)), items }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_slices_cover_every_item_once() {
        assert_eq!(page_count(0, 100), 1);
        assert_eq!(page_count(100, 100), 1);
        assert_eq!(page_count(101, 100), 2);
        assert_eq!(page_count(20_235, 100), 203);
        let items: Vec<usize> = (0..250).collect();
        let pages = page_count(items.len(), 100);
        let joined: Vec<usize> = (1..=pages).flat_map(|n| page_slice(&items, 100, n).to_vec()).collect();
        assert_eq!(joined, items);
        assert_eq!(page_slice(&items, 100, 3).len(), 50);
    }

    #[test]
    fn links_are_relative_to_the_page() {
        assert_eq!(relative_href("browse/genre/drama.html", "browse/genre/drama/anio-2.html"), "drama/anio-2.html");
        assert_eq!(relative_href("browse/genre/drama/anio-2.html", "browse/genre/drama.html"), "../drama.html");
        assert_eq!(relative_href("browse/genre/drama/anio-2.html", "browse/genre/drama/anio-3.html"), "anio-3.html");
        assert_eq!(relative_href("browse/genre/drama/decada-1990.html", "browse/decade/1990.html"), "../../decade/1990.html");
        assert_eq!(relative_href("browse/genre/drama.html", "movies/12.html"), "../../movies/12.html");
        assert_eq!(relative_href("index.html", "browse/index.html"), "browse/index.html");
        assert_eq!(root_of("browse/genre/drama/anio-2.html"), "../../..");
        assert_eq!(root_of("index.html"), ".");
    }

    #[test]
    fn pagers_show_ends_and_a_window() {
        assert_eq!(shown_pages(1, 1, 2), vec![Some(1)]);
        assert_eq!(shown_pages(1, 4, 2), vec![Some(1), Some(2), Some(3), Some(4)]);
        assert_eq!(shown_pages(10, 203, 2), vec![Some(1), None, Some(8), Some(9), Some(10), Some(11), Some(12), None, Some(203)]);
        // No gap stands for a single page: 1 … 3 would hide nothing but 2.
        assert_eq!(shown_pages(4, 10, 1), vec![Some(1), Some(2), Some(3), Some(4), Some(5), None, Some(10)]);
        assert_eq!(shown_pages(203, 203, 2), vec![Some(1), None, Some(201), Some(202), Some(203)]);
    }

    #[test]
    fn a_pager_links_its_neighbours() {
        let path = |n: usize| if n == 1 { "browse/genre/x.html".to_string() } else { format!("browse/genre/x/popularidad-{n}.html") };
        let first = pager(&path(1), 1, 3, path);
        assert_eq!((first.prev, first.next.as_deref()), (None, Some("x/popularidad-2.html")));
        let second = pager(&path(2), 2, 3, path);
        assert_eq!((second.prev.as_deref(), second.next.as_deref()), (Some("../x.html"), Some("popularidad-3.html")));
        assert!(second.items.iter().filter(|i| i.current).map(|i| i.n).eq([Some(2)]));
        let last = pager(&path(3), 3, 3, path);
        assert_eq!(last.next, None);
    }
}
