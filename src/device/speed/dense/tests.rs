use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::{relu, sigmoid, tanh};
use burn::tensor::{Tensor, TensorData};

use super::{linear, linear_then};
use crate::config::ActivationKind;

/// Outputs and every gradient (input, weight, bias) equal burn's `Linear::forward` on every
/// backend compiled in.
#[test]
fn matches_burns_linear_and_its_gradients() {
    same_as_burns(linear, |layer, x| layer.forward(x));
}

/// Outputs and every gradient equal those of burn's linear layer, then burn's activation, as two
/// operations, on every backend compiled in. (stepwise's tanh is within 7 ulp of the exact tanh,
/// burn's is the C library's: they may differ in the last bits.)
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

/// `ours` and `theirs` give the same outputs and gradients (input, weight, bias), within
/// 1e-6 of the largest value of each (at least 1), for a 5 → 3 layer on a batch of 4, on every
/// backend compiled in. The layer starts from a seed: an unseeded start made some runs' tanh
/// gradients differ by 1.4e-6, since stepwise's and burn's tanh may differ by a few ulp (about
/// 4e-7 relative near ±1), and a weight's gradient sums four such products. Relative, because
/// float32 rounding is: a gradient of 3 carries 3 times the rounding of a gradient of 1.
fn same_as_burns(
    ours: impl Fn(&Linear, Tensor<2>) -> Tensor<2>,
    theirs: impl Fn(&Linear, Tensor<2>) -> Tensor<2>,
) {
    for (name, backend) in crate::device::survey() {
        let Ok(backend) = backend else { continue }; // no adapter for wgpu here
        let device = backend.device.autodiff();
        let layer = crate::device::seeded(&device, 42, || LinearConfig::new(5, 3).init(&device));
        let x = || Tensor::<2>::from_data(TensorData::new(values(20, 0.25), [4, 5]), &device);
        let ours = outputs_and_gradients(&ours, &layer, x());
        let theirs = outputs_and_gradients(&theirs, &layer, x());
        for (what, (ours, theirs)) in ["output", "d/dx", "d/dweight", "d/dbias"]
            .iter()
            .zip(ours.iter().zip(&theirs))
        {
            let error = ours.iter().zip(theirs).map(|(a, b)| (a - b).abs());
            let error = error.fold(0.0, f32::max);
            let largest = theirs.iter().map(|value| value.abs()).fold(1.0, f32::max);
            assert!(error <= 1e-6 * largest, "{name}: {what} off by {error}");
        }
    }
}

/// On flex, the values and gradients are burn-flex's own to the last bit: the same matrix
/// products, then the same element-wise operations in the same order. For a small layer, one
/// big enough for the products to use every core, and an input that is a transposed view.
#[cfg(feature = "flex")]
#[test]
fn on_flex_it_is_burn_flexs_arithmetic_to_the_last_bit() {
    use burn::tensor::activation::{relu, sigmoid};
    let device = burn::tensor::Device::flex().autodiff();
    for (batch, inputs, outputs, transposed) in
        [(4, 5, 3, false), (200, 200, 200, false), (6, 7, 5, true)]
    {
        let init = || LinearConfig::new(inputs, outputs).init(&device);
        let layer = crate::device::seeded(&device, 7, init);
        let x = || {
            let values = values(batch * inputs, 0.25);
            match transposed {
                false => Tensor::<2>::from_data(TensorData::new(values, [batch, inputs]), &device),
                true => Tensor::<2>::from_data(TensorData::new(values, [inputs, batch]), &device)
                    .transpose(),
            }
        };
        for activation in [
            None,
            Some(ActivationKind::Relu),
            Some(ActivationKind::Sigmoid),
        ] {
            let ours = |layer: &Linear, x| match activation {
                Some(activation) => linear_then(layer, x, activation),
                None => linear(layer, x),
            };
            let theirs = |layer: &Linear, x| {
                let z = layer.forward(x);
                match activation {
                    Some(ActivationKind::Relu) => relu(z),
                    Some(_) => sigmoid(z),
                    None => z,
                }
            };
            let bits = |values: [Vec<f32>; 4]| {
                values.map(|v| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>())
            };
            assert_eq!(
                bits(outputs_and_gradients(ours, &layer, x())),
                bits(outputs_and_gradients(theirs, &layer, x())),
                "{batch}x{inputs}x{outputs} {activation:?}"
            );
        }
    }
}

/// The activation's slope multiplies the gradient in place only when nothing else holds its
/// buffer: a gradient that is shared keeps its values, and both ways give the same product.
#[cfg(feature = "flex")]
#[test]
fn on_flex_a_shared_gradient_keeps_its_values() {
    use super::Dense;
    use burn::backend::flex::FlexTensor;
    use burn::backend::Flex;
    let tensor = |values: Vec<f32>| FlexTensor::from_data(TensorData::new(values, [2, 3]));
    let bits = |tensor: FlexTensor| {
        tensor
            .into_data()
            .iter::<f32>()
            .map(f32::to_bits)
            .collect::<Vec<_>>()
    };
    let output = tensor(vec![0.5, -0.25, 0.0, 0.75, f32::NAN, 0.1]);
    let grad = tensor(values(6, 0.5));
    for activation in [
        ActivationKind::Relu,
        ActivationKind::Tanh,
        ActivationKind::Sigmoid,
    ] {
        let alone = Flex::activation_backward(output.clone(), tensor(values(6, 0.5)), activation);
        let shared = Flex::activation_backward(output.clone(), grad.clone(), activation);
        assert_eq!(bits(alone), bits(shared), "{activation:?}");
        assert_eq!(
            bits(grad.clone()),
            bits(tensor(values(6, 0.5))),
            "{activation:?}"
        );
    }
}

/// The output of `forward`, then the gradients of the input, the weight and the bias of a loss
/// that weighs each output differently.
fn outputs_and_gradients(
    forward: impl Fn(&Linear, Tensor<2>) -> Tensor<2>,
    layer: &Linear,
    x: Tensor<2>,
) -> [Vec<f32>; 4] {
    let x = x.require_grad();
    let output = forward(layer, x.clone());
    let [batch, outputs] = output.dims();
    let device = output.device();
    let weights = Tensor::<2>::from_data(
        TensorData::new(values(batch * outputs, 0.5), [batch, outputs]),
        &device,
    );
    let grads = (output.clone() * weights).sum().backward();
    let weight: &Param<Tensor<2>> = &layer.weight;
    let bias = layer.bias.as_ref().expect("a bias").val();
    let values = |tensor: burn::tensor::TensorData| tensor.iter::<f32>().collect();
    [
        values(output.inner().into_data()),
        values(x.grad(&grads).expect("a gradient").into_data()),
        values(weight.val().grad(&grads).expect("a gradient").into_data()),
        values(bias.grad(&grads).expect("a gradient").into_data()),
    ]
}

/// `count` values from −6 × `scale` to 6 × `scale`, in a fixed order.
fn values(count: usize, scale: f32) -> Vec<f32> {
    (0..count)
        .map(|i| ((i * 7 % 13) as f32 - 6.0) * scale)
        .collect()
}
