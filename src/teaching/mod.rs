//! Looking inside the loop, for a learner: [`trace`] prints every phase's numbers for the first
//! steps, [`lr_find`] chooses a learning rate by experiment, [`gradcheck`] checks
//! backpropagation against finite differences, [`derivative`] runs the article's profit example,
//! [`approximate`] shows the universal approximation theorem one width after another, and
//! [`advice`] reads a run's history for what it says about the learning rate.

pub mod advice;
pub mod approximate;
pub mod derivative;
pub mod gradcheck;
pub mod lr_find;
pub mod trace;

#[cfg(test)]
mod tests;
