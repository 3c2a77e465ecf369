//! Every UI string is Spanish: this scans the text a reader sees in templates/ (text
//! between tags and the aria-label, placeholder, title and alt attributes) and the
//! string literals of templates/static/marquee.js for English UI words, and fails
//! naming the file, the line and the word. Data values never appear in these files.

/// English UI words, matched as whole words with this capitalisation (UI text starts
/// words in capitals; lower-case code such as `movie.title` is not UI text).
const WORDS: &[&str] = &[
    "Search",
    "Movies",
    "Movie",
    "Results",
    "Result",
    "Genre",
    "Genres",
    "Loading",
    "Previous",
    "Next",
    "Home",
    "Browse",
    "Questions",
    "Question",
    "Report",
    "People",
    "Person",
    "Collection",
    "Collections",
    "Year",
    "Years",
    "Country",
    "Countries",
    "Company",
    "Companies",
    "Language",
    "Languages",
    "Director",
    "Directors",
    "Cast",
    "Budget",
    "Revenue",
    "Release",
    "Released",
    "Runtime",
    "Votes",
    "Rating",
    "Ratings",
    "Download",
    "Downloads",
    "Close",
    "Suggestions",
    "Recommendations",
    "Overview",
    "Built",
    "Made",
    "Page",
    "Pages",
    "Ask",
    "Submit",
    "Show",
    "Hide",
    "Back",
    "Found",
    "Nothing",
    "Answer",
    "Answers",
    "Table",
    "Tables",
    "Data",
    "Files",
    "Read",
    "Kept",
    "Rejected",
    "Duplicates",
];
/// English phrases, in any capitalisation.
const PHRASES: &[&str] = &["no results", "built by", "did you mean", "not found", "no answer", "loading", "other movie", "movies released"];
/// Proper names that hold an English word.
const ALLOWED: &[&str] = &["The Movies Dataset", "TMDB", "MovieLens"];

/// The text a reader sees in a template line: tags and template code removed, the
/// readable attributes kept.
fn visible(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find(['<', '{']) {
        out.push_str(&rest[..start]);
        out.push(' ');
        let (open, close) = match &rest[start..start + 1] {
            "<" => ("<", ">"),
            _ if rest[start..].starts_with("{{") => ("{{", "}}"),
            _ if rest[start..].starts_with("{%") => ("{%", "%}"),
            _ if rest[start..].starts_with("{#") => ("{#", "#}"),
            _ => ("{", ""),
        };
        if close.is_empty() {
            out.push('{');
            rest = &rest[start + 1..];
            continue;
        }
        let inner_start = start + open.len();
        let end = rest[inner_start..].find(close).map_or(rest.len(), |e| inner_start + e);
        let inner = &rest[inner_start..end];
        if open == "<" {
            for attr in ["aria-label=\"", "placeholder=\"", "title=\"", "alt=\""] {
                if let Some(a) = inner.find(attr) {
                    let value = &inner[a + attr.len()..];
                    out.push_str(&value[..value.find('"').unwrap_or(value.len())]);
                    out.push(' ');
                }
            }
        } else {
            // Quoted strings inside template code are shown too ({{ x or "(sin título)" }}).
            for (i, part) in inner.split('"').enumerate() {
                if i % 2 == 1 {
                    out.push_str(part);
                    out.push(' ');
                }
            }
        }
        rest = &rest[(end + close.len()).min(rest.len())..];
    }
    out.push_str(rest);
    out
}

/// The string literals of a JavaScript line (comments dropped; regex literals are not
/// strings and hold no words here).
fn js_strings(line: &str) -> String {
    let code = match line.trim_start().starts_with("//") {
        true => "",
        false => line,
    };
    let mut out = String::new();
    let mut quote: Option<char> = None;
    for c in code.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                out.push(' ');
            }
            Some(_) => out.push(c),
            None if c == '"' || c == '`' || c == '\'' => quote = Some(c),
            None => {}
        }
    }
    out
}

fn english_in(text: &str) -> Vec<String> {
    let mut text = text.to_string();
    for allowed in ALLOWED {
        text = text.replace(allowed, " ");
    }
    let mut found: Vec<String> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| WORDS.contains(w)).map(str::to_string).collect();
    let lower = text.to_lowercase();
    found.extend(PHRASES.iter().filter(|p| lower.contains(*p)).map(|p| p.to_string()));
    found
}

#[test]
fn no_english_ui_string_remains() {
    let root = marquee::foundation::scratch::source_dir().join("templates");
    let mut files: Vec<_> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    files.push(root.join("static/marquee.js"));
    files.sort();
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let js = file.extension().is_some_and(|e| e == "js");
        for (n, line) in text.lines().enumerate() {
            let shown = if js { js_strings(line) } else { visible(line) };
            for word in english_in(&shown) {
                problems.push(format!("{}:{}: {word:?} in {:?}", file.strip_prefix(&root).unwrap().display(), n + 1, line.trim()));
            }
        }
    }
    assert!(problems.is_empty(), "English UI text (say it in Spanish):\n{}", problems.join("\n"));
}

#[test]
fn the_scanner_sees_text_attributes_and_strings() {
    assert_eq!(english_in(&visible(r#"<a href="x" title="Next page">Siguiente</a>"#)), ["Next"]);
    assert_eq!(english_in(&visible("<p>No results</p>")), ["no results"]);
    assert_eq!(english_in(&visible(r#"{{ movie.title or "Movie" }} de The Movies Dataset"#)), ["Movie"]);
    assert!(english_in(&visible("{{ movie.title }} <span class=\"Search\">Buscar</span>")).is_empty());
    assert_eq!(english_in(&js_strings(r#"  p.textContent = `Loading ${x}`; // Search"#)), ["Loading", "loading"]);
    assert!(english_in(&js_strings("// Search the index")).is_empty());
}
