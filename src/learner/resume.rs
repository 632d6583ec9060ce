//! Stopping a run and continuing it later: where a run is ([`Position`]), and the snapshot of
//! parameters, momentum and position that `--resume` starts from ([`Checkpoint`]).

use std::panic::{catch_unwind, AssertUnwindSafe};

use anyhow::{anyhow, Result};
use burn::optim::ModuleOptimizer;
use burn::tensor::{Bytes, Device, Tensor};
use serde::{Deserialize, Serialize};

use super::{optimizer, Init, Learner};
use crate::learner::loss::Loss;
use crate::learner::metrics::EpochMetrics;
use crate::learner::stop::StopPolicy;
use crate::model::{self, Architecture, Network};

/// Where a run is. With the parameters and SGD's momentum, enough to continue it exactly as if
/// it had never stopped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// The epoch in progress, counted from 1.
    pub epoch: usize,
    /// Steps of that epoch already taken (a Ctrl-C stops mid-epoch).
    pub steps_done: usize,
    /// Their summed loss (each batch's mean × its rows), so the epoch's mean comes out the same.
    pub loss_sum: f64,
    /// The finished epochs.
    pub history: Vec<EpochMetrics>,
    pub stop_policy: StopPolicy,
}

impl Position {
    /// The start of a run.
    pub fn start(stop_policy: StopPolicy) -> Self {
        Position {
            epoch: 1,
            steps_done: 0,
            loss_sum: 0.0,
            history: Vec::new(),
            stop_policy,
        }
    }

    /// Records a finished epoch and moves to the start of the next.
    pub(super) fn finish_epoch(&mut self, metrics: EpochMetrics) {
        self.history.push(metrics);
        self.epoch += 1;
        self.steps_done = 0;
        self.loss_sum = 0.0;
    }
}

/// The epoch's loss so far, summed on the device: each batch's mean × its rows, read back once.
/// Nothing before the first batch: starting from a zero would cost a tensor and an addition per
/// epoch, which is per step when the batch is the whole data (xor).
pub(super) struct EpochLoss(Option<Tensor<1>>);

impl EpochLoss {
    /// The sum at `position`: none at the start of an epoch, else what the stopped run had.
    pub(super) fn resume(position: &Position, device: &Device) -> Self {
        let resumed = position.steps_done > 0;
        EpochLoss(resumed.then(|| Tensor::from_floats([position.loss_sum as f32], device)))
    }

    /// Adds a batch's mean loss, `[1]`, over `rows` rows.
    pub(super) fn add(&mut self, loss: Tensor<1>, rows: usize) {
        let batch = loss.mul_scalar(rows as f64);
        self.0 = Some(match self.0.take() {
            Some(sum) => sum + batch,
            None => batch,
        });
    }

    /// The sum, read from the device.
    pub(super) fn read(self) -> f64 {
        self.0.map_or(0.0, |sum| sum.into_scalar::<f64>())
    }
}

/// A snapshot a run can be resumed from: parameters and SGD state as burnpack records, and the
/// position. The random number generator needs no saving: each epoch's shuffle is seeded by the
/// run's seed and the epoch number ([`Learner::shuffle`]).
#[derive(Clone, Debug)]
pub struct Checkpoint {
    pub model: Vec<u8>,
    pub optimizer: Vec<u8>,
    /// The parameters of the epoch with the lowest loss so far (none before the first epoch).
    pub lowest: Option<Vec<u8>>,
    pub position: Position,
}

impl Checkpoint {
    /// A snapshot of the parameters, SGD's state, the lowest-loss parameters and the position.
    pub fn take<N: Network>(
        model: &N,
        optimizer: &ModuleOptimizer,
        lowest: &Option<N>,
        position: &Position,
    ) -> Result<Checkpoint> {
        let optimizer = optimizer
            .into_bytes()
            .map_err(|err| anyhow!("cannot encode the checkpoint: {err}"))?;
        Ok(Checkpoint {
            model: model::encode(model)?,
            optimizer: optimizer.to_vec(),
            lowest: lowest.as_ref().map(model::encode).transpose()?,
            position: position.clone(),
        })
    }
}

impl<A: Architecture> Learner<'_, A> {
    /// INIT from a checkpoint: its parameters (with their ids, which key SGD's momentum
    /// buffers), the momentum buffers themselves, and the position.
    pub fn restore(&self, checkpoint: Checkpoint) -> Result<Init<A::Network>> {
        let model = self.decode(checkpoint.model, &self.training_device())?;
        let lowest = checkpoint
            .lowest
            .map(|bytes| self.decode(bytes, &self.training_device()))
            .transpose()?;
        // burn panics on some malformed optimizer records; a damaged file must be an error.
        let optimizer = catch_unwind(AssertUnwindSafe(|| {
            optimizer(self.config).from_bytes(Bytes::from_bytes_vec(checkpoint.optimizer))
        }))
        .map_err(|_| anyhow!("the checkpoint's optimizer state is damaged"))?
        .map_err(|err| anyhow!("the checkpoint's optimizer state is damaged: {err}"))?;
        Ok(Init {
            model,
            optimizer,
            loss_function: Loss,
            position: checkpoint.position,
            lowest,
        })
    }

    /// Parameters from a checkpoint's record, in a network on `device`.
    fn decode(&self, record: Vec<u8>, device: &Device) -> Result<A::Network> {
        model::decode(self.architecture, record, device).map_err(|err| match err {
            model::DecodeError::Damaged(err) => {
                anyhow!("the checkpoint's parameters are damaged: {err}")
            }
            model::DecodeError::DoesNotFit(err) => {
                anyhow!("the checkpoint does not fit the model: {err}")
            }
        })
    }

    /// INIT's given parameters (`--init-from`), in a network on `device`.
    pub(super) fn decode_starting(&self, record: &[u8], device: &Device) -> Result<A::Network> {
        model::decode(self.architecture, record.to_vec(), device).map_err(|err| match err {
            model::DecodeError::Damaged(err) | model::DecodeError::DoesNotFit(err) => anyhow!(
                "the starting weights (--init-from) do not fit this network: {err}; they are \
                 for the built-in network they were read for"
            ),
        })
    }
}
