//! Our sync sessions: reconcile rounds, then fetches in bounded, pipelined
//! batches (each id claimed by one session only), busy back-off, byte
//! counts, and the end — answering whoever waits.

use baraza_protocol::sync::wire::{self, RefusalCode, SyncRequest, SyncResponse};
use baraza_protocol::ObjectId;
use libp2p::PeerId;

use super::{Count, Env, IngestJob, OutEvent, Outbound, PeerProtocol, RequestTag, Timer, WaiterId};
use crate::p2p::ingest::Applied;
use crate::p2p::session::{Phase, Session, BUSY_BACKOFF};

impl PeerProtocol {
    /// Starts a reconciliation with `peer` (or joins the one under way).
    /// While the sync index is still loading nothing starts: the waiters
    /// are told, and the next tick tries again.
    pub(super) fn start_session(&mut self, env: &impl Env, peer: PeerId, waiters: Vec<WaiterId>) {
        if let Some(session) = self.sessions.get_mut(&peer) {
            session.waiters.extend(waiters);
            return;
        }
        let reconciler = &self.reconciler;
        let Some(message) = env.with_sync_index(|index| reconciler.initiate(index)) else {
            self.reply_error(
                peer,
                waiters,
                "this node is still loading its sync index; try again in a few seconds",
            );
            return;
        };
        let mut session = Session::new(peer, Phase::Reconciling, self.now);
        session.waiters = waiters;
        self.sessions.insert(peer, session);
        if let Some(info) = self.peers.get_mut(&peer) {
            info.last_sync = Some(self.now);
        }
        let network = self.config.network.clone();
        self.send(
            peer,
            Outbound::Reconcile,
            SyncRequest::Reconcile { network, message },
        );
    }

    fn send(&mut self, peer: PeerId, kind: Outbound, request: SyncRequest) {
        let bytes = wire::request_len(&request);
        self.count(Count::SyncBytes {
            received: 0,
            sent: bytes,
        });
        if let Some(session) = self.sessions.get_mut(&peer) {
            session.report.bytes_out += bytes;
        }
        let tag = self.next_tag();
        self.outbound.insert(tag, (peer, kind));
        self.emit(OutEvent::SendRequest { peer, tag, request });
    }

    /// A peer answered one of our requests.
    pub(super) fn on_response(
        &mut self,
        env: &impl Env,
        peer: PeerId,
        tag: RequestTag,
        response: SyncResponse,
    ) {
        let Some((_, kind)) = self.outbound.remove(&tag) else {
            return;
        };
        let bytes = wire::response_len(&response);
        self.count(Count::SyncBytes {
            received: bytes,
            sent: 0,
        });
        let Some(session) = self.sessions.get_mut(&peer) else {
            return;
        };
        session.report.bytes_in += bytes;
        match (kind, response) {
            (Outbound::Reconcile, SyncResponse::Reconcile(message)) => {
                session.report.rounds += 1;
                let reconciler = &self.reconciler;
                match env.with_sync_index(|index| reconciler.reconcile(index, &message)) {
                    // Once loaded, the index stays loaded.
                    None => self.fail_session(peer, "the sync index is not loaded".into()),
                    Some(Ok(outcome)) => {
                        self.want(env, peer, outcome.need);
                        match outcome.reply {
                            Some(message) => {
                                let network = self.config.network.clone();
                                self.send(
                                    peer,
                                    Outbound::Reconcile,
                                    SyncRequest::Reconcile { network, message },
                                );
                            }
                            None => {
                                if let Some(session) = self.sessions.get_mut(&peer) {
                                    session.phase = Phase::Fetching;
                                }
                                self.pump(peer);
                            }
                        }
                    }
                    Some(Err(e)) => {
                        self.offend(env, peer, "answered with an invalid sync message");
                        self.fail_session(peer, format!("invalid sync message: {e}"));
                    }
                }
            }
            (Outbound::Reconcile, SyncResponse::Done) => {
                session.report.rounds += 1;
                session.phase = Phase::Fetching;
                self.pump(peer);
            }
            (Outbound::Fetch(asked), SyncResponse::Objects { objects, truncated }) => {
                self.on_objects(env, peer, asked, objects, truncated)
            }
            (
                Outbound::Fetch(asked),
                SyncResponse::Refused {
                    code: RefusalCode::Busy,
                    reason,
                },
            ) => {
                if session.busy(&asked, self.now) {
                    tracing::debug!(peer = %peer, %reason, "peer is busy; fetching again shortly");
                    let at = self.now + BUSY_BACKOFF;
                    self.schedule(at, Timer::Resume(peer));
                } else {
                    self.fail_session(peer, format!("the peer stayed busy: {reason}"));
                }
            }
            (Outbound::Fetch(_), other) | (Outbound::Reconcile, other) => {
                session.in_flight = session.in_flight.saturating_sub(1);
                let why = match other {
                    SyncResponse::Refused { code, reason } => {
                        tracing::info!(peer = %peer, ?code, %reason, "peer refused a sync request");
                        format!("refused ({code:?}): {reason}")
                    }
                    _ => {
                        self.offend(env, peer, "answered a sync request out of turn");
                        "answer of the wrong type".to_owned()
                    }
                };
                self.fail_session(peer, why);
            }
        }
    }

    /// One of our requests failed.
    pub(super) fn on_request_failed(
        &mut self,
        env: &impl Env,
        peer: PeerId,
        tag: Option<RequestTag>,
        error: String,
        malformed: bool,
    ) {
        if malformed {
            self.offend(env, peer, "answered with a malformed sync frame");
        }
        if tag.is_some_and(|tag| self.outbound.remove(&tag).is_some()) {
            self.fail_session(peer, format!("request failed: {error}"));
        }
    }

