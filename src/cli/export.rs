//! `stepwise export --model DIR --format onnx|safetensors`: a trained model for other programs,
//! and what they must give it.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::artifacts::ArtifactDir;
use crate::config::Task;
use crate::data::encoding::ColumnEncoding;
use crate::interop::{self, ExportFormat, Manifest};

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Model folder written by `stepwise train`.
    #[arg(long)]
    pub model: PathBuf,
    /// `onnx`: the whole predictor (standardisation, network, softmax or the target's units)
    /// for onnxruntime and other ONNX runtimes; `safetensors`: the parameters under the names
    /// and layouts of PyTorch's `nn.Sequential` of the same layers.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// The file to write (default: model.onnx or model.safetensors in the model folder); what
    /// it expects goes beside it, in FILE.json.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn export(args: ExportArgs) -> Result<()> {
    let dir = ArtifactDir::new(&args.model);
    let out = args.out.unwrap_or_else(|| {
        dir.dir.join(match args.format {
            ExportFormat::Onnx => "model.onnx",
            ExportFormat::Safetensors => "model.safetensors",
        })
    });
    let device = (crate::device::cpu())
        .ok_or_else(|| anyhow::anyhow!("export runs on the CPU, and this build has no CPU backend (features flex or ndarray)"))?
        .device;
    let exported = interop::export(&dir, args.format, &out, &device)?;
    let manifest = &exported.manifest;
    let size = std::fs::metadata(&exported.file).map_or(0, |meta| meta.len());
    say!("saved    {} ({size} bytes)", exported.file.display())?;
    say!(
        "         {}: what it expects, in JSON",
        exported.manifest_file.display()
    )?;
    say!("inputs   {}", inputs(manifest))?;
    if manifest.encodes_columns() {
        say!("columns  {}", columns(manifest))?;
    }
    match args.format {
        ExportFormat::Onnx => {
            for part in manifest.usage.split("; ") {
                say!("graph    {part}")?;
            }
            if let Some(classes) = &manifest.classes {
                say!("classes  {}", classes.join(", "))?;
            }
        }
        ExportFormat::Safetensors => {
            say!("pytorch  model = {}", manifest.pytorch)?;
            say!(
                "         model.load_state_dict(safetensors.torch.load_file({:?}))",
                exported.file.display().to_string()
            )?;
            say!(
                "         standardise the inputs first: (x - input_mean) / input_std (in the JSON)"
            )?;
            say!("output   {}", raw_outputs(manifest))?;
        }
    }
    Ok(())
}

/// `4 per row: sepal_length, sepal_width, …, as they are (the graph standardises them)`.
fn inputs(manifest: &Manifest) -> String {
    let names = &manifest.inputs;
    let shown = if names.len() > 6 {
        format!("{}, … {}", names[..4].join(", "), names[names.len() - 1])
    } else {
        names.join(", ")
    };
    match manifest.image {
        Some(image) => format!(
            "{} per row: a {image} picture's pixels, channel by channel, row by row, in [0, {}]",
            names.len(),
            image.white
        ),
        None => format!("{} per row: {shown}", names.len()),
    }
}

/// How the table's columns become the inputs, for a model with text columns or filled cells.
fn columns(manifest: &Manifest) -> String {
    let mut said = Vec::new();
    for column in &manifest.columns {
        let (name, fill) = match column {
            ColumnEncoding::Text {
                name,
                categories,
                fill,
            } => {
                let inputs = categories.len();
                said.push(format!(
                    "'{name}' is {inputs} inputs, 1 for the row's category and 0 for the others"
                ));
                (name, fill.as_ref().map(|fill| format!("'{fill}'")))
            }
            ColumnEncoding::Number { name, fill } => (name, fill.map(|fill| fill.to_string())),
        };
        if let Some(fill) = fill {
            said.push(format!("a missing '{name}' is given {fill}"));
        }
    }
    format!("{} (as in the JSON's `columns`)", said.join("; "))
}

fn raw_outputs(manifest: &Manifest) -> String {
    match (&manifest.task, manifest.target_mean) {
        (Task::Classification, _) => {
            "the classes' logits: softmax(output, dim=1) are the probabilities".into()
        }
        (Task::Regression, Some(_)) => {
            "output * target_std + target_mean is the value (in the JSON)".into()
        }
        (Task::Regression, None) => "the value itself".into(),
    }
}
