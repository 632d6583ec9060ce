//! The generated data sets are the shapes their descriptions promise, point by point: with no
//! noise every point lies exactly on its curve, and the noise has the spread it claims.

use std::f32::consts::PI;

use crate::data::builtin::{self, Builtin};
use crate::data::{Dataset, Targets};

/// Each point `[x1, x2]` with its class, for a set generated without noise.
fn points(set: Builtin) -> Vec<([f32; 2], usize)> {
    classified(&set.generate(7, Some(0.0)))
}

fn classified(data: &Dataset) -> Vec<([f32; 2], usize)> {
    let Targets::Classes { indices, .. } = &data.targets else {
        panic!("{} is classification", data.name);
    };
    assert_eq!(data.feature_names, ["x1", "x2"]);
    (0..data.rows())
        .map(|row| ([data.row(row)[0], data.row(row)[1]], indices[row]))
        .collect()
}

fn radius([x1, x2]: [f32; 2]) -> f32 {
    x1.hypot(x2)
}

/// Mean and standard deviation.
fn spread(values: &[f32]) -> (f32, f32) {
    let n = values.len() as f32;
    let mean = values.iter().sum::<f32>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n;
    (mean, variance.sqrt())
}

#[test]
fn every_set_is_found_by_its_name_and_the_plane_sets_are_the_2d_ones() {
    for (set, name) in Builtin::ALL.iter().zip(Builtin::NAMES) {
        assert_eq!(Builtin::from_name(name), Some(*set));
        assert_eq!(set.name(), name);
        let plane = !["xor", "sine", "line", "shapes"].contains(&name);
        assert_eq!(set.is_plane(), plane, "{name}");
        assert_eq!(set.default_noise() > 0.0, plane, "{name}");
    }
    assert_eq!(Builtin::from_name("mnist"), None);
    for (set, shape) in [
        (
            Builtin::Circles,
            "a disc inside a ring: 2 classes (noise sd 0.05",
        ),
        (
            Builtin::Moons,
            "two interleaved half-moons: 2 classes (noise sd 0.1",
        ),
        (Builtin::Spiral, "two spiral arms: 2 classes (noise sd 0.05"),
        (
            Builtin::Spiral3,
            "three spiral arms: 3 classes (noise sd 0.05",
        ),
        (
            Builtin::Blobs,
            "three round clusters: 3 classes (noise sd 0.3",
        ),
    ] {
        let described = set.description();
        assert!(
            described.starts_with("400 points in the plane, "),
            "{described}"
        );
        assert!(described.contains(shape), "{described}");
    }
    assert!(Builtin::Xor
        .description()
        .starts_with("4 points, x1 XOR x2"));
    assert!(Builtin::Sine
        .description()
        .starts_with("1000 points, y = sin x"));
    assert!(Builtin::Line
        .description()
        .contains("y = 2x + 1 + noise (sd 0.1)"));
}

#[test]
fn a_disc_lies_inside_a_ring() {
    let points = points(Builtin::Circles);
    assert_eq!(points.len(), builtin::PLANE_POINTS);
    for (point, class) in points {
        let r = radius(point);
        match class {
            0 => assert!(r < 0.5, "disc point at radius {r}"),
            _ => assert!((0.7..1.0).contains(&r), "ring point at radius {r}"),
        }
    }
}

#[test]
fn the_moons_are_two_half_circles_one_shifted_under_the_other() {
    for ([x1, x2], class) in points(Builtin::Moons) {
        // Moon 0 is the upper half of the unit circle; moon 1 the lower half of the unit
        // circle around (1, 0.5).
        let (centre, upper) = match class {
            0 => ([0.0, 0.0], true),
            _ => ([1.0, 0.5], false),
        };
        let r = radius([x1 - centre[0], x2 - centre[1]]);
        assert!((r - 1.0).abs() < 1e-5, "moon {class}: radius {r}");
        assert_eq!(x2 >= centre[1], upper, "moon {class}: ({x1}, {x2})");
    }
}

#[test]
fn spiral_arms_turn_with_their_distance_from_the_centre() {
    for (set, arms) in [(Builtin::Spiral, 2), (Builtin::Spiral3, 3)] {
        let points = points(set);
        let classes = points.iter().map(|(_, class)| *class).max().unwrap() + 1;
        assert_eq!(classes, arms);
        for (point, class) in points {
            // The angle is 1.75 turns per unit of radius, plus the arm's offset of 1/arms turn.
            let along = radius(point);
            assert!(along < 1.0);
            let angle = along * 3.5 * PI + class as f32 * 2.0 * PI / arms as f32;
            let on_arm = [along * angle.cos(), along * angle.sin()];
            let off = radius([point[0] - on_arm[0], point[1] - on_arm[1]]);
            assert!(
                off < 1e-4,
                "{set:?} arm {class}: {point:?} is {off} off its arm"
            );
        }
    }
}

