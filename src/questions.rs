//! The questions of the three assignment variants: their inputs, the SQL table that
//! answers each for every input, and the sentence each answer carries.

use serde_json::{Map, Value};

use crate::normalize::{self, Alias, MONTH_ALIASES};

/// One question of the assignment.
pub struct Question {
    pub name: &'static str,
    /// Assignment variants that ask it.
    pub variants: &'static [&'static str],
    /// The parameter's name in the assignment.
    pub input: &'static str,
    /// The answer field that shows the input as the data spells it.
    pub input_field: &'static str,
    pub description: &'static str,
    /// Builds the assignment's sentence from an answer's fields.
    pub sentence: fn(&Map<String, Value>) -> String,
    /// Puts an answer's lists in order before its sentence is written (SQL
    /// aggregates them unordered, see queries::sort_list).
    pub finish: fn(&mut Map<String, Value>),
}

fn no_lists(_: &mut Map<String, Value>) {}

fn films_by_date(a: &mut Map<String, Value>) {
    if let Some(films) = a.get_mut("peliculas") {
        crate::queries::sort_list(films, &["fecha", "movie_id"]);
    }
}

fn recommendations_by_rank(a: &mut Map<String, Value>) {
    if let Some(detail) = a.get_mut("detalle") {
        crate::queries::sort_list(detail, &["rank"]);
        let titles: Vec<Value> = detail
            .as_array()
            .map(|d| d.iter().map(|r| Value::String(r["titulo"].as_str().unwrap_or_default().to_string())).collect())
            .unwrap_or_default();
        a.insert("lista recomendada".to_string(), Value::Array(titles));
    }
}

impl Question {
    pub fn table(&self) -> String {
        format!("q_{}", self.name)
    }

    /// Other spellings of the input and the key each means. They belong to a kind of
    /// input, not to every question: "setiembre" is a month, and may be a title too.
    pub fn aliases(&self) -> &'static [Alias] {
        if self.input == "mes" { MONTH_ALIASES } else { &[] }
    }

    /// The key an input resolves to for this question: normalised, then aliased.
    pub fn key(&self, input: &str) -> String {
        normalize::lookup_key(input, self.aliases().iter().copied())
    }
}

const JUNE: &str = "junio 2023";
const JULY: &str = "julio 2023";
const MAY: &str = "mayo 2023";

