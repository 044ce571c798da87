//! Group commit: writers that need durability share flushes.
//!
//! sled writes to its page cache and fsyncs every 500 ms by default, so an
//! acknowledged write can be lost by a kill -9 unless the writer flushes
//! first. One flush per submission would cap throughput at the disk's fsync
//! rate; instead a single flusher task takes every waiter queued while the
//! previous flush ran, flushes once, and answers them all. A waiter enqueues
//! only after its batch was applied, so the flush that follows covers it.

use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

/// Waiters that can queue for a flush before writers feel back-pressure.
pub(crate) const FLUSH_QUEUE: usize = 4096;

/// Reported to each waiter: Ok, or the flush's error text.
type FlushResult = Result<(), String>;

/// The handle to the flusher task (which holds a clone of the database, so
/// it must be [`Flusher::close`]d before the data dir can be reopened).
pub(crate) struct Flusher {
    tx: mpsc::Sender<oneshot::Sender<FlushResult>>,
    task: tokio::task::JoinHandle<()>,
}

/// Observes each flush: its duration in seconds and how many waiters it served.
pub(crate) type FlushObserver = std::sync::Arc<dyn Fn(f64, usize) + Send + Sync>;

impl Flusher {
    /// Starts the flusher task for `db`.
    pub(crate) fn start(db: sled::Db, observe: FlushObserver) -> Flusher {
        let (tx, mut rx) = mpsc::channel::<oneshot::Sender<FlushResult>>(FLUSH_QUEUE);
        let task = tokio::spawn(async move {
            let mut waiters = Vec::new();
            while let Some(first) = rx.recv().await {
                waiters.push(first);
                while let Ok(more) = rx.try_recv() {
                    waiters.push(more);
                }
                let started = Instant::now();
                let result = db
                    .flush_async()
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string());
                observe(started.elapsed().as_secs_f64(), waiters.len());
                for waiter in waiters.drain(..) {
                    let _ = waiter.send(result.clone());
                }
            }
        });
        Flusher { tx, task }
    }

    /// Stops the task once queued waiters are answered, releasing its database handle.
    pub(crate) async fn close(self) {
        drop(self.tx);
        let _ = self.task.await;
    }

    /// Returns once everything applied before this call is on disk.
    pub(crate) async fn durable(&self) -> FlushResult {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(tx)
            .await
            .map_err(|_| "the flusher has stopped".to_owned())?;
        rx.await.map_err(|_| "the flusher has stopped".to_owned())?
    }
}
