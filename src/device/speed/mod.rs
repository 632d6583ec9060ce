//! The speed layer: stepwise's own device operations, fenced here so that the rest of stepwise
//! reads as plain burn. Each stands in for burn code that is correct but slow on small networks,
//! computes the same values, and should be deleted when burn no longer needs the help.
//!
//! | operation | stands in for | measured (bench/README.md, "What made it faster") | kept equal to burn by | delete when |
//! |---|---|---|---|---|
//! | [`linear`], [`linear_then`] (`dense/`) | `Linear::forward` and the activation after it: four nodes of autodiff's graph, as burn 0.22's `Dispatch` does not pass `linear` through ("TODO: linear ops" in burn-dispatch 0.22.1) | xor −9.2% and −16% instructions a step; on flex its own `gemm` loops (`dense/flex.rs`) −20% on digits | `dense/tests.rs`: values and gradients against burn's `Linear` plus activation on every backend; flex's bits against burn-flex's | `Dispatch` passes `linear` through and burn fuses an activation into it |
//! | [`cross_entropy`], [`mean_squared_error`] (`loss_ops.rs`) | `CrossEntropyLoss` (about nine graph nodes) and `MseLoss` (three) | xor −16.2%, digits −5.8% instructions a step | `loss_ops.rs` tests: losses and gradients against burn's on every backend | burn's losses record one node of the graph each |
//! | tanh (`tanh_op.rs`, the activation inside [`linear_then`]) | `burn::tensor::activation::tanh`: scalar `tanhf` per element on flex, computed again in the backward pass | sine 2.0× samples/s | `tanh_op.rs` tests: flex's rational tanh within 7 ulp of the exact value, gradients against burn's on every backend | burn-flex vectorises tanh and autodiff keeps its output |
//!
//! `backward.rs` is burn's `Backward` boilerplate for an operation of one tracked input, written
//! once for tanh and the losses. A new backend gets these operations through the list in
//! [`super`] (`per_backend!`, `defaults_on_every_backend!`): burn's own operations by default.

mod backward;
#[allow(deprecated)] // it routes to burn's ndarray backend, deprecated in 0.22 but shipped
mod dense;
#[allow(deprecated)] // it routes to burn's ndarray backend, deprecated in 0.22 but shipped
mod loss_ops;
#[allow(deprecated)] // it routes to burn's ndarray backend, deprecated in 0.22 but shipped
mod tanh_op;

pub use dense::{linear, linear_then};
pub use loss_ops::{cross_entropy, mean_squared_error};
#[cfg(feature = "remote")]
pub(crate) use tanh_op::Tanh;
