//! The one place that knows which backends exist.
//!
//! Cargo features decide which burn backends are compiled in: `flex` (the default, burn's
//! pure-Rust CPU backend), `ndarray` (a CPU backend burn 0.22 deprecates but still ships) and
//! `wgpu` (the GPU, through Vulkan, Metal, DX12 or OpenGL), and `remote` adds another machine's
//! device (the `remote` module, which builds on this one). `--device` picks one of those at run
//! time. Everything else in stepwise takes a `Device` and never names a backend.
//!
//! stepwise's own operations that reach each backend's code (the dense layer, the losses, tanh)
//! are fenced in `speed/`, whose table says what each stands in for and when to delete it.
//!
//! ## What a new backend needs
//! Besides its feature in Cargo.toml, all in this folder:
//! 1. a line in `backends!`, the one list of backends, which
//!    `per_backend!`, `defaults_on_every_backend!` and [`compiled_backends`] read;
//! 2. a [`DeviceChoice`] variant and a constructor of its [`Backend`] (like `flex()` below), which
//!    [`select`] calls;
//! 3. nothing for stepwise's own operations: burn's `Dispatch` routes them to it, and it computes
//!    them with burn's own operations, as ndarray and wgpu do; code of its own is an `impl` like
//!    flex's in `speed/`;
//! 4. for tanh, `impl Tanh for <its type> {}` in `speed/tanh_op.rs` (flex and remote have their
//!    own tanh, so that extension lists its backends itself).
//!
//! The backends suite (`tests/it/backends.rs`) then trains and compares on it with
//! `--features` naming it.

/// The one list of the burn backends stepwise builds for: each one's cargo feature and burn's
/// type. Hands it, as `[("feature", Type) ...]`, to `$then!` after `$args`: `per_backend!`,
/// `defaults_on_every_backend!` and [`compiled_backends`] read it from here.
macro_rules! backends {
    ($then:ident! $($args:tt)*) => {
        $then! { $($args)* [("flex", Flex) ("ndarray", NdArray) ("wgpu", Cube) ("remote", Remote)] }
    };
}

/// A backend extension (`#[backend_extension]`): a trait whose operations `Dispatch` routes to
/// each backend compiled in, and to autodiff.
macro_rules! per_backend {
    ($extension:item) => {
        backends!(per_backend_in! $extension);
    };
}

#[rustfmt::skip] // rustfmt indents the attribute's lines further on every run
macro_rules! per_backend_in {
    ($extension:item [$(($feature:tt, $backend:ident))*]) => {
        #[burn::backend::backend_extension($($backend: cfg(feature = $feature),)* Autodiff)]
        $extension
    };
}

/// `impl $extension for B {}` on every backend compiled in: an extension whose operations need
/// no code of a backend's own, only the trait's defaults (burn's operations). `except flex`: on
/// every backend but flex (the list's first), which has code of its own.
macro_rules! defaults_on_every_backend {
    ($extension:ident $(, $except:ident $flex:ident)?) => {
        backends!(defaults_in! $extension $(, $except $flex)?;);
    };
}

macro_rules! defaults_in {
    ($extension:ident; [$(($feature:tt, $backend:ident))*]) => {
        $(
            #[cfg(feature = $feature)]
            impl $extension for burn::backend::$backend {}
        )*
    };
    ($extension:ident, except flex; [("flex", Flex) $($rest:tt)*]) => {
        defaults_in!($extension; [$($rest)*]);
    };
}

mod seeded;
mod speed;

pub use seeded::seeded;

#[cfg(feature = "remote")]
pub(crate) use speed::Tanh;
pub use speed::{cross_entropy, linear, linear_then, mean_squared_error};

use anyhow::Result;
use burn::tensor::Device;
use clap::ValueEnum;

#[cfg(not(any(feature = "flex", feature = "ndarray", feature = "wgpu")))]
compile_error!("stepwise needs a backend: enable one of the features `flex`, `ndarray` or `wgpu`");

/// What `--device` asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum DeviceChoice {
    /// The GPU when the `wgpu` feature is built in and a hardware adapter exists, else the CPU.
    #[default]
    Auto,
    /// burn's pure-Rust CPU backend.
    Flex,
    /// burn's ndarray CPU backend (deprecated upstream).
    Ndarray,
    /// The GPU through wgpu.
    Wgpu,
    /// The device of a `stepwise serve` on another machine (--remote ADDRESS; feature `remote`).
    Remote,
}

/// A backend ready to compute on.
#[derive(Clone, Debug)]
pub struct Backend {
    /// `flex`, `ndarray`, `wgpu` or `remote`.
    pub name: &'static str,
    /// What it runs on, for a person: `CPU`, or the GPU adapter's name and kind.
    pub description: String,
    /// A GPU backend whose adapter is a CPU software rasteriser (Mesa's llvmpipe, say).
    pub software: bool,
    /// The device, without autodiff.
    pub device: Device,
}

/// The backend picked for `--device`, and a warning for the person when `auto` had to fall back.
#[derive(Clone, Debug)]
pub struct Selection {
    pub backend: Backend,
    pub warning: Option<String>,
}

/// The backends compiled into this build.
pub fn compiled_backends() -> Vec<&'static str> {
    macro_rules! compiled {
        ([$(($feature:tt, $backend:ident))*]) => {
            [$(cfg!(feature = $feature).then_some($feature)),*]
        };
    }
    backends!(compiled!).into_iter().flatten().collect()
}

