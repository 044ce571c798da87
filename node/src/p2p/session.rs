//! One outbound sync session with one peer: reconcile, then fetch what we
//! lack in bounded, pipelined batches.

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, Instant};

use super::protocol::WaiterId;
use super::{SessionStatus, SyncReport};
use baraza_protocol::limits::MAX_FETCH_IDS;
use baraza_protocol::ObjectId;
use libp2p::PeerId;

/// Fetch requests (or batches being verified and stored) in flight per session.
pub(crate) const MAX_IN_FLIGHT: usize = 4;
/// How long fetching pauses after the peer answers busy.
pub(crate) const BUSY_BACKOFF: Duration = Duration::from_secs(1);
/// Busy answers a session takes before it gives up (and the periodic sync
/// tries again later).
pub(crate) const MAX_BUSY: u32 = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Reconciling,
    Fetching,
}

/// A session's state; it holds no channels and reads no clock (the
/// protocol passes `now`).
pub(crate) struct Session {
    pub(crate) phase: Phase,
    pub(crate) report: SyncReport,
    started: Instant,
    queue: VecDeque<ObjectId>,
    /// Ids queued or in flight, so a repeated `need` is not fetched twice.
    queued: HashSet<ObjectId>,
    /// Fetches sent plus fetched batches being applied.
    pub(crate) in_flight: usize,
    /// Who waits for the report (the driver holds their reply channels).
    pub(crate) waiters: Vec<WaiterId>,
    /// Fetching is paused until then (the peer answered busy).
    resume_at: Option<Instant>,
    /// Busy answers so far.
    busy: u32,
}

impl Session {
    pub(crate) fn new(peer: PeerId, phase: Phase, now: Instant) -> Session {
        Session {
            phase,
            report: SyncReport {
                peer: peer.to_string(),
                ..SyncReport::default()
            },
            started: now,
            queue: VecDeque::new(),
            queued: HashSet::new(),
            in_flight: 0,
            waiters: Vec::new(),
            resume_at: None,
            busy: 0,
        }
    }

    /// Queues the ids `wanted` accepts that are not queued already, and
    /// returns them.
    pub(crate) fn enqueue(
        &mut self,
        ids: impl IntoIterator<Item = ObjectId>,
        wanted: impl Fn(&ObjectId) -> bool,
    ) -> Vec<ObjectId> {
        let mut added = Vec::new();
        for id in ids {
            if !self.queued.contains(&id) && wanted(&id) {
                self.queued.insert(id);
                self.queue.push_back(id);
                added.push(id);
            }
        }
        self.report.needed += added.len() as u64;
        added
    }

    /// Ids queued or in flight and not yet answered.
    pub(crate) fn unanswered(&self) -> impl Iterator<Item = &ObjectId> {
        self.queued.iter()
    }

    /// The next batch to fetch, if the pipeline has room (and fetching is
    /// not paused).
    pub(crate) fn next_batch(&mut self) -> Option<Vec<ObjectId>> {
        if self.phase != Phase::Fetching
            || self.in_flight >= MAX_IN_FLIGHT
            || self.queue.is_empty()
            || self.resume_at.is_some()
        {
            return None;
        }
        let n = self.queue.len().min(MAX_FETCH_IDS);
        self.in_flight += 1;
        Some(self.queue.drain(..n).collect())
    }

    /// Puts ids a truncated answer did not cover back at the front (they
    /// stay counted as queued).
    pub(crate) fn retry(&mut self, ids: &[ObjectId]) {
        for id in ids.iter().rev() {
            self.queue.push_front(*id);
        }
    }

    /// The peer answered the fetch of `asked` busy: they go back in the
    /// queue and fetching pauses for [`BUSY_BACKOFF`]. `false` once the
    /// peer has been busy [`MAX_BUSY`] times: give up.
    pub(crate) fn busy(&mut self, asked: &[ObjectId], now: Instant) -> bool {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.retry(asked);
        self.busy += 1;
        self.resume_at = Some(now + BUSY_BACKOFF);
        self.busy <= MAX_BUSY
    }

