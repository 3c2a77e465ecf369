//! The registry of questions. A question owns everything about itself: the SQL that
//! answers it for every input (`sql/queries/<name>.sql`, creating `q_<name>`), its input,
//! its sentence, and the answers it must give on the bundled sample (checked by
//! tests/sample.rs). Adding a question is its SQL file plus one entry here.

use serde_json::{Map, Value};

use crate::foundation::cells::sort_list;

use crate::foundation::engine::scripts::Script;
use crate::foundation::format;
use crate::foundation::published::normalize::{self, Alias, MONTH_ALIASES};
use crate::settings::MIN_VOTES;
use crate::sql;

/// One question of the assignment.
pub struct Question {
    pub name: &'static str,
    /// `sql/queries/<name>.sql`: creates `q_<name>` with a `key` column and the answer's fields.
    pub sql: Script,
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
    /// aggregates them unordered, see `foundation::cells::sort_list`).
    pub finish: fn(&mut Map<String, Value>),
    /// Whose person page shows this question's answer, if anyone's.
    pub person_page: Option<Role>,
    /// (input, sentence) pairs this question must answer on data/sample.
    pub sample: &'static [(&'static str, &'static str)],
}

/// The part a person plays in the answers a person page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Actor,
    Director,
}

fn no_lists(_: &mut Map<String, Value>) {}

fn films_by_date(a: &mut Map<String, Value>) {
    if let Some(films) = a.get_mut("peliculas") {
        sort_list(films, &["fecha", "movie_id"]);
    }
}

fn recommendations_by_rank(a: &mut Map<String, Value>) {
    if let Some(detail) = a.get_mut("detalle") {
        sort_list(detail, &["rank"]);
        let titles: Vec<Value> = detail
            .as_array()
            .map(|d| d.iter().map(|r| Value::String(r["titulo"].as_str().unwrap_or_default().to_string())).collect())
            .unwrap_or_default();
        a.insert("lista recomendada".to_string(), Value::Array(titles));
    }
}

