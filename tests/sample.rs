//! The bundled sample, built once, checked against facts derived by hand and by an
//! independent Python reading of the CSVs (data/sample/EXPECTED.md).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

fn sample_dir() -> PathBuf {
    marquee::foundation::scratch::source_dir().join("data/sample")
}

/// Builds the sample into a temporary output once per test binary.
fn built() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let out = marquee::foundation::scratch::shared_dir("sample-test").join("output");
        let status = Command::new(env!("CARGO_BIN_EXE_marquee"))
            .args(["build", "--data"])
            .arg(sample_dir())
            .arg("--out")
            .arg(&out)
            .status()
            .expect("run marquee build");
        assert!(status.success(), "sample build failed");
        out
    })
}

fn manifest() -> Value {
    serde_json::from_str(&std::fs::read_to_string(built().join("manifest.json")).unwrap()).unwrap()
}

fn ask(question: &str, input: &str) -> (i32, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args(["ask", question, input, "--json", "--out"])
        .arg(built())
        .output()
        .expect("run marquee ask");
    let json = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code().unwrap_or(-1), json)
}

fn answers(question: &str, input: &str) -> Vec<Value> {
    let (code, json) = ask(question, input);
    assert_eq!(code, 0, "{question} {input}: {json}");
    json["answers"].as_array().unwrap().clone()
}

/// Every question gives, on the sample, the answers its registry entry promises:
/// adding a question to the registry adds its check here.
#[test]
fn every_question_answers_its_registered_samples() {
    for question in marquee::stages::questions::QUESTIONS {
        for (input, sentence) in question.sample {
            let sentences: Vec<String> =
                answers(question.name, input).iter().map(|a| a["sentence"].as_str().unwrap_or_default().to_string()).collect();
            assert!(sentences.iter().any(|s| s == sentence), "{} {input:?}: expected {sentence:?}, got {sentences:?}", question.name);
        }
    }
}

/// The value of every `attr="..."` in an HTML text, entities decoded.
fn attribute_values(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            rest.find('"')
                .map(|end| rest[..end].replace("&#x2f;", "/").replace("&#x27;", "'").replace("&quot;", "\"").replace("&amp;", "&"))
        })
        .collect()
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            html_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

/// A link check: every internal href and src of every page resolves to a file.
#[test]
fn every_internal_link_resolves_to_a_file() {
    let mut pages = Vec::new();
    html_files(built(), &mut pages);
    assert!(pages.len() > 300, "{} pages", pages.len());
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap();
        for target in attribute_values(&html, "href").into_iter().chain(attribute_values(&html, "src")) {
            let external = ["http:", "https:", "mailto:", "data:", "javascript:", "#"].iter().any(|p| target.starts_with(p));
            if external || target.is_empty() {
                continue;
            }
            let path = target.split(['#', '?']).next().unwrap_or_default();
            checked += 1;
            if !page.parent().unwrap().join(path).is_file() {
                broken.push(format!("{} -> {target}", page.strip_prefix(built()).unwrap().display()));
            }
        }
    }
    assert!(checked > 3000, "only {checked} links checked");
    assert!(broken.is_empty(), "{} broken links, e.g.:\n{}", broken.len(), broken.iter().take(10).cloned().collect::<Vec<_>>().join("\n"));
}

#[test]
fn movie_pages_link_their_facets_to_browse_pages() {
    let page = std::fs::read_to_string(built().join("movies/122064.html")).unwrap();
    let links = attribute_values(&page, "href");
    assert!(links.iter().any(|l| l.starts_with("../browse/collection/")), "{links:?}");
    assert!(links.iter().any(|l| l.starts_with("../browse/genre/") || l.starts_with("../movies/")), "{links:?}");
    assert!(links.iter().any(|l| l.starts_with("../browse/year/")), "{links:?}");
}

