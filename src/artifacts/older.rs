//! Cards older stepwise versions wrote, read as they meant: the options added since are at
//! their defaults, and do not count in the checksum while they are.

/// Options added since format 2, as a card at their defaults writes them: `--noise`; the
/// pictures' `--image-size`, `--grayscale` and `--channels`; the MLP's convolutions.
const ADDED_AT_DEFAULT: [&str; 5] = [
    r#""noise":null"#,
    r#""image_size":null"#,
    r#""grayscale":false"#,
    r#""channels":[8,16]"#,
    r#""convolutions":null"#,
];

/// The card's JSON without the options of [`ADDED_AT_DEFAULT`] at their defaults.
pub(super) fn without_added_defaults(json: String) -> String {
    // A field is written after another (`,"noise":null`) or first in its object.
    ADDED_AT_DEFAULT.iter().fold(json, |json, added| {
        let after = format!(",{added}");
        match json.contains(&after) {
            true => json.replacen(&after, "", 1),
            false => json.replacen(&format!("{added},"), "", 1),
        }
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
    }
}
