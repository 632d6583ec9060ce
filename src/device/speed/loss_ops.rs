//! The two losses, each as one operation of burn's autodiff graph.
//!
//! burn's `CrossEntropyLoss` is a log-softmax (a maximum, a subtraction, an exponential, a sum, a
//! logarithm and a subtraction), a gather and a mean, and `MseLoss` a subtraction, a square and a
//! mean: each a node of the graph with its bookkeeping, most of the loss's cost on a small
//! network. These operations compute the same forward values with the same backend operations,
//! and take the textbook derivatives in one backward step:
//!
//! - cross-entropy: d(loss)/d(logits) = (softmax(logits) − one_hot(class)) / batch
//! - mean squared error: d(loss)/d(prediction) = 2 (prediction − target) / count

use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::ops::{Backward, OpsKind};
use burn::backend::autodiff::Autodiff;
use burn::backend::tensor::{FloatTensor, IntTensor};
use burn::backend::TensorMetadata;
use burn::backend::{Backend, Dispatch};
use burn::tensor::{IndexingUpdateOp, Int, Shape, Tensor};

use super::backward::{OneInput, Step};

/// The mean over the batch of −log softmax(logits)\[class\]. `[batch, classes]` and `[batch]` →
/// `[1]`.
pub fn cross_entropy(logits: Tensor<2>, classes: Tensor<1, Int>) -> Tensor<1> {
    Tensor::from_dispatch(<Dispatch as Losses>::cross_entropy(
        logits.into_dispatch(),
        classes.into_dispatch(),
    ))
}

/// The mean of (prediction − target)². `[batch, outputs]` twice → `[1]`.
pub fn mean_squared_error(prediction: Tensor<2>, targets: Tensor<2>) -> Tensor<1> {
    Tensor::from_dispatch(<Dispatch as Losses>::squared_error(
        prediction.into_dispatch(),
        targets.into_dispatch(),
    ))
}

per_backend! {
    /// The forward halves, per backend; the backward halves are burn's operations too.
    pub trait Losses: Backend {
        /// −mean(log_softmax(logits)[class]): `[batch, classes]`, `[batch]` → `[1]`.
        fn cross_entropy(logits: FloatTensor<Self>, classes: IntTensor<Self>) -> FloatTensor<Self> {
            picked_mean::<Self>(Self::log_softmax(logits, 1), classes)
        }

        /// mean((prediction − target)²): `[batch, outputs]` twice → `[1]`.
        fn squared_error(
            prediction: FloatTensor<Self>,
            targets: FloatTensor<Self>,
        ) -> FloatTensor<Self> {
            mean_of_squares::<Self>(Self::float_sub(prediction, targets))
        }
    }
}

/// mean(difference²): `[batch, outputs]` → `[1]`.
fn mean_of_squares<B: Backend>(difference: FloatTensor<B>) -> FloatTensor<B> {
    B::float_mean(B::float_powi_scalar(difference, 2.into()))
}

/// −mean of each row's entry at its class: `[batch, classes]`, `[batch]` → `[1]`.
fn picked_mean<B: Backend>(
    log_probabilities: FloatTensor<B>,
    classes: IntTensor<B>,
) -> FloatTensor<B> {
    let batch = classes.shape()[0];
    let picked = B::float_gather(
        1,
        log_probabilities,
        B::int_reshape(classes, Shape::new([batch, 1])),
    );
    B::float_neg(B::float_mean(B::float_reshape(picked, Shape::new([batch]))))
}

/// (softmax − one_hot(class)) / batch × `grad`: `[batch, classes]`.
fn cross_entropy_backward<B: Backend>(
    log_probabilities: FloatTensor<B>,
    classes: IntTensor<B>,
    grad: FloatTensor<B>,
) -> FloatTensor<B> {
    let [batch, _] = log_probabilities.shape().dims();
    let probabilities = B::float_exp(log_probabilities);
    let at_class = B::int_reshape(classes, Shape::new([batch, 1]));
    let minus_one = B::float_neg(B::float_ones(
        Shape::new([batch, 1]),
        &probabilities.device(),
        probabilities.dtype().into(),
    ));
    let slope = B::float_scatter(1, probabilities, at_class, minus_one, IndexingUpdateOp::Add);
    let slope = B::float_div_scalar(slope, (batch as f64).into());
    B::float_mul(slope, B::float_reshape(grad, Shape::new([1, 1])))
}

/// 2 (prediction − target) / count × `grad`: the difference's shape.
fn squared_error_backward<B: Backend>(
    difference: FloatTensor<B>,
    grad: FloatTensor<B>,
) -> FloatTensor<B> {
    let shape = difference.shape();
    let count = shape.num_elements();
    let slope = B::float_mul_scalar(difference, (2.0 / count as f64).into());
    let ones = vec![1; shape.num_dims()];
    B::float_mul(slope, B::float_reshape(grad, Shape::from(ones)))
}

/// With autodiff: the inner backend's forward, and one backward step that keeps what the
/// derivative needs (the log-probabilities and classes, or the difference).
impl<B: Losses, C: CheckpointStrategy> Losses for Autodiff<B, C> {
    fn cross_entropy(logits: FloatTensor<Self>, classes: IntTensor<Self>) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct CrossEntropyBackward;

