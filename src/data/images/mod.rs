//! Pictures as data: an image folder (one sub-folder per class, [`folder`]), MNIST-format IDX
//! files ([`idx`]) and the generated `shapes` ([`shapes`]). Each picture becomes one row of
//! pixels, channel after channel and each channel row after row, with values in [0, 1]; the
//! shape of the pictures travels with the rows, so a convolution can see them as pictures again.

pub mod folder;
pub mod idx;
pub mod shapes;

use anyhow::{bail, Result};
use image::imageops::FilterType;
use image::{DynamicImage, GrayImage};

use std::path::Path;

use super::frame::Frame;
use super::{ColumnSpec, Dataset, LabelSpec, Targets};
use crate::config::Task;

pub use super::image_shape::ImageShape;

/// How to read pictures from files: `--image-size` and `--grayscale`, or what a trained model
/// reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImageOptions {
    /// Resize every picture to height × width (default: keep the size, which must be the same
    /// for all).
    pub size: Option<[usize; 2]>,
    /// One gray channel instead of red, green and blue.
    pub grayscale: bool,
}

impl ImageOptions {
    /// How a training configuration reads pictures: `--image-size` and `--grayscale`.
    pub fn from_config(config: &crate::config::TrainConfig) -> Self {
        Self {
            size: config.image_size.map(|size| [size, size]),
            grayscale: config.grayscale,
        }
    }

    /// What a model trained on pictures of `shape` reads: that size and those channels.
    pub fn for_shape(shape: ImageShape) -> Self {
        Self {
            size: Some([shape.height, shape.width]),
            grayscale: shape.channels == 1,
        }
    }

    /// A decoded picture as a row of numbers in [0, 1] (channel after channel), resized to
    /// `size` when one is set, and its shape.
    pub fn pixels(&self, picture: DynamicImage) -> (ImageShape, Vec<f32>) {
        let picture = match self.size {
            Some([height, width])
                if (picture.height() as usize, picture.width() as usize) != (height, width) =>
            {
                picture.resize_exact(width as u32, height as u32, FilterType::Triangle)
            }
            _ => picture,
        };
        let (height, width) = (picture.height() as usize, picture.width() as usize);
        if self.grayscale {
            let gray = picture.to_luma8();
            let shape = ImageShape::new(1, height, width);
            return (shape, gray.pixels().map(|pixel| unit(pixel.0[0])).collect());
        }
        // Colour: transparency is dropped, each channel is a plane of its own.
        let rgb = picture.to_rgb8();
        let planes = (0..3)
            .flat_map(|channel| rgb.pixels().map(move |pixel| unit(pixel.0[channel])))
            .collect();
        (ImageShape::new(3, height, width), planes)
    }

    /// Gray pixels (bytes, row after row, as IDX files hold them), read as [`Self::pixels`]
    /// reads a decoded picture.
    pub fn gray_pixels(&self, height: usize, width: usize, bytes: &[u8]) -> Vec<f32> {
        let picture = GrayImage::from_raw(width as u32, height as u32, bytes.to_vec())
            .expect("height × width bytes");
        let gray = ImageOptions {
            grayscale: true,
            ..*self
        };
        gray.pixels(DynamicImage::ImageLuma8(picture)).1
    }
}

/// A byte 0..=255 as a number in [0, 1].
fn unit(byte: u8) -> f32 {
    byte as f32 / 255.0
}

/// The name of pictures' label: their class, from their folder or labels file.
const LABEL: &str = "class";

/// Pictures of one shape and their classes, as a data set of pixel rows.
pub fn dataset(
    name: &str,
    shape: ImageShape,
    pixels: Vec<f32>,
    targets: Targets,
    task_reason: &str,
) -> Dataset {
    Dataset {
        name: name.to_string(),
        feature_names: shape.pixel_names(),
        label_name: LABEL.to_string(),
        features: pixels,
        targets,
        task_reason: task_reason.to_string(),
    }
}

/// Classes named `names` (in the order the files give them) as indices: into the classes a
/// trained model knows when `known` is set (a name it does not know is an error naming
/// `place`), else into the sorted distinct names.
pub fn classes(
    names: &[String],
    known: Option<&[String]>,
    place: impl Fn(usize) -> String,
) -> Result<Targets> {
    let class_names: Vec<String> = match known {
        Some(known) => known.to_vec(),
        None => {
            let mut distinct = names.to_vec();
            distinct.sort_by(|a, b| natural(a).cmp(&natural(b)));
            distinct.dedup();
            distinct
        }
    };
    let mut indices = Vec::with_capacity(names.len());
    for (at, name) in names.iter().enumerate() {
        let Some(index) = class_names.iter().position(|known| known == name) else {
            bail!(
                "{}: class '{name}' is not one the model knows ({})",
                place(at),
                class_names.join(", ")
            );
        };
        indices.push(index);
    }
    Ok(Targets::Classes {
        indices,
        names: class_names,
    })
}

/// Sorts numbers as numbers (`2` before `10`), and names by name after them.
fn natural(name: &str) -> (bool, u64, &str) {
    match name.parse() {
        Ok(number) => (false, number, name),
        Err(_) => (true, 0, name),
    }
}

/// The pictures of a folder (one sub-folder per class) or of MNIST-format files, as a table;
/// the label and column options, which name CSV columns, are refused.
pub fn load(
    path: &Path,
    options: &ImageOptions,
    label: &LabelSpec,
    columns: &ColumnSpec,
) -> Result<Frame> {
    if label.column.is_some_and(|column| column != LABEL)
        || !columns.features.is_empty()
        || !columns.ignore.is_empty()
    {
        bail!(
            "--label, --features and --ignore choose CSV columns; the pictures of {} are \
             classified by their {}",
            path.display(),
            if path.is_dir() {
                "folder"
            } else {
                "labels file"
            }
        );
    }
    if label.task == Some(Task::Regression) {
        bail!("pictures are classified: --task regression does not apply to them");
    }
    if path.is_dir() {
        folder::load(path, options, label.classes)
    } else {
        idx::load(path, options, label.classes)
    }
}
