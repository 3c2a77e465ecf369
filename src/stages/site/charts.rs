//! The report's charts as inline SVG, drawn from templates (chart.svg, scatter.svg,
//! heatmap.svg): geometry here, markup there. Each chart comes with the rows of its
//! accessible table (report.html puts them in a `<details>` under the chart).
//!
//! Hand-drawn rather than with a chart crate: plotters' SVG backend (measured: 7 s more
//! to compile) writes fixed colours (black text on a dark page), English tick labels
//! and ~18 KB of grid lines for an empty log-log chart; here every colour is a CSS
//! variable that follows dark mode, every number is Spanish, every coordinate is
//! rounded to a tenth of a pixel so the same data gives the same bytes, and every
//! text goes through the templates' escaping.

use anyhow::Result;
use minijinja::{Environment, context};
use serde_json::{Value, json};

use crate::foundation::format;
use crate::settings::{CHART_BAR_GAP, CHART_BAR_HEIGHT, CHART_BAR_WIDTH, CHART_LABEL_CHARS, CHART_LABEL_WIDTH, CHART_TICKS, HEATMAP_CELL};

/// A chart's SVG and the rows of its table alternative.
pub struct Chart {
    pub svg: String,
    pub rows: Vec<Value>,
}

/// Pixels rounded to a tenth: smaller files, and no digits that only noise would change.
fn px(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Axis ticks from 0 to at least `max`, `target` or so of them, each step 1, 2 or 5
/// times a power of ten (and whole). The last tick is the axis's end.
pub fn nice_ticks(max: f64, target: usize) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 { max } else { 1.0 };
    let raw = max / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = match raw / magnitude {
        n if n <= 1.0 => 1.0,
        n if n <= 2.0 => 2.0,
        n if n <= 5.0 => 5.0,
        _ => 10.0,
    } * magnitude;
    // The charts count movies: no step below one.
    let step = step.max(1.0);
    let count = (max / step).ceil() as usize;
    (0..=count).map(|i| i as f64 * step).collect()
}

/// An amount on a log axis or in a bin's bounds: 500.000, 2 M, 1.000 M (millones).
pub fn short_amount(v: f64) -> String {
    if v >= 1e6 { format!("{} M", format::spanish_integer(v / 1e6)) } else { format::spanish_integer(v) }
}

/// The part of a chart's title before its parenthesis: what its categories are.
pub fn category_title(title: &str) -> &str {
    title.split(" (").next().unwrap_or(title)
}

fn cut(label: &str) -> String {
    if label.chars().count() > CHART_LABEL_CHARS {
        label.chars().take(CHART_LABEL_CHARS - 1).collect::<String>() + "…"
    } else {
        label.to_string()
    }
}

/// Horizontal bars of movie counts, one per category, with the value axis's ticks.
pub fn bars(env: &Environment<'static>, title: &str, bars: &[(String, f64)]) -> Result<Chart> {
    let ticks = nice_ticks(bars.iter().map(|b| b.1).fold(0.0, f64::max), CHART_TICKS);
    let axis_max = ticks.last().copied().unwrap_or(1.0);
    let (row, top) = (CHART_BAR_HEIGHT + CHART_BAR_GAP, 44.0);
    let scale = |v: f64| px(CHART_LABEL_WIDTH + v / axis_max * CHART_BAR_WIDTH);
    let items: Vec<Value> = bars
        .iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let y = top + i as f64 * row;
            let w = px((value / axis_max * CHART_BAR_WIDTH).max(1.0));
            json!({"label": cut(label), "value": format::spanish_integer(*value), "y": y, "ty": y + 13.0, "w": w, "vx": px(CHART_LABEL_WIDTH + w + 4.0)})
        })
        .collect();
    let axis_y = top + bars.len() as f64 * row;
    let tick_marks: Vec<Value> = ticks.iter().map(|t| json!({"x": scale(*t), "label": format::spanish_integer(*t)})).collect();
    let svg = env.get_template("chart.svg")?.render(context! {
        title => title, category => category_title(title), value_title => "películas",
        bars => items, ticks => tick_marks, top => top - 4.0, axis_y => axis_y, height => axis_y + 40.0,
        left => CHART_LABEL_WIDTH, right => CHART_LABEL_WIDTH + CHART_BAR_WIDTH, mid => CHART_LABEL_WIDTH + CHART_BAR_WIDTH / 2.0,
        bar_height => CHART_BAR_HEIGHT,
    })?;
    let rows = bars.iter().map(|(label, value)| json!({"label": label, "value": format::spanish_integer(*value)})).collect();
    Ok(Chart { svg, rows })
}

