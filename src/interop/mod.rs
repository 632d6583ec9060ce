//! Models in and out: a trained folder exported for other programs — ONNX (the whole predictor,
//! for onnxruntime and every runtime that reads ONNX) or safetensors (the parameters with
//! PyTorch's names and layouts) — and a network's starting weights read from a safetensors or
//! PyTorch file (`train --init-from`).
//!
//! Both exports write `FILE.json` beside the file: the layers as a `torch.nn.Sequential`, the
//! inputs and their scaling, the classes, and what the outputs are ([`Manifest`]).

mod layers;
mod onnx;
mod pytorch;

pub use layers::{Sequential, TorchLayer};
pub use pytorch::load_weights;

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use burn::tensor::Device;
use clap::ValueEnum;
use serde::Serialize;

use crate::artifacts::{commit::write_atomic, ArtifactDir, ModelCard, StartingWeights};
use crate::config::Task;
use crate::data::encoding::ColumnEncoding;
use crate::data::images::ImageShape;
use crate::model::{Architecture, ModelConfig};

/// What `stepwise export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// The whole predictor as an ONNX graph: raw inputs in, probabilities or values out.
    Onnx,
    /// The parameters, named and laid out as PyTorch's `nn.Sequential` of the same layers.
    Safetensors,
}

/// What a program outside stepwise needs besides the file, written beside it as `FILE.json`.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    /// `stepwise 0.1.0, onnx` or `…, safetensors`.
    pub exported_by: String,
    /// How to call the file: what goes in, what comes out.
    pub usage: String,
    /// The network as PyTorch builds it, e.g. `nn.Sequential(nn.Linear(4, 16), nn.ReLU(), …)`.
    pub pytorch: String,
    pub layers: Vec<TorchLayer>,
    /// The network's inputs in order (a text column is one input per category, `town=York`).
    pub inputs: Vec<String>,
    /// How each column of the table becomes inputs: a number as it is, a text column as 1 for
    /// its category and 0 for the others; `fill` is what a missing cell was given in training.
    pub columns: Vec<ColumnEncoding>,
    /// Inputs are standardised as (input − mean) / std before the first layer.
    pub input_mean: Vec<f32>,
    pub input_std: Vec<f32>,
    /// The pictures a row holds (channels × height × width pixels, row by row), if any.
    pub image: Option<ImageShape>,
    pub task: Task,
    /// The classes, in the order of the outputs.
    pub classes: Option<Vec<String>>,
    /// A regression value is output × std + mean (the network learned standardised targets).
    pub target_mean: Option<f32>,
    pub target_std: Option<f32>,
}

/// An export, done: where its files are and what they expect.
#[derive(Debug)]
pub struct Exported {
    pub file: PathBuf,
    pub manifest_file: PathBuf,
    pub manifest: Manifest,
}

/// Exports the model saved in `dir` as `format`, to `out` (and `out` with `.json`).
pub fn export(
    dir: &ArtifactDir,
    format: ExportFormat,
    out: &Path,
    device: &Device,
) -> Result<Exported> {
    let manifest_file = manifest_path(out)?;
    for file in [out, &manifest_file] {
        not_over_another_file(file)?;
    }
    let (card, network) = dir.load::<ModelConfig>(device)?;
    let sequential = Sequential::of(&card.model);
    let manifest = Manifest::of(&card, &sequential, format);
    let json = serde_json::to_string_pretty(&manifest)?;
    let bytes = match format {
        ExportFormat::Onnx => onnx::export(&card, network, &json, device)?,
        ExportFormat::Safetensors => pytorch::safetensors(&network, &sequential, &json)?,
    };
    write_atomic(out, &bytes)?;
    write_atomic(&manifest_file, json.as_bytes())?;
    Ok(Exported {
        file: out.to_path_buf(),
        manifest_file,
        manifest,
    })
}

/// INIT's weights for a run of the built-in network `model`, read from `file` (`--init-from`):
/// the network's record, and where it came from for the card.
pub fn starting_record(
    model: &ModelConfig,
    file: &str,
    device: &Device,
) -> Result<(Vec<u8>, StartingWeights)> {
    let mut network = model.init(device);
    let source = load_weights(&mut network, &Sequential::of(model), Path::new(file))?;
    Ok((crate::model::encode(&network)?, source))
}

