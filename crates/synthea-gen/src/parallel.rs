//! Chunks of patients generated on worker threads and written in patient order, so the
//! bytes do not depend on the thread count.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

use crate::error::{Error, Result};
use crate::writer::Chunk;

/// What the workers and the writer share.
#[derive(Clone, Copy)]
struct Shared<'a> {
    /// The next chunk a worker takes.
    next: &'a AtomicU64,
    /// Set when writing failed: workers stop.
    abort: &'a AtomicBool,
    /// Chunks written so far, and the signal that more were written.
    written: &'a (Mutex<u64>, Condvar),
    /// How far ahead of the writer workers may run (bounds memory).
    window: u64,
    n_chunks: u64,
}

/// Runs `make_chunk` for chunks `0..n_chunks` on `threads` workers and hands every chunk
/// to `write` in chunk order. Workers run at most `4 × threads` chunks ahead of the
/// writer, so memory stays flat in the number of patients.
///
/// # Errors
/// The first error of `write` (the workers then stop), or [`Error::WorkerPanicked`] when
/// a worker panicked or a chunk went missing.
pub(crate) fn chunks_in_order<M, W>(
    threads: usize,
    n_chunks: u64,
    make_chunk: &M,
    mut write: W,
) -> Result<()>
where
    M: Fn(u64) -> Chunk + Sync,
    W: FnMut(Chunk) -> Result<()>,
{
    let next = AtomicU64::new(0);
    let abort = AtomicBool::new(false);
    let written = (Mutex::new(0u64), Condvar::new());
    let shared = Shared {
        next: &next,
        abort: &abort,
        written: &written,
        window: (threads * 4) as u64,
        n_chunks,
    };
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel::<(u64, Chunk)>(threads * 2);
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let tx = tx.clone();
                s.spawn(move || shared.work(make_chunk, &tx))
            })
            .collect();
        drop(tx);
        let outcome = shared.write_in_order(&rx, &mut write);
        drop(rx);
        let mut panicked = false;
        for h in handles {
            panicked |= h.join().is_err();
        }
        let chunks_written = outcome?;
        if panicked || chunks_written != n_chunks {
            return Err(Error::WorkerPanicked);
        }
        Ok(())
    })
}

impl Shared<'_> {
    /// A worker: take the next chunk, wait while it is too far ahead of the writer,
    /// generate it and send it, until no chunk is left or the run aborts.
    fn work<M: Fn(u64) -> Chunk>(self, make_chunk: &M, tx: &mpsc::SyncSender<(u64, Chunk)>) {
        loop {
            let c = self.next.fetch_add(1, Ordering::Relaxed);
            if c >= self.n_chunks || self.aborted() {
                break;
            }
            self.wait_for_writer(c);
            if self.aborted() {
                break;
            }
            let chunk = make_chunk(c);
            if tx.send((c, chunk)).is_err() {
                break;
            }
        }
    }

    /// Bounded look-ahead: block until chunk `c` is within the window of the writer.
    fn wait_for_writer(self, c: u64) {
        let (lock, cv) = self.written;
        let mut written = lock.lock().unwrap_or_else(|e| e.into_inner());
        while c >= *written + self.window && !self.aborted() {
            written = cv.wait(written).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn aborted(self) -> bool {
        self.abort.load(Ordering::Relaxed)
    }

    /// The writer: receive chunks in any order and `write` them in chunk order. Returns
    /// the number of chunks written; on an error, aborts the workers.
    fn write_in_order<W: FnMut(Chunk) -> Result<()>>(
        self,
        rx: &mpsc::Receiver<(u64, Chunk)>,
        write: &mut W,
    ) -> Result<u64> {
        let mut pending: BTreeMap<u64, Chunk> = BTreeMap::new();
        let mut expected = 0u64;
        for (c, chunk) in rx.iter() {
            pending.insert(c, chunk);
            while let Some(chunk) = pending.remove(&expected) {
                if let Err(e) = write(chunk) {
                    self.abort.store(true, Ordering::Relaxed);
                    self.written.1.notify_all();
                    return Err(e);
                }
                expected += 1;
                let (lock, cv) = self.written;
                *lock.lock().unwrap_or_else(|e| e.into_inner()) = expected;
                cv.notify_all();
            }
        }
        Ok(expected)
    }
}
