//! The shape of a data set's pictures, which a frame carries beside its rows (so a convolution
//! can see them as pictures again) and the picture readers (`images`) produce.

use serde::{Deserialize, Serialize};

/// The shape of every picture of a data set: channels (1 gray, 3 red-green-blue) × height ×
/// width, and the value of a full-intensity pixel.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageShape {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    /// A full-intensity pixel's value: 1 for pictures read from files (pixels in [0, 1]), 16
    /// for `digits` (0..=16). A new picture is read in these units.
    #[serde(default = "one")]
    pub white: f32,
}

fn one() -> f32 {
    1.0
}

impl ImageShape {
    pub fn new(channels: usize, height: usize, width: usize) -> Self {
        Self {
            channels,
            height,
            width,
            white: 1.0,
        }
    }

    /// The same pictures with pixels from 0 to `white`.
    pub fn with_white(self, white: f32) -> Self {
        Self { white, ..self }
    }

    /// Pixels in one channel.
    pub fn pixels(&self) -> usize {
        self.height * self.width
    }

    /// Numbers in one picture: the width of its row.
    pub fn len(&self) -> usize {
        self.channels * self.pixels()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The names of a picture's columns: `pixel_0`, … in gray (as `digits` names them), or
    /// `red_0`, …, `green_0`, …, `blue_0`, … in colour.
    pub fn pixel_names(&self) -> Vec<String> {
        let channels: &[&str] = match self.channels {
            1 => &["pixel"],
            _ => &["red", "green", "blue"],
        };
        channels
            .iter()
            .flat_map(|channel| (0..self.pixels()).map(move |pixel| format!("{channel}_{pixel}")))
            .collect()
    }
}

/// `1x8x8`: channels × height × width.
impl std::fmt::Display for ImageShape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}x{}", self.channels, self.height, self.width)
    }
}
