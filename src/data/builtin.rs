//! Generated data sets whose right answers are known, so a reader can check what was learned.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::frame::Frame;
use super::images::{shapes, ImageShape};
use super::noise::gaussian;
use super::{ColumnSpec, Dataset, LabelSpec, Targets};
use crate::config::Task;
use anyhow::{bail, Result};

/// Number of points in `sine`.
pub const SINE_POINTS: usize = 1000;
/// Number of points in `line`.
pub const LINE_POINTS: usize = 200;
/// The true line behind `line`: y = SLOPE·x + INTERCEPT + noise.
pub const LINE_SLOPE: f32 = 2.0;
pub const LINE_INTERCEPT: f32 = 1.0;
/// Standard deviation of the Gaussian noise added to `line`.
pub const LINE_NOISE: f32 = 0.1;

/// Points in each of the 2-D teaching sets (`circles`, `moons`, `spiral`, `spiral3`, `blobs`).
pub const PLANE_POINTS: usize = 400;

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
    /// A disc inside a ring (TensorFlow Playground's first set): no line separates them, a
    /// circle does, so a network needs a hidden layer.
    Circles,
    /// Two interleaved half-moons (scikit-learn's `make_moons`).
    Moons,
    /// Two arms spiralling out of the centre, one per class: the hardest of the shapes.
    Spiral,
    /// Three such arms, three classes.
    Spiral3,
    /// Three round clusters, one per class: a linear model separates them.
    Blobs,
    /// 16×16 gray pictures of circles, squares and triangles at random places (see
    /// [`super::images::shapes`]): where a convolution beats an MLP.
    Shapes,
}

impl Builtin {
    /// The set as a table, checked against the label, task and column options (which name
    /// CSV columns, and fit a generated set only as it is).
    pub fn load(
        self,
        noise: Option<f32>,
        label: &LabelSpec,
        columns: &ColumnSpec,
        seed: u64,
    ) -> Result<Frame> {
        let builtin = self;
        let mut dataset = builtin.generate(seed, noise);
        if let Some(column) = label.column {
            // Its own label's name: 'y', or 'class' for the pictures of `shapes`.
            let own = &dataset.label_name;
            if column != own {
                bail!(
                    "--label {column}: the built-in '{}' has one label column, '{own}'",
                    builtin.name()
                );
            }
        }
        if !columns.features.is_empty() || !columns.ignore.is_empty() {
            bail!(
                "--features and --ignore choose CSV columns; the built-in '{}' has only {}",
                dataset.name,
                dataset.feature_names.join(", ")
            );
        }
        if let Some(task) = label.task {
            if task == Task::Regression {
                // Classes named by numbers (xor's 0 and 1) read as those numbers.
                if let Targets::Classes { indices, names } = &dataset.targets {
                    let values: Option<Vec<f32>> = indices
                        .iter()
                        .map(|&index| names[index].parse().ok())
                        .collect();
                    if let Some(values) = values {
                        dataset.targets = Targets::Values(values);
                    }
                }
            }
            if task != dataset.task() {
                bail!(
                    "--task {task} does not fit the built-in '{}', which is {}",
                    dataset.name,
                    dataset.task()
                );
            }
        }
        let mut frame = Frame::from(dataset);
        frame.image = builtin.image();
        Ok(frame)
    }

    pub const ALL: [Builtin; 9] = [
        Builtin::Xor,
        Builtin::Sine,
        Builtin::Line,
        Builtin::Circles,
        Builtin::Moons,
        Builtin::Spiral,
        Builtin::Spiral3,
        Builtin::Blobs,
        Builtin::Shapes,
    ];
    pub const NAMES: [&'static str; 9] = [
        "xor", "sine", "line", "circles", "moons", "spiral", "spiral3", "blobs", "shapes",
    ];

    pub fn from_name(name: &str) -> Option<Builtin> {
        let index = Self::NAMES.iter().position(|known| *known == name)?;
        Some(Self::ALL[index])
    }

