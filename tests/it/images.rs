//! Pictures: a CNN learns digits and shapes, an image folder and MNIST-format files load as
//! documented, a trained CNN answers for a picture, and broken pictures end cleanly.

use std::fs;
use std::io::Write;
use std::path::Path;

use image::{Rgb, RgbImage, Rgba, RgbaImage};
use stepwise::{ArtifactDir, ModelKind, Prediction, Predictor, TrainConfig};
use tempfile::tempdir;

use crate::cli::{fails, stepwise};
use crate::{backend, train};

/// The validation accuracy of the epoch the run kept.
fn kept_accuracy(report: &stepwise::TrainReport) -> f64 {
    let kept = report
        .summary
        .kept_metrics
        .as_ref()
        .expect("an epoch was kept");
    kept.valid_accuracy.expect("a validation split")
}

fn cnn(dataset: &str, epochs: usize) -> TrainConfig {
    TrainConfig::new()
        .with_dataset(dataset.into())
        .with_model(ModelKind::Cnn)
        .with_epochs(epochs)
}

/// Averaged over five seeds, each with its own validation split and initial weights: the
/// accuracy of one seed's 360 held-out rows moves by a row or two between CPUs (seed 42 kept
/// 0.972 on one machine and 0.969 on another), and from 0.964 to 0.989 between seeds.
#[test]
fn a_cnn_reads_digits_as_8x8_pictures_and_recognises_97_percent() {
    let dir = tempdir().unwrap();
    let accuracies: Vec<f64> = (1..=5)
        .map(|seed| {
            let report = train(
                cnn("digits", 40).with_seed(seed),
                &dir.path().join(seed.to_string()),
            );
            assert_eq!(
                stepwise::Architecture::describe(&report.card.model),
                "cnn 1x8x8 conv 8,16 then 64-16-10 relu"
            );
            kept_accuracy(&report)
        })
        .collect();
    let mean = accuracies.iter().sum::<f64>() / accuracies.len() as f64;
    assert!(mean >= 0.97, "digits CNN accuracies {accuracies:?}");
    assert!(
        accuracies.iter().all(|&accuracy| accuracy >= 0.95),
        "digits CNN accuracies {accuracies:?}"
    );
}

#[test]
fn on_shapes_a_cnn_reaches_95_percent_and_beats_an_mlp_of_as_many_parameters() {
    let dir = tempdir().unwrap();
    let cnn = train(cnn("shapes", 20), &dir.path().join("cnn"));
    let mlp_config = TrainConfig::new()
        .with_dataset("shapes".into())
        .with_hidden(vec![21])
        .with_epochs(20);
    let mlp = train(mlp_config, &dir.path().join("mlp"));
    let (cnn_parameters, mlp_parameters) = (cnn.summary.parameters, mlp.summary.parameters);
    assert!(
        cnn_parameters.abs_diff(mlp_parameters) * 20 < cnn_parameters,
        "similar sizes: {cnn_parameters} and {mlp_parameters}"
    );
    let (cnn_accuracy, mlp_accuracy) = (kept_accuracy(&cnn), kept_accuracy(&mlp));
    assert!(cnn_accuracy >= 0.95, "shapes CNN accuracy {cnn_accuracy}");
    assert!(
        cnn_accuracy > mlp_accuracy + 0.1,
        "CNN {cnn_accuracy} against MLP {mlp_accuracy}"
    );
}

#[test]
fn a_cnn_saved_and_loaded_answers_exactly_as_trained() {
    let dir = tempdir().unwrap();
    let trained = crate::predictor(train(cnn("shapes", 2), dir.path()));
    let shapes = trained.load_dataset("shapes").unwrap();
    let rows: Vec<Vec<f32>> = (0..5).map(|row| shapes.row(row).to_vec()).collect();
    let loaded = Predictor::load(&ArtifactDir::new(dir.path()), backend().device).unwrap();
    assert_eq!(
        loaded.predict(&rows).unwrap(),
        trained.predict(&rows).unwrap()
    );
    assert_eq!(loaded.card.image.unwrap().to_string(), "1x16x16");
}

