//! `GET /v1/events`: server-sent events, one per newly stored object, in
//! this node's arrival order. Each event has `id: <seq>` (the position in
//! the node's event log) and `data: <object JSON>`.
//!
//! Resumable: the stream starts after `Last-Event-ID` (what an `EventSource`
//! sends when it reconnects) or else `?after=SEQ`, or else at the present
//! (only objects stored from now on); `after=0` replays everything. Cursors
//! are local to one node.
//!
//! Never skips an object: the stream subscribes to the store's broadcast
//! *before* replaying the durable log from the cursor, then follows the
//! broadcast. Whenever the broadcast cannot be trusted to be complete — it
//! lagged (a slow client), or delivered a sequence number past the next one
//! (concurrent writers finish their flushes in any order) — the stream
//! goes back to replaying the log from its cursor, and it drops anything
//! at or before the cursor, so nothing is sent twice either.
//!
//! One known gap in strictness: a replay can include objects whose write is
//! applied but whose group commit has not finished yet (a crash in that
//! window would lose an object a client has seen, never one a submitter
//! was told was stored).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
#[cfg(test)]
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch, OwnedSemaphorePermit};

use crate::http::extract::ApiQuery;
use crate::http::{ApiError, ApiState};
use crate::store::{SharedStore, StoredEvent};

/// Events read from the store per replay step.
const REPLAY_PAGE: usize = 256;

/// `?after=SEQ`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct EventsQuery {
    after: Option<u64>,
}

