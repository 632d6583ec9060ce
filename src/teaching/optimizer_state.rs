//! What the optimizer carries from one STEP to the next, for the trace: SGD's velocity (the
//! running sum of gradients momentum keeps), Adam's and AdamW's two moments (the running mean of
//! the gradients and of their squares), RMSprop's running mean of squares. burn keeps it per
//! parameter; its record names each tensor `{parameter id}.{what}`.

use burn::module::ParamId;
use burn::optim::ModuleOptimizer;
use burn::store::burn_pack::Reader;
use burn::tensor::{DType, TensorData};

/// One tensor of the optimizer's state: its parameter, what it is (`velocity`, `moment_1`, …)
/// and its norm.
#[derive(Clone, Debug, PartialEq)]
pub struct StateNorm {
    pub parameter: ParamId,
    pub what: String,
    pub norm: f64,
}

/// Every tensor of `optimizer`'s state, by parameter; none before the first STEP (and none for
/// SGD without momentum, which keeps nothing).
pub fn state_norms(optimizer: &ModuleOptimizer) -> Vec<StateNorm> {
    let tensors = optimizer
        .to_record()
        .into_bytes()
        .ok()
        .and_then(|bytes| Reader::from_bytes(bytes).ok())
        .and_then(|reader| reader.into_tensors().ok())
        .unwrap_or_default();
    tensors
        .into_iter()
        .filter_map(|tensor| {
            if tensor.dtype != DType::F32 {
                return None;
            }
            let (id, what) = tensor.name.split_once('.')?;
            let parameter = ParamId::from(id.parse::<u64>().ok()?);
            let what = what.rsplit('.').next().unwrap_or(what).to_string();
            let data = TensorData::from_bytes(tensor.to_bytes().ok()?, tensor.shape, DType::F32);
            let norm = super::trace::norm(data.iter::<f32>().map(f64::from));
            Some(StateNorm {
                parameter,
                what,
                norm,
            })
        })
        .collect()
}