/// A gray-ish RGB picture of `size`: class `dark` is dark with a bright dot, `light` bright
/// with a dark dot, at a place that moves with `index`.
fn picture(class: &str, index: u32, size: u32) -> RgbImage {
    let (ground, dot) = if class == "dark" {
        (40, 220)
    } else {
        (220, 40)
    };
    RgbImage::from_fn(size, size, |x, y| {
        let near = x.abs_diff(index % size) < 3 && y.abs_diff((index * 3) % size) < 3;
        let value = if near { dot } else { ground } + (index % 5) as u8;
        Rgb([value, value / 2, 255 - value])
    })
}

/// An image folder as a user would have one: `dark/` and `light/` of 12×12 pictures in PNG,
/// with a JPEG, an RGBA PNG, a BMP and a GIF among them, and a note that is not a picture.
fn photos(root: &Path) -> std::path::PathBuf {
    let photos = root.join("photos");
    for class in ["dark", "light"] {
        fs::create_dir_all(photos.join(class)).unwrap();
        for index in 0..12 {
            let file = photos.join(class).join(format!("{index:02}.png"));
            picture(class, index, 12).save(&file).unwrap();
        }
        picture(class, 20, 12)
            .save(photos.join(class).join("photo.jpg"))
            .unwrap();
        picture(class, 21, 12)
            .save(photos.join(class).join("scan.bmp"))
            .unwrap();
        picture(class, 22, 12)
            .save(photos.join(class).join("anim.gif"))
            .unwrap();
        let rgba = RgbaImage::from_fn(12, 12, |x, y| {
            let Rgb([r, g, b]) = *picture(class, 23, 12).get_pixel(x, y);
            Rgba([r, g, b, 128])
        });
        rgba.save(photos.join(class).join("clear.png")).unwrap();
    }
    fs::write(photos.join("dark").join("notes.txt"), "taken in March").unwrap();
    photos
}

/// The plan of a run on `dataset` (read, split and encoded, not trained), with `config`'s
/// picture options.
fn planned(dataset: &Path, config: TrainConfig) -> stepwise::Plan {
    let config = config.with_dataset(dataset.to_str().unwrap().into());
    crate::plan(config, &dataset.with_file_name("m"))
}

#[test]
fn an_image_folder_is_one_class_per_sub_folder_in_every_format() {
    let dir = tempdir().unwrap();
    let photos = photos(dir.path());
    let plan = planned(&photos, TrainConfig::new());
    let card = plan.card();
    assert_eq!(plan.rows(), 2 * 16);
    assert_eq!(card.image.unwrap().to_string(), "3x12x12");
    assert_eq!(card.feature_names.len(), 3 * 12 * 12);
    assert_eq!(card.feature_names[0], "red_0");
    assert_eq!(
        card.class_names.as_deref(),
        Some(&["dark".into(), "light".into()][..])
    );
    assert!(
        plan.notes()
            .iter()
            .any(|note| note.starts_with("1 file(s)")),
        "{:?}",
        plan.notes()
    );

    // A picture of another size is resized with the rest by --image-size.
    picture("light", 3, 16)
        .save(photos.join("light").join("big.png"))
        .unwrap();
    let config = TrainConfig::new()
        .with_image_size(Some(6))
        .with_grayscale(true);
    let plan = planned(&photos, config);
    assert_eq!(plan.card().image.unwrap().to_string(), "1x6x6");
    assert_eq!(plan.rows(), 2 * 16 + 1);
    assert_eq!(plan.card().feature_names[0], "pixel_0");
}

