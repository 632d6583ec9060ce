//! The convolutions of `--model cnn`: per `--channels` entry a 3×3 convolution, a ReLU and a
//! 2×2 max-pool. A convolution slides the same small weights over every position of the
//! picture, so a stroke or an edge is recognised wherever it is; each pool halves the height and
//! width, keeping the strongest response of each 2×2 square. The MLP's layers then read what
//! the last pool leaves.

use anyhow::{bail, Result};
use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::PaddingConfig2d;
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use crate::data::images::ImageShape;

/// Side of the square convolution kernel.
pub const KERNEL: usize = 3;
/// Side of the square max-pool window (and its stride).
pub const POOL: usize = 2;

/// The pictures the convolutions read, and the channels each one outputs.
#[derive(Config, Debug, PartialEq)]
pub struct ConvolutionsConfig {
    pub image: ImageShape,
    pub channels: Vec<usize>,
}

impl ConvolutionsConfig {
    /// Refuses more pools than the picture has pixels to halve.
    pub fn check(&self) -> Result<()> {
        let ImageShape { height, width, .. } = self.image;
        let most = (height.min(width) as f64).log2().floor() as usize;
        if self.channels.len() > most {
            bail!(
                "--channels gives {} convolutions, each halving the picture, but {height}x{width} \
                 pictures can be halved {most} time(s); give at most {most} channel counts, or \
                 larger pictures (--image-size)",
                self.channels.len()
            );
        }
        Ok(())
    }

    /// The shape after each convolution's pool, the input's first: `1x8x8, 8x4x4, 16x2x2`.
    pub fn shapes(&self) -> Vec<ImageShape> {
        let mut shape = self.image;
        std::iter::once(shape)
            .chain(self.channels.iter().map(|&channels| {
                shape = ImageShape::new(channels, shape.height / POOL, shape.width / POOL);
                shape
            }))
            .collect()
    }

    /// Numbers per picture the MLP's layers read: what the last pool leaves.
    pub fn output_width(&self) -> usize {
        self.shapes().last().map_or(0, ImageShape::len)
    }

    /// Trainable numbers: each convolution's kernels and biases.
    pub fn parameter_count(&self) -> usize {
        self.shapes()
            .windows(2)
            .map(|pair| pair[0].channels * pair[1].channels * KERNEL * KERNEL + pair[1].channels)
            .sum()
    }

    /// Multiply-adds per picture: each kernel weight once per output pixel (before its pool).
    pub fn multiply_adds(&self) -> usize {
        self.shapes()
            .windows(2)
            .map(|pair| pair[0].channels * KERNEL * KERNEL * pair[1].channels * pair[0].pixels())
            .sum()
    }

    /// Numbers per picture each layer outputs, for the memory estimate: the convolution's (and
    /// its ReLU's) at full size, then the pool's.
    pub fn activation_widths(&self) -> Vec<usize> {
        self.shapes()
            .windows(2)
            .flat_map(|pair| [pair[1].channels * pair[0].pixels(), pair[1].len()])
            .collect()
    }

    /// `1x8x8 conv 8,16`
    pub fn describe(&self) -> String {
        let channels: Vec<String> = self.channels.iter().map(usize::to_string).collect();
        format!("{} conv {}", self.image, channels.join(","))
    }

    /// INIT: burn's default Kaiming-uniform initialiser for every kernel.
    pub fn init(&self, device: &Device) -> Convolutions {
        let shapes = self.shapes();
        let layers = shapes
            .windows(2)
            .map(|pair| {
                Conv2dConfig::new([pair[0].channels, pair[1].channels], [KERNEL, KERNEL])
                    // One pixel of zeros around the picture: the output keeps its size.
                    .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                    .init(device)
            })
            .collect();
        let ImageShape {
            channels,
            height,
            width,
            ..
        } = self.image;
        Convolutions {
            layers,
            pool: MaxPool2dConfig::new([POOL, POOL]).init(),
            image: [channels, height, width],
        }
    }
}

