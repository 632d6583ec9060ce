//! Cards older stepwise versions wrote, read as they meant: the options added since are at
//! their defaults, and do not count in the checksum while they are. And the version check
//! every file of stepwise's passes first: none newer than this build, none that none wrote.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use super::FORMAT_VERSION;
use crate::config::TrainConfig;

/// Options added since format 2, as a card at their defaults writes them: `--noise`; the
/// pictures' `--image-size`, `--grayscale` and `--channels`; the MLP's convolutions; the
/// optimizers' and the schedules' options.
const ADDED_AT_DEFAULT: [&str; 16] = [
    r#""noise":null"#,
    r#""image_size":null"#,
    r#""grayscale":false"#,
    r#""channels":[8,16]"#,
    r#""convolutions":null"#,
    r#""schedule":"constant""#,
    r#""step_size":30"#,
    r#""gamma":0.1"#,
    r#""min_lr":0.0"#,
    r#""warmup":5"#,
    r#""optimizer":"sgd""#,
    r#""beta1":0.9"#,
    r#""beta2":0.999"#,
    r#""alpha":0.99"#,
    r#""epsilon":1e-8"#,
    r#""init_from":null"#,
];

/// The card's JSON without the options of [`ADDED_AT_DEFAULT`] at their defaults.
pub(super) fn without_added_defaults(json: String) -> String {
    // A field is written after another (`,"noise":null`) or first in its object; only as a
    // whole value (`"warmup":5` is not the start of `"warmup":50`).
    ADDED_AT_DEFAULT.iter().fold(json, |json, added| {
        let places = [
            (format!(",{added},"), ","),
            (format!(",{added}}}"), "}"),
            (format!("{{{added},"), "{"),
        ];
        for (place, kept) in places {
            if let Some(at) = json.find(&place) {
                return format!("{}{kept}{}", &json[..at], &json[at + place.len()..]);
            }
        }
        json
    })
}

/// A file saved before options were added, read as they were then: a format 1 file (before
/// column control and `--keep`) with every column a number, nothing filled, the last epoch
/// kept; any older file with the pictures' options at their defaults.
pub(super) fn upgrade(config: &mut serde_json::Value) {
    let format_1 = config["format_version"].as_u64() == Some(1);
    if let Some(training) = config["training"].as_object_mut() {
        let since_format_1 = [
            ("features", serde_json::json!([])),
            ("ignore", serde_json::json!([])),
            ("missing", serde_json::json!("error")),
            ("keep", serde_json::json!("last")),
        ];
        let pictures = [
            ("grayscale", serde_json::json!(false)),
            ("channels", serde_json::json!([8, 16])),
        ];
        let added = pictures
            .into_iter()
            .chain(since_format_1.into_iter().filter(|_| format_1));
        for (field, value) in added {
            training.entry(field).or_insert(value);
        }
        // Every option added since, at today's default.
        if let Ok(serde_json::Value::Object(defaults)) = serde_json::to_value(TrainConfig::new()) {
            for (field, value) in defaults {
                training.entry(field).or_insert(value);
            }
        }
    }
}

/// The fields a format 1 `config.json` held, and those of its training configuration: a file
/// that says format 1 (which had no card checksum) but holds a later field was not written by
/// that stepwise, and is not taken on trust.
const FORMAT_1_CARD: [&str; 10] = [
    "format_version",
    "task",
    "model",
    "feature_names",
    "label_name",
    "class_names",
    "feature_scaling",
    "target_scaling",
    "training",
    "model_checksum",
];
const FORMAT_1_TRAINING: [&str; 20] = [
    "dataset",
    "label",
    "task",
    "model",
    "hidden",
    "activation",
    "output",
    "learning_rate",
    "momentum",
    "nesterov",
    "weight_decay",
    "clip_grad_norm",
    "batch_size",
    "epochs",
    "target_loss",
    "patience",
    "min_delta",
    "valid_fraction",
    "checkpoint_every",
    "seed",
];

/// The first field of `config` that a file of its (old) format version never held; `None` for
/// the current formats, which carry a checksum of their own.
pub(super) fn unwritten_field(config: &serde_json::Value) -> Option<String> {
    if config["format_version"].as_u64() != Some(1) {
        return None;
    }
    let stray = |object: &serde_json::Value, allowed: &[&str]| {
        object.as_object().and_then(|fields| {
            fields
                .keys()
                .find(|key| !allowed.contains(&key.as_str()))
                .cloned()
        })
    };
    stray(config, &FORMAT_1_CARD).or_else(|| {
        stray(&config["training"], &FORMAT_1_TRAINING).map(|field| format!("training.{field}"))
    })
}

/// Refuses a file written by a newer stepwise with a clear message, before reading the rest.
pub(super) fn check_format(text: &str, path: &Path) -> Result<()> {
    let version: FormatProbe = serde_json::from_str(text).with_context(|| not_ours(path))?;
    if version.format_version == 0 {
        let shown = path.display();
        bail!("{shown} says format 0, which none wrote: it was edited or is damaged; retrain");
    }
    if version.format_version > FORMAT_VERSION {
        bail!(
            "{} has format version {}, newer than this stepwise understands \
             ({FORMAT_VERSION}); upgrade stepwise",
            path.display(),
            version.format_version
        );
    }
    Ok(())
}

pub(super) fn not_ours(path: &Path) -> String {
    format!(
        "{} is not a stepwise file, or is damaged; retrain with `stepwise train`",
        path.display()
    )
}

/// Just the version field, read before the rest so a newer format gets a clear message.
#[derive(Deserialize)]
struct FormatProbe {
    format_version: u32,
}

#[cfg(test)]
mod added_tests {
    use super::without_added_defaults;

    #[test]
    fn only_a_whole_default_value_leaves_the_checksum() {
        let stripped = |json: &str| without_added_defaults(json.to_string());
        assert_eq!(stripped(r#"{"a":1,"warmup":5,"b":2}"#), r#"{"a":1,"b":2}"#);
        assert_eq!(stripped(r#"{"a":1,"warmup":5}"#), r#"{"a":1}"#);
        assert_eq!(stripped(r#"{"warmup":5,"b":2}"#), r#"{"b":2}"#);
        assert_eq!(stripped(r#"{"a":1,"warmup":50}"#), r#"{"a":1,"warmup":50}"#);
        assert_eq!(
            stripped(r#"{"a":1,"beta2":0.9999}"#),
            r#"{"a":1,"beta2":0.9999}"#
        );
    }
}