pub const QUESTIONS: &[Question] = &[
    Question {
        name: "cantidad_filmaciones_mes",
        variants: &[JUNE],
        input: "mes",
        input_field: "mes",
        description: "Movies released in a month (Spanish month name).",
        finish: no_lists,
        sentence: |a| format!("{} cantidad de películas fueron estrenadas en el mes de {}", int(a, "cantidad"), text(a, "mes")),
    },
    Question {
        name: "cantidad_filmaciones_dia",
        variants: &[JUNE],
        input: "dia",
        input_field: "dia",
        description: "Movies released on a day of the week (Spanish day name).",
        finish: no_lists,
        sentence: |a| format!("{} cantidad de películas fueron estrenadas en los días {}", int(a, "cantidad"), text(a, "dia")),
    },
    Question {
        name: "score_titulo",
        variants: &[JUNE],
        input: "titulo",
        input_field: "titulo",
        description: "Release year and popularity score of every movie with this title.",
        finish: no_lists,
        sentence: |a| {
            format!(
                "La película {} fue estrenada en el año {} con un score/popularidad de {}",
                text(a, "titulo"),
                year(a, "anio"),
                decimal(a, "popularidad", 2)
            )
        },
    },
    Question {
        name: "votos_titulo",
        variants: &[JUNE],
        input: "titulo",
        input_field: "titulo",
        description: "Vote count and average of every movie with this title, only for movies with at least 2000 votes.",
        finish: no_lists,
        sentence: |a| {
            if a.get("cumple_condicion") == Some(&Value::Bool(true)) {
                format!(
                    "La película {} fue estrenada en el año {}. La misma cuenta con un total de {} valoraciones, con un promedio de {}",
                    text(a, "titulo"),
                    year(a, "anio"),
                    int(a, "voto_total"),
                    decimal(a, "voto_promedio", 1)
                )
            } else {
                format!(
                    "La película {} ({}) no cumple la condición de tener al menos 2000 valoraciones, por lo que no se devuelve ningún valor",
                    text(a, "titulo"),
                    year(a, "anio")
                )
            }
        },
    },
    Question {
        name: "get_actor",
        variants: &[JUNE],
        input: "nombre_actor",
        input_field: "actor",
        description: "Films an actor appears in (cast only), their total return and the average per film.",
        finish: no_lists,
        sentence: |a| {
            format!(
                "El actor {} ha participado de {} cantidad de filmaciones, el mismo ha conseguido un retorno de {} con un promedio de {} por filmación",
                text(a, "actor"),
                int(a, "cantidad_filmaciones"),
                decimal(a, "retorno_total", 2),
                decimal(a, "retorno_promedio", 2)
            )
        },
    },
    Question {
        name: "get_director",
        variants: &[JUNE],
        input: "nombre_director",
        input_field: "director",
        description: "A director's total return, and each film's title, date, return, budget and revenue.",
        finish: films_by_date,
        sentence: |a| {
            let films: Vec<String> = a
                .get("peliculas")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(Value::as_object)
                        .map(|p| {
                            format!(
                                "{} ({}): retorno {}, costo {}, ganancia {}",
                                text(p, "titulo"),
                                text(p, "fecha"),
                                decimal(p, "retorno", 2),
                                int(p, "budget"),
                                int(p, "revenue")
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            format!(
                "El director {} ha conseguido un retorno total de {} con {} películas: {}",
                text(a, "director"),
                decimal(a, "retorno_total_director", 2),
                int(a, "cantidad_peliculas"),
                films.join("; ")
            )
        },
    },
    Question {
        name: "peliculas_idioma",
        variants: &[JULY],
        input: "idioma",
        input_field: "idioma",
        description: "Movies whose original language is this code (as in the data: en, fr, ja...).",
        finish: no_lists,
        sentence: |a| format!("{} cantidad de películas fueron estrenadas en idioma {}", int(a, "cantidad"), text(a, "idioma")),
    },
    Question {
        name: "peliculas_duracion",
        variants: &[JULY],
        input: "pelicula",
        input_field: "pelicula",
        description: "Runtime (minutes) and year of every movie with this title.",
        finish: no_lists,
        sentence: |a| format!("{}. Duración: {}. Año: {}", text(a, "pelicula"), decimal(a, "duracion", 0), year(a, "anio")),
    },
    Question {
        name: "franquicia",
        variants: &[JULY, MAY],
        input: "franquicia",
        input_field: "franquicia",
        description: "Movies in a collection, their total and average revenue.",
        finish: no_lists,
        sentence: |a| {
            format!(
                "La franquicia {} posee {} peliculas, una ganancia total de {} y una ganancia promedio de {}",
                text(a, "franquicia"),
                int(a, "cantidad"),
                int(a, "ganancia_total"),
                decimal(a, "ganancia_promedio", 2)
            )
        },
    },
    Question {
        name: "peliculas_pais",
        variants: &[JULY, MAY],
        input: "pais",
        input_field: "pais",
        description: "Movies produced in a country (production_countries name, as in the data).",
        finish: no_lists,
        sentence: |a| format!("Se produjeron {} películas en el país {}", int(a, "cantidad"), text(a, "pais")),
    },
    Question {
        name: "productoras_exitosas",
        variants: &[JULY],
        input: "productora",
        input_field: "productora",
        description: "Total revenue and number of movies of a production company.",
        finish: no_lists,
        sentence: |a| {
            format!(
                "La productora {} ha tenido un revenue de {} con {} películas",
                text(a, "productora"),
                int(a, "revenue_total"),
                int(a, "cantidad")
            )
        },
    },
    Question {
        name: "peliculas_mes",
        variants: &[MAY],
        input: "mes",
        input_field: "mes",
        description: "Movies released in a month (May variant, same figures as cantidad_filmaciones_mes).",
        finish: no_lists,
        sentence: |a| format!("{} cantidad de películas fueron estrenadas en el mes de {}", int(a, "cantidad"), text(a, "mes")),
    },
    Question {
        name: "peliculas_dia",
        variants: &[MAY],
        input: "dia",
        input_field: "dia",
        description: "Movies released on a day of the week (May variant).",
        finish: no_lists,
        sentence: |a| format!("{} cantidad de películas fueron estrenadas en los días {}", int(a, "cantidad"), text(a, "dia")),
    },
    Question {
        name: "productoras",
        variants: &[MAY],
        input: "productora",
        input_field: "productora",
        description: "Total revenue (ganancia) and number of movies of a production company (May variant).",
        finish: no_lists,
        sentence: |a| {
            format!(
                "La productora {} ha tenido una ganancia total de {} con {} películas",
                text(a, "productora"),
                int(a, "ganancia_total"),
                int(a, "cantidad")
            )
        },
    },
    Question {
        name: "retorno",
        variants: &[MAY],
        input: "pelicula",
        input_field: "pelicula",
        description: "Budget (inversion), revenue (ganancia), return and year of every movie with this title.",
        finish: no_lists,
        sentence: |a| {
            format!(
                "La película {} ({}) tuvo una inversión de {}, una ganancia de {} y un retorno de {}",
                text(a, "pelicula"),
                year(a, "anio"),
                int(a, "inversion"),
                int(a, "ganancia"),
                decimal(a, "retorno", 2)
            )
        },
    },
    Question {
        name: "recomendacion",
        variants: &[JUNE, JULY, MAY],
        input: "titulo",
        input_field: "titulo",
        description: "The five most similar movies, most similar first (TF-IDF cosine over every movie).",
        finish: recommendations_by_rank,
        sentence: |a| {
            let list: Vec<&str> = a
                .get("lista recomendada")
                .and_then(Value::as_array)
                .map(|l| l.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            format!("Películas recomendadas para {} ({}): {}", text(a, "titulo"), year(a, "anio"), list.join(", "))
        },
    },
];

pub fn find(name: &str) -> Option<&'static Question> {
    QUESTIONS.iter().find(|q| q.name == name)
}

/// Text as it is; a missing value reads "sin dato".
pub fn text(a: &Map<String, Value>, field: &str) -> String {
    match a.get(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "sin dato".to_string(),
        Some(other) => other.to_string(),
    }
}

/// A year, printed without grouping.
fn year(a: &Map<String, Value>, field: &str) -> String {
    a.get(field).and_then(Value::as_i64).map_or_else(|| "sin dato".to_string(), |y| y.to_string())
}

/// An integer with thousands separators: 1,234,567.
pub fn int(a: &Map<String, Value>, field: &str) -> String {
    match a.get(field).and_then(Value::as_f64) {
        Some(v) => group_thousands(&format!("{:.0}", v)),
        None => "sin dato".to_string(),
    }
}

/// A number with `places` decimals and thousands separators: 1,234.57.
pub fn decimal(a: &Map<String, Value>, field: &str, places: usize) -> String {
    match a.get(field).and_then(Value::as_f64) {
        Some(v) => {
            let fixed = format!("{:.*}", places, v);
            match fixed.split_once('.') {
                Some((whole, frac)) => format!("{}.{}", group_thousands(whole), frac),
                None => group_thousands(&fixed),
            }
        }
        None => "sin dato".to_string(),
    }
}

fn group_thousands(digits: &str) -> String {
    let (sign, digits) = digits.strip_prefix('-').map_or(("", digits), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn numbers_read_well() {
        let a = obj(json!({"n": 1234567, "f": 1234.5678, "neg": -1234.5, "small": 0.004, "none": null}));
        assert_eq!(int(&a, "n"), "1,234,567");
        assert_eq!(decimal(&a, "f", 2), "1,234.57");
        assert_eq!(decimal(&a, "neg", 1), "-1,234.5");
        assert_eq!(decimal(&a, "small", 2), "0.00");
        assert_eq!(int(&a, "none"), "sin dato");
        assert_eq!(int(&a, "missing"), "sin dato");
    }

    #[test]
    fn votes_sentence_honours_the_2000_rule() {
        let q = find("votos_titulo").unwrap();
        let met = obj(json!({"titulo": "Toy Story", "anio": 1995, "cumple_condicion": true, "voto_total": 5415, "voto_promedio": 7.7}));
        assert_eq!(
            (q.sentence)(&met),
            "La película Toy Story fue estrenada en el año 1995. La misma cuenta con un total de 5,415 valoraciones, con un promedio de 7.7"
        );
        let unmet = obj(json!({"titulo": "X", "anio": 2001, "cumple_condicion": false, "voto_total": null}));
        assert!((q.sentence)(&unmet).contains("no cumple la condición de tener al menos 2000 valoraciones"));
    }

    #[test]
    fn question_names_are_unique_and_cover_the_spec() {
        let mut names: Vec<&str> = QUESTIONS.iter().map(|q| q.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), QUESTIONS.len());
        assert_eq!(QUESTIONS.len(), 16);
    }

    #[test]
    fn only_month_questions_have_aliases() {
        for q in QUESTIONS {
            assert_eq!(!q.aliases().is_empty(), q.input == "mes", "{}", q.name);
        }
        assert_eq!(find("cantidad_filmaciones_mes").unwrap().key("Setiembre"), "septiembre");
        assert_eq!(find("peliculas_mes").unwrap().key(" SETIEMBRE"), "septiembre");
        assert_eq!(find("score_titulo").unwrap().key("Setiembre"), "setiembre");
        assert_eq!(find("recomendacion").unwrap().key("setiembre"), "setiembre");
    }
}
