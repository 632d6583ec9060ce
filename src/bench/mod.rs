//! `stepwise bench`: how fast the learning loop runs, on the workloads `bench/README.md`
//! compares with PyTorch and NumPy. Each workload trains through the same [`Plan`] and
//! [`Learner`](crate::learner::Learner) as `stepwise train` — no special path — and the clock
//! covers the loop alone (data already on the device, saving not included), as in the peers.

use std::time::Instant;

use anyhow::{Context, Result};
use burn::tensor::{Device, Distribution, Tensor};
use clap::ValueEnum;
use serde::Serialize;

use crate::artifacts::{ArtifactDir, ModelCard};
use crate::config::{ActivationKind, LearningRate, ModelKind, OutputKind, Task, TrainConfig};
use crate::data::encoding::Unseen;
use crate::data::frame::Frame;
use crate::data::{self, split::split, ColumnSpec, LabelSpec, Source};
use crate::device::Backend;
use crate::inference::eval::Scores;
use crate::inference::Predictor;
use crate::machine;
use crate::model::{Architecture, ConvolutionsConfig, ModelConfig};
use crate::train::Plan;

pub mod ingest;
mod scale;
pub use scale::scale_dataset;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    /// digits: 1437 training rows, MLP 64-128-64-10 relu, batch 64, 30 epochs, lr 0.1.
    Digits,
    /// sine: 1000 points, MLP 1-64-64-1 tanh, batch 32, 100 epochs, lr 0.05.
    Sine,
    /// xor: MLP 2-8-1 tanh + sigmoid, full batch, plain SGD lr 0.5, until MSE < 0.01.
    Xor,
    /// scale: 100,000 × 256 generated rows, 10 classes, MLP 256-512-512-10 relu, batch 256,
    /// 3 epochs, lr 0.01.
    Scale,
    /// cnn: the digits' 1437 training rows as 1×8×8 pictures, CNN conv 8,16 then 64-16-10 relu,
    /// batch 64, 20 epochs, lr 0.05.
    Cnn,
}

/// What one workload measured.
#[derive(Clone, Debug, Serialize)]
pub struct BenchResult {
    pub workload: Workload,
    pub model: String,
    pub rows: usize,
    pub batch_size: usize,
    pub epochs: usize,
    pub steps: usize,
    /// The training loop's wall time.
    pub seconds: f64,
    pub samples_per_second: f64,
    pub ms_per_step: f64,
    pub final_loss: f64,
    /// Accuracy on the training rows (classification).
    pub accuracy: Option<f64>,
    /// Floating-point operations of one full-batch step, forward and backward (6 per weight per
    /// row: a multiply and an add in the forward pass, twice that backward).
    pub flops_per_step: f64,
    pub gflops_per_second: f64,
    /// The process's peak resident memory while this workload ran (Linux), in bytes.
    pub peak_rss_bytes: Option<u64>,
}

impl Workload {
    pub const ALL: [Workload; 5] = [
        Workload::Digits,
        Workload::Sine,
        Workload::Xor,
        Workload::Scale,
        Workload::Cnn,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Workload::Digits => "digits",
            Workload::Sine => "sine",
            Workload::Xor => "xor",
            Workload::Scale => "scale",
            Workload::Cnn => "cnn",
        }
    }

    /// The configuration, as `stepwise train` options would give it. No validation split: the
    /// peers train on the same rows and measure nothing between epochs.
    pub fn config(self) -> TrainConfig {
        let dataset = match self {
            Workload::Cnn => "digits",
            _ => self.name(),
        };
        let config = TrainConfig::new()
            .with_dataset(dataset.to_string())
            .with_valid_fraction(Some(0.0))
            .with_momentum(0.9);
        match self {
            Workload::Digits => config
                .with_hidden(vec![128, 64])
                .with_batch_size(64)
                .with_epochs(30)
                .with_learning_rate(LearningRate::Fixed(0.1)),
            Workload::Sine => config
                .with_hidden(vec![64, 64])
                .with_activation(ActivationKind::Tanh)
                .with_batch_size(32)
                .with_epochs(100)
                .with_learning_rate(LearningRate::Fixed(0.05)),
            Workload::Xor => config
                .with_task(Some(Task::Regression))
                .with_output(Some(OutputKind::Sigmoid))
                .with_hidden(vec![8])
                .with_activation(ActivationKind::Tanh)
                .with_batch_size(4)
                .with_epochs(100_000)
                .with_target_loss(Some(0.01))
                .with_momentum(0.0)
                .with_learning_rate(LearningRate::Fixed(0.5)),
            Workload::Scale => config
                .with_hidden(vec![512, 512])
                .with_batch_size(256)
                .with_epochs(3)
                .with_learning_rate(LearningRate::Fixed(0.01)),
            Workload::Cnn => config
                .with_model(ModelKind::Cnn)
                .with_channels(vec![8, 16])
                .with_hidden(vec![16])
                .with_batch_size(64)
                .with_epochs(20)
                .with_learning_rate(LearningRate::Fixed(0.05)),
        }
    }

    /// The training rows, in memory.
    pub fn dataset(self, config: &TrainConfig) -> Result<Frame> {
        match self {
            Workload::Scale => Ok(Frame::from(scale_dataset(config.seed))),
            Workload::Digits | Workload::Cnn => {
                // The 1437 rows digits trains on by default (its 80% split), as in the peers.
                let digits = load(config)?;
                let rows = split(&digits.targets, 0.2, config.seed);
                Ok(digits.select(&rows.train))
            }
            Workload::Sine | Workload::Xor => load(config),
        }
    }
}