    fn on_objects(
        &mut self,
        env: &impl Env,
        peer: PeerId,
        asked: Vec<ObjectId>,
        objects: Vec<Vec<u8>>,
        truncated: bool,
    ) {
        // Every object must be one we asked for, in the order asked.
        let mut position = 0;
        let mut unasked = false;
        for bytes in &objects {
            let id = ObjectId::of_bytes(bytes);
            match asked[position..].iter().position(|a| *a == id) {
                Some(p) => position += p + 1,
                None => {
                    unasked = true;
                    break;
                }
            }
        }
        let Some(session) = self.sessions.get_mut(&peer) else {
            return;
        };
        if unasked {
            session.in_flight = session.in_flight.saturating_sub(1);
            self.offend(env, peer, "sent objects it was not asked for");
            self.fail_session(peer, "the peer sent objects it was not asked for".into());
            return;
        }
        let answered_up_to = if truncated && !objects.is_empty() {
            position
        } else {
            asked.len()
        };
        session.answered(&asked[..answered_up_to]);
        session.retry(&asked[answered_up_to..]);
        let mut asked = asked;
        asked.truncate(answered_up_to);
        session.report.fetched += objects.len() as u64;
        self.count(Count::Fetched(objects.len() as u64));
        self.emit(OutEvent::Ingest {
            job: IngestJob::Fetch { peer, asked },
            encodings: objects,
        });
        self.pump(peer);
    }

    /// A fetch answer was verified and offered to the store.
    pub(super) fn on_fetch_applied(
        &mut self,
        env: &impl Env,
        peer: PeerId,
        asked: Vec<ObjectId>,
        applied: Applied,
    ) {
        for id in &asked {
            self.claimed.remove(id);
        }
        let invalid = applied.invalid.len();
        for bad in &applied.invalid {
            tracing::info!(peer = %peer, id = %bad.id, reason = %bad.message, "refused an invalid object from sync");
            self.refused.insert(bad.id);
        }
        if let Some(session) = self.sessions.get_mut(&peer) {
            session.in_flight = session.in_flight.saturating_sub(1);
            session.report.stored += applied.stored.len() as u64;
            session.report.pending += applied.pending;
            session.report.invalid += invalid as u64;
        }
        self.want(env, peer, applied.missing);
        if invalid > 0 {
            self.offend(env, peer, "sent invalid objects in a sync fetch");
        }
        self.pump(peer);
    }

    /// Fetches `ids` from `peer`: objects that wait for references (ask the
    /// peer that sent them), or objects a peer's reconciliation showed we
    /// lack. Joins the session with that peer, or starts one.
    pub(super) fn fetch_from(&mut self, env: &impl Env, peer: PeerId, ids: Vec<ObjectId>) {
        let now = self.now;
        self.sessions
            .entry(peer)
            .or_insert_with(|| Session::new(peer, Phase::Fetching, now));
        self.want(env, peer, ids);
        self.pump(peer);
    }

    /// Queues in `peer`'s session the ids not held, not refused and not
    /// being fetched from another peer.
    fn want(&mut self, env: &impl Env, peer: PeerId, ids: impl IntoIterator<Item = ObjectId>) {
        let Some(session) = self.sessions.get_mut(&peer) else {
            return;
        };
        let (refused, claimed) = (&self.refused, &self.claimed);
        let added = session.enqueue(ids, |id| {
            !refused.contains(id) && !claimed.contains(id) && !env.holds(id)
        });
        self.claimed.extend(added);
    }

    /// Sends fetches while the session's pipeline has room; ends it when done.
    pub(super) fn pump(&mut self, peer: PeerId) {
        let Some(session) = self.sessions.get_mut(&peer) else {
            return;
        };
        let mut batches = Vec::new();
        while let Some(batch) = session.next_batch() {
            batches.push(batch);
        }
        let finished = session.is_finished();
        for ids in batches {
            for id in &ids {
                self.from_peers.insert(*id);
            }
            let network = self.config.network.clone();
            let request = SyncRequest::Fetch {
                network,
                ids: ids.clone(),
            };
            self.send(peer, Outbound::Fetch(ids), request);
        }
        if finished {
            self.end_session(peer, None);
        }
    }

    /// Ends the session with `peer`, if any, with `why`.
    pub(super) fn fail_session(&mut self, peer: PeerId, why: String) {
        self.end_session(peer, Some(why));
    }

    fn end_session(&mut self, peer: PeerId, error: Option<String>) {
        let Some(session) = self.sessions.remove(&peer) else {
            return;
        };
        for id in session.unanswered() {
            self.claimed.remove(id);
        }
        let ok = error.is_none();
        let (report, waiters) = session.finish(error, self.now);
        self.count(Count::Session { ok });
        if let Some(info) = self.peers.get_mut(&peer) {
            info.last_sync = Some(self.now);
        }
        if let Some(why) = &report.error {
            tracing::info!(peer = %peer, stored = report.stored, error = %why, "sync session ended early");
        } else if report.stored > 0 || report.invalid > 0 {
            tracing::info!(
                peer = %peer,
                rounds = report.rounds,
                stored = report.stored,
                pending = report.pending,
                invalid = report.invalid,
                millis = report.millis,
                "synced with peer"
            );
        }
        if !waiters.is_empty() {
            self.emit(OutEvent::Reply {
                waiters,
                peer,
                result: Ok(report),
            });
        }
    }

    /// Answers `waiters` with an error about `peer`.
    pub(super) fn reply_error(&mut self, peer: PeerId, waiters: Vec<WaiterId>, message: &str) {
        if !waiters.is_empty() {
            self.emit(OutEvent::Reply {
                waiters,
                peer,
                result: Err(message.to_owned()),
            });
        }
    }
}
