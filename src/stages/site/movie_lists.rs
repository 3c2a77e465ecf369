//! Browse lists of movies, read with their ranks from sql/render/browse.sql and written
//! as pages of `--browse-page-size` movies, one set of pages per order.
//!
//! A list at `<dir>/<stem>` has its first page by popularity at `<dir>/<stem>.html` and
//! every other page at `<dir>/<stem>/<order>-<n>.html` (`drama-770729c0/anio-2.html`).

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use anyhow::Result;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::Float64Type;
use datafusion::prelude::SessionContext;
use minijinja::context;
use rayon::prelude::*;
use serde::Serialize;

use super::pager::{page_count, page_slice, pager, relative_href, root_of};
use super::values::column;
use super::{Writer, Written};
use crate::foundation::cells::{int_at, str_at};
use crate::foundation::fingerprint::Fingerprinter;
use crate::foundation::tables;
use crate::settings::{BROWSE_MIN_VOTES, BROWSE_ORDER_MIN_MOVIES};

/// The orders a list is offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Popularity,
    Year,
    Title,
    Rating,
}

impl Order {
    /// In the order "Ordenar por" lists them; the first is the default.
    pub const ALL: [Order; 4] = [Order::Popularity, Order::Year, Order::Title, Order::Rating];

    /// Its word in file names (`<stem>/<key>-<n>.html`): Spanish, without accents.
    pub fn key(self) -> &'static str {
        match self {
            Order::Popularity => "popularidad",
            Order::Year => "anio",
            Order::Title => "titulo",
            Order::Rating => "valoracion",
        }
    }

    /// Its name after "Ordenar por:".
    pub fn label(self) -> &'static str {
        match self {
            Order::Popularity => "popularidad",
            Order::Year => "año",
            Order::Title => "título",
            Order::Rating => "valoración",
        }
    }

    /// What a page in this order says of it.
    fn note(self) -> String {
        match self {
            Order::Popularity => "Las más populares primero.".to_string(),
            Order::Year => "Las más recientes primero.".to_string(),
            Order::Title => "Por título, de la A a la Z.".to_string(),
            Order::Rating => {
                format!("Las mejor valoradas primero; las que tienen menos de {BROWSE_MIN_VOTES} votos, al final.")
            }
        }
    }

    fn index(self) -> usize {
        Order::ALL.iter().position(|o| *o == self).unwrap_or(0)
    }
}

/// The order of a value's own page, `<dir>/<stem>.html`.
pub const DEFAULT_ORDER: Order = Order::Popularity;

/// One movie of a list, with what its line shows.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub id: i64,
    pub title: Option<String>,
    pub year: Option<i64>,
    pub vote_average: Option<f64>,
    pub vote_count: Option<f64>,
}

/// A movie as every list it is in holds it: its line and its sort keys, made once per
/// movie and shared (a movie is in a dozen lists; one copy a list held 0.6 GB at 4x
/// the full data).
type Listed = (Arc<Member>, Arc<SortKeys>);

/// The movies of one list and their sequence in every order.
#[derive(Debug, Default)]
pub struct MovieList {
    pub members: Vec<Arc<Member>>,
    /// For each order of `Order::ALL`, the members' indexes in that order.
    sequences: [Vec<usize>; 4],
}

impl MovieList {
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// The members in `order`.
    pub fn in_order(&self, order: Order) -> Vec<&Member> {
        self.sequences[order.index()].iter().map(|&i| &*self.members[i]).collect()
    }

    /// The orders it has pages for: all of them from `BROWSE_ORDER_MIN_MOVIES` movies.
    pub fn orders(&self) -> &'static [Order] {
        if self.len() >= BROWSE_ORDER_MIN_MOVIES { &Order::ALL } else { &Order::ALL[..1] }
    }

    pub fn pages_per_order(&self, per_page: usize) -> usize {
        page_count(self.len(), per_page)
    }
}

/// A list: its facet, its label, and the decade it is cut to (genre x decade) if any.
pub type ListKey = (String, String, Option<i64>);

