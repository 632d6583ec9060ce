//! Minibatches: a split's rows put on the device once, reshuffled each epoch on the device, and
//! cut into batches by slicing — no per-step copies from the host.

use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use crate::data::transform::Standardizer;
use crate::data::{Dataset, Targets};
use crate::learner::loss::TargetTensor;
use crate::learner::Learner;
use crate::model::Architecture;

/// Standardised features and targets of a split, on the device.
#[derive(Clone, Debug)]
pub struct DeviceData {
    /// `[rows, inputs]`
    pub features: Tensor<2>,
    pub targets: TargetTensor,
    pub rows: usize,
}

impl DeviceData {
    /// Moves a data set to the device, standardising features (and regression targets).
    pub fn new(
        dataset: Dataset,
        features: &Standardizer,
        target: Option<&Standardizer>,
        device: &Device,
    ) -> Self {
        let rows = dataset.rows();
        let inputs = dataset.feature_count();
        // Standardised where they are and handed over: on the CPU the tensor keeps this very
        // buffer, so the largest thing a run holds exists once.
        let mut values = dataset.features;
        features.standardise(&mut values);
        let feature_tensor = Tensor::from_data(TensorData::new(values, [rows, inputs]), device);
        let targets = match dataset.targets {
            Targets::Classes { indices, .. } => {
                let classes: Vec<i64> = indices.iter().map(|&index| index as i64).collect();
                TargetTensor::Classes(Tensor::from_data(TensorData::new(classes, [rows]), device))
            }
            Targets::Values(mut values) => {
                if let Some(scaling) = target {
                    scaling.standardise(&mut values);
                }
                TargetTensor::Values(Tensor::from_data(
                    TensorData::new(values, [rows, 1]),
                    device,
                ))
            }
        };
        Self {
            features: feature_tensor,
            targets,
            rows,
        }
    }

    /// The minibatches of one epoch: the rows in a fresh random order, `batch_size` at a time
    /// (the last batch may be smaller).
    pub fn shuffled_batches(
        &self,
        batch_size: usize,
        random: &mut StdRng,
    ) -> impl Iterator<Item = (Tensor<2>, TargetTensor)> {
        let batch_size = batch_size.min(self.rows);
        let (features, targets) = if batch_size == self.rows {
            // One batch holds every row: the order would not change the gradient.
            (self.features.clone(), self.targets.clone())
        } else {
            let mut order: Vec<i64> = (0..self.rows as i64).collect();
            order.shuffle(random);
            let order: Tensor<1, Int> =
                Tensor::from_data(TensorData::new(order, [self.rows]), &self.features.device());
            (
                self.features.clone().select(0, order.clone()),
                self.targets.select(order),
            )
        };
        let rows = self.rows;
        (0..rows).step_by(batch_size).map(move |start| {
            let length = batch_size.min(rows - start);
            if length == rows {
                // The whole split: no slice needed (each is an operation of its own).
                return (features.clone(), targets.clone());
            }
            (
                features.clone().narrow(0, start, length),
                targets.narrow(start, length),
            )
        })
    }
}

/// The order of each epoch's minibatches, drawn by the learner from the run's seed.
impl<A: Architecture> Learner<'_, A> {
    /// The generator that orders epoch `epoch`'s minibatches: one per epoch, seeded by the run's
    /// seed and the epoch number, so a resumed run draws the same orders without replaying the
    /// epochs before.
    pub fn shuffle(&self, epoch: usize) -> StdRng {
        let mut seed = [0; 32];
        seed[..8].copy_from_slice(&self.config.seed.to_le_bytes());
        seed[8..16].copy_from_slice(&(epoch as u64).to_le_bytes());
        StdRng::from_seed(seed)
    }

    /// Epoch `epoch`'s minibatches, in its shuffled order.
    pub fn batches<'d>(
        &self,
        train: &'d DeviceData,
        epoch: usize,
    ) -> impl Iterator<Item = (Tensor<2>, TargetTensor)> + 'd {
        train.shuffled_batches(self.config.batch_size, &mut self.shuffle(epoch))
    }

    /// The minibatches of epoch 1, then of epoch 2, and on without end, each with its epoch:
    /// what the tools that replay the start of a run (`--trace`, the range test) step through.
    pub fn endless_batches<'d>(
        &'d self,
        train: &'d DeviceData,
    ) -> impl Iterator<Item = (usize, (Tensor<2>, TargetTensor))> + 'd {
        (1..).flat_map(move |epoch| self.batches(train, epoch).map(move |batch| (epoch, batch)))
    }
}
