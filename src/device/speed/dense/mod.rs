//! A linear layer, with or without its activation, as one operation of burn's autodiff graph.
//!
//! Written as burn's calls, `activation(layer.forward(x))` is four operations of the graph: burn
//! 0.22's `Dispatch` does not pass `linear` through to the backend yet (a "TODO: linear ops" in
//! burn-dispatch 0.22.1), so the product, the bias's reshape and the sum are each recorded, then
//! the activation. Each costs its bookkeeping on top of its arithmetic: recording the node,
//! ordering it, running its backward step, handing the gradient on. On a small network that
//! bookkeeping is most of a step (bench/README.md, "Where the time goes"). This operation does the
//! same arithmetic in one node:
//!
//! - forward: x · weight + bias, then the activation (none for an output layer);
//! - backward: the activation's slope from the output y (relu: y > 0, tanh: 1 − y², sigmoid:
//!   y(1 − y)), then the three linear gradients, grad · weightᵀ, xᵀ · grad and the batch's sum.
//!
//! Each half is a per-backend function: burn's own operations by default, and on flex stepwise's
//! loops around the same matrix products (`flex.rs`).

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::Autodiff;
use burn::backend::tensor::FloatTensor;
use burn::backend::Dispatch;
use burn::nn::Linear;
use burn::tensor::Tensor;

use super::tanh_op::Tanh;
use crate::config::ActivationKind;

#[cfg(feature = "flex")]
mod flex;

/// `layer` applied to `x`: x · weight + bias. `[batch, inputs] → [batch, outputs]`.
pub fn linear(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    dense(layer, x, None)
}

/// `activation(x · weight + bias)`. `[batch, inputs] → [batch, outputs]`.
pub fn linear_then(layer: &Linear, x: Tensor<2>, activation: ActivationKind) -> Tensor<2> {
    dense(layer, x, Some(activation))
}

/// `activation(x · weight + bias)`, or without activation. `[batch, inputs] → [batch, outputs]`.
fn dense(layer: &Linear, x: Tensor<2>, activation: Option<ActivationKind>) -> Tensor<2> {
    let Some(bias) = &layer.bias else {
        let weighted = layer.forward(x);
        return match activation {
            Some(activation) => Tensor::from_dispatch(<Dispatch as Dense>::activate(
                weighted.into_dispatch(),
                activation,
            )),
            None => weighted,
        };
    };
    Tensor::from_dispatch(<Dispatch as Dense>::dense(
        x.into_dispatch(),
        layer.weight.val().into_dispatch(),
        bias.val().into_dispatch(),
        activation,
    ))
}