/// Every list of `page_browse`, each with its movies in every order.
pub async fn read_lists(ctx: &SessionContext) -> Result<BTreeMap<ListKey, MovieList>> {
    let mut unsorted: BTreeMap<ListKey, Vec<Listed>> = BTreeMap::new();
    // Every row of a movie carries the same movie columns (the SQL joins them by id).
    let mut movies: HashMap<i64, Listed> = HashMap::new();
    // Streamed: page_browse is a view, and its rows are only needed until their list
    // holds them.
    let mut stream = ctx.table(tables::PAGE_BROWSE).await?.execute_stream().await?;
    while let Some(batch) = futures::StreamExt::next(&mut stream).await {
        let batch = batch?;
        let (facet, label, decade) = (column(&batch, "facet")?, column(&batch, "label")?, column(&batch, "decade")?);
        let (id, title, year) = (column(&batch, "id")?, column(&batch, "title")?, column(&batch, "year")?);
        let (average, count) = (column(&batch, "vote_average")?, column(&batch, "vote_count")?);
        let (popularity, release_date) = (column(&batch, "popularity")?, column(&batch, "release_date")?);
        let (title_key, rated) = (column(&batch, "title_key")?, column(&batch, "rated")?);
        let mut current: Option<ListKey> = None;
        for row in 0..batch.num_rows() {
            let key = (str_at(facet, row).unwrap_or_default(), str_at(label, row).unwrap_or_default(), int_at(decade, row));
            if current.as_ref().is_none_or(|c| (c.0.as_str(), c.1.as_str(), c.2) != key) {
                current = Some((key.0.to_string(), key.1.to_string(), key.2));
            }
            let movie_id = int_at(id, row).unwrap_or_default();
            let movie = movies.entry(movie_id).or_insert_with(|| {
                let member = Member {
                    id: movie_id,
                    title: str_at(title, row).map(str::to_string),
                    year: int_at(year, row),
                    vote_average: float_at(average, row),
                    vote_count: float_at(count, row),
                };
                let keys = SortKeys {
                    popularity: raw_float_at(popularity, row),
                    release_date: str_at(release_date, row).map(str::to_string),
                    title_key: str_at(title_key, row).map(str::to_string),
                    rated: bool_at(rated, row),
                    vote_average: raw_float_at(average, row),
                    vote_count: raw_float_at(count, row),
                };
                (Arc::new(member), Arc::new(keys))
            });
            unsorted.entry(current.clone().unwrap_or_default()).or_default().push(movie.clone());
        }
    }
    drop(movies);
    let lists: Vec<(ListKey, Vec<Listed>)> = unsorted.into_iter().collect();
    Ok(lists.into_par_iter().map(|(key, members)| (key, sorted(members))).collect())
}

/// What the orders sort a list's movies by (sql/render/browse.sql selects them).
#[derive(Debug, Clone, Default)]
struct SortKeys {
    popularity: Option<f64>,
    /// `YYYY-MM-DD`: sorting the text sorts the dates.
    release_date: Option<String>,
    /// The title with accents and case folded, as search folds it.
    title_key: Option<String>,
    /// Whether it has enough votes for its average to count.
    rated: Option<bool>,
    vote_average: Option<f64>,
    vote_count: Option<f64>,
}

impl Order {
    /// How two movies of a list compare in this order. Every order ends on the id, so
    /// no two movies tie and the pages are the same whatever order the rows came in.
    fn compare(self, (a, ka): &Listed, (b, kb): &Listed) -> Ordering {
        let by_floats = |x: &Option<f64>, y: &Option<f64>| descending_nulls_last(x.as_ref(), y.as_ref(), |p, q| p.total_cmp(q));
        let first = match self {
            Order::Popularity => by_floats(&ka.popularity, &kb.popularity),
            Order::Year => descending_nulls_last(ka.release_date.as_ref(), kb.release_date.as_ref(), Ord::cmp),
            Order::Title => ascending_nulls_last(ka.title_key.as_ref(), kb.title_key.as_ref())
                .then_with(|| ascending_nulls_last(a.title.as_ref(), b.title.as_ref())),
            Order::Rating => descending_nulls_last(ka.rated.as_ref(), kb.rated.as_ref(), Ord::cmp)
                .then_with(|| by_floats(&ka.vote_average, &kb.vote_average))
                .then_with(|| by_floats(&ka.vote_count, &kb.vote_count)),
        };
        first.then(a.id.cmp(&b.id))
    }
}

