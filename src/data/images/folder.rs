//! An image folder, as torchvision's `ImageFolder` and Keras' `image_dataset_from_directory`
//! read one: a sub-folder per class, named after it, holding that class's pictures (PNG, JPEG,
//! BMP or GIF).
//!
//! ```text
//! photos/cat/1.png   photos/cat/2.jpg   photos/dog/a.png   ...
//! ```

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::{classes, dataset, ImageOptions, ImageShape};
use crate::data::frame::Frame;
use crate::machine;

/// The file endings read as pictures (any case).
pub const EXTENSIONS: [&str; 5] = ["png", "jpg", "jpeg", "bmp", "gif"];

/// Reads every picture of the class folders in `dir`. Classes are the folder names, sorted, or
/// the classes a trained model knows (`known`), of which a folder may hold some.
pub fn load(dir: &Path, options: &ImageOptions, known: Option<&[String]>) -> Result<Frame> {
    let folders = class_folders(dir)?;
    if folders.is_empty() {
        bail!(
            "{} holds no class folders: put each class's pictures in a sub-folder named after \
             it ({}/cat/1.png, {}/dog/2.jpg, ...)",
            dir.display(),
            dir.display(),
            dir.display()
        );
    }
    if folders.len() == 1 && known.is_none() {
        bail!(
            "{} holds one class folder ('{}'): a classifier needs pictures of two or more \
             classes, one sub-folder each",
            dir.display(),
            folder_name(&folders[0])
        );
    }
    let mut names = Vec::new();
    let mut files = Vec::new();
    let mut skipped = 0;
    for folder in &folders {
        let (pictures, others) = picture_files(folder)?;
        if pictures.is_empty() {
            bail!(
                "{} holds no pictures ({}); remove the folder or add its class's pictures",
                folder.display(),
                EXTENSIONS.join(", ")
            );
        }
        skipped += others;
        names.extend(pictures.iter().map(|_| folder_name(folder)));
        files.extend(pictures);
    }
    let targets = classes(&names, known, |at| files[at].display().to_string())?;
    let (shape, pixels) = read_all(&files, options)?;
    let name = folder_name(dir);
    let mut frame = Frame::from(dataset(&name, shape, pixels, targets, "image folder"));
    frame.image = Some(shape);
    if skipped > 0 {
        frame.notes.push(format!(
            "{skipped} file(s) in the class folders are not pictures ({}) and were left out",
            EXTENSIONS.join(", ")
        ));
    }
    Ok(frame)
}

/// Reads pictures into one row each: all resized to `options.size`, or all of the first one's
/// size (another size is an error naming both files).
pub fn read_all(files: &[PathBuf], options: &ImageOptions) -> Result<(ImageShape, Vec<f32>)> {
    let mut pixels = Vec::new();
    let mut first: Option<(ImageShape, &Path)> = None;
    for file in files {
        let (shape, row) = read(file, options)?;
        match first {
            None => {
                check_total(files.len(), shape)?;
                first = Some((shape, file));
            }
            Some((expected, from)) if expected != shape => bail!(
                "{} is {}x{} pixels, but {} is {}x{}; give --image-size N to resize every \
                 picture to N×N",
                file.display(),
                shape.width,
                shape.height,
                from.display(),
                expected.width,
                expected.height
            ),
            Some(_) => {}
        }
        pixels.extend(row);
    }
    let (shape, _) = first.context("no pictures to read")?;
    Ok((shape, pixels))
}

/// Refuses `count` pictures of `shape` that would not fit in memory as f32 pixels, held about
/// three times over while training (the rows, the training split, a batch's copy).
pub(super) fn check_total(count: usize, shape: ImageShape) -> Result<()> {
    let needed = count as f64 * shape.len() as f64 * 4.0 * 3.0;
    match machine::available() {
        Some(available) if needed > available as f64 => bail!(
            "{count} pictures of {shape} (channels x height x width) would need about {} as \
             numbers, but only {} of memory is available; use a smaller --image-size, \
             --grayscale, or fewer pictures",
            machine::bytes(needed),
            machine::bytes(available as f64)
        ),
        _ => Ok(()),
    }
}

/// One picture as a row of numbers in [0, 1], and its shape; a file that does not decode is an
/// error naming it.
pub fn read(file: &Path, options: &ImageOptions) -> Result<(ImageShape, Vec<f32>)> {
    // A regular file, checked before it is opened: a pipe would wait for a writer for ever.
    machine::open_file(file)?;
    let open = || {
        image::ImageReader::open(file)
            .with_context(|| format!("cannot open {}", file.display()))?
            .with_guessed_format()
            .with_context(|| format!("cannot read {}", file.display()))
    };
    // The size its header claims, checked before a pixel is decoded: a small file (a
    // decompression bomb) can claim 20000×20000 pixels.
    let budget = decoding_budget(file, open()?.into_dimensions().ok(), options)?;
    let mut reader = open()?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(budget);
    reader.limits(limits);
    let picture = reader.decode().with_context(|| {
        format!(
            "{} is not a picture stepwise can read (broken, truncated, or not PNG, JPEG, \
                 BMP or GIF)",
            file.display()
        )
    })?;
    Ok(options.pixels(picture))
}

/// Bytes a picture of `size` (width, height) may take to decode and convert (up to 16 bytes a
/// pixel decoded, 12 as red, green and blue f32s, and the same again resized), refused where
/// the machine does not have them.
fn decoding_budget(file: &Path, size: Option<(u32, u32)>, options: &ImageOptions) -> Result<u64> {
    let Some((width, height)) = size else {
        return Ok(u64::MAX); // decode() says what is wrong with it
    };
    let resized = options.size.map_or(0, |[h, w]| h as u64 * w as u64 * 28);
    let needed = u64::from(width) * u64::from(height) * 28 + resized;
    match machine::available() {
        Some(available) if needed > available / 2 => bail!(
            "{} is {width}x{height} pixels; reading it would need about {}, but only {} of \
             memory is available; use smaller pictures (or a smaller --image-size)",
            file.display(),
            machine::bytes(needed as f64),
            machine::bytes(available as f64)
        ),
        _ => Ok(needed),
    }
}

/// The sub-folders of `dir`, sorted by name; hidden ones (`.git`) are left out.
fn class_folders(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut folders: Vec<PathBuf> = entries(dir)?
        .into_iter()
        .filter(|path| path.is_dir() && !folder_name(path).starts_with('.'))
        .collect();
    folders.sort();
    Ok(folders)
}

/// The picture files of a folder, sorted by name, and how many other files it holds.
pub fn picture_files(folder: &Path) -> Result<(Vec<PathBuf>, usize)> {
    let (mut pictures, others): (Vec<PathBuf>, Vec<PathBuf>) = entries(folder)?
        .into_iter()
        .filter(|path| path.is_file())
        .partition(|path| is_picture(path));
    pictures.sort();
    Ok((pictures, others.len()))
}

/// A file whose name ends in one of [`EXTENSIONS`].
pub fn is_picture(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| {
            EXTENSIONS
                .iter()
                .any(|known| extension.eq_ignore_ascii_case(known))
        })
}

fn entries(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::read_dir(dir)
        .and_then(|entries| entries.map(|entry| Ok(entry?.path())).collect())
        .with_context(|| format!("cannot list the folder {}", dir.display()))
}

fn folder_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "images".to_string())
}
