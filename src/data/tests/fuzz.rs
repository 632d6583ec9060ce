//! Hostile CSV input: the loader answers every byte string with a data set or an error that
//! names the file — it never panics. Real-world quirks (CRLF, a byte-order mark, quotes, blank
//! lines at the end, the label anywhere) load like the plain file.
//!
//! The fuzzer is a seeded mutation fuzzer over the shipped files and the regression corpus in
//! `tests/corpus/csv/`, plus plain random bytes. `STEPWISE_FUZZ_CASES=1000000 cargo test fuzz`
//! runs it longer; a panicking input is written to `target/fuzz-failures/` to add to the corpus.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::{env, fs};

use crate::config::{Missing, Task};
use crate::data::csv::parse;
use crate::data::encoding::{Encoding, Unseen};
use crate::data::frame::{Frame, Values};
use crate::data::{ColumnSpec, LabelSpec, Targets};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

pub(super) const NAME: &str = "fuzzed.csv";

pub(super) fn corpus() -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = fs::read_dir(root.join("tests/corpus/csv"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "csv"))
        .collect();
    files.sort();
    files.push(root.join("datasets/iris.csv"));
    files
        .into_iter()
        .map(|path| {
            let bytes = fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect()
}

pub(super) fn specs() -> [LabelSpec<'static>; 4] {
    [
        LabelSpec::default(),
        LabelSpec {
            column: Some("b"),
            ..LabelSpec::default()
        },
        LabelSpec {
            task: Some(Task::Regression),
            ..LabelSpec::default()
        },
        LabelSpec {
            task: Some(Task::Classification),
            ..LabelSpec::default()
        },
    ]
}

/// Loads `bytes` with every label spec; a panic fails the test and keeps the input.
fn must_not_panic(bytes: &[u8], origin: &str) {
    for spec in &specs() {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            parse(bytes, Path::new(NAME), spec, &ColumnSpec::default())
        }));
        match outcome {
            Ok(Ok(dataset)) => check_dataset(&dataset),
            Ok(Err(err)) => {
                let message = format!("{err:#}");
                assert!(
                    message.contains(NAME),
                    "error without the file name: {message}"
                );
            }
            Err(_) => {
                let kept = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("target/fuzz-failures")
                    .join(format!("{:016x}.csv", fnv(bytes)));
                fs::create_dir_all(kept.parent().unwrap()).unwrap();
                fs::write(&kept, bytes).unwrap();
                panic!(
                    "the CSV loader panicked on {origin}; input kept in {}",
                    kept.display()
                );
            }
        }
    }
}

/// A loaded data set is consistent: one cell per row in every column, no missing cell (the
/// default refuses them), valid classes; and it encodes into finite numbers, or says why not.
fn check_dataset(frame: &Frame) {
    let rows = frame.rows();
    assert!(rows > 0);
    for column in &frame.columns {
        match &column.values {
            Values::Numbers(numbers) => {
                assert_eq!(numbers.len(), rows);
                assert!(numbers.iter().all(|value| value.is_finite()));
            }
            Values::Text(texts) => {
                assert_eq!(texts.len(), rows);
                assert!(texts.iter().all(Option::is_some));
            }
        }
    }
    match &frame.targets {
        Targets::Classes { indices, names } => {
            assert_eq!(indices.len(), rows);
            assert!(indices.iter().all(|&index| index < names.len()));
        }
        Targets::Values(values) => {
            assert_eq!(values.len(), rows);
            assert!(values.iter().all(|value| value.is_finite()));
        }
    }
    let all: Vec<usize> = (0..rows).collect();
    match Encoding::fit(frame, &all, Missing::Error) {
        Ok((encoding, _)) => {
            let dataset = encoding.encode(frame, Unseen::Refuse).unwrap();
            assert_eq!(dataset.features.len(), rows * dataset.feature_count());
            assert!(dataset.features.iter().all(|value| value.is_finite()));
        }
        Err(err) => assert!(format!("{err:#}").contains("--ignore"), "{err:#}"),
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x100000001b3)
    })
}

/// Bytes that matter to a CSV parser and a number parser.
const INTERESTING: &[&[u8]] = &[
    b",",
    b"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"\xEF\xBB\xBF",
    b"-",
    b".",
    b"e",
    b"E",
    b"NaN",
    b"inf",
    b"-inf",
    b"1e39",
    b"\xFF",
    b"\0",
    b" ",
    b"\t",
    b"a",
    b"0",
    b"9",
    b"\"\"",
    b",,",
    b"\n\n",
    b"99999999999999999999",
    b"\xC3\xA9",
];