fn ascending_nulls_last<T: Ord>(a: Option<T>, b: Option<T>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        (a, b) => a.is_none().cmp(&b.is_none()),
    }
}

fn descending_nulls_last<T>(a: Option<T>, b: Option<T>, cmp: impl Fn(&T, &T) -> Ordering) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => cmp(&b, &a),
        (a, b) => a.is_none().cmp(&b.is_none()),
    }
}

/// A list's movies in the default order, with their sequence in every other order.
fn sorted(mut movies: Vec<Listed>) -> MovieList {
    movies.sort_by(|a, b| DEFAULT_ORDER.compare(a, b));
    let sequences = Order::ALL.map(|order| {
        let mut sequence: Vec<usize> = (0..movies.len()).collect();
        if order != DEFAULT_ORDER {
            sequence.sort_by(|&i, &j| order.compare(&movies[i], &movies[j]));
        }
        sequence
    });
    MovieList { members: movies.into_iter().map(|(member, _)| member).collect(), sequences }
}

fn raw_float_at(array: &dyn Array, row: usize) -> Option<f64> {
    let value = array.as_primitive_opt::<Float64Type>().filter(|_| !array.is_null(row)).map(|a| a.value(row));
    value.or_else(|| int_at(array, row).map(|v| v as f64))
}

fn bool_at(array: &dyn Array, row: usize) -> Option<bool> {
    array.as_boolean_opt().filter(|_| !array.is_null(row)).map(|a| a.value(row))
}

/// A number a movie's line can show.
fn float_at(array: &dyn Array, row: usize) -> Option<f64> {
    raw_float_at(array, row).filter(|v| v.is_finite())
}

/// Where a list's pages go: `<dir>/<stem>.html` and `<dir>/<stem>/...`, from the root.
#[derive(Debug, Clone)]
pub struct ListPlace {
    pub dir: String,
    pub stem: String,
}

impl ListPlace {
    /// Page `n` (from 1) in `order`, from the site's root.
    pub fn page(&self, order: Order, n: usize) -> String {
        if order == DEFAULT_ORDER && n == 1 {
            format!("{}/{}.html", self.dir, self.stem)
        } else {
            format!("{}/{}/{}-{n}.html", self.dir, self.stem, order.key())
        }
    }

    /// The directory of its pages after the first, from the site's root.
    pub fn pages_dir(&self) -> String {
        format!("{}/{}", self.dir, self.stem)
    }
}

/// A link shown on a list's pages (to the site's root: `path`).
#[derive(Debug, Clone)]
pub struct Link {
    pub label: String,
    pub path: String,
    pub movies: Option<usize>,
}

/// Links under a heading: a genre's decades, a decade's genres.
#[derive(Debug, Clone)]
pub struct Related {
    pub title: &'static str,
    pub links: Vec<Link>,
}

/// Everything a list's pages show besides its movies.
#[derive(Debug, Clone)]
pub struct ListPage {
    pub place: ListPlace,
    pub heading: String,
    /// The way back up: Explorar, the facet, the value (for a genre's decade).
    pub crumbs: Vec<Link>,
    pub related: Vec<Related>,
}

#[derive(Serialize)]
struct Href<'a> {
    label: &'a str,
    href: String,
    movies: Option<usize>,
    current: bool,
}

#[derive(Serialize)]
struct RelatedLinks<'a> {
    title: &'a str,
    links: Vec<Href<'a>>,
}

/// A link to `link` from the page at `from`.
fn href<'a>(from: &str, link: &'a Link) -> Href<'a> {
    Href { label: link.label.as_str(), href: relative_href(from, &link.path), movies: link.movies, current: false }
}

