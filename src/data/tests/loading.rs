//! Loading data: CSV parsing, task inference, errors naming what and where.

use super::{error, load_csv};
use crate::config::Task;
use crate::data::frame::Values;
use crate::data::split::split;
use crate::data::{load, ColumnSpec, LabelSpec, Source, Targets};

#[test]
fn iris_text_labels_become_named_classes() {
    let iris = load(
        &Source::resolve("iris").unwrap(),
        &LabelSpec::default(),
        &ColumnSpec::default(),
        0,
    )
    .unwrap();
    assert_eq!(iris.rows(), 150);
    assert_eq!(iris.columns.len(), 4);
    assert_eq!(iris.label_name, "species");
    assert_eq!(iris.task(), Task::Classification);
    assert!(iris.task_reason.contains("text labels"));
    match &iris.targets {
        Targets::Classes { names, indices } => {
            assert_eq!(names, &["setosa", "versicolor", "virginica"]);
            assert_eq!(indices[0], 0);
            assert_eq!(indices[149], 2);
        }
        other => panic!("{other:?}"),
    }
    // Selecting rows keeps the class names; selecting none leaves no targets.
    let picked = iris.targets.select(&[149, 0]);
    assert_eq!(picked.len(), 2);
    assert_eq!(picked.class_names(), iris.targets.class_names());
    assert!(!picked.is_empty() && iris.targets.select(&[]).is_empty());
}

