//! The teaching commands' answers, pinned: the article's derivative, and approximation by width.

use super::approximate::approximate;
use super::derivative::{self, Verdict};
use crate::config::{ActivationKind, TrainConfig};

#[test]
fn the_derivative_demo_converges_crawls_and_diverges() {
    let device = crate::device::cpu().unwrap().device;
    let table = derivative::limit_table(0.0);
    let slopes: Vec<f64> = table.iter().map(|row| row.slope).collect();
    for (slope, expected) in slopes.iter().zip([5.0, 5.9, 5.99, 5.999, 5.9999]) {
        assert!((slope - expected).abs() < 1e-6, "{slope} vs {expected}");
    }
    for x in [0.0, 1.0, 3.0, 4.5] {
        assert_eq!(
            derivative::autodiff_slope(x, &device),
            derivative::analytic_slope(x)
        );
    }
    let good = derivative::gradient_ascent(0.0, 0.25, 20, &device);
    assert_eq!(good.verdict, Verdict::Converges);
    assert!((good.x[20] - 3.0).abs() < 1e-5, "{}", good.x[20]);
    assert_eq!(good.x[1], 1.5);

    let small = derivative::gradient_ascent(0.0, 0.01, 20, &device);
    assert_eq!(small.verdict, Verdict::Crawls);
    // Each step closes 2% of the gap: 3 × (1 − 0.98²⁰) ≈ 0.995.
    assert!((small.x[20] - 3.0 * (1.0 - 0.98f64.powi(20))).abs() < 1e-4);

    let bouncy = derivative::gradient_ascent(0.0, 0.75, 20, &device);
    assert_eq!(bouncy.verdict, Verdict::ConvergesOscillating);

    let large = derivative::gradient_ascent(0.0, 1.1, 20, &device);
    assert_eq!(large.verdict, Verdict::Diverges);
    assert!((large.x[20] - 3.0).abs() > 100.0);
}

#[test]
fn wider_hidden_layers_approximate_sine_better() {
    let config = TrainConfig::new()
        .with_dataset("sine".into())
        .with_activation(ActivationKind::Tanh)
        .with_epochs(30);
    let approximation = approximate(&config, &[1, 2, 32], &crate::device::cpu().unwrap()).unwrap();
    let losses: Vec<f64> = approximation.approximants.iter().map(|a| a.loss).collect();
    assert!(
        losses[0] > 2.0 * losses[1] && losses[1] > 10.0 * losses[2],
        "widths 1, 2, 32: {losses:?}"
    );
    let parameters: Vec<usize> = approximation
        .approximants
        .iter()
        .map(|a| a.parameters)
        .collect();
    assert_eq!(parameters, [4, 7, 97]);
    let data = approximation.picture();
    let curves = &data.curves;
    assert_eq!(curves.len(), 3);
    assert!(
        curves[2].label.starts_with("32 hidden: loss"),
        "{}",
        curves[2].label
    );
    assert!(data.truth.is_some() && data.train.len() == 1000);
}
