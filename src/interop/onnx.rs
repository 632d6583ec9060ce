//! The whole predictor as an ONNX graph: the inputs' standardisation, the network, and the step
//! from its outputs to an answer (softmax to probabilities, or back to the target's units), so a
//! runtime gives it the inputs as a person would and reads the answer. burn-onnx records one
//! forward pass on its capture device and writes what it recorded; the network runs in burn's
//! own operations there ([`Mlp::forward_portable`]), as the exporter knows only those.

use anyhow::{anyhow, Result};
use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor, TensorData};
use burn_onnx::export::{AxisSpec, ExportError, InputSpec, OnnxExporter};
use onnx_ir::{Message, ModelProto};

use crate::artifacts::ModelCard;
use crate::config::Task;
use crate::model::{Architecture, Mlp, ModelConfig};

/// The predictor's graph: what `stepwise predict` does to a row, as one module.
#[derive(Module, Debug)]
struct Portable {
    network: Mlp,
    /// [inputs]: (input − mean) / std is what the network reads.
    input_mean: Param<Tensor<1>>,
    input_std: Param<Tensor<1>>,
    #[module(skip)]
    answer: Answer,
}

/// From the network's outputs to the answer.
#[derive(Clone, Copy, Debug)]
enum Answer {
    /// Each class's probability: softmax over the logits.
    Probabilities,
    /// A regression value: output × std + mean, the target's units.
    Value { mean: f32, std: f32 },
    /// The output as it is (a target that was not standardised, e.g. under a sigmoid).
    Output,
}

impl Portable {
    /// Raw inputs `[rows, inputs]` → answers `[rows, classes]` or `[rows, 1]`.
    fn forward(&self, inputs: Tensor<2>) -> Tensor<2> {
        let mean = self.input_mean.val().unsqueeze::<2>(); // [1, inputs]
        let std = self.input_std.val().unsqueeze::<2>(); // [1, inputs]
        let features = (inputs - mean) / std; // [rows, inputs]
        self.answer(self.network.forward_portable(features)) // [rows, answers]
    }

    /// A CNN's pictures `[rows, channels, height, width]` → answers. (Taken as pictures, not
    /// rows: burn's exporter cannot tell a row's reshape into a picture from the batch's.)
    fn forward_pictures(&self, pictures: Tensor<4>) -> Tensor<2> {
        let [_, channels, height, width] = pictures.dims();
        let picture = |values: Tensor<1>| values.reshape([1, channels, height, width]);
        let mean = picture(self.input_mean.val()); // [1, c, h, w]
        let std = picture(self.input_std.val()); // [1, c, h, w]
        let features = (pictures - mean) / std; // [rows, c, h, w]
        let output = match self.network.forward_portable_pictures(features.clone()) {
            Some(output) => output,
            None => self.network.forward_portable(features.flatten(1, 3)),
        };
        self.answer(output) // [rows, answers]
    }

    /// The network's outputs `[rows, outputs]` as answers.
    fn answer(&self, output: Tensor<2>) -> Tensor<2> {
        match self.answer {
            // softmax, spelled out: the exporter records burn's own softmax as one operation
            // it cannot write. Less the row's largest logit, exp cannot overflow.
            Answer::Probabilities => {
                let (largest, _) = output.clone().max_dim_with_indices(1); // [rows, 1]
                let exp = (output - largest).exp(); // [rows, classes]
                let total = exp.clone().sum_dim(1); // [rows, 1]
                exp / total // [rows, classes]
            }
            Answer::Value { mean, std } => output * std + mean, // [rows, 1]
            Answer::Output => output,
        }
    }
}

