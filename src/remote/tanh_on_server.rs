//! stepwise's own operations over the wire: its tanh ([`crate::device::tanh`]), and the question
//! "what do you compute on?".
//!
//! burn-remote sends burn's operations to the server as they are; an operation of stepwise's own
//! travels as a custom operation, named here, that the server runs with the same per-backend code
//! a local run uses. So a remote run computes exactly what a local run on the server's backend
//! computes.

use burn::backend::ir::{BackendIr, CustomOpIr, TensorIr};
use burn::backend::tensor::FloatTensor;
use burn::backend::{backend_extension, Backend, Dispatch, Remote, TensorMetadata};
use burn::remote::CustomOpClient;
use burn::server::RemoteServer;
use burn::tensor::{Device, Tensor, TensorData};

use crate::device::Tanh;

const TANH_FORWARD: &str = "stepwise.tanh_forward";
const TANH_BACKWARD: &str = "stepwise.tanh_backward";
const HOSTED: &str = "stepwise.hosted";

/// Bytes of the hosted device's description, sent as one float each (longer ones are cut).
const DESCRIPTION_BYTES: usize = 160;

/// The client half of the tanh extension: each half is one custom operation on the server.
impl Tanh for Remote {
    fn tanh_forward(x: FloatTensor<Self>) -> FloatTensor<Self> {
        run(TANH_FORWARD, vec![x])
    }

    fn tanh_backward(output: FloatTensor<Self>, grad: FloatTensor<Self>) -> FloatTensor<Self> {
        run(TANH_BACKWARD, vec![output, grad])
    }
}

/// The server's answer to "what do you compute on?", as a tensor of characters.
#[backend_extension(Remote)]
pub trait Hosted: Backend {
    /// `[DESCRIPTION_BYTES]` zeros → the description's bytes, zero padded.
    fn hosted(blank: FloatTensor<Self>) -> FloatTensor<Self>;
}

impl Hosted for Remote {
    fn hosted(blank: FloatTensor<Self>) -> FloatTensor<Self> {
        run(HOSTED, vec![blank])
    }
}

/// Queues custom operation `id` on the inputs' device; its one output has the first input's shape.
fn run(id: &'static str, inputs: Vec<FloatTensor<Remote>>) -> FloatTensor<Remote> {
    let client = CustomOpClient::new(&inputs[0].device());
    let (shape, dtype) = (inputs[0].shape(), inputs[0].dtype());
    let output = TensorIr::uninit(client.create_empty_handle(), shape, dtype);
    let inputs: Vec<TensorIr> = inputs.into_iter().map(|tensor| tensor.into_ir()).collect();
    client
        .register(CustomOpIr::new(id, &inputs, &[output]))
        .remove(0)
}

/// What the server at `device` says it computes on, e.g. `flex: CPU (burn-flex, pure Rust)`.
pub fn describe(device: &Device) -> String {
    let blank = Tensor::<1>::zeros([DESCRIPTION_BYTES], device);
    let answer = Tensor::<1>::from_dispatch(<Dispatch as Hosted>::hosted(blank.into_dispatch()));
    let bytes: Vec<u8> = answer.into_data().iter::<f32>().map(|b| b as u8).collect();
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// The server half, on the backend it hosts (`flex`, `ndarray` or `wgpu`; burn refuses
/// operations for any other): stepwise's operations, and `hosted` answering with `description`.
pub fn register(server: RemoteServer, backend: &str, description: &str) -> RemoteServer {
    match backend {
        #[cfg(feature = "flex")]
        "flex" => register_on::<burn::backend::Flex>(server, description),
        #[cfg(feature = "ndarray")]
        #[allow(deprecated)] // burn 0.22 deprecates ndarray; it still works
        "ndarray" => register_on::<burn::backend::NdArray>(server, description),
        #[cfg(feature = "wgpu")]
        "wgpu" => register_on::<burn::backend::Cube>(server, description),
        other => unreachable!("stepwise serve hosts only a local backend, not {other}"),
    }
}

fn register_on<B: BackendIr + Tanh>(server: RemoteServer, description: &str) -> RemoteServer {
    let mut characters = vec![0f32; DESCRIPTION_BYTES];
    let bytes = description.as_bytes().iter().take(DESCRIPTION_BYTES - 1);
    for (character, &byte) in characters.iter_mut().zip(bytes) {
        *character = byte as f32;
    }
    server
        .with_custom_op::<B, _>(TANH_FORWARD, |handles, op, _device| {
            let x = handles.get_float_tensor::<B>(&op.inputs[0]);
            handles.register_float_tensor::<B>(&op.outputs[0].id, B::tanh_forward(x));
        })
        .with_custom_op::<B, _>(TANH_BACKWARD, |handles, op, _device| {
            let output = handles.get_float_tensor::<B>(&op.inputs[0]);
            let grad = handles.get_float_tensor::<B>(&op.inputs[1]);
            let dx = B::tanh_backward(output, grad);
            handles.register_float_tensor::<B>(&op.outputs[0].id, dx);
        })
        .with_custom_op::<B, _>(HOSTED, move |handles, op, device| {
            let _blank = handles.get_float_tensor::<B>(&op.inputs[0]); // freed, as burn's ops do
            let data = TensorData::new(characters.clone(), [DESCRIPTION_BYTES]);
            let answer = B::float_from_data(data, device);
            handles.register_float_tensor::<B>(&op.outputs[0].id, answer);
        })
}
