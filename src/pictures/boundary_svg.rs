//! `boundary.svg`: a panel per moment of the run, each the plane coloured by the class the
//! network gives it — pale where it hesitates, strong where it is sure — under the points.

use anyhow::Result;
use plotters::prelude::*;

use serde::{Deserialize, Serialize};

use super::TABLEAU;
use super::{label, plotting};
use crate::pictures::regions::{Regions, CELLS};

/// Everything `boundary.svg` draws, saved beside it (`boundary.json`) so `stepwise plot` can
/// draw it again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoundaryPicture {
    pub regions: Regions,
    /// (x1, x2, class) of the training and of the validation rows.
    pub train: Vec<(f64, f64, usize)>,
    pub valid: Vec<(f64, f64, usize)>,
    /// The two inputs' names, and the classes'.
    pub names: (String, String),
    pub classes: Vec<String>,
    /// Whether the network has inputs besides the two drawn (held at their training mean).
    pub others_at_mean: bool,
}

/// `boundary.svg`: the regions of each map, training rows as filled dots, validation rows as
/// rings.
pub fn boundary_svg(points: &BoundaryPicture) -> Result<String> {
    let regions = &points.regions;
    let mut svg = String::new();
    {
        let panels = regions.maps.len().max(1);
        let columns = panels.min(2);
        let rows = panels.div_ceil(columns);
        let size = (460 * columns as u32, 430 * rows as u32 + 44);
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(plotting)?;
        let classes: Vec<String> = points
            .classes
            .iter()
            .enumerate()
            .map(|(class, name)| format!("{name}: {}", color_name(class)))
            .collect();
        let others = match points.others_at_mean {
            true => "; the other inputs at their training mean",
            false => "",
        };
        // The rows as drawn, and which loss each panel names: the validation rows' when there
        // are some (what STOP watched), else the training rows'.
        let drawn = match points.valid.is_empty() {
            true => "dots: training rows (no rows held out); each panel's loss is the training loss",
            false => "dots: training rows, rings: validation rows; each panel's loss is the validation loss",
        };
        let lines = [
            format!(
                "the regions the network carves: classes {}",
                classes.join(", ")
            ),
            format!("{drawn}{others}"),
        ];
        let (top, body) = root.split_vertically(44);
        for (line, text) in top.split_evenly((2, 1)).iter().zip(&lines) {
            line.titled(text, ("sans-serif", 14)).map_err(plotting)?;
        }
        for (area, map) in body.split_evenly((rows, columns)).iter().zip(&regions.maps) {
            panel(area, regions, &map.label, &map.cells, points)?;
        }
        root.present().map_err(plotting)?;
    }
    Ok(svg)
}

/// One moment: its cells, then the points.
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    regions: &Regions,
    caption: &str,
    cells: &[(usize, f32)],
    points: &BoundaryPicture,
) -> Result<()> {
    let (x1, x2) = (regions.x1, regions.x2);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 15))
        .margin(8)
        .x_label_area_size(32)
        .y_label_area_size(44)
        .build_cartesian_2d(x1.0..x1.1, x2.0..x2.1)
        .map_err(plotting)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(&points.names.0)
        .y_desc(&points.names.1)
        .x_label_formatter(&label)
        .y_label_formatter(&label)
        .draw()
        .map_err(plotting)?;
    let rectangles = rectangles(regions, cells, points.classes.len());
    chart.draw_series(rectangles).map_err(plotting)?;
    let color = |class: usize| TABLEAU[class % TABLEAU.len()];
    chart
        .draw_series(
            points
                .train
                .iter()
                .map(|&(a, b, class)| Circle::new((a, b), 3, color(class).filled())),
        )
        .map_err(plotting)?;
    chart
        .draw_series(
            points
                .valid
                .iter()
                .map(|&(a, b, class)| Circle::new((a, b), 3, color(class).stroke_width(2))),
        )
        .map_err(plotting)?;
    Ok(())
}

/// The cells of one moment as rectangles, a class's colour from faint (a guess: 1 / classes)
/// to strong (certain) in ten shades, so that a run of cells of one class and shade in a row is
/// one rectangle.
fn rectangles(
    regions: &Regions,
    cells: &[(usize, f32)],
    classes: usize,
) -> Vec<Rectangle<(f64, f64)>> {
    let (x1, x2) = (regions.x1, regions.x2);
    let (width, height) = ((x1.1 - x1.0) / CELLS as f64, (x2.1 - x2.0) / CELLS as f64);
    let sure = 1.0 / classes.max(1) as f64;
    let shade = |p: f32| (10.0 * ((p as f64 - sure) / (1.0 - sure)).clamp(0.0, 1.0)).round();
    let mut rectangles = Vec::new();
    for (row, cells) in cells.chunks(CELLS).enumerate() {
        let mut start = 0;
        for end in 1..=cells.len() {
            let same = |a: (usize, f32), b: (usize, f32)| a.0 == b.0 && shade(a.1) == shade(b.1);
            if end < cells.len() && same(cells[start], cells[end]) {
                continue;
            }
            let (class, p) = cells[start];
            let color = TABLEAU[class % TABLEAU.len()];
            let corner = (x1.0 + start as f64 * width, x2.0 + row as f64 * height);
            let far = (x1.0 + end as f64 * width, corner.1 + height);
            let strength = 0.08 + 0.05 * shade(p);
            rectangles.push(Rectangle::new([corner, far], color.mix(strength).filled()));
            start = end;
        }
    }
    rectangles
}

fn color_name(class: usize) -> &'static str {
    [
        "blue", "orange", "green", "red", "purple", "brown", "pink", "grey", "olive", "cyan",
    ][class % TABLEAU.len()]
}