/// The upper bound of a 1-2-5 bin from its lower bound: 1 -> 2, 2 -> 5, 5 -> 10.
pub fn bin_end(from: f64) -> f64 {
    let decade = 10f64.powf(from.log10().floor());
    match (from / decade).round() as i64 {
        1 => from * 2.0,
        2 => from * 2.5,
        _ => from * 2.0,
    }
}

/// Budget against revenue on log scales: one circle per bin (area by movies).
/// `bins`: (budget from, revenue from, movies), from sql/render/report.sql.
pub fn scatter(env: &Environment<'static>, title: &str, bins: &[(f64, f64, f64)]) -> Result<Chart> {
    let (left, right, top, bottom) = (90.0, 620.0, 20.0, 340.0);
    let lows = |pick: fn(&(f64, f64, f64)) -> f64| bins.iter().map(pick).filter(|v| *v > 0.0).map(f64::log10);
    let span = |pick: fn(&(f64, f64, f64)) -> f64| {
        let lo = lows(pick).fold(f64::INFINITY, f64::min);
        let hi = bins.iter().map(pick).filter(|v| *v > 0.0).map(|v| bin_end(v).log10()).fold(f64::NEG_INFINITY, f64::max);
        if lo.is_finite() && hi.is_finite() { (lo.floor(), hi.ceil().max(lo.floor() + 1.0)) } else { (0.0, 1.0) }
    };
    let (x_span, y_span) = (span(|b| b.0), span(|b| b.1));
    let x_of = |log: f64| px(left + (log - x_span.0) / (x_span.1 - x_span.0) * (right - left));
    let y_of = |log: f64| px(bottom - (log - y_span.0) / (y_span.1 - y_span.0) * (bottom - top));
    let most = bins.iter().map(|b| b.2).fold(1.0, f64::max);
    let points: Vec<Value> = bins
        .iter()
        .filter(|b| b.0 > 0.0 && b.1 > 0.0)
        .map(|&(budget, revenue, movies)| {
            let cx = x_of((budget.log10() + bin_end(budget).log10()) / 2.0);
            let cy = y_of((revenue.log10() + bin_end(revenue).log10()) / 2.0);
            json!({"cx": cx, "cy": cy, "r": px(2.0 + 8.0 * (movies / most).sqrt())})
        })
        .collect();
    let decades = |(lo, hi): (f64, f64)| (lo as i32..=hi as i32).map(|k| (k, short_amount(10f64.powi(k)))).collect::<Vec<_>>();
    let x_ticks: Vec<Value> = decades(x_span).into_iter().map(|(k, label)| json!({"at": x_of(k as f64), "label": label})).collect();
    let y_ticks: Vec<Value> = decades(y_span).into_iter().map(|(k, label)| json!({"at": y_of(k as f64), "label": label})).collect();
    let svg = env.get_template("scatter.svg")?.render(context! {
        title => title, points => points, x_ticks => x_ticks, y_ticks => y_ticks,
        left => left, right => right, top => top, bottom => bottom, mid_x => (left + right) / 2.0, mid_y => (top + bottom) / 2.0,
        x_title => "presupuesto (US$, escala logarítmica)", y_title => "recaudación (US$, escala logarítmica)",
    })?;
    let rows = bins
        .iter()
        .map(|&(budget, revenue, movies)| {
            json!({
                "budget": format!("{} – {}", short_amount(budget), short_amount(bin_end(budget))),
                "revenue": format!("{} – {}", short_amount(revenue), short_amount(bin_end(revenue))),
                "movies": format::spanish_integer(movies),
            })
        })
        .collect();
    Ok(Chart { svg, rows })
}

