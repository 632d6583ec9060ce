//! tanh as one burn operation with a backward pass of its own.
//!
//! burn's `tanh` costs a tanh-network twice what it should (bench/README.md, "sine"): burn-flex
//! calls the C library's scalar `tanhf` once per element, and burn's autodiff keeps the *input*
//! and computes `tanh` again in the backward pass. This operation keeps the *output* y instead,
//! so the backward pass is d(loss)/dx = d(loss)/dy × (1 − y²) with no tanh at all; and on flex it
//! computes tanh with a rational function the compiler vectorises (`flex::tanh_f32`).
//!
//! It is a burn backend extension: the forward and backward are per-backend functions, routed by
//! burn's `Dispatch` like its own operations. Other backends (ndarray, wgpu) compute them with
//! burn's tensor operations; on a remote device each half is a custom operation the server runs
//! with this same code (src/remote/tanh_on_server.rs). Gradients still come from burn's autodiff, which records this
//! operation in its graph like any other.

use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::ops::{Backward, OpsKind};
use burn::backend::autodiff::Autodiff;
use burn::backend::tensor::FloatTensor;
use burn::backend::Backend;

use super::backward::{OneInput, Step};

per_backend! {
    /// The two halves of the operation, per backend.
    pub trait Tanh: Backend {
        /// y = tanh(x).
        fn tanh_forward(x: FloatTensor<Self>) -> FloatTensor<Self> {
            Self::float_tanh(x)
        }

        /// d(loss)/dx = d(loss)/dy × (1 − y²), from the forward's output y.
        fn tanh_backward(output: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self> {
            slope_times_gradient::<Self>(output, grad)
        }
    }
}

/// `grad × (1 − y²)` from burn's element-wise operations.
fn slope_times_gradient<B: Backend>(
    output: FloatTensor<B>,
    grad: FloatTensor<B>,
) -> FloatTensor<B> {
    let squared = B::float_mul(output.clone(), output);
    let slope = B::float_add_scalar(B::float_neg(squared), 1f32.into());
    B::float_mul(grad, slope)
}

/// With autodiff: run the inner backend's forward, and record a backward step that keeps the
/// output (shared, not copied) as its state.
impl<B: Tanh, C: CheckpointStrategy> Tanh for Autodiff<B, C> {
    fn tanh_forward(x: FloatTensor<Self>) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct TanhBackward;

        impl<B: Tanh> OneInput<B> for TanhBackward {
            type State = FloatTensor<B>; // the output, y

            fn input_gradient(output: FloatTensor<B>, grad: FloatTensor<B>) -> FloatTensor<B> {
                B::tanh_backward(output, grad)
            }
        }

        match Step::<TanhBackward>::default()
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let output = B::tanh_forward(x.into_primitive());
                prep.finish(output.clone(), output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::tanh_forward(x.into_primitive())),
        }
    }
}

#[cfg(feature = "ndarray")]
impl Tanh for burn::backend::NdArray {}

#[cfg(feature = "wgpu")]
impl Tanh for burn::backend::Cube {}

#[cfg(feature = "flex")]
pub(super) use flex::{float32, tanh_f32};

#[cfg(feature = "flex")]
mod flex {
    use burn::backend::flex::{FlexTensor, Layout};
    use burn::backend::ops::FloatTensorOps;
    use burn::backend::Flex;
    use burn::tensor::{Bytes, DType, Shape};

    use super::{slope_times_gradient, Tanh};

    /// On contiguous float32 tensors, one pass over the elements (in place when the tensor is
    /// not shared); anything else goes to burn's own operations.
    impl Tanh for Flex {
        fn tanh_forward(mut x: FlexTensor) -> FlexTensor {
            if x.dtype() != DType::F32 || !x.is_contiguous() {
                return Flex::float_tanh(x);
            }
            let elements = x.layout().num_elements();
            if x.layout().start_offset() == 0 {
                if let Some(values) = x.try_storage_mut::<f32>() {
                    for value in &mut values[..elements] {
                        *value = tanh_f32(*value);
                    }
                    return x;
                }
            }
            match x.as_slice::<f32>() {
                Some(values) => {
                    let output = values.iter().map(|&value| tanh_f32(value)).collect();
                    float32(output, x.layout().shape().clone())
                }
                None => Flex::float_tanh(x),
            }
        }

        fn tanh_backward(output: FlexTensor, grad: FlexTensor) -> FlexTensor {
            let same_shape = output.layout().shape() == grad.layout().shape();
            match (output.as_slice::<f32>(), grad.as_slice::<f32>()) {
                (Some(outputs), Some(grads)) if same_shape => {
                    let product = outputs
                        .iter()
                        .zip(grads)
                        .map(|(&y, &grad)| grad * (1.0 - y * y))
                        .collect();
                    float32(product, grad.layout().shape().clone())
                }
                _ => slope_times_gradient::<Flex>(output, grad),
            }
        }
    }

    /// A new contiguous float32 tensor of `values`, row-major, of that shape.
    pub(in crate::device) fn float32(values: Vec<f32>, shape: Shape) -> FlexTensor {
        FlexTensor::new(
            Bytes::from_elems(values),
            Layout::contiguous(shape),
            DType::F32,
        )
    }

    /// Beyond ±LIMIT, tanh is 1 to float32 precision; the rational function is fitted up to it.
    const LIMIT: f32 = 7.905_311;