fn load(config: &TrainConfig) -> Result<Frame> {
    let label = LabelSpec {
        task: config.task,
        ..LabelSpec::default()
    };
    let source = Source::resolve(&config.dataset)?;
    data::load(&source, &label, &ColumnSpec::default(), config.seed)
}

/// Trains `workload` on `backend` and measures it. The artifacts go to a temporary folder.
pub fn run(workload: Workload, backend: &Backend) -> Result<BenchResult> {
    let config = workload.config();
    let dataset = workload.dataset(&config)?;
    let rows = dataset.rows();
    let out = std::env::temp_dir().join(format!(
        "stepwise-bench-{}-{}",
        workload.name(),
        std::process::id()
    ));
    machine::reset_peak_rss();
    let plan = Plan::with_data(
        config.clone(),
        dataset,
        0.0,
        ArtifactDir::new(&out),
        backend.clone(),
    )?;
    let model = plan.card.model.clone();
    let report = plan.train(|_| {})?;
    let peak_rss_bytes = machine::peak_rss();
    std::fs::remove_dir_all(&out).ok();

    let epochs = report.training.history.len();
    let last = report
        .training
        .history
        .last()
        .context("the benchmark ran no epoch")?;
    let batch_size = config.batch_size.min(rows);
    let steps = epochs * rows.div_ceil(batch_size);
    let seconds = report.summary.wall_time_seconds;
    let flops_per_step = flops_per_step(&model, batch_size);
    let final_loss = last.train_loss;
    let dataset = workload.dataset(&config)?;
    let accuracy = accuracy_on(dataset, report.card, report.training.model, backend)?;
    Ok(BenchResult {
        workload,
        model: model.describe(),
        rows,
        batch_size,
        epochs,
        steps,
        seconds,
        samples_per_second: (epochs * rows) as f64 / seconds,
        ms_per_step: seconds * 1000.0 / steps as f64,
        final_loss,
        accuracy,
        flops_per_step,
        gflops_per_second: flops_per_step * steps as f64 / seconds / 1e9,
        peak_rss_bytes,
    })
}

/// Accuracy on the rows it trained on (the workloads have no split), measured after the memory
/// peak was read: the data set is generated again rather than kept. `None` for regression.
fn accuracy_on(
    dataset: Frame,
    card: ModelCard,
    model: <ModelConfig as Architecture>::Network,
    backend: &Backend,
) -> Result<Option<f64>> {
    let predictor = Predictor::new(card, model, backend.device.clone());
    let rows_trained = predictor.card.encoding().encode(&dataset, Unseen::Refuse)?;
    Ok(match predictor.evaluate(&rows_trained)?.scores {
        Scores::Classification { accuracy, .. } => Some(accuracy),
        Scores::Regression(_) => None,
    })
}

/// 6 × batch × multiply-adds per row: forward 2 flops per multiply-add (one per weight of a
/// linear layer, one per kernel weight per output pixel of a convolution), backward twice that.
pub fn flops_per_step(model: &ModelConfig, batch_size: usize) -> f64 {
    let weights: usize = model
        .widths()
        .windows(2)
        .map(|pair| pair[0] * pair[1])
        .sum();
    let convolutions = model
        .convolutions
        .as_ref()
        .map_or(0, ConvolutionsConfig::multiply_adds);
    6.0 * batch_size as f64 * (weights + convolutions) as f64
}

/// The backend's throughput on a large matrix product, `size`×`size` by `size`×`size`, in
/// GFLOP/s: the median of 5 timed products after a warm-up — the ceiling the training step's
/// matrix products work against.
pub fn matmul_gflops(device: &Device, size: usize) -> f64 {
    let a: Tensor<2> = Tensor::random([size, size], Distribution::Default, device);
    let b: Tensor<2> = Tensor::random([size, size], Distribution::Default, device);
    let _ = a.clone().matmul(b.clone()).into_data(); // warm-up
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let started = Instant::now();
            let _ = a.clone().matmul(b.clone()).into_data();
            started.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    2.0 * (size as f64).powi(3) / times[2] / 1e9
}

#[cfg(test)]
mod tests {
    use super::scale::{SCALE_CLASSES, SCALE_FEATURES};
    use super::*;

    #[test]
    fn a_scale_step_is_about_six_tenths_of_a_gigaflop() {
        let config = Workload::Scale.config();
        let model = ModelConfig::new(config.model, SCALE_FEATURES, SCALE_CLASSES)
            .with_hidden(config.hidden);
        // 6 × 256 rows × (256·512 + 512·512 + 512·10) weights
        assert_eq!(flops_per_step(&model, 256), 6.0 * 256.0 * 398_336.0);
        assert!((flops_per_step(&model, 256) / 1e9 - 0.612).abs() < 0.001);
    }
}