#[test]
fn a_cnn_trained_on_a_folder_names_the_class_of_a_new_picture() {
    let dir = tempdir().unwrap();
    photos(dir.path());
    let args = [
        "train",
        "--dataset",
        "photos",
        "--model",
        "cnn",
        "--channels",
        "4",
        "--epochs",
        "15",
        "--quiet",
        "--out",
        "m",
    ];
    stepwise(dir.path()).args(args).assert().success();
    picture("light", 5, 24)
        .save(dir.path().join("new.png"))
        .unwrap();
    let output = stepwise(dir.path())
        .args([
            "predict",
            "--model",
            "m",
            "--input-image",
            "new.png",
            "--top",
            "2",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let answers: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answers[0]["file"], "new.png");
    assert_eq!(answers[0]["label"], "light");
    assert_eq!(answers[0]["top"].as_array().unwrap().len(), 2);
    assert_eq!(answers[0]["top"][0]["label"], "light");

    let output = stepwise(dir.path())
        .args(["predict", "--model", "m", "--input-file", "photos/dark"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.lines().count(), 16, "{text}");
    assert!(
        text.starts_with("photos/dark/00.png: dark (probability"),
        "{text}"
    );

    let output = stepwise(dir.path())
        .args(["eval", "--model", "m", "--dataset", "photos"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("validation rows of photos"), "{text}");
    assert!(text.contains("accuracy  1.0000"), "{text}");
    assert!(text.contains("confusion (rows: actual class"), "{text}");
}

/// MNIST-format files of `count` 4×4 pictures whose class is the brightness of their first
/// pixel, gzip-compressed when `gzip`.
fn idx_files(dir: &Path, count: u32, labels: u32, gzip: bool) -> std::path::PathBuf {
    let mut pictures = vec![0, 0, 8, 3];
    for size in [count, 4, 4] {
        pictures.extend(size.to_be_bytes());
    }
    let mut classes = vec![0, 0, 8, 1];
    classes.extend(labels.to_be_bytes());
    for index in 0..count {
        let class = (index % 3) as u8;
        pictures.extend((0..16).map(|pixel| if pixel == 0 { class * 100 } else { 7 }));
    }
    classes.extend((0..labels).map(|index| (index % 3) as u8));
    let write = |name: &str, bytes: &[u8]| {
        let (path, bytes) = if gzip {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), Default::default());
            encoder.write_all(bytes).unwrap();
            (dir.join(format!("{name}.gz")), encoder.finish().unwrap())
        } else {
            (dir.join(name), bytes.to_vec())
        };
        fs::write(&path, bytes).unwrap();
        path
    };
    write("train-labels-idx1-ubyte", &classes);
    write("train-images-idx3-ubyte", &pictures)
}

#[test]
fn mnist_format_files_load_with_their_labels_gzip_or_not() {
    for gzip in [false, true] {
        let dir = tempdir().unwrap();
        let images = idx_files(dir.path(), 30, 30, gzip);
        let plan = planned(&images, TrainConfig::new());
        assert_eq!(plan.rows(), 30);
        let card = plan.card();
        assert_eq!(card.image.unwrap().to_string(), "1x4x4");
        assert_eq!(
            card.class_names.as_deref(),
            Some(&["0".into(), "1".into(), "2".into()][..])
        );
        // The first pixel is the class's brightness: 0, 100 and 200 of 255, ten of each.
        let mean = (0.0 + 100.0 + 200.0) / 3.0 / 255.0;
        assert!(
            (card.feature_scaling.mean[0] - mean).abs() < 0.02,
            "{:?}",
            card.feature_scaling.mean
        );
    }
}

#[test]
fn broken_pictures_and_files_are_errors_that_name_them_and_write_nothing() {
    let dir = tempdir().unwrap();
    let photos = photos(dir.path());
    let train = |dataset: &str, extra: &[&str]| {
        let mut args = vec![
            "train",
            "--dataset",
            dataset,
            "--model",
            "cnn",
            "--out",
            "m",
        ];
        args.extend(extra);
        let said = fails(dir.path(), &args);
        assert!(!dir.path().join("m").exists(), "{said}");
        said
    };
    // A picture of another size, and no --image-size.
    picture("dark", 1, 16)
        .save(photos.join("dark/big.png"))
        .unwrap();
    let said = train("photos", &[]);
    assert!(
        said.contains("photos/dark/big.png is 16x16 pixels"),
        "{said}"
    );
    assert!(said.contains("--image-size"), "{said}");
    fs::remove_file(photos.join("dark/big.png")).unwrap();
    // A truncated PNG.
    let whole = fs::read(photos.join("light/03.png")).unwrap();
    fs::write(photos.join("light/03.png"), &whole[..whole.len() / 2]).unwrap();
    let said = train("photos", &[]);
    assert!(
        said.contains("photos/light/03.png is not a picture"),
        "{said}"
    );
    fs::write(photos.join("light/03.png"), whole).unwrap();
    // An empty class folder.
    fs::create_dir(photos.join("empty")).unwrap();
    let said = train("photos", &[]);
    assert!(said.contains("photos/empty holds no pictures"), "{said}");
    fs::remove_dir(photos.join("empty")).unwrap();
    // One class.
    fs::remove_dir_all(photos.join("light")).unwrap();
    let said = train("photos", &[]);
    assert!(said.contains("holds one class folder ('dark')"), "{said}");
    // Labels that do not match the pictures, and a truncated file.
    let images = idx_files(dir.path(), 30, 29, false);
    let said = train(images.to_str().unwrap(), &[]);
    assert!(said.contains("holds 30 pictures but"), "{said}");
    assert!(
        said.contains("train-labels-idx1-ubyte holds 29 labels"),
        "{said}"
    );
    let whole = fs::read(&images).unwrap();
    fs::write(&images, &whole[..100]).unwrap();
    let said = train(images.to_str().unwrap(), &[]);
    assert!(said.contains("is truncated or damaged"), "{said}");
}

#[test]
fn picture_options_on_a_table_are_refused_with_what_to_do() {
    let dir = tempdir().unwrap();
    let said = fails(
        dir.path(),
        &["train", "--dataset", "iris", "--model", "cnn"],
    );
    assert!(
        said.contains("--model cnn reads pictures, and iris is a table"),
        "{said}"
    );
    let said = fails(
        dir.path(),
        &["train", "--dataset", "iris", "--image-size", "8"],
    );
    assert!(said.contains("iris is not one"), "{said}");
    // A usage error, as clap's own (exit 2).
    let output = stepwise(dir.path())
        .args(["train", "--dataset", "digits", "--channels", "4"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8(output.stderr).unwrap();
    assert!(
        said.contains("--channels sets the convolutions of --model cnn"),
        "{said}"
    );
    let said = fails(
        dir.path(),
        &[
            "train",
            "--dataset",
            "digits",
            "--model",
            "cnn",
            "--channels",
            "4,4,4,4",
        ],
    );
    assert!(
        said.contains("8x8 pictures can be halved 3 time(s)"),
        "{said}"
    );
    // A model of a table asked about pictures.
    photos(dir.path());
    crate::train_cli(dir.path(), &["--epochs", "2", "--quiet", "--out", "iris"]);
    let said = fails(
        dir.path(),
        &["eval", "--model", "iris", "--dataset", "photos"],
    );
    assert!(said.contains("photos holds pictures, and this model was trained on a table"));
    let said = fails(
        dir.path(),
        &[
            "predict",
            "--model",
            "iris",
            "--input-image",
            "photos/dark/00.png",
        ],
    );
    assert!(
        said.contains("this model was trained on a table (4 columns)"),
        "{said}"
    );
}

#[test]
fn a_digits_model_reads_a_png_of_a_digit_in_its_own_units() {
    let dir = tempdir().unwrap();
    let report = train(cnn("digits", 5), dir.path());
    let predictor = crate::predictor(report);
    let digits = predictor.load_dataset("digits").unwrap();
    for row in 0..10 {
        // The row as an 8×8 gray PNG: 0..=16 becomes 0..=255.
        let pixels: Vec<u8> = digits
            .row(row)
            .iter()
            .map(|&value| (value * 255.0 / 16.0).round() as u8)
            .collect();
        let file = dir.path().join(format!("{row}.png"));
        image::GrayImage::from_raw(8, 8, pixels)
            .unwrap()
            .save(&file)
            .unwrap();
        let read = predictor.read_pictures(&[file]).unwrap();
        for (read, original) in read[0].iter().zip(digits.row(row)) {
            assert!((read - original).abs() <= 0.04, "{read} for {original}");
        }
        let answers = predictor
            .predict(&[read[0].clone(), digits.row(row).to_vec()])
            .unwrap();
        let label = |answer: &Prediction| match answer {
            Prediction::Class { label, .. } => label.clone(),
            other => panic!("digits are classes, got {other:?}"),
        };
        assert_eq!(label(&answers[0]), label(&answers[1]), "digit row {row}");
    }
}

#[test]
fn backpropagation_through_the_convolutions_agrees_with_finite_differences() {
    let dir = tempdir().unwrap();
    let config = cnn("digits", 1)
        .with_channels(vec![2, 4])
        .with_hidden(vec![4]);
    let checks = crate::plan(config, dir.path()).gradient_check(4).unwrap();
    let names: Vec<&str> = checks.iter().map(|check| check.name.as_str()).collect();
    assert_eq!(
        names[..4],
        [
            "convolutions.layers.0.weight",
            "convolutions.layers.0.bias",
            "convolutions.layers.1.weight",
            "convolutions.layers.1.bias"
        ]
    );
    for check in &checks {
        assert_eq!(check.beyond_bound, 0, "{check:?}");
        assert!(check.relative_error < 0.05, "{check:?}");
    }
}