/// What every page of a list shows besides its movies and its place in the list: its
/// own place, heading, crumbs and related links, its length and the page size.
fn list_print(list: &MovieList, page: &ListPage, per_page: usize) -> Fingerprinter {
    let mut print = Fingerprinter::new("browse list page");
    print.add_str(&page.place.dir).add_str(&page.place.stem).add_str(&page.heading);
    let add_links = |print: &mut Fingerprinter, links: &[Link]| {
        print.add_u64(links.len() as u64);
        for link in links {
            print.add_str(&link.label).add_str(&link.path).add_u64(link.movies.map_or(0, |m| m as u64 + 1));
        }
    };
    add_links(&mut print, &page.crumbs);
    print.add_u64(page.related.len() as u64);
    for related in &page.related {
        print.add_str(related.title);
        add_links(&mut print, &related.links);
    }
    print.add_u64(list.len() as u64).add_u64(per_page as u64);
    print
}

/// The movies one page lists, in its order, as their lines show them.
fn add_members(print: &mut Fingerprinter, members: &[&Member]) {
    let option = |print: &mut Fingerprinter, v: Option<u64>| {
        match v {
            Some(v) => print.add_u64(1).add_u64(v),
            None => print.add_u64(0),
        };
    };
    print.add_u64(members.len() as u64);
    for m in members {
        print.add_u64(m.id as u64);
        match &m.title {
            Some(title) => print.add_u64(1).add_str(title),
            None => print.add_u64(0),
        };
        option(print, m.year.map(|y| y as u64));
        option(print, m.vote_average.map(f64::to_bits));
        option(print, m.vote_count.map(f64::to_bits));
    }
}

