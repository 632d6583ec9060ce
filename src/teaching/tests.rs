//! The teaching commands' answers, pinned: the article's derivative.

use super::derivative::{self, Verdict};

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
