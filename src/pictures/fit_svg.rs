//! `fit.svg`: the data, the true function, and the network's curves (see [`crate::pictures::curve`]).

use anyhow::Result;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::{bounds, label, plotting, Series, SIZE, TABLEAU, TRAIN, VALID};
use serde::{Deserialize, Serialize};

use crate::pictures::curve::{self, Curve};

/// Everything `fit.svg` draws, saved beside it (`fit.json`) so `stepwise plot` can draw it again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitPicture {
    /// (input, target) of the training and the validation rows.
    pub train: Vec<(f64, f64)>,
    pub valid: Vec<(f64, f64)>,
    /// The built-in data set whose true function is drawn (`sine`, `line`), if any.
    pub truth: Option<String>,
    /// The input's and the target's names.
    pub names: (String, String),
    pub curves: Vec<Curve>,
    /// What the picture shows for this run (`the curve an mlp 1-16-1 relu fitted to sine`).
    #[serde(default = "untitled")]
    pub title: String,
}

/// The title of a picture saved before pictures had their own.
fn untitled() -> String {
    "what the network learned".to_string()
}

/// `fit.svg`: the training (blue) and validation (orange) points, the true function (black) when
/// known, and the network's curve at each of `curves`, from pale (INIT) to dark (the kept epoch).
pub fn fit_svg(data: &FitPicture) -> Result<String> {
    let series = lines(data, &data.curves);
    let (x_min, x_max) = bounds(&series, |point| point.0);
    let (y_min, y_max) = y_range(data, &series);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(plotting)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&data.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(x_min..x_max, y_min..y_max)
            .map_err(plotting)?;
        chart
            .configure_mesh()
            .bold_line_style(BLACK.mix(0.12))
            .light_line_style(BLACK.mix(0.03))
            .x_desc(&data.names.0)
            .y_desc(&data.names.1)
            .x_label_formatter(&label)
            .y_label_formatter(&label)
            .draw()
            .map_err(plotting)?;
        draw_points(&mut chart, data)?;
        draw_curves(&mut chart, &series)?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(plotting)?;
        root.present().map_err(plotting)?;
    }
    Ok(svg)
}

/// A chart of `fit.svg`'s plane.
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The targets' range, curves and points together, with a little room above and below: a
/// curve's peak is not cut by the frame.
fn y_range(data: &FitPicture, series: &[Series]) -> (f64, f64) {
    let dots = Series {
        name: "",
        color: BLACK,
        points: [&data.train[..], &data.valid[..]].concat(),
    };
    let (curve_min, curve_max) = bounds(series, |point| point.1);
    let (dot_min, dot_max) = bounds(std::slice::from_ref(&dots), |point| point.1);
    let (y_min, y_max) = (curve_min.min(dot_min), curve_max.max(dot_max));
    let room = (y_max - y_min) * 0.05;
    (y_min - room, y_max + room)
}

/// The training and validation rows as dots.
fn draw_points(chart: &mut Chart, data: &FitPicture) -> Result<()> {
    for (points, color, name) in [
        (&data.train, TRAIN, "train rows"),
        (&data.valid, VALID, "valid rows"),
    ] {
        if points.is_empty() {
            continue;
        }
        let dot = color.mix(0.5).filled();
        chart
            .draw_series(points.iter().map(|&point| Circle::new(point, 2, dot)))
            .map_err(plotting)?
            .label(name)
            .legend(move |(x, y)| Circle::new((x + 10, y), 3, color.filled()));
    }
    Ok(())
}

/// The true function first and thin, so no curve hides under it; the kept curve last and
/// thickest.
fn draw_curves(chart: &mut Chart, series: &[Series]) -> Result<()> {
    let last = series.len().saturating_sub(1);
    for (at, line) in series.iter().enumerate() {
        let color = line.color;
        let width = match at {
            at if at == last => 3,
            _ if line.color == BLACK => 1,
            _ => 2,
        };
        chart
            .draw_series(LineSeries::new(
                line.points.clone(),
                color.stroke_width(width),
            ))
            .map_err(plotting)?
            .label(line.name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color));
    }
    Ok(())
}

/// The curves before the kept one, from INIT (gray) on; the kept curve is red. The rows are
/// blue and orange, the palette's first two.
const MOMENTS: [RGBColor; 5] = [TABLEAU[7], TABLEAU[2], TABLEAU[4], TABLEAU[5], TABLEAU[6]];
const KEPT_CURVE: RGBColor = TABLEAU[3];

/// The true function (first, when known), then the curves from INIT to the kept epoch.
fn lines<'a>(data: &FitPicture, curves: &'a [Curve]) -> Vec<Series<'a>> {
    let last = curves.len().saturating_sub(1);
    let mut series: Vec<Series> = curves
        .iter()
        .enumerate()
        .map(|(index, curve)| Series {
            name: &curve.label,
            color: match index == last {
                true => KEPT_CURVE,
                false => MOMENTS[index % MOMENTS.len()],
            },
            points: curve.points.clone(),
        })
        .collect();
    if let Some(truth) = data.truth.as_deref().and_then(curve::truth) {
        let (x_min, x_max) = bounds(&series, |point| point.0);
        let step = (x_max - x_min) / 199.0;
        let points = (0..200).map(|at| x_min + step * at as f64);
        series.insert(
            0,
            Series {
                name: "true function",
                color: BLACK,
                points: points.map(|x| (x, truth(x))).collect(),
            },
        );
    }
    series
}
