//! Browse pages: `browse/<facet>/` for release year, decade, genre, country, company,
//! collection and language, each value a paginated list of its movies in four orders
//! (movie_lists.rs), each genre also cut by decade (`browse/genre/<genre>/decada-1990.html`).
//! A facet's index is paginated too: `index.html`, `index-2.html`, ...

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use minijinja::context;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::movie_lists::{DEFAULT_ORDER, Link, ListKey, ListPage, ListPlace, MovieList, Related, read_lists, write_list};
use super::pager::{page_count, page_slice, pager, relative_href};
use super::slug::{disambiguate_files, slug};
use super::{Site, Writer, Written};
use crate::settings::{BROWSE_INDEX_FACTOR, BROWSE_ORDER_MIN_MOVIES};

/// What movies can be browsed by; sql/render/browse.sql writes each as `facet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    Year,
    Decade,
    Genre,
    Country,
    Company,
    Collection,
    Language,
}

impl Facet {
    /// In the order the browse index lists them.
    pub const ALL: [Facet; 7] =
        [Facet::Year, Facet::Decade, Facet::Genre, Facet::Country, Facet::Company, Facet::Collection, Facet::Language];

    /// The name the SQL writes, and the facet's directory under browse/.
    pub fn as_sql(self) -> &'static str {
        match self {
            Facet::Year => "year",
            Facet::Decade => "decade",
            Facet::Genre => "genre",
            Facet::Country => "country",
            Facet::Company => "company",
            Facet::Collection => "collection",
            Facet::Language => "language",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Facet::Year => "Año de estreno",
            Facet::Decade => "Década",
            Facet::Genre => "Género",
            Facet::Country => "País de producción",
            Facet::Company => "Productora",
            Facet::Collection => "Colección",
            Facet::Language => "Idioma original",
        }
    }

    /// How a value is shown: a decade by its first year, the rest as in the data.
    fn shown(self, label: &str) -> String {
        match self {
            Facet::Decade => decade_name(label),
            _ => label.to_string(),
        }
    }

    /// A value's page without `.html`: years and decades are already safe file
    /// names, other labels get a slug.
    fn stem(self, label: &str) -> String {
        match self {
            Facet::Year | Facet::Decade => label.to_string(),
            _ => slug(label),
        }
    }

    /// The facet index lists years and decades in time order, the rest by movie count.
    fn lists_by_count(self) -> bool {
        !matches!(self, Facet::Year | Facet::Decade)
    }

    fn dir(self) -> String {
        format!("browse/{}", self.as_sql())
    }
}

fn decade_name(decade: &str) -> String {
    format!("Década de {decade}")
}

/// A genre's decade list, inside the genre's own directory.
fn genre_decade_place(genre: &ListPlace, decade: i64) -> ListPlace {
    ListPlace { dir: genre.pages_dir(), stem: format!("decada-{decade}") }
}

/// One value of a facet: its movie count and its list's place; a value with a single
/// movie gets no page of its own, its listing links the movie.
struct FacetValue<'a> {
    label: String,
    list: &'a MovieList,
    place: Option<ListPlace>,
}

impl FacetValue<'_> {
    /// Its page from the site's root: the list's first page, or the single movie's.
    fn path(&self) -> String {
        match &self.place {
            Some(place) => place.page(DEFAULT_ORDER, 1),
            None => format!("movies/{}.html", self.list.members.first().map_or(0, |m| m.id)),
        }
    }
}

/// Every facet's values, each facet's in label order, with unique file names.
fn facet_values(lists: &BTreeMap<ListKey, MovieList>) -> BTreeMap<&'static str, Vec<FacetValue<'_>>> {
    let mut by_facet: BTreeMap<&'static str, Vec<FacetValue<'_>>> = BTreeMap::new();
    for facet in Facet::ALL {
        let mut values: Vec<FacetValue<'_>> = lists
            .iter()
            .filter(|((f, _, decade), _)| f == facet.as_sql() && decade.is_none())
            .map(|((_, label, _), list)| FacetValue {
                label: label.clone(),
                list,
                place: (list.len() > 1).then(|| ListPlace { dir: facet.dir(), stem: facet.stem(label) }),
            })
            .collect();
        let mut files: Vec<(String, Option<String>)> =
            values.iter().map(|v| (v.label.clone(), v.place.as_ref().map(|p| format!("{}.html", p.stem)))).collect();
        disambiguate_files(&mut files);
        for (value, (_, file)) in values.iter_mut().zip(files) {
            if let (Some(place), Some(file)) = (value.place.as_mut(), file) {
                place.stem = file.trim_end_matches(".html").to_string();
            }
        }
        by_facet.insert(facet.as_sql(), values);
    }
    by_facet
}

