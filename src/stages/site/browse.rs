//! Browse pages: `browse/<facet>/` for release year, genre, country, company,
//! collection and language, each value a page listing its movies.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, Result};
use minijinja::context;
use rayon::prelude::*;
use serde_json::{Map, Value, json};

use super::slug::{disambiguate_files, slug};
use super::values::{as_i64, rows};
use super::{Site, Written};
use crate::foundation::tables;

/// What movies can be browsed by; sql/render/browse.sql writes each as `facet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    Year,
    Genre,
    Country,
    Company,
    Collection,
    Language,
}

impl Facet {
    /// In the order the browse index lists them.
    pub const ALL: [Facet; 6] = [Facet::Year, Facet::Genre, Facet::Country, Facet::Company, Facet::Collection, Facet::Language];

    /// The name the SQL writes, and the facet's directory under browse/.
    pub fn as_sql(self) -> &'static str {
        match self {
            Facet::Year => "year",
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
            Facet::Genre => "Género",
            Facet::Country => "País de producción",
            Facet::Company => "Productora",
            Facet::Collection => "Colección",
            Facet::Language => "Idioma original",
        }
    }

    /// A value's page: years are already safe file names, other labels get a slug.
    fn file_name(self, label: &str) -> String {
        match self {
            Facet::Year => format!("{label}.html"),
            _ => format!("{}.html", slug(label)),
        }
    }

    /// The facet index lists years in year order, the rest by movie count.
    fn lists_by_count(self) -> bool {
        self != Facet::Year
    }
}

pub async fn render(site: &Site<'_>) -> Result<Written> {
    let writer = &site.writer;
    for facet in Facet::ALL {
        std::fs::create_dir_all(writer.out.join("browse").join(facet.as_sql()))?;
    }
    let facets = rows(site.ctx, tables::PAGE_FACETS).await?;
    let mut grouped: BTreeMap<String, Vec<Map<String, Value>>> = BTreeMap::new();
    for mut f in facets {
        let label = f["label"].as_str().unwrap_or_default().to_string();
        let name = f["facet"].as_str().unwrap_or_default().to_string();
        let facet = Facet::ALL.into_iter().find(|x| x.as_sql() == name).with_context(|| format!("browse.sql: unknown facet {name:?}"))?;
        // A value with a single movie gets no page of its own: its listing links the movie.
        let single = as_i64(&f["movies"]) == 1;
        let file = if single { format!("../../movies/{}.html", as_i64(&f["members"][0]["id"])) } else { facet.file_name(&label) };
        f.insert("single".into(), Value::Bool(single));
        f.insert("file".into(), Value::String(file));
        if let Some(Value::Array(members)) = f.get_mut("members") {
            members.sort_by(|a, b| {
                let pa = a["popularity"].as_f64().unwrap_or(0.0);
                let pb = b["popularity"].as_f64().unwrap_or(0.0);
                pb.total_cmp(&pa).then(as_i64(&a["id"]).cmp(&as_i64(&b["id"])))
            });
        }
        grouped.entry(name).or_default().push(f);
    }
    let mut pages = 0;
    let mut bytes = 0;
    let mut summary = Vec::new();
    let mut facet_pages = HashMap::new();
    for kind in Facet::ALL {
        let (facet, title) = (kind.as_sql(), kind.title());
        let mut values = grouped.remove(facet).unwrap_or_default();
        disambiguate_files(&mut values);
        for v in &values {
            let label = v["label"].as_str().unwrap_or_default().to_string();
            let page = match v["single"] == true {
                true => format!("movies/{}.html", as_i64(&v["members"][0]["id"])),
                false => format!("browse/{facet}/{}", v["file"].as_str().unwrap_or_default()),
            };
            facet_pages.insert((facet.to_string(), label), page);
        }
        let dir = format!("browse/{facet}");
        let written: Vec<u64> = values
            .par_iter()
            .filter(|v| v["single"] != true)
            .map(|v| {
                writer.page(
                    &dir,
                    v["file"].as_str().unwrap_or_default(),
                    "facet_value.html",
                    context! { root => "../..", facet => facet, title => title, value => v },
                )
            })
            .collect::<Result<_>>()?;
        pages += written.len();
        bytes += written.iter().sum::<u64>();
        if kind.lists_by_count() {
            values.sort_by(|a, b| as_i64(&b["movies"]).cmp(&as_i64(&a["movies"])).then(a["label"].as_str().cmp(&b["label"].as_str())));
        }
        let listing: Vec<Value> = values.iter().map(|v| json!({"label": v["label"], "movies": v["movies"], "file": v["file"]})).collect();
        bytes += writer.page(
            &dir,
            "index.html",
            "facet.html",
            context! { root => "../..", facet => facet, title => title, values => listing },
        )?;
        pages += 1;
        summary.push(json!({"facet": facet, "title": title, "values": values.len()}));
    }
    bytes += writer.page("browse", "index.html", "browse_index.html", context! { root => "..", facets => summary })?;
    let _ = site.facet_pages.set(facet_pages);
    Ok(Written { pages: pages + 1, bytes, other_files: 0 })
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
            .render(context! { root => "../..", facet => "genre", title => "Género", value => json!({"label": "<script>alert(1)</script>", "movies": 1, "members": [{"id": 1, "title": "\"><img src=x onerror=alert(1)>", "year": 2000}]}) })
            .unwrap();
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("<img src=x"));
        assert!(html.contains("&lt;script&gt;"));
    }
}