per_backend! {
    /// The two halves, per backend: burn's operations unless a backend has its own.
    pub trait Dense: Tanh {
        /// activation(x · weight + bias): `[batch, inputs]`, `[inputs, outputs]` and `[outputs]`
        /// → `[batch, outputs]`.
        fn dense(
            x: FloatTensor<Self>,
            weight: FloatTensor<Self>,
            bias: FloatTensor<Self>,
            activation: Option<ActivationKind>,
        ) -> FloatTensor<Self> {
            burns::dense::<Self>(x, weight, bias, activation)
        }

        /// The activation alone. `[any shape] → [same shape]`.
        fn activate(x: FloatTensor<Self>, activation: ActivationKind) -> FloatTensor<Self> {
            burns::activate::<Self>(x, activation)
        }

        /// d(loss)/d(x · weight + bias): `grad` (d(loss)/dy) times the activation's slope, from
        /// the output y alone. `[batch, outputs]` twice → `[batch, outputs]`.
        fn activation_backward(
            output: FloatTensor<Self>,
            grad: FloatTensor<Self>,
            activation: ActivationKind,
        ) -> FloatTensor<Self> {
            burns::activation_backward::<Self>(output, grad, activation)
        }

        /// d(loss)/dx = grad · weightᵀ: `[inputs, outputs]`, `[batch, outputs]` → `[batch, inputs]`.
        fn dense_x_backward(weight: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self> {
            Self::linear_x_backward(weight, grad)
        }

        /// d(loss)/dweight = xᵀ · grad: `[batch, inputs]`, `[batch, outputs]` → `[inputs, outputs]`.
        fn dense_weight_backward(x: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self> {
            Self::linear_weight_backward(x, grad)
        }

        /// d(loss)/dbias = grad summed over the batch: `[batch, outputs]` → `[outputs]`.
        fn dense_bias_backward(grad: FloatTensor<Self>) -> FloatTensor<Self> {
            Self::linear_bias_backward(grad)
        }
    }
}

/// The halves from burn's operations: every backend's, and flex's for what its loops don't take.
mod burns {
    use super::{ActivationKind, Dense, FloatTensor};

    pub fn dense<B: Dense>(
        x: FloatTensor<B>,
        weight: FloatTensor<B>,
        bias: FloatTensor<B>,
        activation: Option<ActivationKind>,
    ) -> FloatTensor<B> {
        let weighted = B::linear(x, weight, Some(bias));
        match activation {
            Some(activation) => B::activate(weighted, activation),
            None => weighted,
        }
    }

    pub fn activate<B: Dense>(x: FloatTensor<B>, activation: ActivationKind) -> FloatTensor<B> {
        match activation {
            ActivationKind::Relu => B::relu(x),
            ActivationKind::Tanh => B::tanh_forward(x),
            ActivationKind::Sigmoid => B::sigmoid(x),
        }
    }

    pub fn activation_backward<B: Dense>(
        output: FloatTensor<B>,
        grad: FloatTensor<B>,
        activation: ActivationKind,
    ) -> FloatTensor<B> {
        match activation {
            ActivationKind::Relu => B::relu_backward(output, grad),
            ActivationKind::Tanh => B::tanh_backward(output, grad),
            ActivationKind::Sigmoid => B::sigmoid_backward(output, grad),
        }
    }
}

/// The gradients of x, weight and bias (those asked for) from the output's, `grad`.
fn backward<B: Dense>(
    state: State<B>,
    grad: FloatTensor<B>,
    wanted: [bool; 3],
) -> [Option<FloatTensor<B>>; 3] {
    let State { x, weight, slope } = state;
    // d(loss)/d(x · weight + bias), from the output alone.
    let grad = match slope {
        Some((activation, output)) => B::activation_backward(output, grad, activation),
        None => grad,
    };
    let [x_wanted, weight_wanted, bias_wanted] = wanted;
    [
        x_wanted.then(|| B::dense_x_backward(weight, grad.clone())),
        weight_wanted.then(|| B::dense_weight_backward(x, grad.clone())),
        bias_wanted.then(|| B::dense_bias_backward(grad)),
    ]
}

/// What the backward step keeps of the forward: its input and weight, and the activation with
/// its output when there is one (shared, not copied).
#[derive(Debug, Clone)]
struct State<B: Dense> {
    x: FloatTensor<B>,
    weight: FloatTensor<B>,
    slope: Option<(ActivationKind, FloatTensor<B>)>,
}

/// With autodiff: run the inner backend's forward, and record one backward step.
impl<B: Dense, C: CheckpointStrategy> Dense for Autodiff<B, C> {
    fn dense(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        activation: Option<ActivationKind>,
    ) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct DenseBackward;

        impl<B: Dense> Backward<B, 3> for DenseBackward {
            type State = State<B>;

            fn backward(
                self,
                ops: Ops<Self::State, 3>,
                grads: &mut Gradients,
                _checkpointer: &mut Checkpointer,
            ) {
                let grad = grads.consume::<B>(&ops.node);
                let wanted = ops.parents.each_ref().map(Option::is_some);
                let gradients = backward::<B>(ops.state, grad, wanted);
                for (parent, gradient) in ops.parents.into_iter().zip(gradients) {
                    if let (Some(parent), Some(gradient)) = (parent, gradient) {
                        grads.register::<B>(parent.id, gradient);
                    }
                }
            }
        }

        match DenseBackward
            .prepare::<C>([x.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let (x, weight) = (x.into_primitive(), weight.into_primitive());
                let output = B::dense(x.clone(), weight.clone(), bias.into_primitive(), activation);
                let state = State {
                    x,
                    weight,
                    slope: activation.map(|activation| (activation, output.clone())),
                };
                prep.finish(state, output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::dense(
                x.into_primitive(),
                weight.into_primitive(),
                bias.into_primitive(),
                activation,
            )),
        }
    }
}

defaults_on_every_backend!(Dense, except flex);

#[cfg(test)]
mod tests;
