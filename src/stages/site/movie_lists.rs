//! Browse lists of movies, read with their ranks from sql/render/browse.sql and written
//! as pages of `--browse-page-size` movies, one set of pages per order.
//!
//! A list at `<dir>/<stem>` has its first page by popularity at `<dir>/<stem>.html` and
//! every other page at `<dir>/<stem>/<order>-<n>.html` (`drama-770729c0/anio-2.html`).

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::Float64Type;
use datafusion::prelude::SessionContext;
use minijinja::context;
use serde::Serialize;

use super::pager::{page_count, page_slice, pager, relative_href, root_of};
use super::values::column;
use super::{Writer, Written};
use crate::foundation::cells::{int_at, str_at};
use crate::foundation::fingerprint::Fingerprinter;
use crate::foundation::tables;
use crate::settings::{BROWSE_MIN_VOTES, BROWSE_ORDER_MIN_MOVIES};

/// The orders a list is offered in; the SQL ranks every movie in each.
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

    /// The column of sql/render/browse.sql with each movie's place in this order.
    fn column(self) -> &'static str {
        match self {
            Order::Popularity => "by_popularity",
            Order::Year => "by_year",
            Order::Title => "by_title",
            Order::Rating => "by_rating",
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

/// The movies of one list and their sequence in every order.
#[derive(Debug, Default)]
pub struct MovieList {
    pub members: Vec<Member>,
    /// For each order of `Order::ALL`, the members' indexes in that order.
    sequences: [Vec<usize>; 4],
}

impl MovieList {
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// The members in `order`.
    pub fn in_order(&self, order: Order) -> Vec<&Member> {
        self.sequences[order.index()].iter().map(|&i| &self.members[i]).collect()
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

/// Every list of `page_browse`, each with its movies in every order. The ranks must
/// number the list's movies 1..n in each order: anything else is a bug in the SQL.
pub async fn read_lists(ctx: &SessionContext) -> Result<BTreeMap<ListKey, MovieList>> {
    let mut ranked: BTreeMap<ListKey, (Vec<Member>, [Vec<i64>; 4])> = BTreeMap::new();
    for batch in ctx.table(tables::PAGE_BROWSE).await?.collect().await? {
        let (facet, label, decade) = (column(&batch, "facet")?, column(&batch, "label")?, column(&batch, "decade")?);
        let (id, title, year) = (column(&batch, "id")?, column(&batch, "title")?, column(&batch, "year")?);
        let (average, count) = (column(&batch, "vote_average")?, column(&batch, "vote_count")?);
        let ranks: Vec<&dyn Array> = Order::ALL.iter().map(|o| column(&batch, o.column())).collect::<Result<_>>()?;
        let mut current: Option<ListKey> = None;
        for row in 0..batch.num_rows() {
            let key = (str_at(facet, row).unwrap_or_default(), str_at(label, row).unwrap_or_default(), int_at(decade, row));
            if current.as_ref().is_none_or(|c| (c.0.as_str(), c.1.as_str(), c.2) != key) {
                current = Some((key.0.to_string(), key.1.to_string(), key.2));
            }
            let (members, list_ranks) = ranked.entry(current.clone().unwrap_or_default()).or_default();
            members.push(Member {
                id: int_at(id, row).unwrap_or_default(),
                title: str_at(title, row).map(str::to_string),
                year: int_at(year, row),
                vote_average: float_at(average, row),
                vote_count: float_at(count, row),
            });
            for (o, r) in ranks.iter().enumerate() {
                list_ranks[o].push(int_at(*r, row).unwrap_or_default());
            }
        }
    }
    ranked.into_iter().map(|(key, (members, ranks))| Ok((key.clone(), sequenced(&key, members, ranks)?))).collect()
}

/// Puts each member at the place its rank gives it, order by order.
fn sequenced(key: &ListKey, members: Vec<Member>, ranks: [Vec<i64>; 4]) -> Result<MovieList> {
    let mut sequences: [Vec<usize>; 4] = Default::default();
    for (o, order_ranks) in ranks.iter().enumerate() {
        let mut sequence = vec![usize::MAX; members.len()];
        for (i, &rank) in order_ranks.iter().enumerate() {
            let place = usize::try_from(rank).ok().and_then(|r| r.checked_sub(1)).filter(|&p| p < members.len());
            match place {
                Some(p) if sequence[p] == usize::MAX => sequence[p] = i,
                _ => bail!("browse.sql: {} ranks of {:?} are not 1 to {}", Order::ALL[o].key(), key, members.len()),
            }
        }
        sequences[o] = sequence;
    }
    Ok(MovieList { members, sequences })
}

fn float_at(array: &dyn Array, row: usize) -> Option<f64> {
    let value = array.as_primitive_opt::<Float64Type>().filter(|_| !array.is_null(row)).map(|a| a.value(row));
    value.filter(|v| v.is_finite()).or_else(|| int_at(array, row).map(|v| v as f64))
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

    #[test]
    fn ranks_place_members_in_each_order() {
        let key: ListKey = ("genre".into(), "Drama".into(), None);
        let ranks = [vec![1, 2, 3], vec![3, 2, 1], vec![2, 3, 1], vec![1, 3, 2]];
        let list = sequenced(&key, vec![member(10), member(20), member(30)], ranks).unwrap();
        let ids = |o: Order| list.in_order(o).iter().map(|m| m.id).collect::<Vec<_>>();
        assert_eq!(ids(Order::Popularity), [10, 20, 30]);
        assert_eq!(ids(Order::Year), [30, 20, 10]);
        assert_eq!(ids(Order::Title), [30, 10, 20]);
        assert_eq!(ids(Order::Rating), [10, 30, 20]);
    }

    #[test]
    fn ranks_that_skip_or_repeat_are_refused() {
        let key: ListKey = ("genre".into(), "Drama".into(), None);
        for bad in [vec![1, 1], vec![1, 3], vec![0, 1]] {
            let ranks = [vec![1, 2], vec![1, 2], vec![1, 2], bad.clone()];
            let err = sequenced(&key, vec![member(1), member(2)], ranks).unwrap_err().to_string();
            assert!(err.contains("valoracion ranks"), "{bad:?}: {err}");
        }
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
        let ranks = |n: i64| -> [Vec<i64>; 4] { std::array::from_fn(|_| (1..=n).collect()) };
        let key: ListKey = ("company".into(), "X".into(), None);
        let small = sequenced(&key, (1..BROWSE_ORDER_MIN_MOVIES as i64).map(member).collect(), ranks(BROWSE_ORDER_MIN_MOVIES as i64 - 1));
        assert_eq!(small.unwrap().orders(), &[Order::Popularity]);
        let large = sequenced(&key, (1..=BROWSE_ORDER_MIN_MOVIES as i64).map(member).collect(), ranks(BROWSE_ORDER_MIN_MOVIES as i64));
        assert_eq!(large.unwrap().orders().len(), 4);
    }
}