/// The ONNX graph's input: its name and shape. A CNN's takes pictures (burn's exporter cannot
/// tell a row's reshape into a picture from the batch's), any other network rows.
fn onnx_input(model: &ModelConfig) -> (&'static str, String) {
    match model
        .convolutions
        .as_ref()
        .map(|convolutions| convolutions.image)
    {
        Some(image) => {
            let (c, h, w) = (image.channels, image.height, image.width);
            ("pictures", format!("[rows, {c}, {h}, {w}]"))
        }
        None => ("inputs", format!("[rows, {}]", model.inputs)),
    }
}

/// Refuses to write over a file that is not an earlier export (the model's own `model.bpk` or
/// `config.json`, say): nothing is lost to a slip of `--out`.
fn not_over_another_file(file: &Path) -> Result<()> {
    let name = file
        .file_name()
        .map(|name| name.to_string_lossy().into_owned());
    let exported = [".onnx", ".safetensors", ".onnx.json", ".safetensors.json"];
    let earlier_export = name.is_some_and(|name| exported.iter().any(|end| name.ends_with(end)));
    if file.is_dir() || (file.exists() && !earlier_export) {
        bail!(
            "{} is there already and is not an export (.onnx, .safetensors): give --out a new \
             file; nothing was written",
            file.display()
        );
    }
    Ok(())
}

/// `model.onnx` → `model.onnx.json`: beside it, never over it.
fn manifest_path(out: &Path) -> Result<PathBuf> {
    let Some(name) = out.file_name() else {
        bail!(
            "--out {} names no file; give one, e.g. --out model.onnx",
            out.display()
        );
    };
    let mut name = name.to_os_string();
    name.push(".json");
    Ok(out.with_file_name(name))
}

impl Manifest {
    fn of(
        card: &ModelCard<ModelConfig>,
        sequential: &Sequential,
        format: ExportFormat,
    ) -> Manifest {
        let classes = card.class_names.clone();
        let target = card.target_scaling.as_ref();
        let usage = match format {
            ExportFormat::Onnx => {
                let (input, shape) = onnx_input(&card.model);
                let output = match card.task {
                    Task::Classification => format!(
                        "output `probabilities`: float32 [rows, {}], each class's",
                        card.model.outputs
                    ),
                    Task::Regression => {
                        "output `value`: float32 [rows, 1], in the target's units".into()
                    }
                };
                format!(
                    "input `{input}`: float32 {shape}, the inputs as they are (the graph \
                     standardises them); {output}"
                )
            }
            ExportFormat::Safetensors => match card.task {
                Task::Classification => "model = <pytorch>; model.load_state_dict(\
                     safetensors.torch.load_file(FILE)); probabilities = \
                     softmax(model((x - input_mean) / input_std), dim=1)"
                    .into(),
                Task::Regression => "model = <pytorch>; model.load_state_dict(\
                     safetensors.torch.load_file(FILE)); value = model((x - input_mean) / \
                     input_std) * target_std + target_mean (without target_mean: the output)"
                    .into(),
            },
        };
        let format_name = match format {
            ExportFormat::Onnx => "onnx",
            ExportFormat::Safetensors => "safetensors",
        };
        Manifest {
            exported_by: format!("stepwise {}, {format_name}", env!("CARGO_PKG_VERSION")),
            usage,
            pytorch: sequential.python(),
            layers: sequential.layers.clone(),
            inputs: card.feature_names.clone(),
            columns: card.encoding().columns,
            input_mean: card.feature_scaling.mean.clone(),
            input_std: card.feature_scaling.std.clone(),
            image: card.image,
            task: card.task,
            classes,
            target_mean: target.map(|scaling| scaling.mean[0]),
            target_std: target.map(|scaling| scaling.std[0]),
        }
    }

    /// Whether a row of the table needs more than its numbers: text columns become one input
    /// per category, and missing cells were filled.
    pub fn encodes_columns(&self) -> bool {
        self.columns
            .iter()
            .any(|column| matches!(column, ColumnEncoding::Text { .. }) || column.fills())
    }
}
