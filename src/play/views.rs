//! What the page draws, computed from the network as it is: the regions of the classes over
//! the plane and each hidden neuron's output over it, the weights, the fitted curve, and the
//! line's slope and intercept on their loss surface.

use burn::module::Module;
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor, TensorData};
use serde::Serialize;

use super::surface::{surface, Surface};
use crate::learner::batch::DeviceData;
use crate::learner::loss::TargetTensor;
use crate::model::Network;
use crate::teaching::trace::parameters;
use crate::train::Plan;

/// Cells per side of the regions' grid, and of each neuron's smaller picture.
const GRID: usize = 60;
const NEURON_GRID: usize = 24;
/// The most hidden neurons drawn one by one, and the most weights drawn as the network's
/// diagram: beyond them the pictures are too small to read (the first ones are drawn).
const MOST_NEURONS: usize = 64;
const MOST_WEIGHTS: usize = 4096;
/// Points of the fitted curve.
const CURVE_POINTS: usize = 120;

/// What stays the same through a session, sent to the page once.
#[derive(Clone, Debug, Serialize)]
pub struct Fixed {
    pub classification: bool,
    pub class_names: Vec<String>,
    pub feature_names: Vec<String>,
    /// The linear layers' widths, inputs first: the network's diagram.
    pub widths: Vec<usize>,
    pub train_rows: usize,
    pub valid_rows: usize,
    pub batches_per_epoch: usize,
    /// The rows, standardised as the network reads them (one or two inputs only).
    pub train: Option<Points>,
    pub valid: Option<Points>,
    /// `[left, right, bottom, top]` of the plane, or `[left, right]` of the curve's x.
    pub extent: Vec<f32>,
    pub neuron_grid: usize,
    pub grid: usize,
    pub surface: Option<Surface>,
}

/// Rows: their inputs (row-major) and what they should give (the class index, or the value).
#[derive(Clone, Debug, Serialize)]
pub struct Points {
    pub inputs: Vec<f32>,
    pub targets: Vec<f32>,
}

/// What changes as the network learns.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Drawn {
    /// Per grid cell, one character each (see [`levels`]): the most probable class, and how
    /// sure the network is of it (its probability, 0 to 1).
    pub regions: Option<(String, String)>,
    /// Per hidden neuron, one character per cell of the smaller grid: its output from −1 to
    /// 1 times its largest size.
    pub neurons: Vec<String>,
    /// Per linear layer: its weights `[inputs, outputs]`, row-major.
    pub weights: Vec<Vec<f32>>,
    /// The fitted value at each of the curve's points.
    pub curve: Option<Vec<f32>>,
}

/// What a session draws with: the fixed part, and the grids it feeds the network.
pub struct Scene {
    pub fixed: Fixed,
    plane: Option<(Tensor<2>, Tensor<2>)>,
    curve: Option<Tensor<2>>,
}

impl Scene {
    pub fn new(plan: &Plan) -> Self {
        let (card, device) = (plan.card(), &plan.backend.device);
        let inputs = card.model.inputs;
        let classification = card.is_classifier();
        let drawable = inputs <= 2 && card.model.convolutions.is_none();
        let train = drawable.then(|| points(plan.train_data()));
        let valid = plan.valid_data().filter(|_| drawable).map(points);
        let extent = match &train {
            Some(train) => extent(train, valid.as_ref(), inputs),
            None => Vec::new(),
        };
        let plane = (inputs == 2 && classification).then(|| {
            let grid = |size| grid_tensor(&extent, size, device);
            (grid(GRID), grid(NEURON_GRID))
        });
        let curve = (inputs == 1 && !classification).then(|| {
            let xs = (0..CURVE_POINTS)
                .map(|i| lerp(&extent[..2], i, CURVE_POINTS))
                .collect();
            Tensor::from_data(TensorData::new(xs, [CURVE_POINTS, 1]), device) // [points, 1]
        });
        let line = card.model.widths() == [1, 1] && !classification;
        let surface = train.as_ref().filter(|_| line).map(surface);
        let batch_size = plan.config().batch_size.max(1);
        let fixed = Fixed {
            classification,
            class_names: card.class_names.clone().unwrap_or_default(),
            feature_names: card.feature_names.clone(),
            widths: card.model.widths(),
            train_rows: plan.train_rows(),
            valid_rows: plan.valid_rows(),
            batches_per_epoch: plan.train_rows().div_ceil(batch_size),
            train,
            valid,
            extent,
            neuron_grid: NEURON_GRID,
            grid: GRID,
            surface,
        };
        Scene {
            fixed,
            plane,
            curve,
        }
    }

    /// The pictures of `network` (in inference mode) as it is now.
    pub fn draw<N: Network>(&self, network: &N) -> Drawn {
        let mut drawn = Drawn {
            weights: weights(network, &self.fixed.widths),
            ..Drawn::default()
        };
        if let Some((grid, neuron_grid)) = &self.plane {
            let probabilities = softmax(network.forward(grid.clone()), 1); // [cells, classes]
            drawn.regions = Some(regions(probabilities));
            drawn.neurons = neurons(network.hidden_outputs(neuron_grid.clone()));
        }
        if let Some(xs) = &self.curve {
            let fitted = network.forward(xs.clone()); // [points, 1]
            drawn.curve = Some(fitted.into_data().iter::<f32>().collect());
        }
        drawn
    }
}

