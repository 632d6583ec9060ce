//! `shapes`: generated gray pictures of a circle, a square or a triangle, each at a random
//! position and size, with noise. Where a shape sits varies from picture to picture, so the
//! pixel that matters moves: a convolution, whose weights slide over the picture, learns this
//! from fewer examples than an MLP, which has a weight per pixel.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::{dataset, ImageShape};
use crate::data::noise::gaussian;
use crate::data::{Dataset, Targets};

/// Pictures are SIZE × SIZE pixels.
pub const SIZE: usize = 16;
/// Pictures in the set, a third of each class.
pub const PICTURES: usize = 900;
/// The classes, in order.
pub const CLASSES: [&str; 3] = ["circle", "square", "triangle"];
/// Standard deviation of the Gaussian noise added to every pixel.
pub const NOISE: f32 = 0.2;

pub fn shape() -> ImageShape {
    ImageShape::new(1, SIZE, SIZE)
}

/// The pictures, the same for the same seed.
pub fn generate(seed: u64) -> Dataset {
    let mut random = StdRng::seed_from_u64(seed);
    let mut pixels = Vec::with_capacity(PICTURES * SIZE * SIZE);
    let mut indices = Vec::with_capacity(PICTURES);
    for picture in 0..PICTURES {
        let class = picture % CLASSES.len();
        // Half the shape's width, and its centre, so that it lies inside the picture.
        let radius = random.random_range(3.0f32..6.0);
        let end = SIZE as f32 - radius;
        let (cx, cy) = (
            random.random_range(radius..end),
            random.random_range(radius..end),
        );
        for y in 0..SIZE {
            for x in 0..SIZE {
                // The pixel's centre, relative to the shape's.
                let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
                let inside = match class {
                    0 => dx * dx + dy * dy <= radius * radius,
                    1 => dx.abs() <= 0.85 * radius && dy.abs() <= 0.85 * radius,
                    // Apex at the top, base at the bottom: wider the lower the row.
                    _ => dy.abs() <= radius && dx.abs() <= (dy + radius) / 2.0,
                };
                let ink = if inside { 1.0 } else { 0.0 };
                pixels.push(ink + NOISE * gaussian(&mut random));
            }
        }
        indices.push(class);
    }
    let targets = Targets::Classes {
        indices,
        names: CLASSES.map(String::from).to_vec(),
    };
    dataset("shapes", shape(), pixels, targets, "built-in")
}
