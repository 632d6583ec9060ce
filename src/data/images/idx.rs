//! MNIST-format IDX files, as MNIST and Fashion-MNIST ship them: `train-images-idx3-ubyte`
//! (pictures) with `train-labels-idx1-ubyte` beside it, each gzip-compressed (`.gz`) or not.
//!
//! An IDX file is a 4-byte magic number (0, 0, the type 0x08 for bytes, the number of
//! dimensions), one big-endian u32 per dimension, then the bytes: `[count, rows, columns]`
//! pixels for pictures, `[count]` class numbers for labels.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::{classes, dataset, ImageOptions, ImageShape};
use crate::data::frame::Frame;

/// Whether `path` names IDX pictures: `…images-idx3-ubyte` or `…images.idx3-ubyte`, maybe `.gz`.
pub fn is_idx_images(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.contains("idx3-ubyte"))
}

/// Reads the pictures of `images` and the labels beside it. Classes are the label numbers, or
/// the classes a trained model knows (`known`).
pub fn load(images: &Path, options: &ImageOptions, known: Option<&[String]>) -> Result<Frame> {
    let labels_path = labels_beside(images)?;
    let (dims, pixels) = read(images, 3)?;
    let (label_dims, labels) = read(&labels_path, 1)?;
    let [count, height, width] = [dims[0], dims[1], dims[2]];
    if label_dims[0] != count {
        bail!(
            "{} holds {count} pictures but {} holds {} labels: they must be the pictures and \
             labels of the same set",
            images.display(),
            labels_path.display(),
            label_dims[0]
        );
    }
    if count == 0 || height == 0 || width == 0 {
        bail!("{} holds no pictures", images.display());
    }
    let names: Vec<String> = labels.iter().map(u8::to_string).collect();
    let place = |at: usize| format!("{} (label {})", labels_path.display(), at + 1);
    let targets = classes(&names, known, place)?;
    let rows: Vec<f32> = pixels
        .chunks(height * width)
        .flat_map(|picture| options.gray_pixels(height, width, picture))
        .collect();
    let [height, width] = options.size.unwrap_or([height, width]);
    let shape = ImageShape::new(1, height, width);
    let name = images
        .file_name()
        .map(|name| name.to_string_lossy().replace(".gz", ""))
        .unwrap_or_default();
    let mut frame = Frame::from(dataset(&name, shape, rows, targets, "IDX labels"));
    frame.image = Some(shape);
    Ok(frame)
}

/// The labels file for a pictures file: `images` → `labels`, `idx3` → `idx1`, found with or
/// without `.gz`.
fn labels_beside(images: &Path) -> Result<PathBuf> {
    let name = images
        .file_name()
        .and_then(|name| name.to_str())
        .context("an IDX file name")?;
    let labels = name.replace("images", "labels").replace("idx3", "idx1");
    let plain = labels.trim_end_matches(".gz").to_string();
    let candidates = [labels.clone(), plain.clone(), format!("{plain}.gz")];
    candidates
        .iter()
        .map(|candidate| images.with_file_name(candidate))
        .find(|path| path.is_file())
        .with_context(|| {
            format!(
                "{} needs its labels beside it: no {} (or .gz) in the same folder",
                images.display(),
                images.with_file_name(&plain).display()
            )
        })
}

/// The dimensions and bytes of an IDX file of `dims` dimensions, gunzipped when it is gzip.
fn read(path: &Path, dims: usize) -> Result<(Vec<usize>, Vec<u8>)> {
    let raw = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice())
            .read_to_end(&mut plain)
            .with_context(|| format!("{} is damaged gzip", path.display()))?;
        plain
    } else {
        raw
    };
    let what = if dims == 3 { "pictures" } else { "labels" };
    let header = 4 + 4 * dims;
    if bytes.len() < header || bytes[..4] != [0, 0, 0x08, dims as u8] {
        bail!(
            "{} is not an IDX file of {what} (it should start with 0, 0, 8, {dims})",
            path.display()
        );
    }
    let sizes: Vec<usize> = bytes[4..header]
        .chunks(4)
        .map(|size| u32::from_be_bytes([size[0], size[1], size[2], size[3]]) as usize)
        .collect();
    // Saturating: a damaged header must reach the length check, not overflow.
    let body = sizes
        .iter()
        .fold(1u64, |total, &size| total.saturating_mul(size as u64));
    let expected = (header as u64).saturating_add(body);
    if bytes.len() as u64 != expected {
        bail!(
            "{} is truncated or damaged: its header says {} ({} bytes), the file holds {} bytes",
            path.display(),
            sizes
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join("x"),
            expected,
            bytes.len()
        );
    }
    Ok((sizes, bytes.split_off(header)))
}
