//! Resource bounds: work that cannot fit in memory is refused up front, with the numbers,
//! instead of being killed by the operating system halfway through.
//!
//! The estimate is deliberately rough (f32 everywhere, a few copies of each tensor) and errs on
//! the large side; it exists to catch `--hidden 100000,100000`, not to budget bytes.

use std::fmt;

use anyhow::{bail, Result};

use crate::machine::{bytes, peak_rss, status_bytes};

const F32: f64 = 4.0;

/// burn's own working memory while training (its thread pools, the autodiff tape, the
/// allocator's caches): 5 to 10 MiB measured on the shipped data sets.
const RUNTIME: f64 = 8.0 * 1024.0 * 1024.0;

/// What a training run will hold in memory, in bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemoryEstimate {
    /// What the process holds already: the program, and the data as loaded and encoded.
    pub in_use: f64,
    /// The most it held so far (loading and parsing the data peak above what they keep).
    pub peak_so_far: f64,
    /// What is let go before training (the loaded table, once encoded): training reuses it.
    pub released: f64,
    /// Parameters, their gradients, SGD's momentum buffers and the update's temporaries.
    pub parameters: f64,
    /// Each layer's outputs for a batch (and for the validation rows), kept for backpropagation,
    /// and their gradients.
    pub activations: f64,
    /// The examples on the device beyond the encoded table in use already (which the CPU
    /// backends keep as it is): a device's own copy, class indices as 64-bit integers.
    pub data: f64,
    /// burn's own working memory.
    pub runtime: f64,
}

impl MemoryEstimate {
    /// The estimate for training a network of `parameters` numbers, whose layers output
    /// `widths` numbers per row (the inputs first), on `train_rows` rows in batches of
    /// `batch_size`, measuring `valid_rows` after each epoch.
    pub fn for_training(
        parameters: usize,
        widths: &[usize],
        batch_size: usize,
        train_rows: usize,
        valid_rows: usize,
    ) -> Self {
        let neurons: f64 = widths.iter().map(|&width| width as f64).sum();
        let widest = widths.iter().copied().max().unwrap_or(0) as f64;
        let batch = batch_size.min(train_rows) as f64;
        let rows = (train_rows + valid_rows) as f64;
        Self {
            in_use: status_bytes("VmRSS:").unwrap_or(0) as f64,
            peak_so_far: peak_rss().unwrap_or(0) as f64,
            released: 0.0,
            parameters: parameters as f64 * F32 * 4.0,
            activations: batch * neurons * F32 * 3.0 + valid_rows as f64 * widest * F32 * 2.0,
            data: rows * (widths.first().copied().unwrap_or(0) as f64 + 1.0) * F32,
            runtime: RUNTIME,
        }
    }

    /// The same estimate, with `bytes` let go before training.
    pub fn releasing(self, bytes: f64) -> Self {
        Self {
            released: bytes,
            ..self
        }
    }

    /// What training adds to what is in use: what it allocates, less the room let go.
    pub fn added(&self) -> f64 {
        (self.parameters + self.activations + self.data + self.runtime - self.released).max(0.0)
    }

    /// The run's peak: what is in use with what is to come, or loading's peak if higher.
    pub fn total(&self) -> f64 {
        (self.in_use + self.added()).max(self.peak_so_far)
    }

    /// Refuses a run that needs more than the memory available now.
    pub fn check(&self, available: Option<u64>) -> Result<()> {
        let Some(available) = available else {
            return Ok(()); // Unknown on this system: nothing to compare with.
        };
        if self.added() > available as f64 {
            bail!(
                "training would need about {} more memory ({self}), but only {} is available; \
                 use a smaller --hidden or --batch-size",
                bytes(self.added()),
                bytes(available as f64)
            );
        }
        Ok(())
    }
}

impl fmt::Display for MemoryEstimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "in use {}, then parameters {}, activations {}, data {}, burn {}",
            bytes(self.in_use),
            bytes(self.parameters),
            bytes(self.activations),
            bytes(self.data),
            bytes(self.runtime)
        )?;
        if self.released > 0.0 {
            // The loaded table, freed before training: training's own memory reuses it.
            write!(f, ", less {} the loaded file frees", bytes(self.released))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModelKind;
    use crate::model::ModelConfig;

    #[test]
    fn the_estimate_counts_parameters_activations_and_data() {
        let model = ModelConfig::new(ModelKind::Mlp, 4, 3).with_hidden(vec![16]);
        let estimate = MemoryEstimate {
            in_use: 0.0,
            peak_so_far: 0.0,
            released: 0.0,
            ..MemoryEstimate::for_training(model.parameter_count(), &model.widths(), 16, 120, 30)
        };
        assert_eq!(estimate.parameters, 131.0 * 4.0 * 4.0);
        assert_eq!(estimate.activations, 16.0 * 23.0 * 12.0 + 30.0 * 16.0 * 8.0);
        assert_eq!(estimate.data, 150.0 * 5.0 * 4.0);
        // Room let go before training is reused first, and never makes the need negative.
        let to_come = estimate.added();
        assert_eq!(estimate.releasing(1000.0).added(), to_come - 1000.0);
        assert_eq!(estimate.releasing(2.0 * to_come).added(), 0.0);
        assert!(estimate.check(Some(1 << 24)).is_ok());
        let refused = estimate.check(Some(1000)).unwrap_err().to_string();
        assert!(refused.contains("only 1000 B is available"), "{refused}");
    }
}
