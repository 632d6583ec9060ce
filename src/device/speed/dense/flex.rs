//! The dense layer's two halves on burn-flex, as loops around the matrix products.
//!
//! The products are burn-flex's own: gemm, called with the arguments burn-flex's `matmul` passes,
//! so the values are the same to the last bit, and so are the bias, activation, slope and sums
//! around them (same operations, same order). What changes is the memory traffic. burn-flex
//! allocates each product zeroed, then copies it into a second, aligned buffer; the bias and the
//! activation are then a pass and a buffer each, and so are the slope and the bias's gradient.
//! Here each product is written once, into a buffer nobody zeroed, and the bias and the
//! activation are one pass over it; the slope is applied in place.
//!
//! Anything that is not a float32 matrix (another dtype, negative strides) goes to burn's
//! operations, as on the other backends.

use burn::backend::flex::FlexTensor;
use burn::backend::ops::ModuleOps;
use burn::backend::Flex;
use burn::tensor::{DType, Shape};

use super::{burns, Dense};
use crate::config::ActivationKind;
use crate::device::speed::tanh_op::{float32, tanh_f32};

impl Dense for Flex {
    fn dense(
        x: FlexTensor,
        weight: FlexTensor,
        bias: FlexTensor,
        activation: Option<ActivationKind>,
    ) -> FlexTensor {
        let (Some(inputs), Some(weights), Some(biases)) =
            (Matrix::of(&x), Matrix::of(&weight), bias.as_slice::<f32>())
        else {
            return burns::dense::<Flex>(x, weight, bias, activation);
        };
        if biases.len() != weights.columns || biases.is_empty() {
            return burns::dense::<Flex>(x, weight, bias, activation);
        }
        let mut output = product(inputs, weights); // [batch, outputs]
        match activation {
            None => add_then(&mut output, biases, |z| z),
            Some(ActivationKind::Relu) => add_then(&mut output, biases, relu),
            Some(ActivationKind::Tanh) => add_then(&mut output, biases, tanh_f32),
            Some(ActivationKind::Sigmoid) => add_then(&mut output, biases, sigmoid),
        }
        float32(output, Shape::new([inputs.rows, weights.columns]))
    }

    fn activation_backward(
        output: FlexTensor,
        grad: FlexTensor,
        activation: ActivationKind,
    ) -> FlexTensor {
        // burn-flex's relu_backward, tanh's and sigmoid_backward, element by element.
        match activation {
            ActivationKind::Relu => {
                slope_times(
                    output,
                    grad,
                    activation,
                    |y, g| if passes(y) { g } else { 0.0 },
                )
            }
            ActivationKind::Tanh => slope_times(output, grad, activation, |y, g| g * (1.0 - y * y)),
            ActivationKind::Sigmoid => {
                slope_times(output, grad, activation, |y, g| g * y * (1.0 - y))
            }
        }
    }

    fn dense_x_backward(weight: FlexTensor, grad: FlexTensor) -> FlexTensor {
        match (Matrix::of(&grad), Matrix::of(&weight)) {
            (Some(grads), Some(weights)) => {
                let x_grad = product(grads, weights.transposed()); // [batch, inputs]
                float32(x_grad, Shape::new([grads.rows, weights.rows]))
            }
            _ => Flex::linear_x_backward(weight, grad),
        }
    }

    fn dense_weight_backward(x: FlexTensor, grad: FlexTensor) -> FlexTensor {
        match (Matrix::of(&x), Matrix::of(&grad)) {
            (Some(inputs), Some(grads)) => {
                let weight_grad = product(inputs.transposed(), grads); // [inputs, outputs]
                float32(weight_grad, Shape::new([inputs.columns, grads.columns]))
            }
            _ => Flex::linear_weight_backward(x, grad),
        }
    }

    fn dense_bias_backward(grad: FlexTensor) -> FlexTensor {
        let shape = grad.layout().shape();
        let (Some(grads), 2) = (grad.as_slice::<f32>(), shape.num_dims()) else {
            return Flex::linear_bias_backward(grad);
        };
        // Row after row, as burn-flex's sum over the first dimension adds them.
        let mut sums = vec![0.0f32; shape[1]]; // [outputs]
        for row in grads.chunks_exact(shape[1].max(1)) {
            for (sum, &g) in sums.iter_mut().zip(row) {
                *sum += g;
            }
        }
        let outputs = sums.len();
        float32(sums, Shape::new([outputs]))
    }
}

