//! The SQL scripts of sql/, compiled into the binary (so an installed `marquee`
//! needs no source tree), and run in the order their tables require.
//!
//! Each registry owns its scripts (a question its query, a source its ETL script, a
//! page kind its page tables) through the [`sql!`](crate::sql) macro. What a script
//! creates and reads is read from the SQL itself, with DataFusion's own parser: a
//! script runs after the scripts that create the tables it reads, whatever its
//! file name, and a script that reads a table nobody makes is an error.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};
use datafusion::prelude::SessionContext;

use crate::foundation::timing::{trace, trace_note};

/// One SQL file of sql/, by its path there and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Script {
    /// Path under sql/, e.g. `queries/franquicia.sql`.
    pub path: &'static str,
    pub text: &'static str,
}

/// `sql!("queries/franquicia.sql")`: that file of sql/ as a [`Script`], embedded.
#[macro_export]
macro_rules! sql {
    ($path:literal) => {
        $crate::foundation::engine::scripts::Script { path: $path, text: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/sql/", $path)) }
    };
}

/// The recommend stage's documents and raters.
pub const RECOMMEND: &[Script] = &[crate::sql!("recommend/documents.sql")];

/// Splits a script into statements at `;`, ignoring those inside quotes and comments.
pub fn statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = script.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                current.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                current.push(c);
            }
            None if c == '-' && chars.peek() == Some(&'-') => {
                for skipped in chars.by_ref() {
                    if skipped == '\n' {
                        current.push('\n');
                        break;
                    }
                }
            }
            None if c == ';' => {
                if !current.trim().is_empty() {
                    out.push(current.trim().to_string());
                }
                current.clear();
            }
            None => current.push(c),
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

/// What one script does to the catalogue, read from its statements.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Effects {
    pub creates: BTreeSet<String>,
    pub reads: BTreeSet<String>,
    pub drops: BTreeSet<String>,
}

/// The table a `CREATE [OR REPLACE] TABLE|VIEW [IF NOT EXISTS] name` or
/// `DROP TABLE|VIEW [IF EXISTS] name` statement names, as DataFusion resolves it
/// (unquoted names lower-cased).
fn named_table(statement: &str, verb: &str) -> Option<String> {
    let mut words = statement.split_whitespace();
    if !words.next()?.eq_ignore_ascii_case(verb) {
        return None;
    }
    let mut word = words.next()?;
    if word.eq_ignore_ascii_case("or") {
        words.next()?;
        word = words.next()?;
    }
    if !(word.eq_ignore_ascii_case("table") || word.eq_ignore_ascii_case("view")) {
        return None;
    }
    let mut name = words.next()?;
    while ["if", "not", "exists"].iter().any(|w| name.eq_ignore_ascii_case(w)) {
        name = words.next()?;
    }
    let name = name.trim_end_matches(['(', ';']);
    Some(match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(quoted) => quoted.to_string(),
        None => name.to_lowercase(),
    })
}

/// The tables a script creates, reads and drops. Reads come from DataFusion's parser
/// (CTEs excluded); a table the script made itself is not a read.
pub fn effects(ctx: &SessionContext, script: &Script) -> Result<Effects> {
    let state = ctx.state();
    let dialect = state.config().options().sql_parser.dialect;
    let mut effects = Effects::default();
    for (i, statement) in statements(script.text).iter().enumerate() {
        let parsed = state
            .sql_to_statement(statement, &dialect)
            .with_context(|| format!("sql/{}, statement {}: parsing failed", script.path, i + 1))?;
        let created = named_table(statement, "create");
        let dropped = named_table(statement, "drop");
        for table in state.resolve_table_references(&parsed)? {
            let name = table.table().to_string();
            if Some(&name) != created.as_ref() && Some(&name) != dropped.as_ref() && !effects.creates.contains(&name) {
                effects.reads.insert(name);
            }
        }
        if let Some(name) = created {
            effects.creates.insert(name);
        }
        if let Some(name) = dropped {
            if !effects.creates.contains(&name) {
                effects.reads.insert(name.clone());
            }
            effects.drops.insert(name);
        }
    }
    Ok(effects)
}

/// The scripts in an order that runs each after the scripts creating what it reads,
/// and each that drops a table after every script reading it; otherwise in the given
/// order. Tables already in `ctx` count as made. Errors name the script.
pub fn in_dependency_order(ctx: &SessionContext, scripts: &[Script]) -> Result<Vec<Script>> {
    let effects: Vec<Effects> = scripts.iter().map(|s| effects(ctx, s)).collect::<Result<_>>()?;
    let mut creator: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, e) in effects.iter().enumerate() {
        for table in &e.creates {
            if let Some(other) = creator.insert(table, i) {
                bail!("sql/{} and sql/{} both create {table}", scripts[other].path, scripts[i].path);
            }
        }
    }
    let mut after: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); scripts.len()];
    for (i, e) in effects.iter().enumerate() {
        for table in &e.reads {
            match creator.get(table.as_str()) {
                Some(&c) if c != i => {
                    after[i].insert(c);
                }
                Some(_) => {}
                None if ctx.table_exist(table.as_str())? => {}
                None => bail!("sql/{} reads {table}, which no script creates and no earlier stage made", scripts[i].path),
            }
        }
        for table in &e.drops {
            for (j, other) in effects.iter().enumerate() {
                if j != i && other.reads.contains(table) {
                    after[i].insert(j);
                }
            }
        }
    }
    let mut order = Vec::with_capacity(scripts.len());
    let mut done = vec![false; scripts.len()];
    while order.len() < scripts.len() {
        let Some(next) = (0..scripts.len()).find(|&i| !done[i] && after[i].iter().all(|&j| done[j])) else {
            let stuck: Vec<&str> = (0..scripts.len()).filter(|&i| !done[i]).map(|i| scripts[i].path).collect();
            bail!("these scripts wait on each other: sql/{}", stuck.join(", sql/"));
        };
        done[next] = true;
        order.push(scripts[next]);
    }
    Ok(order)
}

