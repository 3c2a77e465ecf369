//! The templates and static files of templates/, and the filters pages format numbers
//! with. They are compiled in, so the binary renders the same site wherever it runs;
//! `marquee build --templates DIR` reads them from DIR instead, so that changing the
//! site's look is a rebuild, not a recompile.

use std::path::Path;

use anyhow::{Context, Result, bail};
use minijinja::{AutoEscape, Environment};

use crate::foundation::fingerprint::{Fingerprint, Fingerprinter};
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
    ("pager.html", include_str!("../../../templates/pager.html")),
    ("questions.html", include_str!("../../../templates/questions.html")),
    ("report.html", include_str!("../../../templates/report.html")),
    ("datos.html", include_str!("../../../templates/datos.html")),
    ("404.html", include_str!("../../../templates/404.html")),
];

/// Files copied as they are into output/static/ (from templates/static/).
const STATIC_FILES: &[(&str, &str)] = &[
    ("marquee.js", include_str!("../../../templates/static/marquee.js")),
    ("style.css", include_str!("../../../templates/static/style.css")),
];

/// The templates and static files one build renders with.
#[derive(Debug, Clone)]
pub struct Theme {
    pub templates: Vec<(&'static str, String)>,
    pub static_files: Vec<(&'static str, String)>,
}

impl Theme {
    /// The copies compiled into the binary.
    pub fn embedded() -> Theme {
        let own = |files: &[(&'static str, &str)]| files.iter().map(|(n, s)| (*n, s.to_string())).collect();
        Theme { templates: own(TEMPLATES), static_files: own(STATIC_FILES) }
    }

    /// The same files read from `dir` (a copy of templates/): every one must be there,
    /// so a typo in the path fails the build instead of mixing two looks.
    pub fn from_dir(dir: &Path) -> Result<Theme> {
        if !dir.is_dir() {
            bail!("--templates {}: not a directory", dir.display());
        }
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).with_context(|| format!("--templates: reading {}", path.display()))
        };
        let templates = TEMPLATES.iter().map(|(n, _)| Ok((*n, read(n)?))).collect::<Result<_>>()?;
        let static_files = STATIC_FILES.iter().map(|(n, _)| Ok((*n, read(&format!("static/{n}"))?))).collect::<Result<_>>()?;
        Ok(Theme { templates, static_files })
    }

    pub fn from_option(dir: Option<&Path>) -> Result<Theme> {
        dir.map_or_else(|| Ok(Theme::embedded()), Theme::from_dir)
    }

    /// Every template, auto-escaping HTML, with the `money`, `int` and `num` filters
    /// (Spanish number formatting).
    pub fn environment(&self) -> Result<Environment<'static>> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        for (name, source) in &self.templates {
            env.add_template_owned(*name, source.clone()).with_context(|| format!("template {name}"))?;
        }
        env.add_filter("money", |v: Option<f64>| v.map_or("—".to_string(), format::spanish_dollars));
        env.add_filter("int", |v: Option<f64>| v.map_or("—".to_string(), format::spanish_integer));
        env.add_filter("num", |v: Option<f64>, places: Option<usize>| {
            v.map_or("—".to_string(), |v| format::spanish_decimal(v, places.unwrap_or(2)))
        });
        Ok(env)
    }

    /// What a page rendered with `template` depends on among the templates: its own
    /// source and those of the templates it extends, includes or imports, transitively.
    /// A page reused from the previous build must have been rendered with the same.
    pub fn template_fingerprint(&self, template: &str) -> Result<Fingerprint> {
        let mut seen = std::collections::BTreeSet::new();
        let mut todo = vec![template.to_string()];
        while let Some(name) = todo.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let source = self.source(&name)?;
            todo.extend(referenced_templates(source));
        }
        let mut print = Fingerprinter::new("templates");
        for name in &seen {
            print.add_str(name);
            print.add_str(self.source(name)?);
        }
        Ok(print.finish())
    }

    fn source(&self, name: &str) -> Result<&str> {
        self.templates.iter().find(|(n, _)| *n == name).map(|(_, s)| s.as_str()).with_context(|| format!("no template {name}"))
    }
}

/// The quoted names after `extends`, `include`, `import` and `from` in a template's tags.
fn referenced_templates(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    for tag in source.split("{%").skip(1) {
        let tag = tag.split("%}").next().unwrap_or_default().trim_start_matches('-').trim();
        let mut words = tag.splitn(2, char::is_whitespace);
        if matches!(words.next(), Some("extends" | "include" | "import" | "from")) {
            let rest = words.next().unwrap_or_default().trim_start();
            if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'')
                && let Some(name) = rest[1..].split(quote).next()
            {
                names.push(name.to_string());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        on_disk
    }

    #[test]
    fn every_template_file_is_embedded() {
        let dir = crate::foundation::scratch::source_dir().join("templates");
        let mut embedded: Vec<&str> = TEMPLATES.iter().map(|(n, _)| *n).collect();
        embedded.sort();
        assert_eq!(embedded, names_in(&dir), "templates/: update TEMPLATES in src/stages/site/templates.rs");
        let mut statics: Vec<&str> = STATIC_FILES.iter().map(|(n, _)| *n).collect();
        statics.sort();
        assert_eq!(statics, names_in(&dir.join("static")), "templates/static/: update STATIC_FILES");
    }

    #[test]
    fn the_project_directory_reads_as_the_embedded_copies() {
        let dir = crate::foundation::scratch::source_dir().join("templates");
        let (read, embedded) = (Theme::from_dir(&dir).unwrap(), Theme::embedded());
        assert_eq!(read.templates, embedded.templates);
        assert_eq!(read.static_files, embedded.static_files);
        let missing = crate::foundation::scratch::ScratchDir::new("no-templates", "empty");
        let err = format!("{:#}", Theme::from_dir(&missing).unwrap_err());
        assert!(err.contains("base.html"), "{err}");
        assert!(Theme::from_dir(&missing.join("nope")).unwrap_err().to_string().contains("not a directory"));
    }

    #[test]
    fn a_template_fingerprint_follows_what_it_extends() {
        assert_eq!(
            referenced_templates(r#"{% extends "base.html" %}{%- include 'x.svg' -%}{% from "m.html" import a %}"#),
            ["base.html", "x.svg", "m.html"]
        );
        let theme = Theme::embedded();
        let movie = theme.template_fingerprint("movie.html").unwrap();
        let mut edited = theme.clone();
        edited.templates.iter_mut().find(|(n, _)| *n == "base.html").unwrap().1.push_str("<!-- -->");
        assert_ne!(edited.template_fingerprint("movie.html").unwrap(), movie, "base.html is part of every page");
        let mut other = theme.clone();
        other.templates.iter_mut().find(|(n, _)| *n == "person.html").unwrap().1.push_str("<!-- -->");
        assert_eq!(other.template_fingerprint("movie.html").unwrap(), movie, "person.html is not part of a movie page");
    }
}
