//! A CSV's bytes in blocks that end at a line's end, so that each block holds whole lines and
//! the lines of one block can be cut into parts, one per core. And the source from a point on,
//! for csv's own reader to take over where the blocks stop being plain.

use std::io::{self, Chain, Cursor, Read, Seek, SeekFrom};

/// Bytes read at a time: a few milliseconds of parsing, small beside the data.
pub(super) const BLOCK: usize = 4 << 20;

/// The source, a block at a time.
pub(super) struct Blocks<R> {
    source: R,
    /// The bytes read past the last line's end: the next block's start.
    carry: Vec<u8>,
    size: usize,
    done: bool,
}

impl<R: Read> Blocks<R> {
    pub(super) fn new(source: R, size: usize) -> Blocks<R> {
        Blocks {
            source,
            carry: Vec::new(),
            size: size.max(1),
            done: false,
        }
    }

    /// Fills `block` (its memory used again) with the next block: at least `size` bytes ending
    /// with `\n`, or the rest of the source. False when nothing is left.
    pub(super) fn next(&mut self, block: &mut Vec<u8>) -> io::Result<bool> {
        block.clear();
        block.append(&mut self.carry);
        // `block[..searched]` holds no line's end.
        let mut searched = 0;
        while !self.done {
            let want = self.size.saturating_sub(block.len()).max(self.size / 4 + 1);
            self.done = (&mut self.source).take(want as u64).read_to_end(block)? == 0;
            if block.len() < self.size && !self.done {
                continue;
            }
            match block[searched..].iter().rposition(|&byte| byte == b'\n') {
                Some(end) => {
                    self.carry.extend_from_slice(&block[searched + end + 1..]);
                    block.truncate(searched + end + 1);
                    break;
                }
                None => searched = block.len(),
            }
        }
        Ok(!block.is_empty())
    }

    /// The bytes of `block` from `from` on, then the rest of the source; with a `\n` before
    /// them when `newline_first` (the one csv's reader has yet to take after a `\r`).
    pub(super) fn resume(self, mut block: Vec<u8>, from: usize, newline_first: bool) -> Resumed<R> {
        let from = match (newline_first, from) {
            (false, _) => from,
            (true, 0) => {
                block.insert(0, b'\n');
                0
            }
            (true, _) => from - 1,
        };
        let mut head = Cursor::new(block);
        head.set_position(from as u64);
        self.chain(head, false)
    }

    /// The whole source, `first` its first block: for csv's reader from the file's start.
    pub(super) fn whole(self, first: Vec<u8>) -> Resumed<R> {
        self.chain(Cursor::new(first), true)
    }

    fn chain(self, mut head: Cursor<Vec<u8>>, at_start: bool) -> Resumed<R> {
        head.get_mut().extend_from_slice(&self.carry);
        Resumed {
            bytes: head.chain(self.source),
            started: at_start,
        }
    }
}

/// The rest of a source, for csv's reader to go on with.
pub(super) struct Resumed<R> {
    bytes: Chain<Cursor<Vec<u8>>, R>,
    started: bool,
}

impl<R: Read> Read for Resumed<R> {
    fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
        // One byte first, unless this is the file's start: csv's reader takes a byte-order
        // mark at the start of what it reads for the file's, when it sees its three bytes at
        // once.
        let most = if self.started {
            into.len()
        } else {
            1.min(into.len())
        };
        self.started = true;
        self.bytes.read(&mut into[..most])
    }
}

/// csv's reader sets the position it reports (line, record, byte) through `seek_raw`, which
/// seeks its source first: to where it already is, the only seek this source answers.
impl<R> Seek for Resumed<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        match to {
            SeekFrom::Start(0) | SeekFrom::Current(0) => Ok(0),
            _ => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "the rest of a CSV is read forwards only",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Blocks, Read};

    #[test]
    fn blocks_hold_whole_lines_and_every_byte_once() {
        let text = b"a,b\n1,2\n33,44\n555,666\n7,8";
        for size in 1..text.len() + 2 {
            let mut blocks = Blocks::new(&text[..], size);
            let (mut block, mut joined) = (Vec::new(), Vec::new());
            while blocks.next(&mut block).unwrap() {
                let last = joined.len() + block.len() == text.len();
                assert!(last || block.ends_with(b"\n"), "{size}: {block:?}");
                joined.extend_from_slice(&block);
            }
            assert_eq!(joined, text);
        }
        let first_block = || {
            let mut blocks = Blocks::new(&text[..], 5);
            let mut block = Vec::new();
            blocks.next(&mut block).unwrap();
            assert_eq!(block, b"a,b\n");
            (blocks, block)
        };
        let (blocks, block) = first_block();
        let mut rest = String::new();
        blocks
            .resume(block, 4, false)
            .read_to_string(&mut rest)
            .unwrap();
        assert_eq!(rest, "1,2\n33,44\n555,666\n7,8");
        let (blocks, block) = first_block();
        let mut rest = String::new();
        blocks
            .resume(block, 0, true)
            .read_to_string(&mut rest)
            .unwrap();
        assert_eq!(rest, "\na,b\n1,2\n33,44\n555,666\n7,8");
    }
}
