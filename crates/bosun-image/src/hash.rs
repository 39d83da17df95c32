//! SHA-256 on a second thread, so that hashing a layer overlaps with inflating and parsing it.
//!
//! A single-layer image would otherwise spend a third of its time hashing on the one core that
//! also inflates. Small streams never start the thread.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

/// Bytes gathered before a chunk is handed to the hashing thread.
const CHUNK: usize = 1 << 20;
/// Chunks in flight: bounds the memory the offload may hold (`CHUNK * (DEPTH + 2)`).
const DEPTH: usize = 4;

/// A SHA-256 whose work moves to a helper thread once the stream passes one chunk.
pub(crate) struct OffloadedSha256 {
    pending: Vec<u8>,
    worker: Option<Worker>,
    /// Hashes in place when a thread cannot be started.
    local: Option<Sha256>,
}

struct Worker {
    tx: SyncSender<Vec<u8>>,
    recycled: Receiver<Vec<u8>>,
    handle: JoinHandle<Sha256>,
}

impl OffloadedSha256 {
    pub(crate) fn new() -> Self {
        OffloadedSha256 {
            pending: Vec::new(),
            worker: None,
            local: None,
        }
    }

    pub(crate) fn update(&mut self, mut data: &[u8]) {
        if let Some(h) = &mut self.local {
            h.update(data);
            return;
        }
        while !data.is_empty() {
            let room = CHUNK - self.pending.len();
            let (now, later) = data.split_at(room.min(data.len()));
            self.pending.extend_from_slice(now);
            data = later;
            if self.pending.len() == CHUNK {
                self.flush();
            }
        }
    }

    fn flush(&mut self) {
        if self.worker.is_none() {
            self.worker = Worker::start();
        }
        let next = self
            .worker
            .as_ref()
            .and_then(|w| w.recycled.try_recv().ok())
            .unwrap_or_else(|| Vec::with_capacity(CHUNK));
        let chunk = std::mem::replace(&mut self.pending, next);
        match &self.worker {
            Some(w) => {
                if let Err(back) = w.tx.send(chunk) {
                    // The thread is gone (it cannot panic, but be safe): hash here from now on.
                    self.fallback(&back.0);
                }
            }
            None => self.fallback(&chunk),
        }
    }

    /// Continue in place: only reachable if the thread could not start or died.
    fn fallback(&mut self, chunk: &[u8]) {
        let mut h = self
            .worker
            .take()
            .and_then(|w| {
                drop(w.tx);
                w.handle.join().ok()
            })
            .unwrap_or_default();
        h.update(chunk);
        h.update(&self.pending);
        self.pending.clear();
        self.local = Some(h);
    }

    pub(crate) fn finalize_hex(mut self) -> String {
        if let Some(h) = self.local.take() {
            return hex::encode(h.finalize());
        }
        let mut h = match self.worker.take() {
            Some(w) => {
                drop(w.tx);
                w.handle.join().unwrap_or_default()
            }
            None => Sha256::new(),
        };
        h.update(&self.pending);
        hex::encode(h.finalize())
    }
}

impl Worker {
    fn start() -> Option<Worker> {
        let (tx, rx) = sync_channel::<Vec<u8>>(DEPTH);
        let (back_tx, recycled) = sync_channel::<Vec<u8>>(DEPTH);
        let handle = std::thread::Builder::new()
            .name("bosun-sha256".into())
            .spawn(move || {
                let mut h = Sha256::new();
                for mut chunk in rx {
                    h.update(&chunk);
                    chunk.clear();
                    let _ = back_tx.try_send(chunk);
                }
                h
            })
            .ok()?;
        Some(Worker {
            tx,
            recycled,
            handle,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn offloaded_hash_equals_plain_sha256(
            parts in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..400_000), 0..8)
        ) {
            let mut off = OffloadedSha256::new();
            let mut plain = Sha256::new();
            for p in &parts {
                off.update(p);
                plain.update(p);
            }
            prop_assert_eq!(off.finalize_hex(), hex::encode(plain.finalize()));
        }
    }

    #[test]
    fn many_chunks_hash_like_sha256() {
        let data: Vec<u8> = (0..(CHUNK * 9 + 12345)).map(|i| (i % 251) as u8).collect();
        let mut off = OffloadedSha256::new();
        for piece in data.chunks(65_537) {
            off.update(piece);
        }
        assert_eq!(off.finalize_hex(), hex::encode(Sha256::digest(&data)));
    }
}