/// `times(y, g)` of each output y and its gradient g: in place when the gradient's buffer is
/// this tensor's alone. `activation` says which, for burn's operations to take the rest.
fn slope_times(
    output: FlexTensor,
    mut grad: FlexTensor,
    activation: ActivationKind,
    times: impl Fn(f32, f32) -> f32,
) -> FlexTensor {
    let same_shape = output.layout().shape() == grad.layout().shape();
    let Some(outputs) = output.as_slice::<f32>().filter(|_| same_shape) else {
        return burns::activation_backward::<Flex>(output, grad, activation);
    };
    let in_place = grad.is_contiguous() && grad.layout().start_offset() == 0;
    if let Some(grads) = grad.try_storage_mut::<f32>().filter(|_| in_place) {
        for (g, &y) in grads.iter_mut().zip(outputs) {
            *g = times(y, *g);
        }
        return grad;
    }
    match grad.as_slice::<f32>() {
        Some(grads) => {
            let product = outputs.iter().zip(grads).map(|(&y, &g)| times(y, g));
            float32(product.collect(), output.layout().shape().clone())
        }
        None => burns::activation_backward::<Flex>(output, grad, activation),
    }
}

/// burn-flex's relu: NaN passes through.
fn relu(z: f32) -> f32 {
    if passes(z) {
        z
    } else {
        0.0
    }
}

/// Where relu passes its input (and its gradient) on: above zero, and NaN.
fn passes(z: f32) -> bool {
    z.is_nan() || z > 0.0
}

/// burn-flex's sigmoid: the form that cannot overflow on either side.
fn sigmoid(z: f32) -> f32 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// value ← activation(value + bias), row by row. `[batch, outputs]` and `[outputs]`.
fn add_then(values: &mut [f32], biases: &[f32], activation: impl Fn(f32) -> f32) {
    for row in values.chunks_exact_mut(biases.len()) {
        for (value, &bias) in row.iter_mut().zip(biases) {
            *value = activation(*value + bias);
        }
    }
}

/// A float32 matrix in a flex tensor's storage: where it starts and how far apart its rows and
/// columns are (a transposed view swaps them).
#[derive(Clone, Copy)]
struct Matrix<'a> {
    storage: &'a [f32],
    start: usize,
    rows: usize,
    columns: usize,
    row_stride: isize,
    column_stride: isize,
}

impl<'a> Matrix<'a> {
    /// A 2-d float32 tensor with no negative stride, as a matrix.
    fn of(tensor: &'a FlexTensor) -> Option<Self> {
        let layout = tensor.layout();
        let (shape, strides) = (layout.shape(), layout.strides());
        let matrix = tensor.dtype() == DType::F32 && shape.num_dims() == 2;
        if !matrix || strides.iter().any(|&stride| stride < 0) {
            return None;
        }
        Some(Matrix {
            storage: tensor.storage::<f32>(),
            start: layout.start_offset(),
            rows: shape[0],
            columns: shape[1],
            row_stride: strides[0],
            column_stride: strides[1],
        })
    }

    /// The same values, rows as columns.
    fn transposed(self) -> Self {
        Matrix {
            rows: self.columns,
            columns: self.rows,
            row_stride: self.column_stride,
            column_stride: self.row_stride,
            ..self
        }
    }
}

/// lhs · rhs, row-major: `[m, k] · [k, n] → [m, n]`, computed as burn-flex's matmul computes it.
fn product(lhs: Matrix, rhs: Matrix) -> Vec<f32> {
    let (m, k, n) = (lhs.rows, lhs.columns, rhs.columns);
    assert_eq!(k, rhs.rows, "the inner dimensions of a product must match");
    if m == 0 || n == 0 || k == 0 {
        return vec![0.0; m * n];
    }
    // burn-flex's threshold for using every core.
    let parallelism = if m.saturating_mul(n).saturating_mul(k) >= 192 * 192 * 192 {
        gemm::Parallelism::Rayon(0)
    } else {
        gemm::Parallelism::None
    };
    let mut product = Vec::<f32>::with_capacity(m * n);
    // SAFETY: the operands' starts and strides come from their tensors' layouts, so every element
    // gemm reads lies in their storage; `product` has room for the m × n values, which gemm writes
    // row-major (column stride 1, row stride n) without reading them (`read_dst` false), all of
    // them since m, n and k are positive, before `set_len` counts them.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            product.as_mut_ptr(),
            1,
            n as isize,
            false,
            lhs.storage.as_ptr().add(lhs.start),
            lhs.column_stride,
            lhs.row_stride,
            rhs.storage.as_ptr().add(rhs.start),
            rhs.column_stride,
            rhs.row_stride,
            0.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        );
        product.set_len(m * n);
    }
    product
}
