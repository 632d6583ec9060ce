//! The network: PREDICT.
//!
//! stepwise trains any burn `Module` that implements [`Network`] (its `forward` is PREDICT),
//! built by an [`Architecture`] (its `init` is INIT). The architecture is saved with the trained
//! parameters, so inference rebuilds exactly the network that was trained. The built-in one is
//! the `Mlp` (after `Convolutions` for pictures), configured by [`ModelConfig`]; `examples/own_network.rs` brings its own.
//!
//! A network of your own, and its architecture:
//!
//! ```no_run
//! use burn::config::Config;
//! use burn::module::Module;
//! use burn::nn::{Linear, LinearConfig};
//! use burn::tensor::{Device, Tensor};
//! use stepwise::{Architecture, Network};
//!
//! #[derive(Module, Debug)]
//! struct TwoLayers {
//!     first: Linear,
//!     second: Linear,
//! }
//!
//! impl Network for TwoLayers {
//!     fn forward(&self, features: Tensor<2>) -> Tensor<2> {
//!         let hidden = self.first.forward(features).tanh(); // [batch, 8]
//!         self.second.forward(hidden) // [batch, outputs]
//!     }
//! }
//!
//! #[derive(Config, Debug, PartialEq)]
//! struct TwoLayersConfig {
//!     inputs: usize,
//!     outputs: usize,
//! }
//!
//! impl Architecture for TwoLayersConfig {
//!     type Network = TwoLayers;
//!     fn init(&self, device: &Device) -> TwoLayers {
//!         TwoLayers {
//!             first: LinearConfig::new(self.inputs, 8).init(device),
//!             second: LinearConfig::new(8, self.outputs).init(device),
//!         }
//!     }
//!     fn inputs(&self) -> usize {
//!         self.inputs
//!     }
//!     fn outputs(&self) -> usize {
//!         self.outputs
//!     }
//!     fn describe(&self) -> String {
//!         format!("two layers {}-8-{}", self.inputs, self.outputs)
//!     }
//! }
//!
//! // Then, with a plan of the data (`stepwise::Plan::prepare`):
//! // `plan.train_network(TwoLayersConfig::new(inputs, outputs), |_| {})`.
//! ```

mod cnn;
mod mlp;
mod record;

pub use cnn::{ConvolutionsConfig, KERNEL, POOL};
pub use mlp::{Mlp, ModelConfig};
pub use record::{decode, encode, DecodeError};

use std::fmt::Debug;

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A network stepwise can train: a burn `Module` (parameters burn's autodiff and SGD can reach)
/// with a forward pass from a batch of feature rows to a batch of outputs.
pub trait Network: Module + 'static {
    /// PREDICT: features `[batch, inputs]` → outputs `[batch, outputs]` (class logits, or the
    /// standardised regression value).
    fn forward(&self, features: Tensor<2>) -> Tensor<2>;

    /// Each hidden layer's outputs `[batch, width]`, first to last: what each neuron learned
    /// to see (the playground draws them). None by default.
    fn hidden_outputs(&self, _features: Tensor<2>) -> Vec<Tensor<2>> {
        Vec::new()
    }
}

/// How to build a [`Network`]: the configuration saved beside its parameters (in
/// `config.json`), from which training and inference build the same network.
pub trait Architecture: Clone + Debug + PartialEq + Serialize + DeserializeOwned {
    type Network: Network;

    /// INIT: a network with random parameters, drawn from the device's seeded generator.
    fn init(&self, device: &Device) -> Self::Network;

    /// Width of a feature row, `[batch, inputs]`.
    fn inputs(&self) -> usize;

    /// Width of an output row: one per class (the logits), or one for regression.
    fn outputs(&self) -> usize;

    /// One line for people, e.g. `mlp 4-16-3 relu`.
    fn describe(&self) -> String;

    /// How many numbers each layer outputs per row, the inputs first: what the memory estimate
    /// counts as activations. By default just the inputs and outputs; a network with hidden
    /// layers should name them.
    fn layer_widths(&self) -> Vec<usize> {
        vec![self.inputs(), self.outputs()]
    }

    /// The most bytes a saved record of this network can hold, when known before it is read: a
    /// larger file is not its record (and is not read). `None`: bounded by memory alone.
    fn record_bytes(&self) -> Option<u64> {
        None
    }

    /// The network from a record an older stepwise wrote in another layout, if this
    /// architecture had one (see [`ModelConfig`]); `None` when the record is not one of those.
    fn load_older(
        &self,
        _record: burn::store::ModuleRecord,
        _device: &Device,
    ) -> Option<Self::Network> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::mlp::Mlp;
    use super::*;
    use crate::config::ModelKind;

    /// An architecture that keeps the trait's defaults.
    #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Plain;

    impl Architecture for Plain {
        type Network = Mlp;
        fn init(&self, device: &Device) -> Mlp {
            ModelConfig::new(ModelKind::Linear, 2, 3).init(device)
        }
        fn inputs(&self) -> usize {
            2
        }
        fn outputs(&self) -> usize {
            3
        }
        fn describe(&self) -> String {
            "plain".into()
        }
    }

    #[test]
    fn by_default_a_network_is_counted_as_its_inputs_and_outputs() {
        assert_eq!(Plain.layer_widths(), [2, 3]);
        let device = crate::device::cpu().expect("a CPU backend").device;
        let record = encode(&Plain.init(&device)).unwrap();
        assert!(Plain
            .load_older(
                burn::store::ModuleRecord::from_bytes(burn::tensor::Bytes::from_bytes_vec(record))
                    .unwrap(),
                &device
            )
            .is_none());
    }
}
