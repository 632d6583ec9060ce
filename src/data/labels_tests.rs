use super::*;

/// The label column of rows with these texts, from line 2 on.
struct Column {
    texts: Vec<String>,
    ids: Vec<u32>,
    lines: Vec<u64>,
}

fn column(rows: &[&str]) -> Column {
    let mut texts: Vec<String> = Vec::new();
    let ids = rows
        .iter()
        .map(|row| match texts.iter().position(|text| text == row) {
            Some(id) => id as u32,
            None => {
                texts.push(row.to_string());
                texts.len() as u32 - 1
            }
        })
        .collect();
    let lines = (2..rows.len() as u64 + 2).collect();
    Column { texts, ids, lines }
}

fn targets(
    file: &str,
    label_name: &str,
    rows: &[&str],
    task: Option<Task>,
    known: Option<&[String]>,
) -> Result<(Targets, String)> {
    let column = column(rows);
    let labels = Labels {
        texts: &column.texts,
        ids: &column.ids,
        lines: &column.lines,
    };
    super::targets(file, label_name, &labels, task, known)
}

#[test]
fn numeric_labels_are_classes_by_value() {
    let (targets, reason) =
        targets("f.csv", "y", &["1", "1.0", "01", "2", "2.0"], None, None).unwrap();
    assert_eq!(
        targets,
        Targets::Classes {
            indices: vec![0, 0, 0, 1, 1],
            names: vec!["1".into(), "2".into()]
        }
    );
    assert!(reason.contains("2 distinct integer labels"), "{reason}");
}

#[test]
fn huge_distinct_numbers_are_regression() {
    let texts: Vec<String> = (1..=30).map(|k| format!("{k}e37")).collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let (targets, reason) = targets("f.csv", "y", &texts, None, None).unwrap();
    assert!(matches!(targets, Targets::Values(_)));
    assert!(reason.contains("regression"), "{reason}");
}

#[test]
fn text_in_a_regression_label_is_named_as_a_label_error() {
    let err = targets(
        "f.csv",
        "price",
        &["1.5", "cheap"],
        Some(Task::Regression),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("f.csv: line 3, label column 'price' holds 'cheap'"),
        "{err}"
    );
}

#[test]
fn a_trained_models_classes_match_by_value() {
    let known = ["0".to_string(), "1".to_string()];
    let (targets, _) = targets("f.csv", "y", &["1.0", "0"], None, Some(&known)).unwrap();
    assert_eq!(
        targets,
        Targets::Classes {
            indices: vec![1, 0],
            names: known.to_vec()
        }
    );
}

#[test]
fn a_label_beyond_32_bit_floats_among_numbers_is_refused_naming_its_line() {
    for wrong in ["inf", "-inf", "1e39", "-1e400"] {
        let err = targets("f.csv", "y", &["1.5", "2", wrong, "3"], None, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("f.csv: line 4, label column 'y'"), "{err}");
        assert!(err.contains("not a finite number"), "{err}");
    }
    // As class names, when asked for, they are only names.
    let asked = targets(
        "f.csv",
        "y",
        &["1", "inf"],
        Some(Task::Classification),
        None,
    );
    assert!(asked.is_ok());
}

#[test]
fn more_classes_than_can_be_learned_are_refused_with_the_way_out() {
    let texts: Vec<String> = (0..=MAX_CLASSES).map(|k| format!("id{k}")).collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let err = targets("f.csv", "y", &texts, None, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("5001 distinct values"), "{err}");
    assert!(err.contains("--task regression"), "{err}");
}

/// The task inferred for integer labels of `rows` rows, value `k % values` in row k (or
/// `value(k)`), and the reason.
fn inferred(rows: usize, value: impl Fn(usize) -> u64) -> (Task, String) {
    let texts: Vec<String> = (0..rows).map(|k| value(k).to_string()).collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let (targets, reason) = targets("f.csv", "y", &texts, None, None).unwrap();
    (targets.task(), reason)
}

#[test]
fn integers_are_classes_only_while_they_read_as_class_codes() {
    // Ten digit classes of many rows each: classes.
    let (task, reason) = inferred(200, |k| (k % 10) as u64);
    assert_eq!(task, Task::Classification, "{reason}");
    assert!(reason.contains("--task regression overrides"), "{reason}");
    // Prices in a small table, each once: amounts.
    let (task, reason) = inferred(12, |k| 150_000 + 1_000 * k as u64);
    assert_eq!(task, Task::Regression, "{reason}");
    assert!(reason.contains("most of them once: amounts"), "{reason}");
    assert!(
        reason.contains("if they are classes, add --task classification"),
        "{reason}"
    );
    // Visitor counts 0 to 12 over 400 rows: counts.
    let (task, reason) = inferred(400, |k| (k * 7 % 13) as u64);
    assert_eq!(task, Task::Regression, "{reason}");
    assert!(
        reason.contains("13 consecutive integers (0 to 12): counts"),
        "{reason}"
    );
    // Three codes, one of them in two rows only: classes, said to be doubtful.
    let (task, reason) = inferred(40, |k| if k < 2 { 9 } else { (k % 2) as u64 });
    assert_eq!(task, Task::Classification, "{reason}");
    assert!(
        reason.contains("doubtful: a class has only 2 rows"),
        "{reason}"
    );
}

#[test]
fn long_values_are_shortened_in_messages() {
    let long = "x".repeat(5_000_000);
    assert!(shorten(&long).len() < 100);
}
