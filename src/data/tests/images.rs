//! Pictures as rows: the layout, the colour weights and the channels a picture becomes.

use crate::data::images::{ImageOptions, ImageShape};
use crate::data::transform::Standardizer;

#[test]
fn pictures_keep_their_layout_colour_weights_and_channels() {
    // Gray is luma (0.2126 R + 0.7152 G + 0.0722 B), not the mean of the three.
    let red =
        image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(1, 1, image::Rgb([255, 0, 0])));
    let gray = ImageOptions {
        size: None,
        grayscale: true,
    };
    let (_, pixels) = gray.pixels(red);
    assert!((pixels[0] - 0.2126).abs() < 0.01, "{pixels:?}");
    // Resized to height 2 × width 3, a picture is 2 rows of 3, not 3 of 2.
    let wide = image::DynamicImage::ImageLuma8(image::GrayImage::from_fn(7, 5, |x, y| {
        image::Luma([(x * 30 + y) as u8])
    }));
    let resized = ImageOptions {
        size: Some([2, 3]),
        grayscale: true,
    };
    let (shape, pixels) = resized.pixels(wide.clone());
    assert_eq!((shape.height, shape.width, pixels.len()), (2, 3, 6));
    // Row after row: along a row x grows (30 a step), down a column y (1 a step).
    assert!(pixels[1] > pixels[0] && pixels[2] > pixels[1], "{pixels:?}");
    assert!(
        (pixels[3] - pixels[0]).abs() < (pixels[1] - pixels[0]).abs(),
        "{pixels:?}"
    );
    // Per-channel standardisation: each channel's own mean (red 0.1, green 0.5, blue 0.9).
    let shape = ImageShape::new(3, 1, 2);
    let rows = [0.1, 0.1, 0.5, 0.5, 0.9, 0.9, 0.1, 0.1, 0.5, 0.5, 0.9, 0.9];
    let scaling = Standardizer::fit_channels(&rows, shape);
    for (pixel, expected) in scaling.mean.iter().zip([0.1, 0.1, 0.5, 0.5, 0.9, 0.9]) {
        assert!((pixel - expected).abs() < 1e-6, "{:?}", scaling.mean);
    }
}
