//! Charts as SVG (plotters' SVG backend, without its font features: the text is left to the
//! page that shows the SVG). A chart draws columns of a table of the document: it reads the
//! values the report model computed and never adds them up.

use plotters::prelude::*;

use crate::doc::{Chart, Document, Row};

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
        let _ = draw(&root, chart, &series, &rows);
        let _ = root.present();
    }
    out
}

fn draw(
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
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
    let max = if max <= 0.0 { 1.0 } else { max * 1.1 };
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
        .x_label_formatter(&|x| format!("{x:.0}"))
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