#[test]
fn few_integer_labels_are_classes_and_many_numbers_are_regression() {
    let digits = load(
        &Source::resolve("digits").unwrap(),
        &LabelSpec::default(),
        &ColumnSpec::default(),
        0,
    )
    .unwrap();
    assert_eq!(digits.task(), Task::Classification);
    assert!(
        digits.task_reason.contains("10 distinct integer labels"),
        "{}",
        digits.task_reason
    );
    match &digits.targets {
        Targets::Classes { names, .. } => assert_eq!(names[9], "9"),
        other => panic!("{other:?}"),
    }

    let mut text = String::from("x,y\n");
    for i in 0..30 {
        text += &format!("{i},{}.5\n", i * 2);
    }
    let numbers = load_csv(&text, &LabelSpec::default()).unwrap();
    assert_eq!(numbers.task(), Task::Regression);

    let forced = load_csv(
        "a,b\n1,1\n2,2\n3,1\n",
        &LabelSpec {
            task: Some(Task::Regression),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(forced.targets, Targets::Values(vec![1.0, 2.0, 1.0]));

    let task = |labels: &[&str]| {
        let text: String = labels.iter().map(|label| format!("1,{label}\n")).collect();
        load_csv(&format!("x,y\n{text}"), &LabelSpec::default())
            .unwrap()
            .task()
    };
    // Few labels with fractions are numbers all the same; many distinct integers too.
    assert_eq!(task(&["0.5", "1.5", "0.5"]), Task::Regression);
    let many: Vec<String> = (0..21).map(|i| i.to_string()).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_eq!(task(&many), Task::Regression);
    // Twenty integers each in one row are amounts; twenty codes each in five rows are classes.
    assert_eq!(task(&many[..20]), Task::Regression);
    let codes: Vec<String> = (0..100).map(|i| (i % 20 * 3).to_string()).collect();
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    assert_eq!(task(&codes), Task::Classification);
    // Integers are class names only while a float holds every one of them exactly (2^53).
    assert_eq!(task(&["0", "9007199254740991"]), Task::Classification);
    assert_eq!(task(&["0", "9007199254740992"]), Task::Regression);

    // Labels that are not all numbers are names as written: "1.0" is not "1".
    let named = load_csv("x,y\n1,1\n2,1.0\n3,x\n", &LabelSpec::default()).unwrap();
    assert_eq!(named.targets.class_names().unwrap(), ["1", "1.0", "x"]);
}

#[test]
fn the_label_column_can_be_anywhere() {
    let data = load_csv(
        "kind,a,b\nx,1,2\ny,3,4\n",
        &LabelSpec {
            column: Some("kind"),
            ..Default::default()
        },
    )
    .unwrap();
    let names: Vec<&str> = data.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(data.columns[0].values, Values::Numbers(vec![1.0, 3.0]));
    assert_eq!(data.columns[1].values, Values::Numbers(vec![2.0, 4.0]));
}

#[test]
fn bad_csv_files_say_what_and_where() {
    let spec = LabelSpec::default();
    assert!(
        error("a,b,c\n1,2,x\n1,2\n", &spec).contains("line 3 has 2 values but the header has 3")
    );
    assert!(error("a,b\n1,x\nfoo,y\n", &spec)
        .contains("line 3, column 'a' holds 'foo', which is not a number"));
    assert!(error("a,b\n1,x\n,y\n", &spec).contains("line 3, column 'a' is empty or missing"));
    // A signed NaN is no missing-cell marker, and no number either: not "beyond ±3.4e38".
    let signed_nan = error("a,b\n1,x\n+nan,y\n", &spec);
    assert!(
        signed_nan.contains("line 3, column 'a' holds '+nan', which is not a number;"),
        "{signed_nan}"
    );
    assert!(error("a,b\n1,x\n2,x\n", &spec).contains("only one class ('x')"));
    assert!(error("a,b\n", &spec).contains("no data rows"));
    assert!(error("", &spec).contains("empty"));
    let missing = error(
        "a,b\n1,x\n2,y\n",
        &LabelSpec {
            column: Some("species"),
            ..Default::default()
        },
    );
    assert!(missing.contains("no column named 'species'"), "{missing}");
    assert!(missing.contains("a, b"), "{missing}");
}

#[test]
fn unknown_datasets_and_missing_files_are_named() {
    let err = format!("{:#}", Source::resolve("mnist.csv").unwrap_err());
    assert!(err.contains("unknown dataset 'mnist.csv'"));
    assert!(err.contains("stepwise datasets"));
}

#[test]
fn the_split_is_seeded_stratified_and_complete() {
    let iris = load(
        &Source::resolve("iris").unwrap(),
        &LabelSpec::default(),
        &ColumnSpec::default(),
        0,
    )
    .unwrap();
    let rows = split(&iris.targets, 0.2, 7);
    assert_eq!(rows.valid.len(), 30);
    assert_eq!(rows.train.len(), 120);
    let mut all: Vec<usize> = rows.train.iter().chain(&rows.valid).copied().collect();
    all.sort();
    assert_eq!(all, (0..150).collect::<Vec<_>>());
    if let Targets::Classes { indices, .. } = &iris.targets {
        for class in 0..3 {
            let held_out = rows
                .valid
                .iter()
                .filter(|&&row| indices[row] == class)
                .count();
            assert_eq!(held_out, 10, "class {class}");
        }
    }
    assert_eq!(split(&iris.targets, 0.2, 7), rows);
    assert_ne!(split(&iris.targets, 0.2, 8), rows);

    // Any size and fraction: ceil(fraction × rows) held out, at least one row kept to train,
    // every row in exactly one part.
    for n in 1..=40 {
        for fraction in [0.01, 0.2, 0.5, 0.9, 1.0] {
            for targets in [
                Targets::Values(vec![0.0; n]),
                Targets::Classes {
                    indices: (0..n).map(|row| row % 3).collect(),
                    names: vec!["a".into(), "b".into(), "c".into()],
                },
            ] {
                let rows = split(&targets, fraction, 1);
                let held_out = ((fraction * n as f64).ceil() as usize).min(n - 1);
                assert_eq!(rows.valid.len(), held_out, "{n} rows, {fraction}");
                let mut all: Vec<usize> = rows.train.iter().chain(&rows.valid).copied().collect();
                all.sort();
                assert_eq!(all, (0..n).collect::<Vec<_>>(), "{n} rows, {fraction}");
            }
        }
    }
}
