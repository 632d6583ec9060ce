//! Pictures of learning: the loss curve (and accuracy) per epoch, the learning-rate range test
//! and what a regression network learned (`fit.rs`), as SVG files (plotters), and a small plot
//! of the loss for the terminal (textplots).

use anyhow::{anyhow, Result};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use textplots::{Chart, Plot, Shape};

mod boundary_svg;
mod compare_svg;
pub mod curve;
mod fit_svg;
mod loss_svg;
mod lr_find_svg;
pub mod regions;

pub use boundary_svg::{boundary_svg, BoundaryPicture};
pub use compare_svg::compare_svg;
pub use fit_svg::{fit_svg, FitPicture};
pub use loss_svg::{loss_svg, LossMarks};
pub use lr_find_svg::lr_find_svg;

/// A picture of what a network learned, with the data it is drawn from.
#[derive(Clone, Debug, PartialEq)]
pub enum Picture {
    /// Regression on one input: curves.
    Fit(FitPicture),
    /// Classes in a plane: regions.
    Boundary(BoundaryPicture),
}

impl Picture {
    pub fn svg(&self) -> Result<String> {
        match self {
            Picture::Fit(fit) => fit_svg(fit),
            Picture::Boundary(boundary) => boundary_svg(boundary),
        }
    }

    /// The data it is drawn from, as JSON.
    pub fn json(&self) -> Result<Vec<u8>> {
        Ok(match self {
            Picture::Fit(fit) => serde_json::to_vec(fit)?,
            Picture::Boundary(boundary) => serde_json::to_vec(boundary)?,
        })
    }

    /// The curves of a fit (none for regions).
    pub fn curves(&self) -> &[crate::pictures::curve::Curve] {
        match self {
            Picture::Fit(fit) => &fit.curves,
            Picture::Boundary(_) => &[],
        }
    }

    /// The regions of a boundary (none for a fit).
    pub fn regions(&self) -> Option<&crate::pictures::regions::Regions> {
        match self {
            Picture::Fit(_) => None,
            Picture::Boundary(boundary) => Some(&boundary.regions),
        }
    }
}

use crate::learner::metrics::EpochMetrics;

const SIZE: (u32, u32) = (800, 480);
const TRAIN: RGBColor = RGBColor(31, 119, 180);
const VALID: RGBColor = RGBColor(255, 127, 14);
const KEPT: RGBColor = RGBColor(44, 160, 44);
/// Ten colours told apart at a glance (Tableau's): one per class in `boundary.svg`, one per
/// moment in `fit.svg`.
const TABLEAU: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// A y axis spanning more than this ratio is drawn on a log scale.
const LOG_SCALE_RATIO: f64 = 20.0;

/// A named series of (x, y) points.
struct Series<'a> {
    name: &'a str,
    color: RGBColor,
    points: Vec<(f64, f64)>,
}

/// One chart of the series; a log-scale y axis when `log_when_wide` and the values span a lot.
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    text: [&str; 3],
    series: &[Series],
    log_when_wide: bool,
    legend: SeriesLabelPosition,
) -> Result<()> {
    let (x_min, x_max) = bounds(series, |point| point.0);
    // Half an epoch each side: a mark at the first or last epoch stands clear of the axes.
    let x = (x_min - 0.5)..(x_max + 0.5);
    let (y_min, y_max) = bounds(series, |point| point.1);
    let log = log_axis(y_min, y_max).filter(|_| log_when_wide);
    let y_range = log.clone().unwrap_or(y_min..y_max);
    let legend = emptiest_corner(series, &x, &y_range, log.is_some(), legend);
    match log {
        Some(y) => draw(area, text, series, (x, y.log_scale()), legend),
        None => draw(area, text, series, (x, y_min..y_max), legend),
    }
}