#[test]
fn blobs_gather_round_three_centres_with_the_noise_as_their_spread() {
    let centres = [[-1.0, -1.0], [1.0, -1.0], [0.0, 1.0]];
    for (point, class) in points(Builtin::Blobs) {
        assert_eq!(point, centres[class]);
    }
    // With the default noise, each coordinate spreads round its centre by sd 0.3.
    let noisy = classified(&Builtin::Blobs.generate(7, None));
    for axis in 0..2 {
        let offsets: Vec<f32> = noisy
            .iter()
            .map(|(point, class)| point[axis] - centres[*class][axis])
            .collect();
        let (mean, sd) = spread(&offsets);
        assert!(mean.abs() < 0.05, "axis {axis}: mean offset {mean}");
        assert!((sd - 0.3).abs() < 0.03, "axis {axis}: sd {sd}");
    }
}

#[test]
fn sine_and_line_are_their_formulas_and_lines_noise_is_its_stated_spread() {
    let sine = Builtin::Sine.generate(7, None);
    let Targets::Values(ys) = &sine.targets else {
        panic!("sine is regression")
    };
    assert_eq!(sine.rows(), builtin::SINE_POINTS);
    for (x, y) in sine.features.iter().zip(ys) {
        assert!((-PI..=PI).contains(x));
        assert_eq!(*y, x.sin());
    }
    let line = Builtin::Line.generate(7, None);
    let Targets::Values(ys) = &line.targets else {
        panic!("line is regression")
    };
    assert_eq!(line.rows(), builtin::LINE_POINTS);
    assert!(line.features.iter().all(|x| (-1.0..=1.0).contains(x)));
    let residuals: Vec<f32> = line
        .features
        .iter()
        .zip(ys)
        .map(|(x, y)| y - (2.0 * x + 1.0))
        .collect();
    let (mean, sd) = spread(&residuals);
    assert!(mean.abs() < 0.03, "mean residual {mean}");
    assert!((sd - 0.1).abs() < 0.015, "residual sd {sd}");
}

#[test]
fn xor_is_its_four_corners() {
    let xor = Builtin::Xor.generate(7, None);
    let corners: Vec<([f32; 2], usize)> = classified(&xor);
    assert_eq!(
        corners,
        [([0., 0.], 0), ([0., 1.], 1), ([1., 0.], 1), ([1., 1.], 0)]
    );
}

#[test]
fn the_plane_sets_share_their_points_evenly_between_the_classes() {
    for set in Builtin::ALL.into_iter().filter(|set| set.is_plane()) {
        let points = points(set);
        let classes = points.iter().map(|(_, class)| class + 1).max().unwrap();
        for class in 0..classes {
            let count = points.iter().filter(|(_, c)| *c == class).count();
            assert!(
                count.abs_diff(builtin::PLANE_POINTS / classes) <= 1,
                "{set:?} {class}: {count}"
            );
        }
    }
    // Round the whole circle: each quadrant holds about a quarter of the disc and of the ring.
    let points = points(Builtin::Circles);
    for class in 0..2 {
        for quadrant in [(true, true), (false, true), (false, false), (true, false)] {
            let count = points
                .iter()
                .filter(|([x1, x2], c)| *c == class && (*x1 >= 0.0, *x2 >= 0.0) == quadrant)
                .count();
            assert!(
                (30..=70).contains(&count),
                "class {class}: {count} in {quadrant:?}"
            );
        }
    }
}

/// FNV-1a over the points rounded to 1e-4 (a last-bit difference in a platform's `sin` does
/// not count) and the targets.
fn checksum(data: &Dataset) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut add = |number: i64| {
        for byte in number.to_le_bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    data.features
        .iter()
        .for_each(|x| add((x * 1e4).round() as i64));
    match &data.targets {
        Targets::Classes { indices, .. } => indices.iter().for_each(|&i| add(i as i64)),
        Targets::Values(ys) => ys.iter().for_each(|y| add((y * 1e4).round() as i64)),
    }
    hash
}

#[test]
fn the_same_seed_draws_the_same_points_in_every_version() {
    // `eval` and `--resume` generate a set again from the seed in the model's config: a
    // generator that drew other points would score a model on rows it was trained on.
    let checksums: Vec<u64> = Builtin::ALL
        .iter()
        .map(|set| checksum(&set.generate(42, None)))
        .collect();
    assert_eq!(
        checksums,
        [
            0x0114_fd84_c0cb_7545, // xor
            0x154d_45e7_9b0e_c4db, // sine
            0x4723_2014_c262_9b1e, // line
            0x1f42_8ac4_861c_b57d, // circles
            0x0e92_5abd_46ce_5049, // moons
            0x5aea_f7fe_6cd9_13cb, // spiral
            0x529d_f07a_60f6_7de7, // spiral3
            0x4835_4742_c44e_e319, // blobs
            0xc803_fb2b_4ced_7a25, // shapes
        ]
    );
}
