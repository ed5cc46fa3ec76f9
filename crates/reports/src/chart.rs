//! Charts as SVG (plotters' SVG backend, without its font features: the text is left to the
//! page that shows the SVG). A chart draws columns of a table of the document: it reads the
//! values the report model computed and never adds them up.

use plotters::prelude::*;

use synergies_i18n::Lang;

use crate::doc::{Cell, Chart, Document, Row};

const PALETTE: [RGBColor; 4] = [
    RGBColor(0, 93, 170),
    RGBColor(230, 120, 30),
    RGBColor(90, 160, 70),
    RGBColor(150, 90, 170),
];

/// The rows a chart plots: the table's rows except totals.
fn rows<'a>(doc: &'a Document, chart: &Chart) -> (Vec<String>, Vec<&'a Row>) {
    let Some(table) = doc.table(&chart.table) else {
        return (vec![], vec![]);
    };
    let series = chart
        .value_columns
        .iter()
        .map(|c| table.columns.get(*c).cloned().unwrap_or_default())
        .collect();
    (series, table.rows.iter().filter(|r| !r.total).collect())
}

/// The chart as an SVG document.
pub fn svg(doc: &Document, chart: &Chart) -> String {
    let (series, rows) = rows(doc, chart);
    let n = rows.len().max(1);
    let bar_h = 26u32;
    let height = 70 + bar_h * (n as u32) * (series.len().max(1) as u32) + 20 * series.len() as u32;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (640, height)).into_drawing_area();
        let lang = Lang::parse(&doc.lang).unwrap_or_else(Lang::english);
        let _ = draw(&root, lang, chart, &series, &rows);
        let _ = root.present();
    }
    out
}

/// The ticks of a value axis from 0 past `max`: steps of 1, 2 or 5 times a power of ten,
/// about five of them, whole numbers only when the chart counts (people, activities), so that
/// no two ticks print the same label.
fn axis_ticks(max: f64, counts: bool) -> Vec<f64> {
    let max = if max > 0.0 { max } else { 1.0 };
    let raw = max / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let mut step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    if counts || step >= 1.0 {
        step = step.round().max(1.0);
    }
    let n = (max / step).ceil().max(1.0) as usize;
    let n = if (n as f64) * step <= max { n + 1 } else { n };
    (0..=n).map(|i| i as f64 * step).collect()
}

fn draw(
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    lang: Lang,
    chart: &Chart,
    series: &[String],
    rows: &[&Row],
) -> Result<(), Box<dyn std::error::Error>> {
    root.fill(&WHITE)?;
    let max = rows
        .iter()
        .flat_map(|r| {
            chart
                .value_columns
                .iter()
                .filter_map(|c| r.cells.get(*c).and_then(|x| x.plotted()))
        })
        .fold(0f64, f64::max);
    let counts = rows.iter().all(|r| {
        chart
            .value_columns
            .iter()
            .all(|c| !matches!(r.cells.get(*c), Some(Cell::Money { .. })))
    });
    let ticks = axis_ticks(max, counts);
    let max = *ticks.last().expect("at least two ticks");
    let groups = rows.len().max(1) as f64;
    let labels: Vec<String> = rows
        .iter()
        .map(|r| {
            r.cells
                .get(chart.category_column)
                .map(|c| c.text())
                .unwrap_or_default()
        })
        .collect();
    let legend_h = 20 * series.len() as u32;
    let (plot, legend) = root.split_vertically(root.dim_in_pixel().1 - legend_h);
    let mut cc = ChartBuilder::on(&plot)
        .caption(&chart.title, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(24)
        .y_label_area_size(170)
        .build_cartesian_2d(0f64..max, 0f64..groups)?;
    cc.configure_mesh()
        .disable_y_mesh()
        .y_labels(rows.len().max(1) * 2 + 1)
        .y_label_formatter(&|y| {
            let i = (groups - y - 0.5).round();
            if (groups - y - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                labels[i as usize].clone()
            } else {
                String::new()
            }
        })
        .x_labels(ticks.len())
        .x_label_formatter(&|x| {
            // A count's axis is labelled at whole numbers only.
            if counts && x.fract().abs() > 1e-9 {
                String::new()
            } else {
                lang.amount(x.round() as i64, 0)
            }
        })
        .draw()?;
    let k = series.len().max(1) as f64;
    for (i, r) in rows.iter().enumerate() {
        let top = groups - i as f64 - 0.1;
        let h = 0.8 / k;
        for (j, c) in chart.value_columns.iter().enumerate() {
            let v = r.cells.get(*c).and_then(|x| x.plotted()).unwrap_or(0.0);
            let y1 = top - h * j as f64;
            let color = PALETTE[j % PALETTE.len()];
            cc.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y1 - h), (v, y1)],
                color.filled(),
            )))?;
        }
    }
    for (j, name) in series.iter().enumerate() {
        let y = 4 + 20 * j as i32;
        let color = PALETTE[j % PALETTE.len()];
        legend.draw(&Rectangle::new([(190, y), (204, y + 12)], color.filled()))?;
        legend.draw(&Text::new(
            name.clone(),
            (210, y),
            ("sans-serif", 13).into_font(),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::axis_ticks;

    #[test]
    fn axis_ticks_are_round_distinct_and_whole_for_counts() {
        assert_eq!(axis_ticks(3.0, true), vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(axis_ticks(2.0, true), vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(axis_ticks(0.0, true), vec![0.0, 1.0, 2.0]);
        assert_eq!(
            axis_ticks(112_000.0, false),
            vec![0.0, 50_000.0, 100_000.0, 150_000.0]
        );
        assert_eq!(axis_ticks(9.0, false), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        for (max, counts) in [(1.0, true), (7.0, true), (0.4, false), (123_456.0, false)] {
            let t = axis_ticks(max, counts);
            assert!(*t.last().unwrap() > max, "{max}: {t:?}");
            assert!(t.windows(2).all(|w| w[1] > w[0]));
            if counts {
                assert!(t.iter().all(|x| x.fract() == 0.0), "{t:?}");
            }
        }
    }
}
