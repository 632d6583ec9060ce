//! The backward step of an operation with one input that can need a gradient (tanh, the two
//! losses): burn's `Backward` boilerplate written once.

use std::fmt::Debug;
use std::marker::PhantomData;

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops};
use burn::backend::tensor::FloatTensor;
use burn::backend::Backend;

/// What an operation of one tracked input keeps, and how its input's gradient follows.
pub trait OneInput<B: Backend>: Debug + Send + 'static {
    /// What the forward keeps for the backward step (shared tensors, not copies).
    type State: Clone + Send + Debug + 'static;

    /// d(loss)/d(input), from the kept state and d(loss)/d(output).
    fn input_gradient(state: Self::State, grad: FloatTensor<B>) -> FloatTensor<B>;
}

/// The backward step of `T`: `Step::<T>::default().prepare::<C>([input.node()])`.
#[derive(Debug)]
pub struct Step<T>(PhantomData<T>);

impl<T> Default for Step<T> {
    fn default() -> Self {
        Step(PhantomData)
    }
}

impl<B: Backend, T: OneInput<B>> Backward<B, 1> for Step<T> {
    type State = T::State;

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [input] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        if let Some(input) = input {
            grads.register::<B>(input.id, T::input_gradient(ops.state, grad));
        }
    }
}