pub(super) fn mutate(bytes: &mut Vec<u8>, random: &mut StdRng) {
    let at = random.random_range(0..=bytes.len());
    match random.random_range(0..6) {
        0 if !bytes.is_empty() => {
            let at = random.random_range(0..bytes.len());
            bytes[at] ^= 1 << random.random_range(0..8);
        }
        1 => {
            let insert = INTERESTING[random.random_range(0..INTERESTING.len())];
            bytes.splice(at..at, insert.iter().copied());
        }
        2 => {
            let end = (at + random.random_range(0..16)).min(bytes.len());
            bytes.drain(at..end);
        }
        3 => {
            let end = (at + random.random_range(0..64)).min(bytes.len());
            let copy = bytes[at..end].to_vec();
            let to = random.random_range(0..=bytes.len());
            bytes.splice(to..to, copy);
        }
        4 => bytes.truncate(at),
        _ => bytes.splice(at..at, [random.random::<u8>()]).for_each(drop),
    }
}

#[test]
fn the_csv_loader_never_panics_on_mutated_or_random_bytes() {
    let cases: usize = env::var("STEPWISE_FUZZ_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(3000);
    let seeds = corpus();
    for (path, bytes) in &seeds {
        must_not_panic(bytes, &path.display().to_string());
    }
    let mut random = StdRng::seed_from_u64(0x5eed);
    for case in 0..cases {
        let mut bytes = if case % 10 == 9 {
            let length = random.random_range(0..200);
            (0..length).map(|_| random.random::<u8>()).collect()
        } else {
            let (_, seed) = &seeds[random.random_range(0..seeds.len())];
            // Small files whole; the big shipped ones cut to a few rows, to keep cases fast.
            let keep = seed.len().min(random.random_range(50..2000));
            let mut bytes = seed[..keep].to_vec();
            for _ in 0..random.random_range(1..6) {
                mutate(&mut bytes, &mut random);
            }
            bytes
        };
        bytes.truncate(4000);
        must_not_panic(&bytes, &format!("fuzz case {case}"));
    }
}

fn load(text: &[u8], label: Option<&str>) -> Frame {
    let spec = LabelSpec {
        column: label,
        ..LabelSpec::default()
    };
    parse(text, Path::new(NAME), &spec, &ColumnSpec::default()).unwrap()
}

#[test]
fn real_world_quirks_load_like_the_plain_file() {
    let plain = load(b"x,y,label\n1,2,a\n3,4,b\n", None);
    let quirky: [&[u8]; 5] = [
        b"x,y,label\r\n1,2,a\r\n3,4,b\r\n",                   // CRLF
        b"\xEF\xBB\xBFx,y,label\n1,2,a\n3,4,b\n",             // byte-order mark
        b"\"x\",\"y\",\"label\"\n\"1\",2,\"a\"\n3,\"4\",b\n", // quoted fields
        b"x,y,label\n1,2,a\n3,4,b\n\n\n  \n",                 // blank lines at the end
        b"x , y,label \n 1,2 , a\n3,4,b",                     // spaces, no final newline
    ];
    for text in quirky {
        let dataset = load(text, None);
        assert_eq!(dataset.columns, plain.columns, "{text:?}");
        assert_eq!(dataset.targets, plain.targets, "{text:?}");
    }
    // The label anywhere, named with --label; a quoted field may hold a comma.
    let first = load(b"label,x,y\na,1,2\nb,3,4\n", Some("label"));
    assert_eq!(first.columns, plain.columns);
    assert_eq!(first.targets, plain.targets);
    let comma = load(b"x,y,label\n1,2,\"a, b\"\n3,4,c\n", None);
    assert_eq!(
        comma.targets,
        Targets::Classes {
            indices: vec![0, 1],
            names: vec!["a, b".into(), "c".into()]
        }
    );
}

#[test]
fn csv_errors_name_the_file_line_and_column() {
    let cases: [(&[u8], &str); 5] = [
        (
            b"x,y,label\n1,2,a\n3,oops,b\n",
            "fuzzed.csv: line 3, column 'y' holds 'oops'",
        ),
        (
            b"x,y,label\n1,2,a\n3,4\n",
            "fuzzed.csv: line 3 has 2 values but the header has 3",
        ),
        (
            b"x,y,label\n1,,a\n",
            "fuzzed.csv: line 2, column 'y' is empty or missing",
        ),
        (
            b"x,y,label\n1,2,a\n1,NaN,b\n",
            "fuzzed.csv: line 3, column 'y' is empty or missing",
        ),
        (b"x,y,label\n1,2,\xFF\n", "fuzzed.csv: "),
    ];
    for (text, expected) in cases {
        let err = parse(
            text,
            Path::new(NAME),
            &LabelSpec::default(),
            &ColumnSpec::default(),
        )
        .unwrap_err();
        let message = format!("{err:#}");
        assert!(message.contains(expected), "{message}");
    }
    let err = parse(
        b"\xFF\xFE,x\n1,2\n",
        Path::new(NAME),
        &LabelSpec::default(),
        &ColumnSpec::default(),
    );
    let message = format!("{:#}", err.unwrap_err());
    assert!(
        message.contains("its first line is not UTF-8 text"),
        "{message}"
    );
}
