//! Bring your own network: a burn `Module` stepwise's built-in MLP cannot express, trained by
//! stepwise's `Learner` (the same INIT, PREDICT, LOSS, GRADIENT, STEP, STOP loop, stop policy and
//! kept epoch as `stepwise train`), saved as an artifact folder and loaded back to predict.
//!
//! The network is a residual MLP: the hidden layer's output is added back to what the next layer
//! makes of it (`hidden + relu(block(hidden))`), the skip connection that lets deep networks
//! train. Two things make it trainable by stepwise:
//!
//! - [`Network`]: its `forward` is PREDICT, from `[batch, inputs]` to `[batch, outputs]`;
//! - [`Architecture`]: a serialisable configuration whose `init` is INIT. It is saved in the
//!   folder's `config.json`, so `Predictor::<ResidualConfig>::load_network` rebuilds the same
//!   network.
//!
//! ```text
//! cargo run --release --example own_network [-- OUT_DIR]     (default: artifacts/own_network)
//! ```

use std::path::PathBuf;

use anyhow::{Context, Result};
use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};
use stepwise::{Architecture, ArtifactDir, Network, Plan, Prediction, Predictor, TrainConfig};

/// The residual network: a layer in, a residual block, a layer out.
#[derive(Module, Debug)]
struct Residual {
    first: Linear,
    block: Linear,
    output: Linear,
}

impl Network for Residual {
    fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        let hidden = relu(self.first.forward(features)); // [batch, width]
        let hidden = hidden.clone() + relu(self.block.forward(hidden)); // [batch, width]
        self.output.forward(hidden) // [batch, outputs]
    }
}

/// What `config.json` records about the network: enough to build it again.
#[derive(Config, Debug, PartialEq)]
struct ResidualConfig {
    inputs: usize,
    width: usize,
    outputs: usize,
}

impl Architecture for ResidualConfig {
    type Network = Residual;

    fn init(&self, device: &Device) -> Residual {
        Residual {
            first: LinearConfig::new(self.inputs, self.width).init(device),
            block: LinearConfig::new(self.width, self.width).init(device),
            output: LinearConfig::new(self.width, self.outputs).init(device),
        }
    }

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn describe(&self) -> String {
        let (inputs, width, outputs) = (self.inputs, self.width, self.outputs);
        format!("residual {inputs}-{width}(+{width})-{outputs} relu")
    }

    /// What each layer outputs per row, for the memory check before training.
    fn layer_widths(&self) -> Vec<usize> {
        vec![self.inputs, self.width, self.width, self.outputs]
    }
}

fn main() -> Result<()> {
    let out = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("artifacts/own_network"), PathBuf::from);
    let backend = stepwise::cpu().context("this example needs a CPU backend")?;
    // This thread takes a share of every large matrix product, as `stepwise` does.
    stepwise::compute_on_this_thread();

    // The data: iris, split, encoded and standardised as `stepwise train` would.
    let config = TrainConfig::new().with_epochs(60);
    let plan = Plan::prepare(config, Some(out.clone()), backend.clone())?;

    // The network: as wide as the data asks at both ends.
    let (inputs, outputs) = (plan.card().model.inputs, plan.card().model.outputs);
    let architecture = ResidualConfig::new(inputs, 16, outputs);
    println!("network  {}", architecture.describe());

    // The loop: Learner::run, with its stop policy and --keep best; then the artifact folder.
    let report = plan.train_network(architecture, |metrics| {
        if metrics.epoch % 10 == 0 {
            println!(
                "epoch {:>3}  train loss {:.4}  valid loss {:.4}",
                metrics.epoch,
                metrics.train_loss,
                metrics.valid_loss.unwrap_or(f64::NAN)
            );
        }
    })?;
    let kept = report.summary.kept_metrics.as_ref();
    println!("stopped  {}", report.summary.stopped);
    println!("parameters {}", report.summary.parameters);
    println!(
        "validation accuracy {:.3}",
        kept.and_then(|metrics| metrics.valid_accuracy)
            .unwrap_or(f64::NAN)
    );
    println!("saved    {}", out.display());

    // Inference: the folder alone rebuilds the network and answers.
    let predictor: Predictor<ResidualConfig> =
        Predictor::load_network(&ArtifactDir::new(&out), backend.device)?;
    let flower = [5.1, 3.5, 1.4, 0.2];
    for answer in predictor.predict(&[flower.to_vec()])? {
        if let Prediction::Class {
            label, probability, ..
        } = answer
        {
            println!("predict  {flower:?} → {label} (p = {probability:.3})");
        }
    }
    Ok(())
}
