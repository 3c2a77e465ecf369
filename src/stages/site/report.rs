//! The data report: report.html, with the row accounting, column statistics,
//! histograms, correlations, outliers and top lists as inline SVG charts (drawn by
//! `charts`), each with its data as a table.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use minijinja::context;
use serde_json::{Map, Value, json};

use super::values::rows;
use super::{Site, Written, charts};
use crate::foundation::format;
use crate::foundation::tables;

/// How a histogram's bucket values read under its bars (report_histograms.buckets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BucketLabels {
    /// Bucket n holds values from 10^n: labelled 10ⁿ.
    PowerOfTen,
    /// Half steps: one decimal, with a decimal comma.
    Halves,
    Whole,
}

impl BucketLabels {
    fn from_sql(text: &str) -> Option<BucketLabels> {
        match text {
            "power_of_ten" => Some(BucketLabels::PowerOfTen),
            "halves" => Some(BucketLabels::Halves),
            "whole" => Some(BucketLabels::Whole),
            _ => None,
        }
    }

    fn label(self, bucket: f64) -> String {
        match self {
            BucketLabels::PowerOfTen => format!("10{}", superscript(&format!("{bucket:.0}"))),
            BucketLabels::Halves => format::spanish_decimal(bucket, 1),
            BucketLabels::Whole => format!("{bucket:.0}"),
        }
    }
}

/// An exponent in superscript digits: "6" -> "⁶", "-1" -> "⁻¹".
fn superscript(digits: &str) -> String {
    digits
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            d => d.to_digit(10).map_or(d, |d| ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'][d as usize]),
        })
        .collect()
}

/// The report's numeric columns, in the heatmap's order, with their Spanish names.
const CORRELATED: &[(&str, &str)] = &[
    ("budget", "presupuesto"),
    ("revenue", "recaudación"),
    ("runtime", "duración"),
    ("popularity", "popularidad"),
    ("vote_average", "valoración media"),
    ("vote_count", "votos"),
];

/// A chart as report.html shows it: caption, SVG, and its table alternative.
fn figure(title: &str, chart: charts::Chart, columns: &[&str]) -> Value {
    json!({"title": title, "svg": chart.svg, "rows": chart.rows, "columns": columns})
}

async fn scatter(site: &Site<'_>) -> Result<Value> {
    let bins: Vec<(f64, f64, f64)> = rows(site.ctx, tables::REPORT_SCATTER)
        .await?
        .iter()
        .map(|b| (b["budget_from"].as_f64().unwrap_or(0.0), b["revenue_from"].as_f64().unwrap_or(0.0), b["movies"].as_f64().unwrap_or(0.0)))
        .collect();
    let title = "presupuesto frente a recaudación (películas con ambos > 0, agrupadas en tramos 1-2-5)";
    let chart = charts::scatter(site.writer.env, title, &bins)?;
    Ok(figure(title, chart, &["presupuesto (US$)", "recaudación (US$)", "películas"]))
}

async fn heatmap(site: &Site<'_>) -> Result<Value> {
    let mut pairs: BTreeMap<(String, String), Option<f64>> = BTreeMap::new();
    for p in rows(site.ctx, tables::REPORT_CORRELATION_PAIRS).await? {
        let (a, b) = (p["a"].as_str().unwrap_or_default().to_string(), p["b"].as_str().unwrap_or_default().to_string());
        let r = p["r"].as_f64().filter(|r| r.is_finite());
        pairs.insert((b.clone(), a.clone()), r);
        pairs.insert((a, b), r);
    }
    let labels: Vec<&str> = CORRELATED.iter().map(|c| c.1).collect();
    let r = |i: usize, j: usize| {
        if i == j { Some(1.0) } else { pairs.get(&(CORRELATED[i].0.to_string(), CORRELATED[j].0.to_string())).copied().flatten() }
    };
    let title = "correlación de Pearson (películas con presupuesto y recaudación > 0)";
    let chart = charts::heatmap(site.writer.env, title, &labels, r)?;
    let mut columns = vec![""];
    columns.extend(&labels);
    Ok(figure(title, chart, &columns))
}

pub async fn render(site: &Site<'_>) -> Result<Written> {
    let (ctx, writer, accounting) = (site.ctx, &site.writer, site.accounting);
    let columns = rows(ctx, tables::REPORT_COLUMNS).await?;
    let mut histograms = Vec::new();
    let mut by_chart: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
    for h in rows(ctx, tables::REPORT_HISTOGRAMS).await? {
        let chart = h["chart"].as_str().unwrap_or_default().to_string();
        let bucket = h["bucket"].as_f64().unwrap_or_default();
        let buckets = h["buckets"].as_str().unwrap_or_default();
        let label = BucketLabels::from_sql(buckets).with_context(|| format!("{chart}: unknown buckets {buckets:?}"))?.label(bucket);
        by_chart.entry(chart).or_default().push((label, h["movies"].as_f64().unwrap_or_default()));
    }
    for (title, bars) in &by_chart {
        histograms.push(figure(title, charts::bars(writer.env, title, bars)?, &[charts::category_title(title), "películas"]));
    }
    let correlations = rows(ctx, tables::REPORT_CORRELATIONS).await?;
    let outliers = rows(ctx, tables::REPORT_OUTLIERS).await?;
    let mut top: BTreeMap<String, Vec<Map<String, Value>>> = BTreeMap::new();
    for t in rows(ctx, tables::REPORT_TOP).await? {
        top.entry(t["list"].as_str().unwrap_or_default().to_string()).or_default().push(t);
    }
    let mut top_charts = Vec::new();
    for (title, list) in top.iter_mut() {
        list.sort_by(|a, b| b["value"].as_i64().cmp(&a["value"].as_i64()).then(a["label"].as_str().cmp(&b["label"].as_str())));
        let bars: Vec<(String, f64)> =
            list.iter().map(|t| (t["label"].as_str().unwrap_or("").to_string(), t["value"].as_f64().unwrap_or(0.0))).collect();
        top_charts.push(figure(title, charts::bars(writer.env, title, &bars)?, &[charts::category_title(title), "películas"]));
    }
    let bytes = writer.page(
        "",
        "report.html",
        "report.html",
        context! {
            root => ".",
            inputs => &accounting.inputs,
            tables => &accounting.tables,
            columns => columns,
            charts => histograms,
            correlations => correlations,
            outliers => outliers,
            top_charts => top_charts,
            scatter => scatter(site).await?,
            heatmap => heatmap(site).await?,
        },
    )?;
    Ok(Written { pages: 1, bytes, other_files: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bucket_kind_the_sql_uses_has_labels() {
        let sql = crate::stages::site::PAGE_KINDS.iter().find(|k| k.name == "report").and_then(|k| k.sql).unwrap().text;
        for kind in ["power_of_ten", "halves", "whole"] {
            assert!(sql.contains(&format!("'{kind}'")), "{kind}");
            assert!(BucketLabels::from_sql(kind).is_some());
        }
        assert_eq!(BucketLabels::PowerOfTen.label(6.0), "10⁶");
        assert_eq!(BucketLabels::PowerOfTen.label(-1.0), "10⁻¹");
        assert_eq!(BucketLabels::Halves.label(7.5), "7,5");
        assert_eq!(BucketLabels::Whole.label(1990.0), "1990");
    }
}