/// Runs the scripts, each after those whose tables it reads; errors name the script.
pub async fn run_scripts(ctx: &SessionContext, scripts: &[Script]) -> Result<()> {
    for script in in_dependency_order(ctx, scripts)? {
        run_script(ctx, &script).await?;
    }
    Ok(())
}

/// Runs one script's statements in turn; errors name the script and the statement.
pub async fn run_script(ctx: &SessionContext, script: &Script) -> Result<()> {
    let mut clock = std::time::Instant::now();
    let mut statement_clock = std::time::Instant::now();
    for (i, statement) in statements(script.text).iter().enumerate() {
        let level = std::env::var("MARQUEE_TRACE").unwrap_or_default();
        if level == "3" {
            explain_analyze(ctx, statement).await?;
        }
        let df = ctx.sql(statement).await.with_context(|| format!("sql/{}, statement {}: planning failed", script.path, i + 1))?;
        df.collect().await.with_context(|| format!("sql/{}, statement {}: execution failed", script.path, i + 1))?;
        if level == "2" {
            trace(&format!("  statement {}", i + 1), &mut statement_clock);
        }
    }
    trace(&format!("sql/{}", script.path), &mut clock);
    Ok(())
}

/// With MARQUEE_TRACE=3: the query of a `CREATE TABLE ... AS` run once more under
/// EXPLAIN ANALYZE, its plan printed with each operator's rows and time (profiling only:
/// the query runs twice).
async fn explain_analyze(ctx: &SessionContext, statement: &str) -> Result<()> {
    let upper = statement.to_uppercase();
    let Some(at) = upper.find(" AS\n").filter(|_| upper.trim_start().starts_with("CREATE TABLE")) else { return Ok(()) };
    let batches = ctx.sql(&format!("EXPLAIN ANALYZE {}", &statement[at + 4..])).await?.collect().await?;
    trace_note(&datafusion::arrow::util::pretty::pretty_format_batches(&batches)?.to_string());
    Ok(())
}

/// Every .sql file under `sql/<dir>`, for the tests that check each belongs to a registry.
pub fn files_on_disk(dir: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sql").join(dir);
    let mut names: Vec<String> = std::fs::read_dir(path)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| format!("{dir}/{}", e.file_name().to_string_lossy())).collect())
        .unwrap_or_default();
    names.retain(|n| n.ends_with(".sql"));
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_semicolons_outside_quotes_and_comments() {
        let script = "-- a comment; with a semicolon\nSELECT 'a;b' AS \"x;y\";\n\nSELECT 2; -- trailing;\n";
        assert_eq!(statements(script), vec!["SELECT 'a;b' AS \"x;y\"", "SELECT 2"]);
    }

    #[test]
    fn recommend_scripts_are_every_file_of_sql_recommend() {
        let embedded: Vec<&str> = RECOMMEND.iter().map(|s| s.path).collect();
        assert_eq!(embedded, files_on_disk("recommend"));
    }

    const MAKE_A: Script = Script { path: "a.sql", text: "CREATE TABLE a AS SELECT 1 AS x;" };
    const MAKE_B: Script = Script { path: "b.sql", text: "-- reads a\nCREATE VIEW b AS WITH t AS (SELECT x FROM a) SELECT x FROM t;" };
    const DROP_A: Script = Script { path: "c.sql", text: "CREATE TABLE \"Cast\" AS SELECT * FROM b; DROP TABLE a;" };

    #[test]
    fn effects_come_from_the_sql() {
        let ctx = SessionContext::new();
        let b = effects(&ctx, &MAKE_B).unwrap();
        assert_eq!(b.creates, BTreeSet::from(["b".to_string()]));
        assert_eq!(b.reads, BTreeSet::from(["a".to_string()]), "the CTE t is not a table");
        let c = effects(&ctx, &DROP_A).unwrap();
        assert_eq!(c.creates, BTreeSet::from(["Cast".to_string()]));
        assert_eq!(c.drops, BTreeSet::from(["a".to_string()]));
        assert_eq!(named_table("create or replace view IF NOT EXISTS Foo AS", "create").as_deref(), Some("foo"));
        assert_eq!(named_table("DROP TABLE IF EXISTS \"cast\"", "drop").as_deref(), Some("cast"));
    }

    #[test]
    fn order_follows_what_scripts_read_not_their_names() {
        let ctx = SessionContext::new();
        for given in [vec![DROP_A, MAKE_B, MAKE_A], vec![MAKE_A, MAKE_B, DROP_A], vec![MAKE_B, DROP_A, MAKE_A]] {
            let order: Vec<&str> = in_dependency_order(&ctx, &given).unwrap().iter().map(|s| s.path).collect();
            assert_eq!(order, ["a.sql", "b.sql", "c.sql"]);
        }
        let unknown = in_dependency_order(&ctx, &[MAKE_B]).unwrap_err().to_string();
        assert!(unknown.contains("sql/b.sql reads a"), "{unknown}");
        let twice = in_dependency_order(&ctx, &[MAKE_A, MAKE_A]).unwrap_err().to_string();
        assert!(twice.contains("both create a"), "{twice}");
    }

    #[tokio::test]
    async fn scripts_run_in_dependency_order() {
        let ctx = SessionContext::new();
        run_scripts(&ctx, &[DROP_A, MAKE_B, MAKE_A]).await.unwrap();
        assert!(ctx.table_exist("\"Cast\"").unwrap(), "quoted names keep their case");
        assert!(!ctx.table_exist("a").unwrap());
    }
}
