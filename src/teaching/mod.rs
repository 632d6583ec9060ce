//! Looking inside the loop, for a learner: [`trace`] prints every phase's numbers for the first
//! steps, [`lr_find`] chooses a learning rate by experiment, [`gradcheck`] checks
//! backpropagation against finite differences, [`derivative`] runs the article's profit example,
//! and [`advice`] reads a run's history for what it says about the learning rate. (The
//! universal approximation theorem, one width after another, trains whole runs:
//! `train/approximate.rs`.)

pub mod advice;
pub mod derivative;
pub mod gradcheck;
pub mod lr_find;
pub mod optimizer_state;
pub mod trace;

#[cfg(test)]
mod tests;