    /// tanh(x) as p(x)/q(x), odd degree-13 over even degree-6 polynomials: Eigen's and XLA's
    /// float tanh, which has no branch and no library call, so a loop of it vectorises. Against
    /// f64 tanh over every finite float32 (one 3-minute run; the test checks every 97th): at most
    /// 7 units in the last place, 3.9e-7, off.
    #[inline]
    pub(in crate::device) fn tanh_f32(x: f32) -> f32 {
        let clamped = x.clamp(-LIMIT, LIMIT); // NaN stays NaN
        let x2 = clamped * clamped;
        let p = x2 * -2.760_768_5e-16 + 2.000_188e-13;
        let p = x2 * p + -8.604_672e-11;
        let p = x2 * p + 5.122_297e-8;
        let p = x2 * p + 1.485_722_4e-5;
        let p = x2 * p + 6.372_619e-4;
        let p = x2 * p + 4.893_524_6e-3;
        let q = x2 * 1.198_258_4e-6 + 1.185_347_1e-4;
        let q = x2 * q + 2.268_434_7e-3;
        let q = x2 * q + 4.893_525e-3;
        let tanh = clamped * p / q;
        // Near 0, tanh(x) = x to float32 precision, and x is exact where p/q is off by an ulp.
        if x.abs() < 0.0004 {
            x
        } else {
            tanh
        }
    }

    #[cfg(test)]
    mod tests {
        use super::tanh_f32;

        /// Units in the last place between two float32s.
        fn ulps(a: f32, b: f32) -> u32 {
            let ordered = |value: f32| {
                let bits = value.to_bits() as i32;
                if bits < 0 {
                    i32::MIN - bits
                } else {
                    bits
                }
            };
            ordered(a).abs_diff(ordered(b))
        }

        #[test]
        fn tanh_f32_is_within_7_ulps_of_tanh() {
            // Every 97th float32 bit pattern (the exhaustive check took 3 minutes, release build).
            let mut worst = 0;
            for bits in (0..=u32::MAX).step_by(97) {
                let x = f32::from_bits(bits);
                if x.is_finite() {
                    let exact = (x as f64).tanh() as f32;
                    worst = worst.max(ulps(tanh_f32(x), exact));
                }
            }
            assert!(worst <= 7, "{worst} ulps");
            assert!(tanh_f32(f32::NAN).is_nan());
            assert_eq!(tanh_f32(0.0), 0.0);
            assert!((tanh_f32(f32::INFINITY) - 1.0).abs() <= f32::EPSILON);
            assert!((tanh_f32(f32::NEG_INFINITY) + 1.0).abs() <= f32::EPSILON);
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Tensor, TensorData};

    use super::*;
    use burn::backend::Dispatch;

    /// tanh of every element. `[any shape] → [same shape]`, values in [−1, 1]. The networks take
    /// it inside the dense operation ([`super::linear_then`]); alone, it is what the tests hold
    /// equal to burn's.
    fn tanh<const D: usize>(x: Tensor<D>) -> Tensor<D> {
        Tensor::from_dispatch(<Dispatch as Tanh>::tanh_forward(x.into_dispatch()))
    }

    /// Forward values and gradients agree with burn's own tanh on every backend compiled in, for
    /// a contiguous input and a transposed one (flex's fallback path).
    #[test]
    fn matches_burn_tanh_and_its_gradient() {
        let close = |a: Tensor<2>, b: Tensor<2>| {
            let (a, b) = (a.into_data(), b.into_data());
            let pairs = a.iter::<f32>().zip(b.iter::<f32>());
            pairs.map(|(a, b)| (a - b).abs()).fold(0.0, f32::max)
        };
        let values: Vec<f32> = (0..64).map(|i| (i as f32 - 32.0) / 4.0).collect();
        let weights: Vec<f32> = (0..64).map(|i| i as f32 / 64.0).collect();
        for (name, backend) in crate::device::survey() {
            let Ok(backend) = backend else { continue }; // no adapter for wgpu here
            let device = backend.device.autodiff();
            let tensor = |values: &[f32]| {
                Tensor::<2>::from_data(TensorData::new(values.to_vec(), [8, 8]), &device)
            };
            for transposed in [false, true] {
                let (ours, theirs) = (
                    tensor(&values).require_grad(),
                    tensor(&values).require_grad(),
                );
                let layout = |x: Tensor<2>| if transposed { x.transpose() } else { x };
                let ours_out = tanh(layout(ours.clone()));
                let theirs_out = layout(theirs.clone()).tanh();
                let ours_grads = (ours_out.clone() * tensor(&weights)).sum().backward();
                let theirs_grads = (theirs_out.clone() * tensor(&weights)).sum().backward();
                let error = close(ours_out.inner(), theirs_out.inner());
                assert!(
                    error <= 4e-7,
                    "{name}, transposed {transposed}: tanh off by {error}"
                );
                let (ours_grad, theirs_grad) = (ours.grad(&ours_grads), theirs.grad(&theirs_grads));
                let error = close(
                    ours_grad.expect("a gradient"),
                    theirs_grad.expect("a gradient"),
                );
                assert!(
                    error <= 1e-6,
                    "{name}, transposed {transposed}: gradient off by {error}"
                );
            }
        }
    }
}
