//! The data report: report.html, with the row accounting, column statistics,
//! histograms, correlations, outliers and top lists as inline SVG bar charts.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use minijinja::{Environment, context};
use serde_json::{Map, Value, json};

use super::values::rows;
use super::{Site, Written};
use crate::foundation::format;
use crate::foundation::tables;
use crate::settings::{CHART_BAR_GAP, CHART_BAR_HEIGHT, CHART_BAR_WIDTH, CHART_LABEL_CHARS, CHART_LABEL_WIDTH};

/// How a histogram's bucket values read under its bars (report_histograms.buckets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BucketLabels {
    /// Bucket n holds values from 10^n: labelled `10^n`.
    PowerOfTen,
    /// Half steps: one decimal.
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
            BucketLabels::PowerOfTen => format!("10^{bucket:.0}"),
            BucketLabels::Halves => format!("{bucket:.1}"),
            BucketLabels::Whole => format!("{bucket:.0}"),
        }
    }
}

/// One bar chart as inline SVG.
fn bar_chart(env: &Environment<'static>, title: &str, bars: &[(String, f64)]) -> Result<String> {
    let max = bars.iter().map(|b| b.1).fold(0.0, f64::max).max(1.0);
    let (bar_height, gap, left, width) = (CHART_BAR_HEIGHT, CHART_BAR_GAP, CHART_LABEL_WIDTH, CHART_BAR_WIDTH);
    let items: Vec<Value> = bars
        .iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let y = i as f64 * (bar_height + gap) + 24.0;
            let label: String = if label.chars().count() > CHART_LABEL_CHARS {
                label.chars().take(CHART_LABEL_CHARS - 1).collect::<String>() + "…"
            } else {
                label.clone()
            };
            json!({"label": label, "value": format::spanish_integer(*value), "y": y, "ty": y + 13.0, "w": (value / max * width).max(1.0)})
        })
        .collect();
    let height = bars.len() as f64 * (bar_height + gap) + 30.0;
    Ok(env
        .get_template("chart.svg")?
        .render(context! { title => title, bars => items, height => height, left => left, bar_height => bar_height })?)
}

pub async fn render(site: &Site<'_>) -> Result<Written> {
    let (ctx, writer, accounting) = (site.ctx, &site.writer, site.accounting);
    let columns = rows(ctx, tables::REPORT_COLUMNS).await?;
    let mut charts = Vec::new();
    let mut by_chart: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
    for h in rows(ctx, tables::REPORT_HISTOGRAMS).await? {
        let chart = h["chart"].as_str().unwrap_or_default().to_string();
        let bucket = h["bucket"].as_f64().unwrap_or_default();
        let buckets = h["buckets"].as_str().unwrap_or_default();
        let label = BucketLabels::from_sql(buckets).with_context(|| format!("{chart}: unknown buckets {buckets:?}"))?.label(bucket);
        by_chart.entry(chart).or_default().push((label, h["movies"].as_f64().unwrap_or_default()));
    }
    for (title, bars) in &by_chart {
        charts.push(json!({"title": title, "svg": bar_chart(writer.env, title, bars)?}));
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
        top_charts.push(json!({"title": title, "svg": bar_chart(writer.env, title, &bars)?}));
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
            charts => charts,
            correlations => correlations,
            outliers => outliers,
            top_charts => top_charts,
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
        assert_eq!(BucketLabels::PowerOfTen.label(6.0), "10^6");
        assert_eq!(BucketLabels::Halves.label(7.5), "7.5");
    }
}
