//! Preparing loaded data: the split, the scaling, the encoding of columns, missing cells.

use super::{csv_file, error};
use crate::config::Missing;
use crate::data::encoding::{ColumnEncoding, Encoding};
use crate::data::transform::Standardizer;
use crate::data::{load, ColumnSpec, LabelSpec, Source};

#[test]
fn standardising_gives_mean_zero_and_unit_spread_and_inverts() {
    let values = [1.0, 5.0, 3.0, 5.0, 5.0, 5.0];
    let scaling = Standardizer::fit(&values, 2);
    assert_eq!(scaling.mean, [3.0, 5.0]);
    // The constant second column keeps scale 1 instead of dividing by zero.
    assert_eq!(scaling.std[1], 1.0);
    // A column on a tiny scale is standardised all the same.
    let tiny = Standardizer::fit(&[1e-9, 3e-9], 1);
    assert!((tiny.apply(&[3e-9])[0] - 1.0).abs() < 1e-3, "{tiny:?}");
    let scaled = scaling.apply(&values);
    assert_eq!(scaled[1], 0.0);
    let column: Vec<f32> = scaled.iter().step_by(2).copied().collect();
    let mean = column.iter().sum::<f32>() / 3.0;
    let variance = column.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / 3.0;
    assert!(mean.abs() < 1e-6 && (variance - 1.0).abs() < 1e-5);
    let back = scaling.invert(&scaled);
    for (a, b) in back.iter().zip(values) {
        assert!((a - b).abs() < 1e-5);
    }
}

#[test]
fn column_options_on_a_generated_set_are_refused_naming_its_columns() {
    let xor = Source::resolve("xor").unwrap();
    let names = ["x1".to_string()];
    let refused = |label: &LabelSpec, columns: &ColumnSpec| {
        format!("{:#}", load(&xor, label, columns, 0).unwrap_err())
    };
    for columns in [
        ColumnSpec {
            features: &names,
            ..ColumnSpec::default()
        },
        ColumnSpec {
            ignore: &names,
            ..ColumnSpec::default()
        },
    ] {
        assert!(refused(&LabelSpec::default(), &columns).contains(
            "--features and --ignore choose CSV columns; the built-in 'xor' has only x1, x2"
        ));
    }
    let other_label = LabelSpec {
        column: Some("x1"),
        ..LabelSpec::default()
    };
    assert!(refused(&other_label, &ColumnSpec::default())
        .contains("--label x1: the built-in 'xor' has one label column, 'y'"));
    let label_y = LabelSpec {
        column: Some("y"),
        ..LabelSpec::default()
    };
    assert_eq!(
        load(&xor, &label_y, &ColumnSpec::default(), 0)
            .unwrap()
            .rows(),
        4
    );
}

/// The encoding `Encoding::fit` learns from the given rows of a CSV text, with `--missing mean`.
fn fitted(text: &str, train: &[usize]) -> anyhow::Result<Encoding> {
    let columns = ColumnSpec {
        missing: Missing::Mean,
        ..ColumnSpec::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let frame = load(
        &Source::Csv(csv_file(&dir, text)),
        &LabelSpec::default(),
        &columns,
        0,
    )?;
    Ok(Encoding::fit(&frame, train, Missing::Mean)?.0)
}

#[test]
fn missing_cells_are_filled_with_the_training_rows_mean_and_most_frequent_category() {
    let text = "size,town,y\n1,Leeds,a\n2,Leeds,b\n4,York,a\n,Hull,b\n8,,a\n";
    let all = fitted(text, &[0, 1, 2, 3, 4]).unwrap();
    let expected = [
        ColumnEncoding::Number {
            name: "size".into(),
            fill: Some(3.75), // (1 + 2 + 4 + 8) / 4
        },
        ColumnEncoding::Text {
            name: "town".into(),
            categories: vec!["Hull".into(), "Leeds".into(), "York".into()],
            fill: Some("Leeds".into()),
        },
    ];
    assert_eq!(all.columns, expected);
    // One input per category, 1 for the row's own: [size, Hull, Leeds, York].
    assert_eq!(all.encode_texts(&["2", "York"]).unwrap(), [2., 0., 0., 1.]);
    assert_eq!(all.encode_texts(&["", "NA"]).unwrap(), [3.75, 0., 1., 0.]);
    // From the first three rows only: their mean, and no Hull.
    let first = fitted(text, &[0, 1, 2]).unwrap();
    assert_eq!(
        first.encode_texts(&["", "York"]).unwrap(),
        [7. / 3., 0., 1.]
    );
}

#[test]
fn a_text_column_of_names_or_ids_is_refused_and_categories_are_not() {
    let table = |rows: usize, distinct: usize| {
        let body: String = (0..rows)
            .map(|row| format!("name{},{}\n", row % distinct, row % 2))
            .collect();
        format!("who,y\n{body}")
    };
    let fit = |rows: usize, distinct: usize| {
        let every: Vec<usize> = (0..rows).collect();
        fitted(&table(rows, distinct), &every)
            .map(|_| ())
            .map_err(|e| format!("{e:#}"))
    };
    // A different value in each of 20 or more training rows: a name, not a category.
    let err = fit(20, 20).unwrap_err();
    assert!(err.contains("column 'who' is text with 20 different values in 20 training rows (e.g. 'name0'): a name or an id"), "{err}");
    assert!(err.contains("add --ignore who"), "{err}");
    // Fewer rows, all different, may still be categories; so may 100 categories, not 101.
    assert!(fit(19, 19).is_ok());
    assert!(fit(200, 100).is_ok());
    let err = fit(202, 101).unwrap_err();
    assert!(
        err.contains("101 different values in 202 training rows"),
        "{err}"
    );
}

#[test]
fn a_row_without_a_label_is_an_error_or_with_missing_drop_left_out() {
    let text = "a,y\n1,p\n2,\n3,q\n";
    let err = error(text, &LabelSpec::default());
    assert!(
        err.contains("line 3, label column 'y' has no value ('')"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let columns = ColumnSpec {
        missing: Missing::Drop,
        ..ColumnSpec::default()
    };
    let frame = load(
        &Source::Csv(csv_file(&dir, text)),
        &LabelSpec::default(),
        &columns,
        0,
    )
    .unwrap();
    assert_eq!(frame.rows(), 2);
    assert_eq!(frame.notes, ["dropped 1 of 3 rows without a label"]);
    // Nothing dropped, nothing said.
    let complete = load(
        &Source::Csv(csv_file(&dir, "a,y\n1,p\n2,q\n")),
        &LabelSpec::default(),
        &columns,
        0,
    )
    .unwrap();
    assert_eq!(complete.notes, Vec::<String>::new());
}

#[test]
fn an_input_is_far_outside_the_training_range_beyond_one_standard_deviation() {
    // Training values 0 and 2: mean 1, standard deviation 1, range [0, 2].
    let scaling = Standardizer::fit(&[0.0, 2.0], 1);
    for (value, far) in [
        (3.0, false),
        (3.001, true),
        (-1.0, false),
        (-1.001, true),
        (2.5, false),
    ] {
        assert_eq!(
            scaling.far_outside(&[value]).len(),
            usize::from(far),
            "{value}"
        );
    }
}