        impl<B: Backend> OneInput<B> for CrossEntropyBackward {
            type State = (FloatTensor<B>, IntTensor<B>); // log-probabilities, classes

            fn input_gradient(state: Self::State, grad: FloatTensor<B>) -> FloatTensor<B> {
                let (log_probabilities, classes) = state;
                cross_entropy_backward::<B>(log_probabilities, classes, grad)
            }
        }

        let prepared = Step::<CrossEntropyBackward>::default()
            .prepare::<C>([logits.node()])
            .compute_bound()
            .stateful();
        let log_probabilities = B::log_softmax(logits.into_primitive(), 1);
        match prepared {
            OpsKind::Tracked(prep) => {
                let loss = picked_mean::<B>(log_probabilities.clone(), classes.clone());
                prep.finish((log_probabilities, classes), loss)
            }
            OpsKind::UnTracked(prep) => prep.finish(picked_mean::<B>(log_probabilities, classes)),
        }
    }

    fn squared_error(
        prediction: FloatTensor<Self>,
        targets: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct SquaredErrorBackward;

        impl<B: Backend> OneInput<B> for SquaredErrorBackward {
            type State = FloatTensor<B>; // prediction − target

            fn input_gradient(difference: FloatTensor<B>, grad: FloatTensor<B>) -> FloatTensor<B> {
                squared_error_backward::<B>(difference, grad)
            }
        }

        // The targets are data: no gradient flows to them.
        let prepared = Step::<SquaredErrorBackward>::default()
            .prepare::<C>([prediction.node()])
            .compute_bound()
            .stateful();
        let difference = B::float_sub(prediction.into_primitive(), targets.into_primitive());
        match prepared {
            OpsKind::Tracked(prep) => {
                prep.finish(difference.clone(), mean_of_squares::<B>(difference))
            }
            OpsKind::UnTracked(prep) => prep.finish(mean_of_squares::<B>(difference)),
        }
    }
}

defaults_on_every_backend!(Losses);

#[cfg(test)]
mod tests {
    use burn::nn::loss::{CrossEntropyLossConfig, MseLoss, Reduction};
    use burn::tensor::{Int, Tensor, TensorData};

    use super::{cross_entropy, mean_squared_error};

    type Loss<'a> = Box<dyn Fn(Tensor<2>) -> Tensor<1> + 'a>;

    /// The loss and d(loss)/d(prediction) (of 3 × the loss, so the incoming gradient counts)
    /// equal those of burn's `CrossEntropyLoss` and `MseLoss`, on every backend compiled in.
    #[test]
    fn equal_burns_losses_and_their_gradients() {
        let values: Vec<f32> = (0..12).map(|i| ((i * 7 % 13) as f32 - 6.0) * 0.4).collect();
        for (name, backend) in crate::device::survey() {
            let Ok(backend) = backend else { continue }; // no adapter for wgpu here
            let device = backend.device.autodiff();
            let prediction = || {
                let data = TensorData::new(values.clone(), [4, 3]);
                Tensor::<2>::from_data(data, &device).require_grad()
            };
            let classes = TensorData::new(vec![2_i64, 0, 1, 2], [4]);
            let classes = Tensor::<1, Int>::from_data(classes, &device);
            let targets: Vec<f32> = values.iter().map(|value| value * 0.5 + 0.1).collect();
            let targets = Tensor::<2>::from_data(TensorData::new(targets, [4, 3]), &device);
            let burns_cross_entropy = CrossEntropyLossConfig::new().init(&device);
            let cases: [(&str, Loss, Loss); 2] = [
                (
                    "cross-entropy",
                    Box::new(|p| cross_entropy(p, classes.clone())),
                    Box::new(|p| burns_cross_entropy.forward(p, classes.clone())),
                ),
                (
                    "mean squared error",
                    Box::new(|p| mean_squared_error(p, targets.clone())),
                    Box::new(|p| MseLoss::new().forward(p, targets.clone(), Reduction::Mean)),
                ),
            ];
            for (what, ours, theirs) in cases {
                let (ours_x, theirs_x) = (prediction(), prediction());
                let (ours, theirs) = (ours(ours_x.clone()), theirs(theirs_x.clone()));
                let largest_difference = |a: Vec<f32>, b: Vec<f32>| {
                    let differences = a.iter().zip(&b).map(|(a, b)| (a - b).abs());
                    differences.fold(0.0, f32::max)
                };
                let values = |tensor: Tensor<1>| tensor.inner().into_data().to_vec().unwrap();
                let error = largest_difference(values(ours.clone()), values(theirs.clone()));
                assert!(error <= 1e-6, "{name}: {what} off by {error}");
                let ours_grads = ours.mul_scalar(3.0).backward();
                let theirs_grads = theirs.mul_scalar(3.0).backward();
                let grad = |x: &Tensor<2>, grads| -> Vec<f32> {
                    let grad = x.grad(grads).expect("a gradient");
                    grad.into_data().to_vec().unwrap()
                };
                let error =
                    largest_difference(grad(&ours_x, &ours_grads), grad(&theirs_x, &theirs_grads));
                assert!(
                    error <= 1e-6,
                    "{name}: d({what})/d(prediction) off by {error}"
                );
            }
        }
    }
}
