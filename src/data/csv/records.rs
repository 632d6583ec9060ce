//! The records of a CSV, split from its bytes on a thread of their own while the caller turns
//! the previous ones into numbers: the two halves of reading a file take about as long each,
//! so on two cores a file loads in about half the time. Records arrive in file order, and a
//! parse error arrives after every record before it, so messages name the same line as a
//! reading on one thread would.

use std::io::Read;
use std::sync::mpsc::{channel, sync_channel};
use std::thread;

use anyhow::Result;
use csv::{Reader, StringRecord};

/// Records handed over at a time: enough to make the hand-over cheap, few enough to stay in
/// the cache.
const CHUNK: usize = 512;

/// Chunks split ahead of the caller, at most.
const AHEAD: usize = 4;

/// Calls `each` with every record of `reader` in order; stops at the first error, of the
/// reader (named with `shown`, the file) or of `each`.
pub(super) fn for_each<R: Read + Send>(
    mut reader: Reader<R>,
    shown: &str,
    mut each: impl FnMut(&StringRecord) -> Result<()>,
) -> Result<()> {
    let (full, arrived) = sync_channel::<Result<Vec<StringRecord>>>(AHEAD);
    let (returned, spare) = channel::<Vec<StringRecord>>();
    thread::scope(|scope| {
        scope.spawn(move || loop {
            // Record buffers come back to be filled again: no allocation per record.
            let mut chunk = spare.try_recv().unwrap_or_default();
            let mut count = 0;
            let mut failed = None;
            while count < CHUNK {
                if chunk.len() == count {
                    chunk.push(StringRecord::new());
                }
                match reader.read_record(&mut chunk[count]) {
                    Ok(true) => count += 1,
                    Ok(false) => break,
                    Err(err) => {
                        failed = Some(anyhow::anyhow!("{shown}: {err}"));
                        break;
                    }
                }
            }
            chunk.truncate(count);
            let last = count < CHUNK;
            // A send fails when the caller has stopped (at an error of its own): stop too.
            if full.send(Ok(chunk)).is_err() || last && failed.is_none() {
                return;
            }
            if let Some(err) = failed {
                full.send(Err(err)).ok();
                return;
            }
        });
        for chunk in arrived {
            let chunk = chunk?;
            chunk.iter().try_for_each(&mut each)?;
            returned.send(chunk).ok();
        }
        Ok(())
    })
}
