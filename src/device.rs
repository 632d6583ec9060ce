//! The one place that knows which backends exist.
//!
//! Cargo features decide which burn backends are compiled in (`flex`, the default pure-Rust CPU
//! backend; `ndarray`; `wgpu` for the GPU). Everything else in stepwise takes a `Device` and never
//! names a backend.

use burn::tensor::Device;

#[cfg(not(any(feature = "flex", feature = "ndarray", feature = "wgpu")))]
compile_error!("stepwise needs a backend: enable one of the features `flex`, `ndarray` or `wgpu`");

/// The backends compiled into this build, in order of preference for the CPU.
pub fn compiled_backends() -> Vec<&'static str> {
    let mut backends = Vec::new();
    if cfg!(feature = "flex") {
        backends.push("flex");
    }
    if cfg!(feature = "ndarray") {
        backends.push("ndarray");
    }
    if cfg!(feature = "wgpu") {
        backends.push("wgpu");
    }
    backends
}

/// A backend picked for this run: its device (without autodiff) and its name for the summary.
#[derive(Clone, Debug)]
pub struct Backend {
    pub name: &'static str,
    pub device: Device,
}

/// The default backend: the first CPU backend compiled in, else the GPU.
pub fn default_backend() -> Backend {
    #[cfg(feature = "flex")]
    return Backend {
        name: "flex",
        device: Device::flex(),
    };
    #[cfg(all(not(feature = "flex"), feature = "ndarray"))]
    #[allow(deprecated)] // burn 0.22 deprecates ndarray in favour of flex; it still works.
    return Backend {
        name: "ndarray",
        device: Device::ndarray(),
    };
    #[cfg(all(not(feature = "flex"), not(feature = "ndarray"), feature = "wgpu"))]
    return Backend {
        name: "wgpu",
        device: Device::wgpu(burn::tensor::DeviceKind::DefaultDevice),
    };
}