#[derive(Module, Debug)]
pub struct Convolutions {
    layers: Vec<Conv2d>,
    pool: MaxPool2d,
    /// [channels, height, width] of the pictures.
    #[module(skip)]
    image: [usize; 3],
}

impl Convolutions {
    /// Pictures as rows `[batch, channels·height·width]` → what the last pool leaves, as rows
    /// `[batch, last channels · height/2ⁿ · width/2ⁿ]`.
    pub fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        let [channels, height, width] = self.image;
        let batch = features.dims()[0];
        self.forward_pictures(features.reshape([batch, channels, height, width]))
    }

    /// Pictures `[batch, channels, height, width]` → what the last pool leaves, as rows.
    pub fn forward_pictures(&self, mut maps: Tensor<4>) -> Tensor<2> {
        for layer in &self.layers {
            let convolved = relu(layer.forward(maps)); // [batch, out, h, w]
            maps = self.pool.forward(convolved); // [batch, out, h/2, w/2]
        }
        maps.flatten(1, 3) // [batch, out · h/2ⁿ · w/2ⁿ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_convolution_halves_the_picture_and_the_count_is_the_modules_own() {
        let config = ConvolutionsConfig::new(ImageShape::new(1, 8, 8), vec![8, 16]);
        let shapes: Vec<String> = config.shapes().iter().map(|s| s.to_string()).collect();
        assert_eq!(shapes, ["1x8x8", "8x4x4", "16x2x2"]);
        assert_eq!(config.output_width(), 64);
        assert_eq!(config.parameter_count(), (9 * 8 + 8) + (8 * 16 * 9 + 16));
        let device = crate::device::cpu().expect("a CPU backend").device;
        assert_eq!(config.init(&device).num_params(), config.parameter_count());
        assert_eq!(config.activation_widths(), [512, 128, 256, 64]);
        // 1·9 weights for each of 8×8×8 outputs, then 8·9 for each of 16×4×4.
        assert_eq!(config.multiply_adds(), 9 * 512 + 72 * 256);
    }

    #[test]
    fn a_row_is_read_as_a_picture_of_its_own_height_and_width() {
        // A picture 2 high and 4 wide, and a kernel that shifts it one pixel left (the output at
        // (y, x) is the input at (y, x + 1)): pooled 2×2, the two halves are max(b, c, f, g)
        // and max(d, h). Read 4 high and 2 wide, they would be other pixels.
        use burn::module::Param;
        use burn::tensor::{Tensor, TensorData};
        let device = crate::device::cpu().expect("a CPU backend").device;
        let config = ConvolutionsConfig::new(ImageShape::new(1, 2, 4), vec![1]);
        let mut convolutions = config.init(&device);
        let mut kernel = vec![0.0f32; 9];
        kernel[5] = 1.0; // the centre row's right-hand weight
        let weight = Tensor::<4>::from_data(TensorData::new(kernel, [1, 1, 3, 3]), &device);
        let layer = &mut convolutions.layers[0];
        layer.weight = Param::from_tensor(weight);
        layer.bias = Some(Param::from_tensor(Tensor::<1>::zeros([1], &device)));
        // a b c d / e f g h
        let row = [1.0f32, 2.0, 7.0, 3.0, 4.0, 5.0, 6.0, 8.0];
        let features = Tensor::<2>::from_data(TensorData::new(row.to_vec(), [1, 8]), &device);
        let pooled: Vec<f32> = convolutions
            .forward(features)
            .into_data()
            .iter::<f32>()
            .collect();
        assert_eq!(pooled, [7.0, 8.0]); // max(b, c, f, g), max(d, h)
    }

    #[test]
    fn more_pools_than_the_picture_allows_are_refused() {
        let config = ConvolutionsConfig::new(ImageShape::new(1, 8, 8), vec![4, 4, 4]);
        assert!(config.check().is_ok());
        let config = ConvolutionsConfig::new(ImageShape::new(1, 8, 8), vec![4, 4, 4, 4]);
        let said = config.check().unwrap_err().to_string();
        assert!(
            said.contains("8x8 pictures can be halved 3 time(s)"),
            "{said}"
        );
    }
}
