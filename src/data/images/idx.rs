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
use crate::machine;

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
    let [rows_high, rows_wide] = options.size.unwrap_or([height, width]);
    super::folder::check_total(count, ImageShape::new(1, rows_high, rows_wide))?;
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

/// The dimensions and bytes of an IDX file of `dims` dimensions, gunzipped when it is gzip. The
/// header says how many bytes follow: no more are read (a small gzip can inflate without end),
/// and a body larger than the memory the machine has is refused before it is read.
fn read(path: &Path, dims: usize) -> Result<(Vec<usize>, Vec<u8>)> {
    let shown = path.display();
    let mut file = std::io::BufReader::new(machine::open_file(path)?);
    let gzip = std::io::BufRead::fill_buf(&mut file)
        .with_context(|| format!("cannot read {shown}"))?
        .starts_with(&[0x1f, 0x8b]);
    let mut bytes: Box<dyn Read> = if gzip {
        Box::new(flate2::bufread::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let what = if dims == 3 { "pictures" } else { "labels" };
    let mut header = vec![0; 4 + 4 * dims];
    let read_header = bytes.read_exact(&mut header);
    if read_header.is_err() || header[..4] != [0, 0, 0x08, dims as u8] {
        bail!("{shown} is not an IDX file of {what} (it should start with 0, 0, 8, {dims})");
    }
    let sizes: Vec<usize> = header[4..]
        .chunks(4)
        .map(|size| u32::from_be_bytes([size[0], size[1], size[2], size[3]]) as usize)
        .collect();
    // Saturating: a damaged header must reach the checks below, not overflow.
    let body = sizes
        .iter()
        .fold(1u64, |total, &size| total.saturating_mul(size as u64));
    let listed = sizes
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join("x");
    // Each byte becomes an f32 pixel beside it: five bytes of memory per byte of body.
    if let Some(available) = machine::available().filter(|&free| body.saturating_mul(5) > free) {
        bail!(
            "{shown} holds {listed} {what} ({}); read as pixels they would need about {}, but \
             only {} of memory is available; use fewer or smaller pictures",
            machine::bytes(body as f64),
            machine::bytes(body as f64 * 5.0),
            machine::bytes(available as f64)
        );
    }
    let mut data = Vec::with_capacity(body as usize);
    (&mut bytes)
        .take(body.saturating_add(1))
        .read_to_end(&mut data)
        .with_context(|| format!("{shown} is damaged gzip"))?;
    if data.len() as u64 != body {
        bail!(
            "{shown} is truncated or damaged: its header says {listed} ({} bytes), the file \
             holds {}{} bytes",
            header.len() as u64 + body,
            if data.len() as u64 > body {
                "more than "
            } else {
                ""
            },
            header.len() + data.len().min(body as usize)
        );
    }
    Ok((sizes, data))
}