/// The backend `--device` names, on this machine (`--device remote` is the remote module's to
/// answer, with the server's address: `remote::select`, which builds on this one).
pub fn select(choice: DeviceChoice) -> Result<Selection> {
    let chosen = |backend| {
        Ok(Selection {
            backend,
            warning: None,
        })
    };
    match choice {
        DeviceChoice::Flex => chosen(flex().ok_or_else(|| not_compiled("flex"))?),
        DeviceChoice::Ndarray => chosen(ndarray().ok_or_else(|| not_compiled("ndarray"))?),
        DeviceChoice::Wgpu => chosen(wgpu()?),
        DeviceChoice::Remote => anyhow::bail!(
            "--device remote needs --remote ADDRESS: the ws://HOST:PORT or iroh endpoint id that \
             `stepwise serve` printed on the server"
        ),
        DeviceChoice::Auto => {
            let gpu = wgpu();
            let cpu = cpu();
            match (gpu, cpu) {
                (Ok(gpu), _) if !gpu.software => chosen(gpu),
                (Ok(gpu), Some(cpu)) => Ok(Selection {
                    warning: Some(format!(
                        "wgpu found only {}, slower than the CPU backend; using {} \
                         (--device wgpu forces the GPU backend)",
                        gpu.description, cpu.name
                    )),
                    backend: cpu,
                }),
                (Ok(gpu), None) => chosen(gpu),
                (Err(_), Some(cpu)) if !cfg!(feature = "wgpu") => chosen(cpu),
                (Err(err), Some(cpu)) => Ok(Selection {
                    warning: Some(format!("{err:#}; using the CPU backend {}", cpu.name)),
                    backend: cpu,
                }),
                (Err(err), None) => Err(err),
            }
        }
    }
}

/// The first CPU backend compiled in: flex, else ndarray.
pub fn cpu() -> Option<Backend> {
    flex().or_else(ndarray)
}

/// Makes the calling thread one of the CPU backends' compute threads (rayon's pool, which the
/// matrix products big enough for both cores are split over). Call it once, first, from the
/// thread that will train.
///
/// A product asked for from a thread outside the pool is handed to it and waited for: threads
/// wake and sleep twice a product while the asking thread idles. From inside, the asking thread
/// computes a share itself. Same arithmetic, same bits; `scale` trains ~10% faster and `cnn`
/// ~20% (bench/README.md). The data and the loop stay on this thread, where they were.
pub fn compute_on_this_thread() {
    // This fails only when the pool is running already; then that pool serves.
    let _ = rayon::ThreadPoolBuilder::new()
        .use_current_thread()
        .build_global();
}

/// Every compiled backend with what it would run on, or why it cannot run (`stepwise devices`;
/// with a server, `remote::survey`).
pub fn survey() -> Vec<(&'static str, Result<Backend>)> {
    compiled_backends()
        .into_iter()
        .map(|name| {
            let choice = DeviceChoice::from_str(name, false).expect("every backend is a choice");
            (name, select(choice).map(|selection| selection.backend))
        })
        .collect()
}

fn not_compiled(name: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "the {name} backend is not compiled into this build (compiled: {}); rebuild with \
         `--features {name}`",
        compiled_backends().join(", ")
    )
}

fn flex() -> Option<Backend> {
    #[cfg(feature = "flex")]
    return Some(Backend {
        name: "flex",
        description: "CPU (burn-flex, pure Rust)".into(),
        software: false,
        device: Device::flex(),
    });
    #[cfg(not(feature = "flex"))]
    None
}

fn ndarray() -> Option<Backend> {
    #[cfg(feature = "ndarray")]
    #[allow(deprecated)] // burn 0.22 deprecates ndarray in favour of flex; it still works.
    return Some(Backend {
        name: "ndarray",
        description: "CPU (burn-ndarray, deprecated upstream)".into(),
        software: false,
        device: Device::ndarray(),
    });
    #[cfg(not(feature = "ndarray"))]
    None
}

#[cfg(not(feature = "wgpu"))]
fn wgpu() -> Result<Backend> {
    Err(not_compiled("wgpu"))
}

/// The wgpu device and its adapter, brought up once per process: burn refuses to initialise the
/// same wgpu runtime twice, and panics when a tensor is made on a device with no adapter — so
/// stepwise asks first, through the fallible initialiser, and remembers the answer.
#[cfg(feature = "wgpu")]
fn wgpu() -> Result<Backend> {
    use burn::tensor::wgpu::wgpu::DeviceType;
    use std::sync::OnceLock;

    static WGPU: OnceLock<Result<Backend, String>> = OnceLock::new();
    let result = WGPU.get_or_init(|| {
        let (device, setup) = Device::wgpu_options()
            .init_with_setup()
            .map_err(|err| err.to_string())?;
        let info = setup.adapter.get_info();
        let kind = match info.device_type {
            DeviceType::DiscreteGpu => "discrete GPU",
            DeviceType::IntegratedGpu => "integrated GPU",
            DeviceType::VirtualGpu => "virtual GPU",
            DeviceType::Cpu => "CPU software rasteriser",
            DeviceType::Other => "other adapter",
        };
        Ok(Backend {
            name: "wgpu",
            description: format!("{} ({kind}, {:?})", info.name, info.backend),
            software: info.device_type == DeviceType::Cpu,
            device,
        })
    });
    match result {
        Ok(backend) => Ok(backend.clone()),
        Err(reason) => anyhow::bail!(
            "no GPU adapter for wgpu ({reason}): install a Vulkan driver (on Debian or Ubuntu: \
             `apt-get install mesa-vulkan-drivers`), or use the CPU with --device flex"
        ),
    }
}