pub async fn render(site: &Site<'_>) -> Result<Written> {
    let writer = &site.writer;
    let per_page = site.options.browse_page_movies.max(1);
    for facet in Facet::ALL {
        std::fs::create_dir_all(writer.out.join(facet.dir()))?;
    }
    let lists = read_lists(site.ctx).await?;
    let values = facet_values(&lists);
    let facet_pages = facet_page_map(&values);
    let pages = list_pages(&lists, &values);
    let mut written: Written =
        pages.par_iter().map(|(list, page)| write_list(writer, list, page, per_page)).try_reduce(Written::default, |mut a, b| {
            a += b;
            Ok(a)
        })?;
    let mut summary = Vec::new();
    for facet in Facet::ALL {
        let vs = &values[facet.as_sql()];
        written += write_facet_index(writer, facet, vs, per_page * BROWSE_INDEX_FACTOR)?;
        summary.push(json!({"facet": facet.as_sql(), "title": facet.title(), "values": vs.len()}));
    }
    written.bytes += writer.page(
        "browse",
        "index.html",
        "browse_index.html",
        context! { root => "..", facets => summary, per_page => per_page, sortable_from => BROWSE_ORDER_MIN_MOVIES },
    )?;
    written.pages += 1;
    let _ = site.facet_pages.set(facet_pages);
    Ok(written)
}

/// Each browse value's page, by (facet, label).
fn facet_page_map(values: &BTreeMap<&'static str, Vec<FacetValue<'_>>>) -> HashMap<(String, String), String> {
    let mut facet_pages = HashMap::new();
    for (facet, vs) in values {
        for v in vs {
            facet_pages.insert((facet.to_string(), v.label.clone()), v.path());
        }
    }
    facet_pages
}

/// Gives `site` every browse value's page without writing any: what a part of the site
/// needs for its movie pages, which link to them (see `parts.rs`).
pub async fn find_facet_pages(site: &Site<'_>) -> Result<()> {
    let lists = read_lists(site.ctx).await?;
    let _ = site.facet_pages.set(facet_page_map(&facet_values(&lists)));
    Ok(())
}

/// Every list with pages: each value of two movies or more, and each genre's decades,
/// with the links between genres and decades.
fn list_pages<'a>(
    lists: &'a BTreeMap<ListKey, MovieList>,
    values: &BTreeMap<&'static str, Vec<FacetValue<'a>>>,
) -> Vec<(&'a MovieList, ListPage)> {
    let explore = Link { label: "Explorar".into(), path: "browse/index.html".into(), movies: None };
    let facet_link = |f: Facet| Link { label: f.title().into(), path: format!("{}/index.html", f.dir()), movies: None };
    let genre_places: BTreeMap<&str, &ListPlace> =
        values[Facet::Genre.as_sql()].iter().filter_map(|v| v.place.as_ref().map(|p| (v.label.as_str(), p))).collect();
    let decade_places: BTreeMap<&str, &ListPlace> =
        values[Facet::Decade.as_sql()].iter().filter_map(|v| v.place.as_ref().map(|p| (v.label.as_str(), p))).collect();
    // (genre, decade, list) of every genre with a page of its own.
    let cuts: Vec<(&str, i64, &MovieList)> = lists
        .iter()
        .filter(|((f, _, _), _)| f == Facet::Genre.as_sql())
        .filter_map(|((_, genre, decade), list)| Some((genre.as_str(), (*decade)?, list)))
        .filter(|(genre, _, _)| genre_places.contains_key(genre))
        .collect();
    let cut_link = |genre: &str, decade: i64, list: &MovieList, label: String| Link {
        label,
        path: genre_decade_place(genre_places[genre], decade).page(DEFAULT_ORDER, 1),
        movies: Some(list.len()),
    };

    let mut pages = Vec::new();
    for facet in Facet::ALL {
        for value in values[facet.as_sql()].iter() {
            let Some(place) = &value.place else { continue };
            let related = match facet {
                Facet::Genre => vec![Related {
                    title: "Por década",
                    links: cuts.iter().filter(|(g, _, _)| *g == value.label).map(|&(g, d, l)| cut_link(g, d, l, d.to_string())).collect(),
                }],
                Facet::Decade => vec![Related {
                    title: "Por género",
                    links: cuts
                        .iter()
                        .filter(|(_, d, _)| d.to_string() == value.label)
                        .map(|&(g, d, l)| cut_link(g, d, l, g.to_string()))
                        .collect(),
                }],
                _ => Vec::new(),
            };
            let page = ListPage {
                place: place.clone(),
                heading: facet.shown(&value.label),
                crumbs: vec![explore.clone(), facet_link(facet)],
                related,
            };
            pages.push((value.list, page));
        }
    }
    for &(genre, decade, list) in &cuts {
        let genre_place = genre_places[genre];
        let decade_label = decade.to_string();
        let mut related = Vec::new();
        if let Some(decade_place) = decade_places.get(decade_label.as_str()) {
            let path = decade_place.page(DEFAULT_ORDER, 1);
            related
                .push(Related { title: "Todos los géneros", links: vec![Link { label: decade_name(&decade_label), path, movies: None }] });
        }
        let genre_page = Link { label: genre.to_string(), path: genre_place.page(DEFAULT_ORDER, 1), movies: None };
        let page = ListPage {
            place: genre_decade_place(genre_place, decade),
            heading: format!("{genre}, {}", decade_name(&decade_label).to_lowercase()),
            crumbs: vec![explore.clone(), facet_link(Facet::Genre), genre_page],
            related,
        };
        pages.push((list, page));
    }
    pages
}

