//! The write path: one thread applies every submission and makes it
//! durable, in groups (group commit).
//!
//! sled writes to its page cache and fsyncs every 500 ms by default, so an
//! acknowledged write can be lost by a kill -9 unless the writer flushes
//! first. One flush per submission would cap throughput at the disk's
//! flush rate; instead the writer thread takes every submission queued
//! while it was busy, applies them all (merging plain objects into shared
//! sled batches, see `sled_batch.rs`), flushes once, and answers them all.
//!
//! Why a thread of its own rather than work on the async runtime: sled
//! holds a process-wide lock for the whole of a flush (the disk wait
//! included) that every `apply_batch` needs, and sled calls block. On the
//! writer thread the runtime's threads never wait for the disk; they keep
//! verifying the next submissions, which then form the next group.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use baraza_protocol::sync::SyncKey;
use baraza_protocol::SignedObject;
use tokio::sync::{broadcast, mpsc, oneshot};

use super::admission::{Counters, Group};
use super::log::LogAppender;
use super::sled_batch::{Referenced, SledTables};
use super::sync_index::SyncIndexCell;
use super::{now_ms, PutOutcome, StoreError, StoredEvent};

/// Submissions that can queue for the writer before submitters feel
/// back-pressure.
pub(crate) const WRITE_QUEUE: usize = 1024;
/// Most objects the writer takes into one group (one flush); a single
/// larger submission still forms one group.
const MAX_GROUP_OBJECTS: usize = 4096;
/// When submissions are queueing (the node is busy), the writer waits up
/// to [`LINGER`] for a group of this many objects before flushing, as long
/// as more keep arriving: every flush costs sled ~0.4 ms of CPU on its IO
/// threads, whatever it carries, so on a busy node fewer, larger flushes
/// leave more CPU for verifying.
const GROUP_TARGET: usize = 32;
/// Longest a busy writer waits for more submissions before flushing.
const LINGER: Duration = Duration::from_millis(1);
/// How often it looks for them meanwhile.
const LINGER_POLL: Duration = Duration::from_micros(100);

/// Observes each flush: its duration in seconds and how many submissions
/// it made durable.
pub(crate) type FlushObserver = Arc<dyn Fn(f64, usize) + Send + Sync>;

type Outcomes = Vec<Result<PutOutcome, StoreError>>;

/// One submission: objects in, one outcome per object back once durable.
struct Job {
    objects: Vec<SignedObject>,
    reply: oneshot::Sender<Result<Outcomes, StoreError>>,
}

/// The handle to the writer thread (which holds a clone of the database,
/// so it must be [`Writer::close`]d before the data dir can be reopened).
pub(crate) struct Writer {
    /// The queue to the thread; `None` once closed (dropping the sender is
    /// what tells the thread to finish).
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    /// Resolves when the thread has exited and dropped its database handle;
    /// taken by the first close.
    stopped: Mutex<Option<oneshot::Receiver<()>>>,
}

/// What the writer thread works with.
pub(crate) struct WriterParts {
    pub(crate) db: sled::Db,
    pub(crate) counters: Arc<Counters>,
    pub(crate) events: broadcast::Sender<StoredEvent>,
    pub(crate) observe: FlushObserver,
    pub(crate) sync_index: Arc<SyncIndexCell>,
    pub(crate) disk: DiskReserve,
    /// Entries in the transparency log at open, and the latest one's time.
    pub(crate) log_size: u64,
    pub(crate) log_time: u64,
}

/// The free space to keep on the data dir's disk. sled meeting a full disk
/// half-way through a write fails every later write until the process
/// restarts; refusing writes before that keeps the node serving reads and
/// lets writes resume as soon as space is freed.
pub(crate) struct DiskReserve {
    dir: PathBuf,
    min_free_bytes: u64,
}

impl DiskReserve {
    pub(crate) fn new(dir: &Path, min_free_bytes: u64) -> DiskReserve {
        DiskReserve {
            dir: dir.to_path_buf(),
            min_free_bytes,
        }
    }

    /// `Err(DiskFull)` when the disk has less than the reserve free. A disk
    /// whose free space cannot be read is assumed to have room (sled then
    /// reports any real failure).
    fn check(&self) -> Result<(), StoreError> {
        if self.min_free_bytes == 0 {
            return Ok(());
        }
        let Ok(stat) = rustix::fs::statvfs(&self.dir) else {
            return Ok(());
        };
        let free = stat.f_bavail.saturating_mul(stat.f_frsize);
        if free >= self.min_free_bytes {
            return Ok(());
        }
        Err(StoreError::DiskFull {
            dir: self.dir.display().to_string(),
            free_mb: free >> 20,
            reserve_mb: self.min_free_bytes.div_ceil(1 << 20),
        })
    }
}

impl Writer {
    /// Starts the writer thread.
    pub(crate) fn start(parts: WriterParts) -> Result<Writer, StoreError> {
        let (jobs, queue) = mpsc::channel(WRITE_QUEUE);
        let (stop, stopped) = oneshot::channel();
        std::thread::Builder::new()
            .name("baraza-writer".into())
            .spawn(move || {
                run(parts, queue);
                let _ = stop.send(());
            })
            .map_err(|e| {
                StoreError::Flush(format!("cannot start the store's writer thread: {e}"))
            })?;
        Ok(Writer {
            jobs: Mutex::new(Some(jobs)),
            stopped: Mutex::new(Some(stopped)),
        })
    }

