//! Where data comes from: a built-in generator (with its noise), a CSV file, or pictures (an
//! image folder or IDX files, with how to read them), named by `--dataset`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use super::images::{idx, ImageOptions};
use super::{builtin, Shipped, SHIPPED};

/// What `--dataset` named: a built-in generator, a CSV file, or pictures.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A generated set, with the noise of its points (`--noise`; the set's own when `None`).
    Builtin {
        set: builtin::Builtin,
        noise: Option<f32>,
    },
    Csv(PathBuf),
    /// A CSV shipped inside the binary (`iris`, `digits`).
    Shipped(&'static Shipped),
    /// An image folder (a sub-folder per class) or MNIST-format IDX pictures, read with
    /// `options` (`--image-size`, `--grayscale`).
    Pictures {
        path: PathBuf,
        options: ImageOptions,
    },
}

impl Source {
    /// Resolves a `--dataset` value: a built-in name, a shipped name (`iris`), or a path.
    pub fn resolve(name_or_path: &str) -> Result<Source> {
        if let Some(builtin) = builtin::Builtin::from_name(name_or_path) {
            return Ok(Source::Builtin {
                set: builtin,
                noise: None,
            });
        }
        if let Some(shipped) = Shipped::named(name_or_path) {
            return Ok(Source::Shipped(shipped));
        }
        let path = Path::new(name_or_path);
        if path.is_dir() || (path.is_file() && idx::is_idx_images(path)) {
            return Ok(Source::Pictures {
                path: path.to_path_buf(),
                options: ImageOptions::default(),
            });
        }
        if path.exists() {
            return Ok(Source::Csv(path.to_path_buf()));
        }
        bail!(
            "unknown dataset '{name_or_path}': not a built-in ({}), not a shipped data set ({}), \
             and no file by that name; run `stepwise datasets` to list them",
            builtin::Builtin::NAMES.join(", "),
            SHIPPED.map(|shipped| shipped.name).join(", ")
        )
    }

    /// The short name used for the default artifact folder: `artifacts/<name>`.
    pub fn name(&self) -> String {
        match self {
            Source::Builtin { set, .. } => set.name().to_string(),
            Source::Shipped(shipped) => shipped.name.to_string(),
            Source::Csv(path) | Source::Pictures { path, .. } => path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_else(|| "dataset".to_string()),
        }
    }

    /// The default validation fraction: real data and the 2-D teaching sets are split; xor
    /// (four points), sine and line are not (they can be generated afresh to test).
    pub fn default_valid_fraction(&self) -> f64 {
        match self {
            Source::Builtin { set, .. } if !set.is_plane() && set.image().is_none() => 0.0,
            _ => 0.2,
        }
    }

    /// The source with `--noise` for its points: only the 2-D teaching sets have any.
    pub fn with_noise(self, noise: Option<f64>) -> Result<Source> {
        let Some(noise) = noise else {
            return Ok(self);
        };
        match self {
            Source::Builtin { set, .. } if set.is_plane() => {
                if !(noise >= 0.0 && noise.is_finite()) {
                    bail!("--noise must be 0 or a positive number, got {noise}; try 0.1");
                }
                Ok(Source::Builtin {
                    set,
                    noise: Some(noise as f32),
                })
            }
            _ => bail!(
                "--noise sets the spread of the generated 2-D sets ({}); {} has its own data",
                builtin::Builtin::ALL
                    .iter()
                    .filter(|set| set.is_plane())
                    .map(|set| set.name())
                    .collect::<Vec<_>>()
                    .join(", "),
                self.name()
            ),
        }
    }

    /// The source with `--image-size` and `--grayscale` for its pictures: only an image folder
    /// or IDX files have any to read.
    pub fn with_images(self, options: ImageOptions) -> Result<Source> {
        match self {
            Source::Pictures { path, .. } => Ok(Source::Pictures { path, options }),
            _ if options == ImageOptions::default() => Ok(self),
            _ => bail!(
                "--image-size and --grayscale say how to read pictures from an image folder or \
                 IDX files; {} is not one",
                self.name()
            ),
        }
    }
}
