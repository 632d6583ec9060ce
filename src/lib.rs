//! # stepwise — the learning loop, made real on burn
//!
//! Training a network is a loop a beginner can read:
//!
//! | phase    | what happens                                      | where                          |
//! |----------|---------------------------------------------------|--------------------------------|
//! | INIT     | random starting parameters, from a seed           | [`model::Architecture::init`]  |
//! | PREDICT  | the network's outputs for a minibatch             | [`model::Network::forward`]    |
//! | LOSS     | one number for how wrong they are                 | [`loss::Loss::forward`]        |
//! | GRADIENT | backpropagation: d(loss)/d(parameter)             | `loss.backward()` in [`learner::step`] |
//! | STEP     | parameter ← parameter − learning_rate × gradient  | burn's SGD in [`learner::step`] |
//! | STOP     | target reached, no progress, diverged, or done    | [`stop::StopPolicy`]           |
//!
//! [`learner::Learner::run`] reads those phases top to bottom, for the built-in MLP
//! ([`model::ModelConfig`]) or any burn `Module` that implements [`model::Network`] (see
//! `examples/own_network.rs`); [`keep`] says which epoch's parameters it hands back and
//! [`advice`] what its history says about the learning rate. Around it: [`data`] loads and
//! prepares the examples, [`batch`] puts them on the device, [`measure`] scores a network on a
//! split,
//! [`train`] runs a whole training job and [`artifacts`] saves it, [`infer`] loads it again to
//! predict and [`eval`] to score labelled rows, and [`device`] is the one place that knows which
//! burn backends are compiled in.
//!
//! [`memory`] refuses runs too big for the machine before they start ([`machine`] says what the
//! machine has), and [`bench`](mod@bench) times the loop on the benchmark workloads.
//!
//! Looking inside the loop: [`trace`] prints every phase's numbers for the first steps,
//! [`lr_find`] chooses a learning rate by experiment, [`gradcheck`] checks backpropagation
//! against finite differences, [`derivative`] runs the article's profit example, and [`plot`]
//! draws the pictures: the loss, and what the network learned — [`fit`] (a curve bending onto
//! the data), [`boundary`] (the regions a classifier carves) and [`approximate`] (the universal
//! approximation theorem, one width after another).

pub mod advice;
pub mod approximate;
pub mod artifacts;
pub mod batch;
pub mod bench;
pub mod boundary;
pub mod checksum;
pub mod config;
pub mod data;
pub mod derivative;
pub mod device;
pub mod eval;
pub mod fit;
pub mod gradcheck;
pub mod infer;
pub mod keep;
pub mod learner;
pub mod loss;
pub mod lr_find;
pub mod machine;
pub mod measure;
pub mod memory;
pub mod metrics;
pub mod model;
pub mod plot;
pub mod remote;
pub mod stop;
pub mod trace;
pub mod train;