    /// Applies `objects` and returns their outcomes once every write is on disk.
    pub(crate) async fn put(&self, objects: Vec<SignedObject>) -> Result<Outcomes, StoreError> {
        let stopped = || StoreError::Flush("the store's writer has stopped".into());
        let jobs = self
            .jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or(StoreError::Closed)?;
        let (reply, answer) = oneshot::channel();
        jobs.send(Job { objects, reply })
            .await
            .map_err(|_| stopped())?;
        // A close waits for every sender: hold none while waiting.
        drop(jobs);
        answer.await.map_err(|_| stopped())?
    }

    /// Lets queued submissions finish, then stops the thread, releasing its
    /// database handle.
    pub(crate) async fn close(&self) {
        drop(self.jobs.lock().unwrap_or_else(|p| p.into_inner()).take());
        let stopped = self
            .stopped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(stopped) = stopped {
            let _ = stopped.await;
        }
    }
}

fn run(parts: WriterParts, mut queue: mpsc::Receiver<Job>) {
    let WriterParts {
        db,
        counters,
        events,
        observe,
        sync_index,
        disk,
        log_size,
        log_time,
    } = parts;
    let mut referenced = Referenced::default();
    let mut log = LogAppender::new(log_size, log_time);
    while let Some(first) = queue.blocking_recv() {
        let began = Instant::now();
        let mut taken = first.objects.len();
        let mut jobs = vec![first];
        if let Err(full) = disk.check() {
            refuse(jobs, &full, &mut queue);
            continue;
        }
        let now = now_ms();
        let tables = SledTables::new(&db, &counters, &mut referenced, &mut log, now);
        let mut group = Group::new(tables, now);
        if let Err(e) = group.release_due() {
            tracing::warn!(error = %e, "could not release held objects; trying again with the next write");
        }
        let mut applied = 0;
        let mut lingered = false;
        loop {
            while taken < MAX_GROUP_OBJECTS {
                match queue.try_recv() {
                    Ok(job) => {
                        taken += job.objects.len();
                        jobs.push(job);
                    }
                    Err(_) => break,
                }
            }
            if lingered && jobs.len() == applied {
                // Nothing arrived while we waited: submissions are not
                // streaming in right now, so waiting longer only adds latency.
                break;
            }
            for object in jobs[applied..].iter().flat_map(|job| &job.objects) {
                group.offer(object);
            }
            applied = jobs.len();
            let busy = jobs.len() > 1;
            if !busy || taken >= GROUP_TARGET || began.elapsed() >= LINGER {
                break;
            }
            std::thread::sleep(LINGER_POLL);
            lingered = true;
        }
        let (outcomes, stored) = group.finish();

        // A submission needs the flush if it stored something or parked
        // something in the pending set.
        let mut wrote = Vec::with_capacity(jobs.len());
        let mut start = 0;
        for job in &jobs {
            let end = start + job.objects.len();
            wrote.push(outcomes[start..end].iter().any(|o| {
                matches!(
                    o,
                    Ok(PutOutcome::Stored { .. }
                        | PutOutcome::Pending { .. }
                        | PutOutcome::Held { .. })
                )
            }));
            start = end;
        }
        let writers = wrote.iter().filter(|w| **w).count();
        let flushed = if writers > 0 || !stored.is_empty() {
            let started = Instant::now();
            let logged = counters.log_written.load(Ordering::Acquire);
            let result = db.flush().map(|_| ()).map_err(|e| e.to_string());
            observe(started.elapsed().as_secs_f64(), writers);
            if result.is_ok() {
                counters.log_durable.store(logged, Ordering::Release);
            }
            result
        } else {
            Ok(())
        };
        // Written to sled whether or not the flush worked: readable, so
        // reconcilable.
        if !stored.is_empty() {
            sync_index.insert(
                stored
                    .iter()
                    .map(|e| SyncKey::new(e.object.created_at(), e.object.id())),
            );
        }
        if flushed.is_ok() {
            for event in stored {
                let _ = events.send(event);
            }
        }

        let mut outcomes = outcomes.into_iter();
        for (job, needed_flush) in jobs.into_iter().zip(wrote) {
            let mine: Outcomes = outcomes.by_ref().take(job.objects.len()).collect();
            let answer = match &flushed {
                Err(message) if needed_flush => Err(StoreError::Flush(message.clone())),
                _ => Ok(mine),
            };
            let _ = job.reply.send(answer);
        }
    }
}

/// Answers `jobs`, and every job already queued behind them, with `error`
/// (the disk is full: nothing is applied).
fn refuse(jobs: Vec<Job>, error: &StoreError, queue: &mut mpsc::Receiver<Job>) {
    let answer = |job: Job| {
        let _ = job.reply.send(Err(error.clone()));
    };
    jobs.into_iter().for_each(answer);
    while let Ok(job) = queue.try_recv() {
        answer(job);
    }
}