/// Writes every page of `list`: each order it offers, page by page. A page is known
/// unchanged from its list's print, its order, its number and its movies, without
/// building its context.
pub fn write_list(writer: &Writer<'_>, list: &MovieList, page: &ListPage, per_page: usize) -> Result<Written> {
    let mut written = Written::default();
    let total = list.pages_per_order(per_page);
    // A genre's decade lists live in the genre's directory, whatever the genre's pages.
    let dir = if list.orders().len() > 1 || total > 1 { page.place.pages_dir() } else { page.place.dir.clone() };
    std::fs::create_dir_all(writer.out.join(dir))?;
    let list_print = list_print(list, page, per_page);
    for &order in list.orders() {
        let movies = list.in_order(order);
        for n in 1..=total {
            let path = page.place.page(order, n);
            let shown = page_slice(&movies, per_page, n);
            let mut inputs = list_print.clone();
            inputs.add_str(order.key()).add_u64(n as u64);
            add_members(&mut inputs, shown);
            let ctx = || {
                let orders: Vec<Href<'_>> = list
                    .orders()
                    .iter()
                    .filter(|_| list.orders().len() > 1)
                    .map(|&o| Href {
                        label: o.label(),
                        href: relative_href(&path, &page.place.page(o, 1)),
                        movies: None,
                        current: o == order,
                    })
                    .collect();
                let related: Vec<RelatedLinks<'_>> = page
                    .related
                    .iter()
                    .map(|r| RelatedLinks { title: r.title, links: r.links.iter().map(|l| href(&path, l)).collect() })
                    .collect();
                context! {
                    root => root_of(&path),
                    heading => &page.heading,
                    crumbs => page.crumbs.iter().map(|l| href(&path, l)).collect::<Vec<_>>(),
                    related => related,
                    orders => orders,
                    order_label => order.label(),
                    order_note => order.note(),
                    show_rating => order == Order::Rating,
                    movies_total => list.len(),
                    start => (n - 1) * per_page + 1,
                    movies => shown,
                    pager => pager(&path, n, total, |k| page.place.page(order, k)),
                }
            };
            let (dir, name) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
            written.bytes += writer.page_of_inputs(dir, name, "facet_value.html", inputs.finish(), ctx)?;
            written.pages += 1;
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: i64) -> Member {
        Member { id, title: Some(format!("m{id}")), year: Some(2000), vote_average: None, vote_count: None }
    }

    fn movie(id: i64, keys: SortKeys) -> Listed {
        (Arc::new(member(id)), Arc::new(keys))
    }

    fn ids(list: &MovieList, order: Order) -> Vec<i64> {
        list.in_order(order).iter().map(|m| m.id).collect()
    }

    #[test]
    fn each_order_sorts_by_its_keys_with_missing_values_last() {
        let keys = |popularity, date: Option<&str>, title: Option<&str>, rated, average| SortKeys {
            popularity,
            release_date: date.map(str::to_string),
            title_key: title.map(str::to_string),
            rated,
            vote_average: average,
            vote_count: Some(1.0),
        };
        let list = sorted(vec![
            movie(30, keys(Some(1.0), Some("1999-12-31"), Some("b"), Some(true), Some(5.0))),
            movie(10, keys(None, None, None, None, None)),
            movie(20, keys(Some(9.5), Some("2001-01-01"), Some("a"), Some(false), Some(9.0))),
            movie(40, keys(Some(2.0), Some("1999-01-01"), Some("c"), Some(true), Some(7.0))),
        ]);
        assert_eq!(ids(&list, Order::Popularity), [20, 40, 30, 10]);
        assert_eq!(ids(&list, Order::Year), [20, 30, 40, 10]);
        assert_eq!(ids(&list, Order::Title), [20, 30, 40, 10]);
        // Rated movies first, however high an unrated one's average.
        assert_eq!(ids(&list, Order::Rating), [40, 30, 20, 10]);
        // The members themselves are in the default order: its first is the list's face.
        assert_eq!(list.members.iter().map(|m| m.id).collect::<Vec<_>>(), ids(&list, DEFAULT_ORDER));
    }

    #[test]
    fn ties_go_by_id_whatever_order_the_rows_came_in() {
        let same = SortKeys { popularity: Some(3.0), title_key: Some("x".into()), ..SortKeys::default() };
        let forward = sorted((1..=5).map(|id| movie(id, same.clone())).collect());
        let backward = sorted((1..=5).rev().map(|id| movie(id, same.clone())).collect());
        for order in Order::ALL {
            assert_eq!(ids(&forward, order), [1, 2, 3, 4, 5], "{order:?}");
            assert_eq!(ids(&backward, order), [1, 2, 3, 4, 5], "{order:?}");
        }
    }

    #[test]
    fn titles_tie_on_the_folded_key_then_the_title_itself() {
        let titled = |id, title: &str| {
            let m = Member { title: Some(title.to_string()), ..member(id) };
            (Arc::new(m), Arc::new(SortKeys { title_key: Some("amelie".into()), ..SortKeys::default() }))
        };
        let list = sorted(vec![titled(1, "amélie"), titled(2, "Amélie"), titled(3, "Amelie")]);
        assert_eq!(ids(&list, Order::Title), [3, 2, 1]);
    }

    #[test]
    fn first_page_by_popularity_is_the_value_page() {
        let place = ListPlace { dir: "browse/genre".into(), stem: "drama-770729c0".into() };
        assert_eq!(place.page(Order::Popularity, 1), "browse/genre/drama-770729c0.html");
        assert_eq!(place.page(Order::Popularity, 2), "browse/genre/drama-770729c0/popularidad-2.html");
        assert_eq!(place.page(Order::Year, 1), "browse/genre/drama-770729c0/anio-1.html");
        let keys: Vec<&str> = Order::ALL.iter().map(|o| o.key()).collect();
        assert!(keys.iter().all(|k| k.chars().all(|c| c.is_ascii_lowercase())), "file-name safe: {keys:?}");
    }

    #[test]
    fn small_lists_have_one_order() {
        let list = |n: i64| sorted((1..=n).map(|id| movie(id, SortKeys::default())).collect());
        assert_eq!(list(BROWSE_ORDER_MIN_MOVIES as i64 - 1).orders(), &[Order::Popularity]);
        assert_eq!(list(BROWSE_ORDER_MIN_MOVIES as i64).orders().len(), 4);
    }
}