    /// Ends a pause that is over; `true` if fetching may go on.
    pub(crate) fn resume(&mut self, now: Instant) -> bool {
        match self.resume_at {
            Some(at) if now >= at => {
                self.resume_at = None;
                true
            }
            _ => false,
        }
    }

    /// Forgets ids that were answered (or that the peer did not have).
    pub(crate) fn answered(&mut self, ids: &[ObjectId]) {
        for id in ids {
            self.queued.remove(id);
        }
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.phase == Phase::Fetching && self.queue.is_empty() && self.in_flight == 0
    }

    pub(crate) fn status(&self, now: Instant) -> SessionStatus {
        SessionStatus {
            peer: self.report.peer.clone(),
            phase: match self.phase {
                Phase::Reconciling => "reconciling",
                Phase::Fetching => "fetching",
            },
            report: self.elapsed_report(now),
            queued: self.queue.len() as u64,
        }
    }

    fn elapsed_report(&self, now: Instant) -> SyncReport {
        let mut report = self.report.clone();
        report.millis = now.saturating_duration_since(self.started).as_millis() as u64;
        report
    }

    /// Ends the session at `now`: its report, and who waits for it.
    pub(crate) fn finish(self, error: Option<String>, now: Instant) -> (SyncReport, Vec<WaiterId>) {
        let mut report = self.elapsed_report(now);
        report.error = error;
        (report, self.waiters)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_bounded_pipelined_and_deduplicated() {
        let mut s = Session::new(PeerId::random(), Phase::Fetching, Instant::now());
        let ids: Vec<ObjectId> = (0..600u32)
            .map(|i| {
                let mut b = [0u8; 32];
                b[..4].copy_from_slice(&i.to_be_bytes());
                ObjectId(b)
            })
            .collect();
        s.enqueue(ids.clone(), |_| true);
        s.enqueue(ids.clone(), |_| true);
        assert_eq!(s.report.needed, 600, "a repeated need is queued once");
        let first = s.next_batch().expect("room");
        assert_eq!(first.len(), MAX_FETCH_IDS);
        assert_eq!(first[0], ids[0]);
        let _ = s.next_batch().expect("room");
        let third = s.next_batch().expect("room");
        assert_eq!(third.len(), 600 - 2 * MAX_FETCH_IDS);
        assert!(s.next_batch().is_none(), "queue drained");
        s.retry(&third[10..]);
        assert_eq!(s.next_batch().expect("room")[0], third[10]);
        assert!(s.next_batch().is_none(), "pipeline full or queue empty");
        assert!(!s.is_finished());
        s.in_flight = 0;
        assert!(s.is_finished());
    }

    #[test]
    fn a_busy_peer_pauses_fetching_until_the_back_off_is_over() {
        let t0 = Instant::now();
        let mut s = Session::new(PeerId::random(), Phase::Fetching, t0);
        let ids = [ObjectId([1; 32]), ObjectId([2; 32])];
        s.enqueue(ids, |_| true);
        let batch = s.next_batch().expect("room");
        assert!(s.busy(&batch, t0), "the first busy answer is taken");
        assert_eq!(s.in_flight, 0);
        assert!(s.next_batch().is_none(), "paused");
        assert!(!s.resume(t0 + BUSY_BACKOFF / 2), "too early");
        assert!(s.resume(t0 + BUSY_BACKOFF));
        assert_eq!(s.next_batch().expect("resumed"), ids.to_vec());
        for _ in 1..MAX_BUSY {
            assert!(s.busy(&ids, t0));
        }
        assert!(!s.busy(&ids, t0), "gives up after MAX_BUSY busy answers");
        s.waiters.push(WaiterId(7));
        let (report, waiters) = s.finish(Some("why".into()), t0 + Duration::from_millis(1500));
        assert_eq!(report.millis, 1500);
        assert_eq!(report.error.as_deref(), Some("why"));
        assert_eq!(waiters, vec![WaiterId(7)]);
    }
}