/// A correlation matrix as coloured cells: `labels` name the variables in order,
/// `r(i, j)` is their Pearson coefficient (None when it cannot be computed).
pub fn heatmap(env: &Environment<'static>, title: &str, labels: &[&str], r: impl Fn(usize, usize) -> Option<f64>) -> Result<Chart> {
    let (left, top, cell) = (130.0, 100.0, HEATMAP_CELL);
    let text = |v: Option<f64>| v.map_or("—".to_string(), |v| format::spanish_decimal(v, 2));
    let mut cells = Vec::new();
    let mut rows = Vec::new();
    for (i, row_label) in labels.iter().enumerate() {
        let mut values = Vec::new();
        for j in 0..labels.len() {
            let v = r(i, j);
            let (x, y) = (left + j as f64 * cell, top + i as f64 * cell);
            cells.push(json!({
                "x": x, "y": y, "tx": x + cell / 2.0, "ty": y + cell / 2.0 + 4.0, "text": text(v),
                "class": if v.unwrap_or(0.0) < 0.0 { "neg" } else { "pos" },
                "opacity": v.map_or(0.0, |v| px(v.abs().max(0.05) * 10.0) / 10.0),
            }));
            values.push(text(v));
        }
        rows.push(json!({"label": row_label, "values": values}));
    }
    let columns: Vec<Value> =
        labels.iter().enumerate().map(|(j, l)| json!({"label": l, "x": left + j as f64 * cell + cell / 2.0})).collect();
    let row_labels: Vec<Value> =
        labels.iter().enumerate().map(|(i, l)| json!({"label": l, "y": top + i as f64 * cell + cell / 2.0 + 4.0})).collect();
    let size = labels.len() as f64 * cell;
    let svg = env.get_template("heatmap.svg")?.render(context! {
        title => title, cells => cells, columns => columns, rows => row_labels, left => left, top => top, cell => cell,
        width => left + size + 20.0, height => top + size + 10.0,
    })?;
    Ok(Chart { svg, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_steps_reaching_past_the_maximum() {
        assert_eq!(nice_ticks(87.0, 4), [0.0, 50.0, 100.0]);
        assert_eq!(nice_ticks(12_345.0, 4), [0.0, 5000.0, 10000.0, 15000.0]);
        assert_eq!(nice_ticks(20_235.0, 4), [0.0, 10000.0, 20000.0, 30000.0]);
        assert_eq!(nice_ticks(3.0, 4), [0.0, 1.0, 2.0, 3.0]);
        assert_eq!(nice_ticks(0.0, 4), [0.0, 1.0]);
        assert_eq!(nice_ticks(f64::NAN, 4), [0.0, 1.0]);
    }

    #[test]
    fn amounts_read_the_spanish_way() {
        assert_eq!(short_amount(500_000.0), "500.000");
        assert_eq!(short_amount(2_000_000.0), "2 M");
        assert_eq!(short_amount(1e9), "1.000 M");
        assert_eq!(category_title("presupuesto (USD, distinto de cero)"), "presupuesto");
    }

    #[test]
    fn bins_follow_the_one_two_five_grid() {
        assert_eq!(bin_end(1e6), 2e6);
        assert_eq!(bin_end(2e6), 5e6);
        assert_eq!(bin_end(5e6), 1e7);
        assert_eq!(bin_end(1.0), 2.0);
    }

    fn env() -> Environment<'static> {
        crate::stages::site::templates::Theme::embedded().environment().unwrap()
    }

    #[test]
    fn bar_charts_label_both_axes_with_spanish_numbers_and_escape_labels() {
        let chart = bars(&env(), "intérpretes (películas)", &[("<b>Ana & Bo</b>".into(), 12_345.0), ("Cid".into(), 2.0)]).unwrap();
        assert!(chart.svg.contains(">intérpretes</text>") && chart.svg.contains(">películas</text>"), "{}", chart.svg);
        assert!(chart.svg.contains(">12.345</text>") && chart.svg.contains(">15.000</text>"), "ticks: {}", chart.svg);
        assert!(chart.svg.contains("&lt;b&gt;Ana &amp; Bo&lt;&#x2f;b&gt;") && !chart.svg.contains("<b>"));
        assert_eq!(chart.rows[0], json!({"label": "<b>Ana & Bo</b>", "value": "12.345"}));
        assert_eq!(bars(&env(), "x", &[("a".into(), 1.0)]).unwrap().svg, bars(&env(), "x", &[("a".into(), 1.0)]).unwrap().svg);
    }

    #[test]
    fn the_scatter_has_a_circle_per_bin_and_decade_ticks() {
        let bins = [(1e6, 2e6, 10.0), (5e7, 1e8, 3.0), (2e5, 5e4, 1.0)];
        let chart = scatter(&env(), "presupuesto y recaudación", &bins).unwrap();
        assert_eq!(chart.svg.matches("<circle").count(), 3);
        for tick in [">100.000</text>", ">1 M</text>", ">100 M</text>", ">10.000</text>"] {
            assert!(chart.svg.contains(tick), "{tick}: {}", chart.svg);
        }
        assert_eq!(chart.rows[0], json!({"budget": "1 M – 2 M", "revenue": "2 M – 5 M", "movies": "10"}));
    }

    #[test]
    fn the_heatmap_colours_by_sign_and_prints_every_coefficient() {
        let m = [[1.0, -0.5], [-0.5, 1.0]];
        let chart = heatmap(&env(), "correlaciones", &["presupuesto", "votos"], |i, j| Some(m[i][j])).unwrap();
        assert_eq!(chart.svg.matches("<rect").count(), 4);
        assert_eq!(chart.svg.matches("class=\"neg\"").count(), 2);
        assert!(chart.svg.contains(">-0,50</text>") && chart.svg.contains(">1,00</text>"));
        assert_eq!(chart.rows[1], json!({"label": "votos", "values": ["-0,50", "1,00"]}));
        let empty = heatmap(&env(), "c", &["a"], |_, _| None).unwrap();
        assert!(empty.svg.contains(">—</text>"));
    }
}