impl Question {
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

/// Tables several questions read (Spanish month and day names, calendar, person names).
pub const SHARED: Script = sql!("queries/shared.sql");

pub const QUESTIONS: &[Question] = &[
    Question {
        name: "cantidad_filmaciones_mes",
        sql: sql!("queries/cantidad_filmaciones_mes.sql"),
        person_page: None,
        sample: &[("Abril", "16 cantidad de películas fueron estrenadas en el mes de abril")],
        variants: &[JUNE],
        input: "mes",
        input_field: "mes",
        description: "Películas estrenadas en un mes (nombre del mes en español).",
        finish: no_lists,
        sentence: |a| format!("{} cantidad de películas fueron estrenadas en el mes de {}", int(a, "cantidad"), text(a, "mes")),
    },
    Question {
        name: "cantidad_filmaciones_dia",
        sql: sql!("queries/cantidad_filmaciones_dia.sql"),
        person_page: None,
        sample: &[("Domingo", "33 cantidad de películas fueron estrenadas en los días domingo")],
        variants: &[JUNE],
        input: "dia",
        input_field: "dia",
        description: "Películas estrenadas en un día de la semana (nombre del día en español).",
        finish: no_lists,
        sentence: |a| format!("{} cantidad de películas fueron estrenadas en los días {}", int(a, "cantidad"), text(a, "dia")),
    },
    Question {
        name: "score_titulo",
        sql: sql!("queries/score_titulo.sql"),
        person_page: None,
        sample: &[
            ("titanic", "La película Titanic fue estrenada en el año 1953 con un score/popularidad de 8.47"),
            ("titanic", "La película Titanic fue estrenada en el año 1997 con un score/popularidad de 7.22"),
        ],
        variants: &[JUNE],
        input: "titulo",
        input_field: "titulo",
        description: "Año de estreno y puntuación de popularidad de cada película con este título.",
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
        sql: sql!("queries/votos_titulo.sql"),
        person_page: None,
        sample: &[
            (
                "Home Comeback",
                "La película Home Comeback fue estrenada en el año 1986. La misma cuenta con un total de 2000 valoraciones, con un promedio de 7.5",
            ),
            (
                "Pale Drift",
                "La película Pale Drift (1969) no cumple la condición de tener al menos 2000 valoraciones, por lo que no se devuelve ningún valor",
            ),
        ],
        variants: &[JUNE],
        input: "titulo",
        input_field: "titulo",
        description: "Cantidad de votos y promedio de cada película con este título, solo para películas con al menos 2000 votos.",
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
                    "La película {} ({}) no cumple la condición de tener al menos {MIN_VOTES} valoraciones, por lo que no se devuelve ningún valor",
                    text(a, "titulo"),
                    year(a, "anio")
                )
            }
        },
    },
    Question {
        name: "get_actor",
        sql: sql!("queries/get_actor.sql"),
        person_page: Some(Role::Actor),
        sample: &[(
            "Declan O'Shea",
            "El actor Declan O'Shea ha participado de 17 cantidad de filmaciones, el mismo ha conseguido un retorno de 8.14 con un promedio de 0.48 por filmación",
        )],
        variants: &[JUNE],
        input: "nombre_actor",
        input_field: "actor",
        description: "Películas en las que actúa una persona (solo reparto), su retorno total y el promedio por película.",
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
        sql: sql!("queries/get_director.sql"),
        person_page: Some(Role::Director),
        sample: &[(
            "Harriet Vance",
            "El director Harriet Vance ha conseguido un retorno total de 12.47 con 15 películas: Pale Bride (1951-07-02): retorno 0.00, costo 0, ganancia 0; Black Cellar (1958-09-13): retorno 0.00, costo 0, ganancia 0; Starfall (1966-07-20): retorno 0.00, costo 0, ganancia 0; Starfall II: Dark Orbit (1970-02-28): retorno 0.00, costo 0, ganancia 0; Milo and the Magic Treehouse (1972-01-03): retorno 0.00, costo 0, ganancia 0; Starfall: Exodus (1972-02-01): retorno 5.90, costo 564000, ganancia 3328153; Hollow Creek (1980-09-10): retorno 0.00, costo 0, ganancia 0; Hollow Creek II (1983-08-25): retorno 0.00, costo 0, ganancia 0; Hollow Creek: Revenant (1988-05-21): retorno 0.00, costo 0, ganancia 0; Hollow Creek: The Final Night (1990-09-02): retorno 0.00, costo 0, ganancia 0; The Double Score (2000-02-22): retorno 0.00, costo 456000, ganancia 0; Perfect Split (2004-03-15): retorno 0.00, costo 0, ganancia 8685492; The Cellar at Blackmere (2004-09-23): retorno 5.50, costo 2722000, ganancia 14959685; sin dato (2009-02-13): retorno 0.00, costo 1484000, ganancia 0; Last Mile (2011-03-20): retorno 1.07, costo 1070000, ganancia 1144506",
        )],
        variants: &[JUNE],
        input: "nombre_director",
        input_field: "director",
        description: "Retorno total de un director y, de cada película, título, fecha, retorno, presupuesto y recaudación.",
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
        sql: sql!("queries/peliculas_idioma.sql"),
        person_page: None,
        sample: &[("ja", "6 cantidad de películas fueron estrenadas en idioma ja")],
        variants: &[JULY],
        input: "idioma",
        input_field: "idioma",
        description: "Películas cuyo idioma original es este código (tal como figura en los datos: en, fr, ja...).",
        finish: no_lists,
        sentence: |a| format!("{} cantidad de películas fueron estrenadas en idioma {}", int(a, "cantidad"), text(a, "idioma")),
    },
    Question {
        name: "peliculas_duracion",
        sql: sql!("queries/peliculas_duracion.sql"),
        person_page: None,
        sample: &[("Home Comeback", "Home Comeback. Duración: 110. Año: 1986")],
        variants: &[JULY],
        input: "pelicula",
        input_field: "pelicula",
        description: "Duración (minutos) y año de cada película con este título.",
        finish: no_lists,
        sentence: |a| format!("{}. Duración: {}. Año: {}", text(a, "pelicula"), decimal(a, "duracion", 0), year(a, "anio")),
    },
    Question {
        name: "franquicia",
        sql: sql!("queries/franquicia.sql"),
        person_page: None,
        sample: &[(
            "Hollow Creek Collection",
            "La franquicia Hollow Creek Collection posee 4 peliculas, una ganancia total de 0 y una ganancia promedio de 0.00",
        )],
        variants: &[JULY, MAY],
        input: "franquicia",
        input_field: "franquicia",
        description: "Películas de una colección, con su recaudación total y promedio.",
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
        sql: sql!("queries/peliculas_pais.sql"),
        person_page: None,
        sample: &[("Australia", "Se produjeron 16 películas en el país Australia")],
        variants: &[JULY, MAY],
        input: "pais",
        input_field: "pais",
        description: "Películas producidas en un país (nombre de production_countries, tal como figura en los datos).",
        finish: no_lists,
        sentence: |a| format!("Se produjeron {} películas en el país {}", int(a, "cantidad"), text(a, "pais")),
    },
    Question {
        name: "productoras_exitosas",
        sql: sql!("queries/productoras_exitosas.sql"),
        person_page: None,
        sample: &[("Ashgrove Pictures", "La productora Ashgrove Pictures ha tenido un revenue de 29525833 con 10 películas")],
        variants: &[JULY],
        input: "productora",
        input_field: "productora",
        description: "Recaudación total y cantidad de películas de una productora.",
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
        sql: sql!("queries/peliculas_mes.sql"),
        person_page: None,
        sample: &[
            ("abril", "16 cantidad de películas fueron estrenadas en el mes de abril"),
            ("Setiembre", "30 cantidad de películas fueron estrenadas en el mes de septiembre"),
        ],
        variants: &[MAY],
        input: "mes",
        input_field: "mes",
        description: "Películas estrenadas en un mes (variante de mayo, mismas cifras que cantidad_filmaciones_mes).",
        finish: no_lists,
        sentence: |a| format!("{} cantidad de películas fueron estrenadas en el mes de {}", int(a, "cantidad"), text(a, "mes")),
    },
    Question {
        name: "peliculas_dia",
        sql: sql!("queries/peliculas_dia.sql"),
        person_page: None,
        sample: &[("domingo", "33 cantidad de películas fueron estrenadas en los días domingo")],
        variants: &[MAY],
        input: "dia",
        input_field: "dia",
        description: "Películas estrenadas en un día de la semana (variante de mayo).",
        finish: no_lists,
        sentence: |a| format!("{} cantidad de películas fueron estrenadas en los días {}", int(a, "cantidad"), text(a, "dia")),
    },
    Question {
        name: "productoras",
        sql: sql!("queries/productoras.sql"),
        person_page: None,
        sample: &[("Ashgrove Pictures", "La productora Ashgrove Pictures ha tenido una ganancia total de 29525833 con 10 películas")],
        variants: &[MAY],
        input: "productora",
        input_field: "productora",
        description: "Recaudación total (ganancia) y cantidad de películas de una productora (variante de mayo).",
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
        sql: sql!("queries/retorno.sql"),
        person_page: None,
        sample: &[(
            "Benji and the Wonder Kingdom",
            "La película Benji and the Wonder Kingdom (1953) tuvo una inversión de 12000000, una ganancia de 48000000 y un retorno de 4.00",
        )],
        variants: &[MAY],
        input: "pelicula",
        input_field: "pelicula",
        description: "Presupuesto (inversion), recaudación (ganancia), retorno y año de cada película con este título.",
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
        sql: sql!("queries/recomendacion.sql"),
        person_page: None,
        sample: &[(
            "Home Comeback",
            "Películas recomendadas para Home Comeback (1986): The Inside Heist, Last Ledger, Pale Bride, Silent Cellar, Cinderella",
        )],
        variants: &[JUNE, JULY, MAY],
        input: "titulo",
        input_field: "titulo",
        description: "Las cinco películas recomendadas, la más afín primero, con los motivos de cada elección.",
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

/// A whole number as the assignment's Python API printed it (1234567); a missing
/// value reads "sin dato".
pub fn int(a: &Map<String, Value>, field: &str) -> String {
    a.get(field).and_then(Value::as_f64).map_or_else(|| "sin dato".to_string(), format::plain_integer)
}

/// A number with `places` decimals and a decimal point (1234.57).
pub fn decimal(a: &Map<String, Value>, field: &str, places: usize) -> String {
    a.get(field).and_then(Value::as_f64).map_or_else(|| "sin dato".to_string(), |v| format::plain_decimal(v, places))
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
        assert_eq!(int(&a, "n"), "1234567");
        assert_eq!(decimal(&a, "f", 2), "1234.57");
        assert_eq!(decimal(&a, "neg", 1), "-1234.5");
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
            "La película Toy Story fue estrenada en el año 1995. La misma cuenta con un total de 5415 valoraciones, con un promedio de 7.7"
        );
        let unmet = obj(json!({"titulo": "X", "anio": 2001, "cumple_condicion": false, "voto_total": null}));
        assert!((q.sentence)(&unmet).contains("no cumple la condición de tener al menos 2000 valoraciones"));
    }

    #[test]
    fn every_query_file_is_one_question_and_makes_its_table() {
        let mut names: Vec<&str> = QUESTIONS.iter().map(|q| q.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), QUESTIONS.len(), "question names are unique");
        let mut claimed: Vec<&str> = QUESTIONS.iter().map(|q| q.sql.path).chain([SHARED.path]).collect();
        claimed.sort();
        assert_eq!(claimed, crate::foundation::engine::scripts::files_on_disk("queries"));
        for q in QUESTIONS {
            assert_eq!(q.sql.path, format!("queries/{}.sql", q.name));
            assert!(q.sql.text.contains(&format!("CREATE TABLE {} AS", crate::foundation::tables::answers(q.name))), "{}", q.name);
            assert!(!q.sample.is_empty(), "{}: give the answers it must give on data/sample", q.name);
        }
        for variant in [JUNE, JULY, MAY] {
            assert!(QUESTIONS.iter().any(|q| q.variants.contains(&variant)), "{variant}");
        }
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
