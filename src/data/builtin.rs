//! Generated data sets whose right answers are known, so a reader can check what was learned.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::{Dataset, Targets};

/// Number of points in `sine`.
pub const SINE_POINTS: usize = 1000;
/// Number of points in `line`.
pub const LINE_POINTS: usize = 200;
/// The true line behind `line`: y = SLOPE·x + INTERCEPT + noise.
pub const LINE_SLOPE: f32 = 2.0;
pub const LINE_INTERCEPT: f32 = 1.0;
/// Standard deviation of the Gaussian noise added to `line`.
pub const LINE_NOISE: f32 = 0.1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// The four corners of the unit square; the class is x1 XOR x2. No straight line separates
    /// the classes, so a linear model cannot learn it and an MLP can.
    Xor,
    /// x in [-π, π], y = sin x: a smooth curve an MLP can approximate as closely as it likes
    /// (the universal approximation theorem made visible).
    Sine,
    /// y = 2x + 1 + small noise: linear regression should recover slope 2 and intercept 1.
    Line,
}

impl Builtin {
    pub const NAMES: [&'static str; 3] = ["xor", "sine", "line"];

    pub fn from_name(name: &str) -> Option<Builtin> {
        match name {
            "xor" => Some(Builtin::Xor),
            "sine" => Some(Builtin::Sine),
            "line" => Some(Builtin::Line),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Builtin::Xor => "xor",
            Builtin::Sine => "sine",
            Builtin::Line => "line",
        }
    }

    pub fn description(self) -> String {
        match self {
            Builtin::Xor => "4 points, x1 XOR x2: classification a line cannot separate".into(),
            Builtin::Sine => format!("{SINE_POINTS} points, y = sin x for x in [-pi, pi]: regression"),
            Builtin::Line => format!(
                "{LINE_POINTS} points, y = {LINE_SLOPE}x + {LINE_INTERCEPT} + noise (sd {LINE_NOISE}): regression"
            ),
        }
    }

    /// The data, the same for the same seed.
    pub fn generate(self, seed: u64) -> Dataset {
        let mut random = StdRng::seed_from_u64(seed);
        let (feature_names, features, targets) = match self {
            Builtin::Xor => (
                vec!["x1", "x2"],
                vec![0., 0., 0., 1., 1., 0., 1., 1.],
                Targets::Classes {
                    indices: vec![0, 1, 1, 0],
                    names: vec!["0".into(), "1".into()],
                },
            ),
            Builtin::Sine => {
                let xs: Vec<f32> = (0..SINE_POINTS)
                    .map(|_| random.random_range(-std::f32::consts::PI..=std::f32::consts::PI))
                    .collect();
                let ys = xs.iter().map(|x| x.sin()).collect();
                (vec!["x"], xs, Targets::Values(ys))
            }
            Builtin::Line => {
                let xs: Vec<f32> = (0..LINE_POINTS)
                    .map(|_| random.random_range(-1.0f32..=1.0))
                    .collect();
                let ys = xs
                    .iter()
                    .map(|x| LINE_SLOPE * x + LINE_INTERCEPT + LINE_NOISE * gaussian(&mut random))
                    .collect();
                (vec!["x"], xs, Targets::Values(ys))
            }
        };
        Dataset {
            name: self.name().to_string(),
            feature_names: feature_names.into_iter().map(String::from).collect(),
            label_name: "y".to_string(),
            features,
            targets,
            task_reason: "built-in".to_string(),
        }
    }
}

/// A standard normal sample (Box–Muller).
fn gaussian(random: &mut StdRng) -> f32 {
    let u1: f32 = random.random_range(f32::EPSILON..1.0);
    let u2: f32 = random.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f32::consts::PI * u2).cos()
}