#[derive(Serialize)]
struct IndexEntry {
    label: String,
    href: String,
    movies: usize,
}

/// A facet's index: its values, `per_page` a page.
fn write_facet_index(writer: &Writer<'_>, facet: Facet, values: &[FacetValue<'_>], per_page: usize) -> Result<Written> {
    let mut order: Vec<&FacetValue<'_>> = values.iter().collect();
    if facet.lists_by_count() {
        order.sort_by(|a, b| b.list.len().cmp(&a.list.len()).then(a.label.cmp(&b.label)));
    }
    let dir = facet.dir();
    let path_of = |n: usize| if n == 1 { format!("{dir}/index.html") } else { format!("{dir}/index-{n}.html") };
    let total = page_count(order.len(), per_page);
    let mut written = Written::default();
    for n in 1..=total {
        let path = path_of(n);
        let entries: Vec<IndexEntry> = page_slice(&order, per_page, n)
            .iter()
            .map(|v| IndexEntry { label: facet.shown(&v.label), href: relative_href(&path, &v.path()), movies: v.list.len() })
            .collect();
        let name = path.rsplit_once('/').map_or(path.as_str(), |(_, name)| name);
        written.bytes += writer.page(
            &dir,
            name,
            "facet.html",
            context! {
                root => "../..",
                title => facet.title(),
                values_total => order.len(),
                by_count => facet.lists_by_count(),
                values => entries,
                pager => pager(&path, n, total, path_of),
            },
        )?;
        written.pages += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use minijinja::context;
    use serde_json::json;

    use super::Facet;

    #[test]
    fn every_facet_is_one_the_sql_writes() {
        let sql = super::super::PAGE_KINDS.iter().find(|k| k.name == "browse").and_then(|k| k.sql).unwrap().text;
        for facet in Facet::ALL {
            assert!(sql.contains(&format!("'{}'", facet.as_sql())), "{facet:?}");
        }
    }

    #[test]
    fn data_is_escaped_in_pages() {
        let env = super::super::templates::Theme::embedded().environment().unwrap();
        let html = env
            .get_template("facet_value.html")
            .unwrap()
            .render(context! {
                root => "../..",
                heading => "<script>alert(1)</script>",
                crumbs => json!([{"label": "<b>x</b>", "href": "index.html"}]),
                movies_total => 1,
                start => 1,
                movies => json!([{"id": 1, "title": "\"><img src=x onerror=alert(1)>", "year": 2000}]),
                pager => json!({"current": 1, "total": 1, "items": []}),
            })
            .unwrap();
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("<img src=x"));
        assert!(!html.contains("<b>x"));
        assert!(html.contains("&lt;script&gt;"));
    }
}
