//! The SQL scripts of sql/, embedded at compile time, and a runner for them.

use anyhow::{Context, Result};
use datafusion::prelude::SessionContext;

include!(concat!(env!("OUT_DIR"), "/sql_scripts.rs"));

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

/// Runs every statement of every script, in order; errors name the script.
pub async fn run_scripts(ctx: &SessionContext, scripts: &[(&str, &str)], stage: &str) -> Result<()> {
    for (name, script) in scripts {
        let mut clock = std::time::Instant::now();
        for (i, statement) in statements(script).iter().enumerate() {
            let df = ctx
                .sql(statement)
                .await
                .with_context(|| format!("sql/{stage}/{name}, statement {}: planning failed", i + 1))?;
            df.collect()
                .await
                .with_context(|| format!("sql/{stage}/{name}, statement {}: execution failed", i + 1))?;
        }
        crate::stages::trace(&format!("sql/{stage}/{name}"), &mut clock);
    }
    Ok(())
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
    fn embedded_etl_scripts_are_ordered() {
        let names: Vec<&str> = ETL.iter().map(|(n, _)| *n).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert!(names.len() >= 4);
    }
}