/// The handler.
pub(crate) async fn events(
    State(state): State<ApiState>,
    ApiQuery(query): ApiQuery<EventsQuery>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let last_event_id = match headers.get("last-event-id") {
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "bad_cursor",
                        "Last-Event-ID must be the id (a sequence number) of an event of this node",
                    )
                })?,
        ),
        None => None,
    };
    let permit = Arc::clone(&state.shared.event_streams)
        .try_acquire_owned()
        .map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "too_many_streams",
                "this node serves its maximum number of event streams; retry later",
            )
            .retry_after(10)
        })?;
    // Subscribe first, so nothing stored from here on can be missed.
    let live = state.store.subscribe();
    let newest = state.store.last_seq();
    let after = last_event_id.or(query.after).unwrap_or(newest).min(newest);
    let follower = Follower {
        store: state.store.clone(),
        after,
        live,
        queue: VecDeque::new(),
        replaying: true,
        shutdown: state.shared.shutdown.subscribe(),
        _permit: permit,
    };
    let stream = futures::stream::unfold(follower, Follower::next).map(|item| {
        Ok(match item {
            Ok(stored) => to_event(&stored),
            Err(message) => failure(&message),
        })
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// The state of one event stream.
struct Follower {
    store: SharedStore,
    /// The last sequence number sent (or the starting cursor).
    after: u64,
    live: broadcast::Receiver<StoredEvent>,
    /// Events read but not sent yet.
    queue: VecDeque<StoredEvent>,
    /// Reading the log from the store rather than following the broadcast.
    replaying: bool,
    /// Ends the stream when the server shuts down.
    shutdown: watch::Receiver<bool>,
    /// Holds a place under `ApiLimits::max_event_streams`.
    _permit: OwnedSemaphorePermit,
}

impl Follower {
    /// The next stored object to send, or the store error that ends the stream.
    async fn next(mut self) -> Option<(Result<StoredEvent, String>, Follower)> {
        loop {
            if *self.shutdown.borrow() {
                return None;
            }
            if let Some(stored) = self.queue.pop_front() {
                if stored.seq <= self.after {
                    continue;
                }
                self.after = stored.seq;
                return Some((Ok(stored), self));
            }
            if self.replaying {
                let (store, after) = (self.store.clone(), self.after);
                let page =
                    tokio::task::spawn_blocking(move || store.events_after(after, REPLAY_PAGE))
                        .await;
                match page {
                    Ok(Ok(page)) if page.is_empty() => self.replaying = false,
                    Ok(Ok(page)) => self.queue.extend(page),
                    Ok(Err(error)) => return Some((Err(error.to_string()), self.end())),
                    Err(error) => return Some((Err(error.to_string()), self.end())),
                }
                continue;
            }
            tokio::select! {
                changed = self.shutdown.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                }
                received = self.live.recv() => match received {
                    Ok(stored) if stored.seq <= self.after => {}
                    Ok(stored) if stored.seq == self.after + 1 => self.queue.push_back(stored),
                    Ok(_) | Err(RecvError::Lagged(_)) => self.replaying = true,
                    Err(RecvError::Closed) => return None,
                }
            }
        }
    }

    /// Makes the next call end the stream (after the current event is sent).
    fn end(mut self) -> Follower {
        let (_, closed) = watch::channel(true);
        self.shutdown = closed;
        self
    }
}

fn to_event(stored: &StoredEvent) -> Event {
    Event::default()
        .id(stored.seq.to_string())
        .data(stored.object.to_json().to_string())
}

/// The last event of a stream the store failed under; the client should
/// reconnect (with `Last-Event-ID`) later.
fn failure(message: &str) -> Event {
    tracing::warn!(error = %message, "event stream ended by a store error");
    let message = message.replace(['\r', '\n'], " ");
    Event::default()
        .event("error")
        .data(format!("the node could not read its event log: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{SharedStore, SledStore, StoreOptions, EVENT_BROADCAST};
    use baraza_protocol::kinds::{Profile, StakeholderGroup};
    use baraza_protocol::{Body, Keypair, SignedObject};
    use tokio::sync::Semaphore;

    fn profiles(n: usize) -> Vec<SignedObject> {
        let key = Keypair::from_seed(&[7; 32]);
        (0..n as u64)
            .map(|i| {
                let body = Profile {
                    created_at: 1_706_745_600_000 + i,
                    name: format!("Participant {i}"),
                    group: StakeholderGroup::CivilSociety,
                    organisation: None,
                    country: None,
                    languages: vec![],
                };
                SignedObject::sign(Body::Profile(body), &key).expect("valid profile")
            })
            .collect()
    }

    /// A stream whose reader falls behind by more than the broadcast holds
    /// goes back to the store and still delivers every object, once, in order.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_lagging_stream_replays_from_the_store_and_skips_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store: SharedStore =
            Arc::new(SledStore::open(dir.path(), StoreOptions::default()).expect("store"));
        let (_shutdown, shutdown) = watch::channel(false);
        let follower = Follower {
            store: store.clone(),
            after: 0,
            live: store.subscribe(),
            queue: VecDeque::new(),
            replaying: true,
            shutdown,
            _permit: Arc::new(Semaphore::new(1))
                .try_acquire_owned()
                .expect("a free permit"),
        };
        let mut stream = Box::pin(futures::stream::unfold(follower, Follower::next));
        // Let it reach the live broadcast with nothing stored yet.
        let idle = tokio::time::timeout(Duration::from_millis(50), stream.next()).await;
        assert!(idle.is_err(), "nothing to send yet");

        let total = EVENT_BROADCAST + 300;
        for chunk in profiles(total).chunks(200) {
            for outcome in store.put(chunk).await.expect("durable") {
                outcome.expect("stored");
            }
        }
        let mut seqs = Vec::with_capacity(total);
        while seqs.len() < total {
            let item = tokio::time::timeout(Duration::from_secs(10), stream.next())
                .await
                .expect("an event within 10 s")
                .expect("stream open")
                .expect("no store error");
            seqs.push(item.seq);
        }
        let expected: Vec<u64> = (1..=total as u64).collect();
        assert_eq!(seqs, expected);
        let more = tokio::time::timeout(Duration::from_millis(50), stream.next()).await;
        assert!(more.is_err(), "no duplicates after the replay");
    }
}