#[test]
fn every_clean_table_is_also_a_csv_with_the_same_rows() {
    let manifest = manifest();
    let files: Vec<&str> = manifest["table_files"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    for (table, rows) in manifest["tables"].as_object().unwrap() {
        let name = format!("data/{table}.csv");
        assert!(files.contains(&name.as_str()), "{name} in manifest.json");
        let mut reader = csv::Reader::from_path(built().join(&name)).unwrap();
        assert!(!reader.headers().unwrap().is_empty(), "{name} has a header");
        assert_eq!(reader.records().count() as u64, rows.as_u64().unwrap(), "{name}");
    }
}

#[test]
fn a_404_page_leads_back_into_the_site() {
    let page = std::fs::read_to_string(built().join("404.html")).unwrap();
    assert!(page.contains("Página no encontrada"));
    for target in ["./index.html", "./browse/index.html", "./questions.html"] {
        assert!(page.contains(&format!("href=\"{target}\"")), "{target}");
    }
}

#[test]
fn table_counts_match_an_independent_reading() {
    let m = manifest();
    let t = &m["tables"];
    let expected = [
        ("movies", 288),
        ("movie_genres", 573),
        ("movie_companies", 395),
        ("movie_countries", 317),
        ("movie_languages", 321),
        ("collections", 8),
        ("cast", 1707),
        ("crew", 826),
        ("keywords", 1181),
    ];
    for (table, rows) in expected {
        assert_eq!(t[table], rows, "{table}");
    }
}

#[test]
fn every_record_is_accounted_for() {
    let m = manifest();
    let movies = &m["inputs"]["movies"];
    assert_eq!(movies["records_read"], 298);
    assert_eq!(movies["kept"], 288);
    assert_eq!(movies["duplicates"], 3);
    assert_eq!(movies["rejoined"], 1);
    assert_eq!(movies["rejected"], 6);
    let reasons = &movies["rejected_by_reason"];
    assert_eq!(reasons["missing release_date"], 3);
    assert_eq!(reasons["id is not an integer"], 1);
    assert_eq!(reasons["budget is not a number"], 1);
    assert_eq!(reasons["unparsable genres"], 1);

    let credits = &m["inputs"]["credits"];
    assert_eq!((credits["records_read"].as_u64(), credits["kept"].as_u64()), (Some(296), Some(287)));
    assert_eq!(credits["duplicates"], 2);
    assert_eq!(credits["rejected_by_reason"]["unparsable cast"], 1);
    assert_eq!(credits["rejected_by_reason"]["no kept movie with this id"], 6);

    let keywords = &m["inputs"]["keywords"];
    assert_eq!((keywords["kept"].as_u64(), keywords["duplicates"].as_u64()), (Some(254), Some(2)));
    assert_eq!(keywords["rejected_by_reason"]["no kept movie with this id"], 6);

    let links = &m["inputs"]["links"];
    assert_eq!(links["rejected_by_reason"]["missing tmdbId"], 3);
    assert_eq!(m["inputs"]["ratings"]["kept"], 3131);
}

#[test]
fn rejects_report_names_file_line_and_reason() {
    let text = std::fs::read_to_string(built().join("rejects.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "file,line,key,reason,detail");
    assert!(lines.contains(&"movies_metadata.csv,58,abc,id is not an integer,id = abc"), "{text}");
    assert!(lines.iter().any(|l| l.starts_with("movies_metadata.csv,240,463790,budget is not a number,budget = lots")));
    assert!(lines.iter().any(|l| l.starts_with("movies_metadata.csv,241,289539,unparsable genres,")));
    assert!(lines.iter().any(|l| l.starts_with("credits.csv,185,325935,unparsable cast,")));
    assert!(lines.iter().any(|l| l.starts_with("credits.csv,268,71540,no kept movie with this id")));
    assert!(lines.iter().any(|l| l.starts_with("keywords.csv,97,64975,no kept movie with this id")));
    let rejected: u64 = manifest()["inputs"].as_object().unwrap().values().map(|a| a["rejected"].as_u64().unwrap()).sum();
    assert_eq!(lines.len() as u64 - 1, rejected);
}

#[test]
fn the_broken_record_is_repaired_into_its_movie() {
    let a = answers("peliculas_duracion", "the golden split");
    assert_eq!(a.len(), 1);
    assert_eq!(a[0]["movie_id"], 100536);
    assert_eq!(a[0]["duracion"], 98.0);
    assert_eq!(a[0]["anio"], 1961);
    assert_eq!(manifest()["inputs"]["movies"]["rejoined"], 1);
    let score = answers("score_titulo", "The Golden Split");
    assert_eq!(score[0]["popularidad"], 4.258079);
}

#[test]
fn months_and_days_answer_with_accents_case_and_aliases() {
    let mes = answers("cantidad_filmaciones_mes", "Setiembre");
    assert_eq!(mes[0]["cantidad"], 30);
    assert_eq!(mes[0]["mes"], "septiembre");
    assert_eq!(mes[0]["sentence"], "30 cantidad de películas fueron estrenadas en el mes de septiembre");
    assert_eq!(answers("cantidad_filmaciones_mes", "  ENERO ")[0]["cantidad"], 24);
    assert_eq!(answers("peliculas_mes", "SETIEMBRE")[0]["mes"], "septiembre");
    for (input, count) in [("miércoles", 33), ("Miercoles", 33), ("SÁBADO", 39), ("sabado", 39), ("lunes", 50), ("domingo", 33)] {
        let dia = answers("cantidad_filmaciones_dia", input);
        assert_eq!(dia[0]["cantidad"], count, "{input}");
    }
    assert_eq!(answers("peliculas_dia", "martes")[0]["cantidad"], 56);
    assert_eq!(answers("peliculas_mes", "diciembre")[0]["cantidad"], 15);
}

#[test]
fn shared_titles_answer_with_every_movie() {
    let cinderella = answers("score_titulo", "cinderella");
    let years: Vec<i64> = cinderella.iter().map(|a| a["anio"].as_i64().unwrap()).collect();
    assert_eq!(years, vec![1950, 1997, 2015]);
    assert_eq!(answers("peliculas_duracion", "TITANIC").len(), 2);
    assert_eq!(answers("recomendacion", "the avengers").len(), 2);
}

#[test]
fn votes_follow_the_2000_rule() {
    let by_id = answers_for_id;
    let at_1999 = by_id("votos_titulo", 273970);
    assert_eq!(at_1999["cumple_condicion"], false);
    assert_eq!(at_1999["voto_total"], Value::Null);
    assert!(at_1999["sentence"].as_str().unwrap().contains("no cumple la condición"));
    let at_2000 = by_id("votos_titulo", 26706);
    assert_eq!(at_2000["cumple_condicion"], true);
    assert_eq!(at_2000["voto_total"], 2000);
    let at_2001 = by_id("votos_titulo", 436103);
    assert_eq!(at_2001["voto_total"], 2001);
}

/// The single-file download of the whole bundle.
fn bundle() -> Value {
    use std::io::Read;
    let gz = std::fs::read(built().join("api/bundle.json.gz")).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut text).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Finds the answer about one movie id in the downloadable bundle.
fn answers_for_id(question: &str, id: i64) -> Value {
    let bundle = bundle();
    for answers in bundle["answers"][question].as_object().unwrap().values() {
        for a in answers.as_array().unwrap() {
            if a["movie_id"] == id {
                return a.clone();
            }
        }
    }
    panic!("no {question} answer for movie {id}");
}

#[test]
fn actor_counts_a_movie_once_even_with_two_roles() {
    let a = answers("get_actor", "declan o'shea");
    assert_eq!(a.len(), 1);
    assert_eq!(a[0]["cantidad_filmaciones"], 17);
    let total = a[0]["retorno_total"].as_f64().unwrap();
    let average = a[0]["retorno_promedio"].as_f64().unwrap();
    assert!((average - total / 17.0).abs() < 1e-9);
}

#[test]
fn directors_list_every_film_with_its_figures() {
    let a = answers("get_director", "Elena Sterling");
    assert_eq!(a[0]["cantidad_peliculas"], 19);
    let films = a[0]["peliculas"].as_array().unwrap();
    assert_eq!(films.len(), 19);
    let sum: f64 = films.iter().map(|f| f["retorno"].as_f64().unwrap()).sum();
    assert!((sum - a[0]["retorno_total_director"].as_f64().unwrap()).abs() < 1e-6);
    let dates: Vec<&str> = films.iter().map(|f| f["fecha"].as_str().unwrap()).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    assert_eq!(answers("get_director", "harriet vance")[0]["cantidad_peliculas"], 15);
}

#[test]
fn return_is_zero_without_budget() {
    let r = answers_for_id("retorno", 424338);
    assert_eq!((r["inversion"].as_i64(), r["ganancia"].as_i64()), (Some(12_000_000), Some(48_000_000)));
    assert_eq!(r["retorno"], 4.0);
    let bundle = bundle();
    let mut zero_budget_with_revenue = 0;
    for answers in bundle["answers"]["retorno"].as_object().unwrap().values() {
        for a in answers.as_array().unwrap() {
            if a["inversion"] == 0 {
                assert_eq!(a["retorno"], 0.0, "{a}");
                if a["ganancia"].as_i64().unwrap() > 0 {
                    zero_budget_with_revenue += 1;
                }
            }
        }
    }
    assert!(zero_budget_with_revenue >= 15, "the sample has 16 such movies, two may lack titles");
}

#[test]
fn unknown_input_exits_1_with_suggestions() {
    let (code, json) = ask("score_titulo", "cinderela");
    assert_eq!(code, 1);
    let suggestions = json["did_you_mean"].as_array().unwrap();
    assert_eq!(suggestions[0], "Cinderella");
}

#[test]
fn every_movie_has_five_recommendations_never_itself() {
    let bundle = bundle();
    let mut movies = 0;
    for answers in bundle["answers"]["recomendacion"].as_object().unwrap().values() {
        for a in answers.as_array().unwrap() {
            movies += 1;
            let detail = a["detalle"].as_array().unwrap();
            assert_eq!(detail.len(), 5);
            assert!(detail.iter().all(|d| d["movie_id"] != a["movie_id"]));
            let scores: Vec<f64> = detail.iter().map(|d| d["score"].as_f64().unwrap()).collect();
            assert!(scores.windows(2).all(|w| w[0] >= w[1]), "most similar first: {scores:?}");
            let titles: Vec<&Value> = detail.iter().map(|d| &d["titulo"]).collect();
            let list: Vec<&Value> = a["lista recomendada"].as_array().unwrap().iter().collect();
            assert!(titles.iter().zip(&list).all(|(t, l)| t.is_null() || t == l), "list follows the ranking");
            assert_eq!(a["lista recomendada"].as_array().unwrap().len(), 5);
        }
    }
    assert_eq!(movies, 286, "every kept movie with a title");
}

#[test]
fn shards_stay_small_and_index_describes_them() {
    let index: Value = serde_json::from_str(&std::fs::read_to_string(built().join("api/index.json")).unwrap()).unwrap();
    assert_eq!(index["schema_version"], 2);
    assert_eq!(index["questions"].as_array().unwrap().len(), marquee::stages::questions::QUESTIONS.len());
    // Aliases are per question: only the month questions have any.
    for q in index["questions"].as_array().unwrap() {
        let expected = if q["input"] == "mes" { serde_json::json!({"setiembre": "septiembre"}) } else { serde_json::json!({}) };
        assert_eq!(q["aliases"], expected, "{}", q["name"]);
    }
    assert!(index["normalization"].get("aliases").is_none(), "no global aliases");
    for entry in std::fs::read_dir(built().join("api")).unwrap().flatten() {
        if entry.path().is_dir() {
            for shard in std::fs::read_dir(entry.path()).unwrap().flatten() {
                assert!(shard.metadata().unwrap().len() <= 256 * 1024);
            }
        }
    }
}

/// Reads a published Parquet table back with DataFusion.
fn parquet_rows(table: &str, sql: &str) -> Vec<Value> {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        let ctx = datafusion::prelude::SessionContext::new();
        let path = built().join(format!("data/{table}.parquet"));
        ctx.register_parquet(table, path.to_str().unwrap(), Default::default()).await.unwrap();
        let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
        let mut rows = Vec::new();
        for b in &batches {
            for r in 0..b.num_rows() {
                let row: serde_json::Map<String, Value> = b
                    .schema()
                    .fields()
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (f.name().clone(), marquee::foundation::cells::json_value(b.column(i).as_ref(), r)))
                    .collect();
                rows.push(Value::Object(row));
            }
        }
        rows
    })
}

