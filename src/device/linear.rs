//! A linear layer as one operation of burn's autodiff graph.
//!
//! burn 0.22's `nn::Linear::forward` calls `module::linear`, which burn's autodiff records as one
//! operation with its own backward step. But the backend a model runs on, burn's `Dispatch`, does
//! not pass `linear` through to it yet (a "TODO: linear ops" in burn-dispatch 0.22.1): it runs the
//! generic version, whose product, reshape of the bias and sum each become an operation of the
//! graph, with the bookkeeping each costs: a third of a small network's step (bench/README.md,
//! xor). This backend extension reaches the backend's own `linear` through `Dispatch`, as
//! [`super::tanh`] does; with autodiff, that is burn's one-operation version.

use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::Autodiff;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch};
use burn::nn::Linear;
use burn::tensor::Tensor;

/// `layer` applied to `x`: x · weight + bias. `[batch, inputs] → [batch, outputs]`.
pub fn linear(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    let Some(bias) = &layer.bias else {
        return layer.forward(x);
    };
    Tensor::from_dispatch(<Dispatch as Affine>::affine(
        x.into_dispatch(),
        layer.weight.val().into_dispatch(),
        bias.val().into_dispatch(),
    ))
}

per_backend! {
    /// The backend's own `linear`, per backend.
    pub trait Affine: Backend {
        /// x · weight + bias: `[batch, inputs]`, `[inputs, outputs]` and `[outputs]` →
        /// `[batch, outputs]`.
        fn affine(
            x: FloatTensor<Self>,
            weight: FloatTensor<Self>,
            bias: FloatTensor<Self>,
        ) -> FloatTensor<Self> {
            Self::linear(x, weight, Some(bias))
        }
    }
}

impl<B: Affine, C: CheckpointStrategy> Affine for Autodiff<B, C> {}

defaults_on_every_backend!(Affine);

#[cfg(test)]
pub(super) mod tests {
    use burn::module::Param;
    use burn::nn::{Linear, LinearConfig};
    use burn::tensor::{Tensor, TensorData};

    use super::linear;

    /// Outputs and every gradient (input, weight, bias) equal burn's `Linear::forward` on every
    /// backend compiled in.
    #[test]
    fn matches_burns_linear_and_its_gradients() {
        same_as_burns(linear, |layer, x| layer.forward(x));
    }

    /// `ours` and `theirs` give the same outputs and gradients (input, weight, bias), within
    /// 1e-6, for a 5 → 3 layer on a batch of 4, on every backend compiled in.
    pub fn same_as_burns(
        ours: impl Fn(&Linear, Tensor<2>) -> Tensor<2>,
        theirs: impl Fn(&Linear, Tensor<2>) -> Tensor<2>,
    ) {
        let values = |count: usize, scale: f32| -> Vec<f32> {
            (0..count)
                .map(|i| ((i * 7 % 13) as f32 - 6.0) * scale)
                .collect()
        };
        for (name, backend) in crate::device::survey(None) {
            let Ok(backend) = backend else { continue }; // no adapter for wgpu here
            let device = backend.device.autodiff();
            let layer = LinearConfig::new(5, 3).init(&device);
            let input = || {
                let data = TensorData::new(values(20, 0.25), [4, 5]);
                Tensor::<2>::from_data(data, &device).require_grad()
            };
            let weights = Tensor::<2>::from_data(TensorData::new(values(12, 0.5), [4, 3]), &device);
            let (ours_x, theirs_x) = (input(), input());
            let ours = ours(&layer, ours_x.clone());
            let theirs = theirs(&layer, theirs_x.clone());
            let ours_grads = (ours.clone() * weights.clone()).sum().backward();
            let theirs_grads = (theirs.clone() * weights).sum().backward();
            let same = |a: Tensor<2>, b: Tensor<2>, what: &str| {
                let (a, b) = (a.into_data(), b.into_data());
                let error = a
                    .iter::<f32>()
                    .zip(b.iter::<f32>())
                    .map(|(a, b)| (a - b).abs());
                let error = error.fold(0.0, f32::max);
                assert!(error <= 1e-6, "{name}: {what} off by {error}");
            };
            same(ours.inner(), theirs.inner(), "output");
            let grad = |x: &Tensor<2>, grads| x.grad(grads).expect("a gradient");
            same(
                grad(&ours_x, &ours_grads),
                grad(&theirs_x, &theirs_grads),
                "d/dx",
            );
            let weight: &Param<Tensor<2>> = &layer.weight;
            same(
                grad(&weight.val(), &ours_grads),
                grad(&weight.val(), &theirs_grads),
                "d/dweight",
            );
            let bias = layer.bias.as_ref().expect("a bias").val();
            let bias_grad = |grads| bias.grad(grads).expect("a gradient").unsqueeze::<2>();
            same(bias_grad(&ours_grads), bias_grad(&theirs_grads), "d/dbias");
        }
    }
}
