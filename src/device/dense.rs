//! A linear layer, then its activation, as one operation of burn's autodiff graph.
//!
//! Written as two calls, `activation(linear(x))`, a layer is two operations of the graph, and
//! each costs its bookkeeping on top of its arithmetic: recording the node, ordering it, running
//! its backward step, handing the gradient from one step to the next. On a small network that
//! bookkeeping is most of a step (bench/README.md, "Where the time goes"). This operation does
//! the same arithmetic in one node: forward, the backend's own `linear` then the activation;
//! backward, the activation's slope from the output y (relu: y > 0, tanh: 1 − y², sigmoid:
//! y(1 − y)), then burn's three linear gradients.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::Autodiff;
use burn::backend::tensor::FloatTensor;
use burn::backend::Dispatch;
use burn::nn::Linear;
use burn::tensor::Tensor;

use super::tanh::Tanh;
use crate::config::ActivationKind;

/// `activation(x · weight + bias)`. `[batch, inputs] → [batch, outputs]`.
pub fn linear_then(layer: &Linear, x: Tensor<2>, activation: ActivationKind) -> Tensor<2> {
    let Some(bias) = &layer.bias else {
        let weighted = layer.forward(x);
        return Tensor::from_dispatch(<Dispatch as Dense>::activate(
            weighted.into_dispatch(),
            activation,
        ));
    };
    Tensor::from_dispatch(<Dispatch as Dense>::dense(
        x.into_dispatch(),
        layer.weight.val().into_dispatch(),
        bias.val().into_dispatch(),
        activation,
    ))
}

per_backend! {
    /// The forward half, per backend; the backward half is [`backward`], from burn's operations.
    pub trait Dense: Tanh {
        /// activation(x · weight + bias): `[batch, inputs]`, `[inputs, outputs]` and `[outputs]`
        /// → `[batch, outputs]`.
        fn dense(
            x: FloatTensor<Self>,
            weight: FloatTensor<Self>,
            bias: FloatTensor<Self>,
            activation: ActivationKind,
        ) -> FloatTensor<Self> {
            Self::activate(Self::linear(x, weight, Some(bias)), activation)
        }

        /// The activation alone. `[any shape] → [same shape]`.
        fn activate(x: FloatTensor<Self>, activation: ActivationKind) -> FloatTensor<Self> {
            match activation {
                ActivationKind::Relu => Self::relu(x),
                ActivationKind::Tanh => Self::tanh_forward(x),
                ActivationKind::Sigmoid => Self::sigmoid(x),
            }
        }
    }
}

/// The gradients of x, weight and bias (those asked for) from the output's, `grad`.
fn backward<B: Dense>(
    state: State<B>,
    grad: FloatTensor<B>,
    wanted: [bool; 3],
) -> [Option<FloatTensor<B>>; 3] {
    let State {
        x,
        weight,
        output,
        activation,
    } = state;
    // d(loss)/d(x · weight + bias), from the output alone.
    let grad = match activation {
        ActivationKind::Relu => B::relu_backward(output, grad),
        ActivationKind::Tanh => B::tanh_backward(output, grad),
        ActivationKind::Sigmoid => B::sigmoid_backward(output, grad),
    };
    let [x_wanted, weight_wanted, bias_wanted] = wanted;
    [
        x_wanted.then(|| B::linear_x_backward(weight, grad.clone())),
        weight_wanted.then(|| B::linear_weight_backward(x, grad.clone())),
        bias_wanted.then(|| B::linear_bias_backward(grad)),
    ]
}

/// What the backward step keeps of the forward: its input, weight and output (shared, not
/// copied).
#[derive(Debug, Clone)]
struct State<B: Dense> {
    x: FloatTensor<B>,
    weight: FloatTensor<B>,
    output: FloatTensor<B>,
    activation: ActivationKind,
}

/// With autodiff: run the inner backend's forward, and record one backward step.
impl<B: Dense, C: CheckpointStrategy> Dense for Autodiff<B, C> {
    fn dense(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        activation: ActivationKind,
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
                    output: output.clone(),
                    activation,
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

defaults_on_every_backend!(Dense);

#[cfg(test)]
mod tests {
    use burn::tensor::activation::{relu, sigmoid, tanh};

    use super::linear_then;
    use crate::config::ActivationKind;
    use crate::device::linear::tests::same_as_burns;

    /// Outputs and every gradient equal those of burn's linear layer, then burn's activation, as
    /// two operations, on every backend compiled in. (stepwise's tanh is within 7 ulp of the
    /// exact tanh, burn's is the C library's: they may differ in the last bits.)
    #[test]
    fn is_burns_linear_then_activation_in_one_operation() {
        for (activation, burns) in [
            (ActivationKind::Relu, relu as fn(_) -> _),
            (ActivationKind::Tanh, tanh),
            (ActivationKind::Sigmoid, sigmoid),
        ] {
            same_as_burns(
                |layer, x| linear_then(layer, x, activation),
                |layer, x| burns(layer.forward(x)),
            );
        }
    }
}
