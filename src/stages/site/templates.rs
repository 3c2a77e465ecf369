//! The templates and static files of templates/, compiled in so the binary renders
//! the same site wherever it runs, and the filters pages format numbers with.

use anyhow::Result;
use minijinja::{AutoEscape, Environment};

use crate::foundation::format;

/// Every template: the shared layout and chart, then each page kind's (see `PAGE_KINDS`).
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../../templates/base.html")),
    ("chart.svg", include_str!("../../../templates/chart.svg")),
    ("scatter.svg", include_str!("../../../templates/scatter.svg")),
    ("heatmap.svg", include_str!("../../../templates/heatmap.svg")),
    ("index.html", include_str!("../../../templates/index.html")),
    ("movie.html", include_str!("../../../templates/movie.html")),
    ("person.html", include_str!("../../../templates/person.html")),
    ("browse_index.html", include_str!("../../../templates/browse_index.html")),
    ("facet.html", include_str!("../../../templates/facet.html")),
    ("facet_value.html", include_str!("../../../templates/facet_value.html")),
    ("questions.html", include_str!("../../../templates/questions.html")),
    ("report.html", include_str!("../../../templates/report.html")),
    ("datos.html", include_str!("../../../templates/datos.html")),
    ("404.html", include_str!("../../../templates/404.html")),
];

/// Files copied as they are into output/static/.
pub const STATIC_FILES: &[(&str, &str)] = &[
    ("marquee.js", include_str!("../../../templates/static/marquee.js")),
    ("style.css", include_str!("../../../templates/static/style.css")),
];

/// Every template, auto-escaping HTML, with the `money`, `int` and `num` filters
/// (Spanish number formatting).
pub fn environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    env.add_filter("money", |v: Option<f64>| v.map_or("—".to_string(), format::spanish_dollars));
    env.add_filter("int", |v: Option<f64>| v.map_or("—".to_string(), format::spanish_integer));
    env.add_filter("num", |v: Option<f64>, places: Option<usize>| {
        v.map_or("—".to_string(), |v| format::spanish_decimal(v, places.unwrap_or(2)))
    });
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut embedded: Vec<&str> = TEMPLATES.iter().map(|(n, _)| *n).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk, "templates/: update TEMPLATES in src/stages/site/templates.rs");
    }
}