/// The ONNX file's bytes for a loaded model: its input `inputs`, float32 `[rows, inputs]` (any
/// number of rows; a CNN's: `pictures` `[rows, channels, height, width]`), its output
/// `probabilities` float32 `[rows, classes]` or `value` `[rows, 1]`.
pub fn export(
    card: &ModelCard<ModelConfig>,
    network: Mlp,
    manifest: &str,
    device: &Device,
) -> Result<Vec<u8>> {
    let scaling = &card.feature_scaling;
    let vector = |values: &[f32]| {
        let data = TensorData::new(values.to_vec(), [values.len()]);
        Param::from_tensor(Tensor::<1>::from_data(data, device))
    };
    let answer = match (card.task, &card.target_scaling) {
        (Task::Classification, _) => Answer::Probabilities,
        (Task::Regression, Some(target)) => Answer::Value {
            mean: target.mean[0],
            std: target.std[0],
        },
        (Task::Regression, None) => Answer::Output,
    };
    let predictor = Portable {
        network,
        input_mean: vector(&scaling.mean),
        input_std: vector(&scaling.std),
        answer,
    };
    // Two traces of different row counts tell the exporter which axis is the rows.
    let exporter = OnnxExporter::new();
    let (model, input) = match card.model.convolutions.as_ref().map(|c| c.image) {
        Some(image) => {
            let shape = |rows| [rows, image.channels, image.height, image.width];
            let pictures = |rows| Tensor::<4>::zeros(shape(rows), device);
            let axes = [InputSpec::new([
                AxisSpec::dynamic("rows"),
                AxisSpec::Static,
                AxisSpec::Static,
                AxisSpec::Static,
            ])];
            let pass = Portable::forward_pictures;
            let model = exporter.export_dynamic(&predictor, pictures(5), pictures(7), &axes, pass);
            (model, "pictures")
        }
        None => {
            let rows = |rows| Tensor::<2>::zeros([rows, scaling.width()], device);
            let axes = [InputSpec::new([
                AxisSpec::dynamic("rows"),
                AxisSpec::Static,
            ])];
            let pass = Portable::forward;
            (
                exporter.export_dynamic(&predictor, rows(5), rows(7), &axes, pass),
                "inputs",
            )
        }
    };
    let model = model.map_err(|err| match err {
        ExportError::UnsupportedOperation { kind, .. } => anyhow!(
            "cannot export {} as ONNX: burn's ONNX exporter cannot write its operation {} \
                 yet; export --format safetensors writes the parameters for PyTorch",
            card.model.describe(),
            operation(&kind)
        ),
        other => anyhow!("cannot export the model as ONNX: {other}"),
    })?;
    let names = match answer {
        Answer::Probabilities => "probabilities",
        Answer::Value { .. } | Answer::Output => "value",
    };
    named(model.into_bytes(), [input, names], manifest)
}

/// The graph with its input and output given `names` (the exporter numbers its tensors), and
/// `manifest` (the JSON written beside it) in its metadata, key `stepwise`.
fn named(bytes: Vec<u8>, [input, output]: [&str; 2], manifest: &str) -> Result<Vec<u8>> {
    let mut model = ModelProto::parse_from_bytes(&bytes)?;
    model.producer_name = "stepwise".into();
    model.producer_version = env!("CARGO_PKG_VERSION").into();
    model.metadata_props.push(Default::default());
    if let Some(entry) = model.metadata_props.last_mut() {
        entry.key = "stepwise".into();
        entry.value = manifest.into();
    }
    let graph = model.graph.mut_or_insert_default();
    let renames: Vec<(String, &str)> = [
        (graph.input.first().map(|value| value.name.clone()), input),
        (graph.output.first().map(|out| out.name.clone()), output),
    ]
    .into_iter()
    .filter_map(|(old, new)| Some((old?, new)))
    .collect();
    for (old, new) in renames {
        let rename = |name: &mut String| {
            if *name == old {
                *name = new.to_string();
            }
        };
        graph
            .input
            .iter_mut()
            .for_each(|value| rename(&mut value.name));
        graph
            .output
            .iter_mut()
            .for_each(|value| rename(&mut value.name));
        for node in &mut graph.node {
            node.input.iter_mut().for_each(rename);
            node.output.iter_mut().for_each(rename);
        }
    }
    Ok(model.write_to_bytes()?)
}

/// `Activation(Softmax(DimOpIr { … }))` → `Activation Softmax`: the operation's name, without
/// the exporter's record of its tensors.
fn operation(kind: &str) -> String {
    kind.split(['(', ' ', '{', ','])
        .filter(|word| !word.is_empty())
        .take_while(|word| !word.ends_with("Ir"))
        .collect::<Vec<_>>()
        .join(" ")
}