fn points(data: &DeviceData) -> Points {
    let inputs = data
        .features
        .clone()
        .inner()
        .into_data()
        .iter::<f32>()
        .collect();
    let targets = match &data.targets {
        TargetTensor::Classes(classes) => classes.clone().inner().into_data(),
        TargetTensor::Values(values) => values.clone().inner().into_data(),
    };
    Points {
        inputs,
        targets: targets.iter::<f32>().collect(),
    }
}

/// The smallest box around every point, a tenth wider on each side, per input.
fn extent(train: &Points, valid: Option<&Points>, inputs: usize) -> Vec<f32> {
    let all = train
        .inputs
        .iter()
        .chain(valid.into_iter().flat_map(|v| &v.inputs));
    let mut bounds = vec![[f32::INFINITY, f32::NEG_INFINITY]; inputs];
    for (i, &value) in all.enumerate() {
        let bound = &mut bounds[i % inputs];
        *bound = [bound[0].min(value), bound[1].max(value)];
    }
    bounds
        .into_iter()
        .flat_map(|[low, high]| {
            let margin = ((high - low) * 0.1).max(0.1);
            [low - margin, high + margin]
        })
        .collect()
}

/// The `i`th of `n` evenly spaced values from `range[0]` to `range[1]`.
pub(super) fn lerp(range: &[f32], i: usize, n: usize) -> f32 {
    range[0] + (range[1] - range[0]) * i as f32 / (n - 1) as f32
}

/// The centre of every cell of a `size`×`size` grid over the plane `[cells, 2]`, row by row
/// from the top.
fn grid_tensor(extent: &[f32], size: usize, device: &Device) -> Tensor<2> {
    let cells = (0..size).flat_map(|row| {
        let y = lerp(&extent[2..4], size - 1 - row, size);
        (0..size).flat_map(move |column| [lerp(&extent[..2], column, size), y])
    });
    Tensor::from_data(TensorData::new(cells.collect(), [size * size, 2]), device)
}

/// The characters of 64 levels: a picture is sent as a string, one character per cell — a
/// tenth of its size as JSON numbers, so telling the page costs the loop little.
const LEVELS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Each value from 0 to 1 as one of 64 levels.
fn levels(values: impl Iterator<Item = f32>) -> String {
    let level = |value: f32| (value.clamp(0.0, 1.0) * 63.0).round() as usize;
    values.map(|value| LEVELS[level(value)] as char).collect()
}

fn regions(probabilities: Tensor<2>) -> (String, String) {
    let classes = probabilities.dims()[1];
    let values: Vec<f32> = probabilities.into_data().iter::<f32>().collect();
    let (class, sure): (Vec<usize>, Vec<f32>) = values
        .chunks(classes)
        .map(|cell| {
            let best =
                |best: (usize, f32), (i, &p): (usize, &f32)| if p > best.1 { (i, p) } else { best };
            cell.iter().enumerate().fold((0, f32::MIN), best)
        })
        .unzip();
    let class = class.into_iter().map(|class| LEVELS[class.min(63)] as char);
    (class.collect(), levels(sure.into_iter()))
}

/// Each neuron's outputs over the grid, scaled by its largest size.
fn neurons(layers: Vec<Tensor<2>>) -> Vec<String> {
    let mut drawn = Vec::new();
    for layer in layers {
        let [cells, width] = layer.dims();
        let values: Vec<f32> = layer.into_data().iter::<f32>().collect();
        for neuron in 0..width.min(MOST_NEURONS - drawn.len().min(MOST_NEURONS)) {
            let column: Vec<f32> = (0..cells)
                .map(|cell| values[cell * width + neuron])
                .collect();
            let largest = column.iter().fold(1e-6_f32, |m, v| m.max(v.abs()));
            drawn.push(levels(column.iter().map(|v| (v / largest + 1.0) / 2.0)));
        }
    }
    drawn
}

/// The linear layers' weights, when the diagram is small enough to draw.
fn weights(network: &impl Module, widths: &[usize]) -> Vec<Vec<f32>> {
    let count: usize = widths.windows(2).map(|pair| pair[0] * pair[1]).sum();
    if count > MOST_WEIGHTS {
        return Vec::new();
    }
    // By name: a layer of one input has a bias as long as its weight.
    let found = parameters(network).into_iter();
    found
        .filter(|(name, _, _)| name.ends_with("weight"))
        .map(|(_, _, values)| values)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModelKind;
    use crate::model::{Architecture, ModelConfig};

    #[test]
    fn the_diagram_takes_each_layers_weight_and_no_bias() {
        // One input: hidden.0's bias has 4 numbers, as many as its weight.
        let device = crate::device::cpu().expect("a CPU backend").device;
        let network = ModelConfig::new(ModelKind::Mlp, 1, 1)
            .with_hidden(vec![4])
            .init(&device);
        let named = parameters(&network);
        let value = |wanted: &str| {
            let found = named.iter().find(|(name, _, _)| name == wanted);
            found.expect("the parameter").2.clone()
        };
        let drawn = weights(&network, &[1, 4, 1]);
        assert_eq!(drawn, [value("hidden.0.weight"), value("output.weight")]);
    }
}
