//! A block cut into one part per core, and the parts' plain rows read side by side.

use std::collections::HashMap;
use std::panic::resume_unwind;
use std::thread;

use super::plain::{read, Layout, Rows};

/// `bytes` cut after a line's end into about as many parts as the machine has cores.
pub(super) fn parts(bytes: &[u8]) -> Vec<&[u8]> {
    let cores = thread::available_parallelism().map_or(1, |cores| cores.get());
    let mut parts = Vec::with_capacity(cores);
    let mut rest = bytes;
    for left in (1..=cores).rev() {
        let target = rest.len() / left;
        let end = match rest[target..].iter().position(|&byte| byte == b'\n') {
            Some(newline) if left > 1 => target + newline + 1,
            _ => rest.len(),
        };
        let (part, after) = rest.split_at(end);
        if !part.is_empty() {
            parts.push(part);
        }
        rest = after;
    }
    parts
}

/// Each part's plain rows into `rows` (one per part), the parts read side by side, their labels
/// looked up in `known`: how many parts, from the first, are plain.
pub(super) fn read_parts(
    parts: &[&[u8]],
    layout: &Layout,
    known: &HashMap<String, u32>,
    rows: &mut Vec<Rows>,
) -> usize {
    rows.resize_with(parts.len().max(rows.len()), Rows::default);
    let mut work = parts.iter().zip(rows.iter_mut());
    let Some((first, first_rows)) = work.next() else {
        return 0;
    };
    let plain: Vec<bool> = thread::scope(|scope| {
        let others: Vec<_> = work
            .map(|(part, rows)| scope.spawn(|| read(part, layout, known, rows)))
            .collect();
        let first = read(first, layout, known, first_rows);
        std::iter::once(first)
            .chain(
                others
                    .into_iter()
                    .map(|thread| thread.join().unwrap_or_else(|panic| resume_unwind(panic))),
            )
            .collect()
    });
    plain.iter().take_while(|&&plain| plain).count()
}