#[test]
fn parquet_tables_hold_the_exact_values_of_chosen_movies() {
    // A character containing apostrophes, written in double quotes in the cell.
    let cast = parquet_rows("cast", "SELECT name, character FROM \"cast\" WHERE movie_id = 386440 AND character LIKE '%Tank%'");
    assert_eq!(cast.len(), 1);
    assert_eq!(cast[0]["character"], "Thomas 'Tank' Whitaker");
    // An overview with a newline inside its quoted field.
    let m = parquet_rows("movies", "SELECT overview FROM movies WHERE id = 42631");
    assert!(m[0]["overview"].as_str().unwrap().contains('\n'));
    // The broken record, rejoined: both halves of the overview, the second half's fields.
    let broken = parquet_rows("movies", "SELECT overview, release_date, runtime, title FROM movies WHERE id = 100536");
    assert!(broken[0]["overview"].as_str().unwrap().ends_with("Nothing can go wrong. - Written by Ørnås"));
    assert_eq!(broken[0]["release_date"], "1961-02-18");
    assert_eq!(broken[0]["title"], "The Golden Split");
    // A duplicated id keeps its first copy (popularity 3.810815, not 4.755049).
    let dup = parquet_rows("movies", "SELECT popularity FROM movies WHERE id = 276372");
    assert_eq!(dup, vec![serde_json::json!({"popularity": 3.810815})]);
    // Budget 0 means return 0; the ETL's date format and year.
    let money = parquet_rows("movies", "SELECT budget, revenue, \"return\", release_date, release_year FROM movies WHERE id = 424338");
    assert_eq!(money[0]["return"], 4.0);
    assert_eq!(money[0]["release_year"].as_i64(), money[0]["release_date"].as_str().unwrap()[..4].parse().ok());
    let zero = parquet_rows("movies", "SELECT COUNT(*) AS n FROM movies WHERE budget = 0 AND \"return\" <> 0");
    assert_eq!(zero[0]["n"], 0);
    // Non-ASCII names survive.
    let names = parquet_rows("cast", "SELECT COUNT(*) AS n FROM \"cast\" WHERE name IN ('Zoë Ørnås', 'José Núñez')");
    assert!(names[0]["n"].as_i64().unwrap() > 0);
}
