//! Data: what the network learns from.
//!
//! Data comes from a built-in generator ([`builtin`]), a CSV file ([`csv`], with [`labels`]
//! deciding the task) or pictures ([`images`]) as a [`frame::Frame`]: feature columns of
//! numbers or text, and one target per row. [`split`] holds rows out for validation;
//! [`encoding`] turns the columns into numbers (one-hot for text, fill values for missing
//! cells) and [`transform`] standardises them, both with what they learn from the training
//! rows only. The result is a [`Dataset`]: a table of numbers the network reads.

pub mod builtin;
pub mod csv;
pub mod encoding;
pub mod frame;
mod image_shape;
pub mod images;
pub mod labels;
mod noise;
pub mod prepare;
mod source;
pub mod split;
mod task;
pub mod transform;

use anyhow::Result;

use crate::config::{Missing, Task};
use encoding::Encoding;
use frame::Frame;
pub use source::Source;

/// A data set shipped inside the binary: its name, what it holds, and its CSV (the source is
/// `datasets/<name>.csv`; an installed stepwise needs no checkout beside it).
pub struct Shipped {
    pub name: &'static str,
    pub description: &'static str,
    pub csv: &'static [u8],
}

/// The data sets shipped in the binary.
pub const SHIPPED: [Shipped; 2] = [
    Shipped {
        name: "iris",
        description: "150 flowers, 4 measurements (cm), 3 species: classification",
        csv: include_bytes!("../../datasets/iris.csv"),
    },
    Shipped {
        name: "digits",
        description: "1797 handwritten digits, 8x8 pixels (0..16), 10 classes: classification",
        csv: include_bytes!("../../datasets/digits.csv"),
    },
];

/// By name: its bytes are no one's to read in a debug line.
impl std::fmt::Debug for Shipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Shipped({})", self.name)
    }
}

impl PartialEq for Shipped {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Shipped {
    /// The shipped set of this name.
    pub fn named(name: &str) -> Option<&'static Shipped> {
        SHIPPED.iter().find(|shipped| shipped.name == name)
    }

    /// The shipped `digits` are 8×8 gray pictures with pixels from 0 to 16, one row each: the
    /// CNN can read them as such.
    fn image(&self) -> Option<images::ImageShape> {
        (self.name == "digits").then(|| images::ImageShape::new(1, 8, 8).with_white(16.0))
    }
}

/// The answers to learn, one per row.
#[derive(Clone, Debug, PartialEq)]
pub enum Targets {
    /// A class index per row, and the name of each class (`names[index]`).
    Classes {
        indices: Vec<usize>,
        names: Vec<String>,
    },
    /// A number per row.
    Values(Vec<f32>),
}

impl Targets {
    /// Classes or numbers: the one place a task is decided from the data.
    pub fn task(&self) -> Task {
        match self {
            Targets::Classes { .. } => Task::Classification,
            Targets::Values(_) => Task::Regression,
        }
    }

    /// The class names by index (classification only).
    pub fn class_names(&self) -> Option<Vec<String>> {
        match self {
            Targets::Classes { names, .. } => Some(names.clone()),
            Targets::Values(_) => None,
        }
    }

    /// How many outputs a network needs: one per class, or one number.
    pub fn outputs(&self) -> usize {
        match self {
            Targets::Classes { names, .. } => names.len(),
            Targets::Values(_) => 1,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Targets::Classes { indices, .. } => indices.len(),
            Targets::Values(values) => values.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The targets of the given rows, in that order.
    pub fn select(&self, rows: &[usize]) -> Targets {
        match self {
            Targets::Classes { indices, names } => Targets::Classes {
                indices: rows.iter().map(|&row| indices[row]).collect(),
                names: names.clone(),
            },
            Targets::Values(values) => {
                Targets::Values(rows.iter().map(|&row| values[row]).collect())
            }
        }
    }
}

/// A table of features (row-major) and their targets.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Short name, used for the default artifact folder.
    pub name: String,
    pub feature_names: Vec<String>,
    pub label_name: String,
    /// `rows × feature_names.len()` values, row after row.
    pub features: Vec<f32>,
    pub targets: Targets,
    /// How the task was decided, for the person reading the output.
    pub task_reason: String,
}

impl Dataset {
    pub fn rows(&self) -> usize {
        self.targets.len()
    }

    pub fn feature_count(&self) -> usize {
        self.feature_names.len()
    }

    pub fn task(&self) -> Task {
        self.targets.task()
    }

    /// The features of one row.
    pub fn row(&self, row: usize) -> &[f32] {
        let width = self.feature_count();
        &self.features[row * width..(row + 1) * width]
    }
}

/// How to read the label column of a CSV file.
#[derive(Clone, Debug, Default)]
pub struct LabelSpec<'a> {
    /// Column name (default: the last column).
    pub column: Option<&'a str>,
    /// Force the task instead of inferring it.
    pub task: Option<Task>,
    /// Map labels onto these known classes (evaluating a trained model).
    pub classes: Option<&'a [String]>,
}

/// Which columns are features, and what to do with missing cells.
#[derive(Clone, Debug, Default)]
pub struct ColumnSpec<'a> {
    /// `--features`: only these (empty: every column but the label).
    pub features: &'a [String],
    /// `--ignore`: never these.
    pub ignore: &'a [String],
    pub missing: Missing,
    /// A trained model's columns, read as it reads them (evaluating, predicting).
    pub known: Option<&'a Encoding>,
}

/// Loads the data a source names. `seed` makes the generated data sets reproducible.
pub fn load(source: &Source, label: &LabelSpec, columns: &ColumnSpec, seed: u64) -> Result<Frame> {
    match source {
        Source::Builtin {
            set: builtin,
            noise,
        } => builtin.load(*noise, label, columns, seed),
        Source::Csv(path) => csv::load(path, label, columns),
        Source::Shipped(shipped) => {
            let name = std::path::PathBuf::from(format!("{}.csv", shipped.name));
            let mut frame = csv::parse(shipped.csv, &name, label, columns)?;
            frame.image = shipped.image();
            Ok(frame)
        }
        Source::Pictures { path, options } => images::load(path, options, label, columns),
    }
}

/// Every data set `--dataset` accepts by name, with a one-line description.
pub fn catalogue() -> Vec<(String, String)> {
    let builtins = builtin::Builtin::NAMES
        .iter()
        .filter_map(|&name| builtin::Builtin::from_name(name))
        .map(|builtin| {
            (
                builtin.name().to_string(),
                format!("built-in: {}", builtin.description()),
            )
        });
    let shipped = SHIPPED.iter().map(|shipped| {
        (
            shipped.name.to_string(),
            format!("shipped: {}", shipped.description),
        )
    });
    builtins.chain(shipped).collect()
}

#[cfg(test)]
mod tests;