/// The corner of the chart the fewest points fall in, so the legend hides no curve's end (a
/// blow-up is the thing to see); `preferred` where corners tie.
fn emptiest_corner(
    series: &[Series],
    x: &std::ops::Range<f64>,
    y: &std::ops::Range<f64>,
    log: bool,
    preferred: SeriesLabelPosition,
) -> SeriesLabelPosition {
    let scale = |value: f64| if log { value.max(y.start).ln() } else { value };
    let across = |value: f64, range: &std::ops::Range<f64>| {
        (value - range.start) / (range.end - range.start)
    };
    let (low, high) = (scale(y.start), scale(y.end));
    let points: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|series| series.points.iter())
        .map(|&(px, py)| (across(px, x), across(scale(py), &(low..high))))
        .collect();
    let crowd = |right: bool, top: bool| {
        let inside = |&&(px, py): &&(f64, f64)| {
            (if right { px > 0.55 } else { px < 0.45 }) && (if top { py > 0.6 } else { py < 0.4 })
        };
        points.iter().filter(inside).count()
    };
    let corners = [
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::LowerLeft, false, false),
    ];
    // The emptiest; of corners as empty, the preferred one, then the first.
    let rank = |position: &SeriesLabelPosition| {
        std::mem::discriminant(position) != std::mem::discriminant(&preferred)
    };
    corners
        .into_iter()
        .min_by_key(|(position, right, top)| (crowd(*right, *top), rank(position)))
        .map_or(preferred, |(position, _, _)| position)
}

/// Draws the series; `text` is the caption and the x and y axis descriptions.
fn draw<DB: DrawingBackend, X, Y>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    [caption, x_desc, y_desc]: [&str; 3],
    series: &[Series],
    (x, y): (X, Y),
    legend: SeriesLabelPosition,
) -> Result<()>
where
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(x, y)
        .map_err(plotting)?;
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.03))
        .y_labels(6)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&label)
        .y_label_formatter(&label)
        .draw()
        .map_err(plotting)?;
    for line in series {
        let color = line.color;
        chart
            .draw_series(LineSeries::new(line.points.clone(), color))
            .map_err(plotting)?
            .label(line.name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color));
    }
    chart
        .configure_series_labels()
        .position(legend)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(plotting)?;
    Ok(())
}

/// Values drawn on a log axis span at most this many powers of ten, between these bounds:
/// plotters' log axis never finishes placing its ticks at subnormal numbers (1e-320) or near
/// f64's largest (1e308), and a loss of 1e-30 is zero to a learner anyway.
const LOG_DECADES: f64 = 12.0;
const LOG_FLOOR: f64 = 1e-30;
const LOG_CEILING: f64 = 1e30;

/// The range of a log axis for values from `min` to `max` spanning more than
/// [`LOG_SCALE_RATIO`], its bottom raised to [`LOG_DECADES`] below the top (lower values fall
/// off the chart); `None` where a log axis does not suit them.
fn log_axis(min: f64, max: f64) -> Option<std::ops::Range<f64>> {
    let bottom = min.max(max / 10f64.powf(LOG_DECADES)).max(LOG_FLOOR);
    (min > 0.0 && max <= LOG_CEILING && max / min > LOG_SCALE_RATIO && bottom < max)
        .then_some(bottom..max)
}

/// The range of the series' values along one axis, widened when it is a single point.
fn bounds(series: &[Series], value: impl Fn(&(f64, f64)) -> f64) -> (f64, f64) {
    let values = series
        .iter()
        .flat_map(|series| series.points.iter().map(&value));
    // Beyond ±1e300 a value is off any chart, and widening the range would overflow.
    let (min, max) = values
        .filter(|value| value.abs() <= 1e300)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(min, max), v| {
            (min.min(v), max.max(v))
        });
    match (min.is_finite(), max > min) {
        (false, _) => (0.0, 1.0),
        (true, true) => (min, max),
        (true, false) => (
            min - 0.5 * min.abs().max(1.0),
            max + 0.5 * max.abs().max(1.0),
        ),
    }
}

/// An axis label: `0.25`, `40`, `1e-5`.
fn label(value: &f64) -> String {
    let magnitude = value.abs();
    if magnitude < 1e-12 {
        return "0".to_string(); // not `-2e-16`, the rounding of a range's midpoint
    }
    if magnitude != 0.0 && !(1e-3..1e4).contains(&magnitude) {
        return format!("{value:.0e}");
    }
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn plotting<E: std::fmt::Debug>(err: E) -> anyhow::Error {
    anyhow!("cannot draw the plot: {err:?}")
}

/// The training loss per epoch as text, for the terminal.
pub fn loss_text(history: &[EpochMetrics]) -> String {
    let points: Vec<(f32, f32)> = history
        .iter()
        .map(|metrics| (metrics.epoch as f32, metrics.train_loss as f32))
        .collect();
    let last = history.last().map_or(1.0, |metrics| metrics.epoch as f32);
    let shape = Shape::Lines(&points);
    let mut canvas = Chart::new(120, 40, 1.0, last.max(2.0));
    let chart = canvas.lineplot(&shape);
    chart.axis();
    chart.figures();
    format!("train loss per epoch\n{chart}")
}

#[cfg(test)]
mod tests;
