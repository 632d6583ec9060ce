//! Plain rows (src/data/csv/pass/plain.rs) read straight from the bytes, in blocks of any size,
//! give exactly what csv's reader gives: the same frame or the same error, on every quirk.

use std::path::Path;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::fuzz::{corpus, mutate, specs, NAME};
use crate::config::Missing;
use crate::data::csv::parse_in_blocks;
use crate::data::{ColumnSpec, LabelSpec};

/// Files of plain rows with the turns a reader must follow: CRLF, a byte-order mark, text and
/// number labels, a quote, a gap or a missing value after many plain rows, no final newline.
fn plain_files() -> Vec<Vec<u8>> {
    let mut random = StdRng::seed_from_u64(7);
    let rows = |random: &mut StdRng, count: usize, end: &str| -> String {
        (0..count)
            .map(|_| {
                let x: f32 = random.random_range(-100.0..100.0);
                let label = ["a", "b", "c c"][random.random_range(0..3)];
                format!("{x:.3},{},{label}{end}", random.random_range(0..50))
            })
            .collect()
    };
    let plain = format!("x,y,label\n{}", rows(&mut random, 40, "\n"));
    let crlf = format!("x,y,label\r\n{}", rows(&mut random, 40, "\r\n"));
    let mut files: Vec<String> = vec![
        plain.clone(),
        crlf.clone(),
        format!("\u{feff}{plain}"),
        format!("{plain}{}", rows(&mut random, 3, "\r\n")),
        format!("{crlf}{}", rows(&mut random, 3, "\n")),
        format!("{plain}\"1\",2,a\n{}", rows(&mut random, 9, "\n")),
        format!("{plain}1,NA,a\n{}", rows(&mut random, 9, "\n")),
        format!("{crlf}1,,a\r\n{}", rows(&mut random, 9, "\r\n")),
        format!("{plain}\n{}", rows(&mut random, 9, "\n")),
        format!("{plain}  \n{}", rows(&mut random, 9, "\n")),
        format!("{plain}1,2,\n{}", rows(&mut random, 9, "\n")),
        format!("{plain}1,2,a,4\n{}", rows(&mut random, 9, "\n")),
        format!("{plain}1,2\r,a\n"),
        format!("{plain}1,2,a\rb\n"),
        format!("{plain}1, 2 ,\u{feff}a\n\u{feff}1,2,a\n"),
        format!("{plain}1e3,0x1,a\n"),
        format!("{plain}\n\n\n"),
        plain.trim_end().to_string(),
        crlf.trim_end().to_string(),
        format!(
            "x,y,label\n{}",
            rows(&mut random, 40, "\n").replace(",a\n", ",1.5\n")
        ),
    ];
    files.push(files[0].replace("label\n", "\"label\"\n"));
    files.into_iter().map(String::into_bytes).collect()
}

/// What a reading gave: the frame, or the error, as text (NaN equal to NaN).
fn outcome(bytes: &[u8], label: &LabelSpec, columns: &ColumnSpec, block: Option<usize>) -> String {
    match parse_in_blocks(bytes, Path::new(NAME), label, columns, block) {
        Ok(frame) => format!("{frame:?}"),
        Err(err) => format!("error: {err:#}"),
    }
}

#[test]
fn plain_rows_read_in_blocks_as_csvs_reader_reads_every_row() {
    let mut cases: Vec<Vec<u8>> = plain_files();
    cases.extend(corpus().into_iter().map(|(_, bytes)| bytes));
    let mut random = StdRng::seed_from_u64(0xb10c);
    for _ in 0..300 {
        let mut bytes = cases[random.random_range(0..cases.len())].clone();
        bytes.truncate(random.random_range(50..3000));
        for _ in 0..random.random_range(1..4) {
            mutate(&mut bytes, &mut random);
        }
        cases.push(bytes);
    }
    let ignored = ["y".to_string()];
    let column_specs = [
        ColumnSpec::default(),
        ColumnSpec {
            missing: Missing::Drop,
            ..ColumnSpec::default()
        },
        ColumnSpec {
            missing: Missing::Mean,
            ignore: &ignored,
            ..ColumnSpec::default()
        },
    ];
    for bytes in &cases {
        for (label, columns) in specs().iter().zip(column_specs.iter().cycle()) {
            let expected = outcome(bytes, label, columns, None);
            for block in [1, 7, 64, 1 << 22] {
                let got = outcome(bytes, label, columns, Some(block));
                assert_eq!(
                    got,
                    expected,
                    "block {block}, {label:?}, {columns:?}, input {:?}",
                    String::from_utf8_lossy(bytes)
                );
            }
        }
    }
}