    pub fn name(self) -> &'static str {
        let index = Self::ALL.iter().position(|set| *set == self);
        Self::NAMES[index.expect("every set is in ALL")]
    }

    /// The 2-D teaching sets: classes in the plane, split for validation, with `--noise`.
    pub fn is_plane(self) -> bool {
        !matches!(
            self,
            Builtin::Xor | Builtin::Sine | Builtin::Line | Builtin::Shapes
        )
    }

    /// The shape of the pictures, for a set of pictures (`shapes`).
    pub fn image(self) -> Option<ImageShape> {
        (self == Builtin::Shapes).then(shapes::shape)
    }

    /// The standard deviation of the Gaussian noise added to each coordinate of a 2-D set
    /// when `--noise` does not say.
    pub fn default_noise(self) -> f32 {
        match self {
            Builtin::Circles => 0.05,
            Builtin::Moons => 0.1,
            Builtin::Spiral | Builtin::Spiral3 => 0.05,
            Builtin::Blobs => 0.3,
            Builtin::Xor | Builtin::Sine | Builtin::Line | Builtin::Shapes => 0.0,
        }
    }

    pub fn description(self) -> String {
        match self {
            Builtin::Xor => "4 points, x1 XOR x2: classification a line cannot separate".into(),
            Builtin::Shapes => format!(
                "{} {size}x{size} gray pictures of a circle, square or triangle at a random \
                 place and size: classification, for --model cnn",
                shapes::PICTURES,
                size = shapes::SIZE
            ),
            Builtin::Sine => format!("{SINE_POINTS} points, y = sin x for x in [-pi, pi]: regression"),
            Builtin::Line => format!(
                "{LINE_POINTS} points, y = {LINE_SLOPE}x + {LINE_INTERCEPT} + noise (sd {LINE_NOISE}): regression"
            ),
            plane => {
                let shape = match plane {
                    Builtin::Circles => "a disc inside a ring: 2 classes",
                    Builtin::Moons => "two interleaved half-moons: 2 classes",
                    Builtin::Spiral => "two spiral arms: 2 classes",
                    Builtin::Spiral3 => "three spiral arms: 3 classes",
                    _ => "three round clusters: 3 classes",
                };
                let noise = plane.default_noise();
                format!("{PLANE_POINTS} points in the plane, {shape} (noise sd {noise}; --noise)")
            }
        }
    }

    /// The data, the same for the same seed (and `noise`, for the 2-D sets: the standard
    /// deviation added to each coordinate; `None` takes [`Builtin::default_noise`]).
    pub fn generate(self, seed: u64, noise: Option<f32>) -> Dataset {
        if self == Builtin::Shapes {
            return shapes::generate(seed);
        }
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
            plane => {
                let noise = noise.unwrap_or(plane.default_noise());
                let (features, classes) = plane_points(plane, noise, &mut random);
                let names = (0..=classes.iter().copied().max().unwrap_or(0))
                    .map(|class| class.to_string())
                    .collect();
                let targets = Targets::Classes {
                    indices: classes,
                    names,
                };
                (vec!["x1", "x2"], features, targets)
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

/// The points of a 2-D set, `[x1, x2]` per point, and each point's class.
fn plane_points(set: Builtin, noise: f32, random: &mut StdRng) -> (Vec<f32>, Vec<usize>) {
    use std::f32::consts::PI;
    let mut features = Vec::with_capacity(2 * PLANE_POINTS);
    let mut classes = Vec::with_capacity(PLANE_POINTS);
    for point in 0..PLANE_POINTS {
        let (class, [x1, x2]) = match set {
            Builtin::Circles => {
                let class = point % 2;
                let radius = match class {
                    0 => random.random_range(0.0f32..0.5),
                    _ => random.random_range(0.7f32..1.0),
                };
                let angle = random.random_range(0.0..2.0 * PI);
                (class, [radius * angle.cos(), radius * angle.sin()])
            }
            Builtin::Moons => {
                let class = point % 2;
                let t = random.random_range(0.0..PI);
                match class {
                    0 => (0, [t.cos(), t.sin()]),
                    _ => (1, [1.0 - t.cos(), 0.5 - t.sin()]),
                }
            }
            Builtin::Spiral | Builtin::Spiral3 => {
                let arms = if set == Builtin::Spiral { 2 } else { 3 };
                let class = point % arms;
                // Out from the centre, turning 1.75 times, each arm rotated by 2π / arms.
                let along = random.random_range(0.0f32..1.0);
                let angle = along * 1.75 * 2.0 * PI + class as f32 * 2.0 * PI / arms as f32;
                (class, [along * angle.cos(), along * angle.sin()])
            }
            Builtin::Blobs => {
                let class = point % 3;
                let centre = [[-1.0, -1.0], [1.0, -1.0], [0.0, 1.0]][class];
                (class, centre)
            }
            Builtin::Xor | Builtin::Sine | Builtin::Line | Builtin::Shapes => {
                unreachable!("not a 2-D set")
            }
        };
        features.push(x1 + noise * gaussian(random));
        features.push(x2 + noise * gaussian(random));
        classes.push(class);
    }
    (features, classes)
}
