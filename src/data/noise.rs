//! The noise of the generated data sets, the 2-D points' and the pictures' alike.

use rand::rngs::StdRng;
use rand::RngExt;

/// A standard normal sample (Box–Muller).
pub(crate) fn gaussian(random: &mut StdRng) -> f32 {
    let u1: f32 = random.random_range(f32::EPSILON..1.0);
    let u2: f32 = random.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f32::consts::PI * u2).cos()
}
