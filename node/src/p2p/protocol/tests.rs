//! Unit tests of single decisions, one protocol at a time (the simulation
//! in `sim` drives many).

use std::time::{Duration, Instant};

use baraza_protocol::sync::wire::{RefusalCode, SyncRequest, SyncResponse};
use baraza_protocol::sync::Reconciler;
use baraza_protocol::ObjectId;
use libp2p::gossipsub::MessageId;
use libp2p::swarm::ConnectionId;
use libp2p::PeerId;

use super::testkit::{endpoint, invalid_object, object, peer, protocol, MemStore, NETWORK};
use super::*;
use crate::p2p::awaiting::PARK_FOR;
use crate::p2p::peers::BAN_DURATION;
use crate::p2p::session::BUSY_BACKOFF;

struct Harness {
    proto: PeerProtocol,
    store: MemStore,
    now: Instant,
}

impl Harness {
    fn new() -> Harness {
        let now = Instant::now();
        Harness {
            proto: protocol(now),
            store: MemStore::default(),
            now,
        }
    }

    fn handle(&mut self, event: InEvent) -> Vec<OutEvent> {
        self.proto.handle(event, self.now, &self.store).collect()
    }

    fn later(&mut self, by: Duration) {
        self.now += by;
    }

    fn connect(&mut self, peer: PeerId, n: usize) -> Vec<OutEvent> {
        self.handle(InEvent::Connected {
            peer,
            connection: ConnectionId::new_unchecked(n),
            endpoint: endpoint(true),
        })
    }

    fn confirm(&mut self, peer: PeerId) -> Vec<OutEvent> {
        self.handle(InEvent::Identified {
            peer,
            protocol_version: format!("/baraza/{NETWORK}/1"),
            agent: "test".into(),
            listen_addrs: Vec::new(),
        })
    }

    fn gossip(&mut self, source: PeerId, data: Vec<u8>) -> Vec<OutEvent> {
        let message = MessageId::new(&ObjectId::of_bytes(&data).0);
        self.handle(InEvent::Gossip {
            message,
            source,
            data,
        })
    }
}

fn verdicts(out: &[OutEvent]) -> Vec<GossipVerdict> {
    out.iter()
        .filter_map(|o| match o {
            OutEvent::ReportGossip { verdict, .. } => Some(*verdict),
            _ => None,
        })
        .collect()
}

fn requests(out: &[OutEvent]) -> Vec<(RequestTag, &SyncRequest)> {
    out.iter()
        .filter_map(|o| match o {
            OutEvent::SendRequest { tag, request, .. } => Some((*tag, request)),
            _ => None,
        })
        .collect()
}

fn ingest_job(out: Vec<OutEvent>) -> IngestJob {
    out.into_iter()
        .find_map(|o| match o {
            OutEvent::Ingest { job, .. } => Some(job),
            _ => None,
        })
        .expect("handed to ingest")
}

#[test]
fn gossip_verdicts_before_verification() {
    let mut h = Harness::new();
    let source = peer(1);
    h.connect(source, 1);
    let too_large = vec![0u8; baraza_protocol::limits::MAX_OBJECT_BYTES + 1];
    let out = h.gossip(source, too_large);
    assert_eq!(verdicts(&out), vec![GossipVerdict::Reject]);
    assert!(out
        .iter()
        .any(|o| matches!(o, OutEvent::Count(Count::GossipRejection("too_large")))));
    let held = object(1, None);
    h.store.put(vec![held.clone()]);
    assert_eq!(
        verdicts(&h.gossip(source, held)),
        vec![GossipVerdict::Accept]
    );
    let new = object(2, None);
    let out = h.gossip(source, new.clone());
    assert!(verdicts(&out).is_empty(), "not judged before verification");
    assert!(matches!(ingest_job(out), IngestJob::Gossip { .. }));
}

#[test]
fn an_invalid_object_is_rejected_and_refused_next_time() {
    let mut h = Harness::new();
    let source = peer(1);
    h.connect(source, 1);
    let bad = invalid_object(1);
    let job = ingest_job(h.gossip(source, bad.clone()));
    let (applied, _) = h.store.put(vec![bad.clone()]);
    let out = h.handle(InEvent::Ingested { job, applied });
    assert_eq!(verdicts(&out), vec![GossipVerdict::Reject]);
    let out = h.gossip(peer(2), bad);
    assert_eq!(verdicts(&out), vec![GossipVerdict::Reject]);
    assert!(out
        .iter()
        .any(|o| matches!(o, OutEvent::Count(Count::GossipRejection("refused_before")))));
}

#[test]
fn a_child_waits_parked_for_its_parent_and_asks_the_sender_for_it() {
    let mut h = Harness::new();
    let source = peer(1);
    h.connect(source, 1);
    let parent = object(1, None);
    let child = object(2, Some(ObjectId::of_bytes(&parent)));
    let job = ingest_job(h.gossip(source, child.clone()));
    let (applied, _) = h.store.put(vec![child.clone()]);
    let out = h.handle(InEvent::Ingested { job, applied });
    assert!(verdicts(&out).is_empty(), "parked, not ignored");
    assert!(out.iter().any(|o| matches!(o, OutEvent::ScheduleTimer { at, timer: Timer::Unpark } if *at == h.now + PARK_FOR)));
    let asked = requests(&out);
    assert!(
        matches!(asked.as_slice(), [(_, SyncRequest::Fetch { ids, .. })] if *ids == vec![ObjectId::of_bytes(&parent)]),
        "the parent is fetched from the sender"
    );
    let (_, stored) = h.store.put(vec![parent]);
    let child_id = ObjectId::of_bytes(&child);
    let (id, bytes) = stored
        .into_iter()
        .find(|(id, _)| *id == child_id)
        .expect("the child is released");
    let out = h.handle(InEvent::Stored { id, bytes });
    assert_eq!(
        verdicts(&out),
        vec![GossipVerdict::Accept],
        "released: forwarded"
    );
    assert!(!out.iter().any(|o| matches!(o, OutEvent::Publish { .. })));
}

#[test]
fn a_parked_message_is_ignored_after_the_wait() {
    let mut h = Harness::new();
    let source = peer(1);
    let orphan = object(2, Some(ObjectId([7; 32])));
    let job = ingest_job(h.gossip(source, orphan.clone()));
    let (applied, _) = h.store.put(vec![orphan]);
    assert!(verdicts(&h.handle(InEvent::Ingested { job, applied })).is_empty());
    h.later(PARK_FOR);
    let out = h.handle(InEvent::TimerExpired(Timer::Tick));
    assert_eq!(verdicts(&out), vec![GossipVerdict::Ignore]);
}

#[test]
fn own_objects_are_published_and_a_failed_publish_syncs_soon() {
    let mut h = Harness::new();
    let out = h.handle(InEvent::Stored {
        id: ObjectId([1; 32]),
        bytes: vec![1],
    });
    assert!(matches!(out.as_slice(), [OutEvent::Publish { .. }]));
    let other = peer(1);
    h.connect(other, 1);
    let out = h.confirm(other);
    let sent = requests(&out);
    assert_eq!(sent.len(), 1, "a session on confirmation");
    let tag = sent[0].0;
    // That session ends (nothing to fetch).
    let _ = h.handle(InEvent::Response {
        peer: other,
        tag,
        response: SyncResponse::Done,
    });
    h.later(Duration::from_secs(1));
    assert!(requests(&h.handle(InEvent::TimerExpired(Timer::Tick))).is_empty());
    h.handle(InEvent::PublishFailed);
    let out = h.handle(InEvent::TimerExpired(Timer::Tick));
    assert_eq!(requests(&out).len(), 1, "a prompt sync with every peer");
}

#[test]
fn three_offences_ban_a_peer_until_the_ban_ends() {
    let mut h = Harness::new();
    let bad = peer(1);
    h.connect(bad, 1);
    let mut out = Vec::new();
    for k in 0..3 {
        let job = ingest_job(h.gossip(bad, invalid_object(k)));
        let (applied, _) = h.store.put(vec![invalid_object(k)]);
        out = h.handle(InEvent::Ingested { job, applied });
    }
    assert!(out
        .iter()
        .any(|o| matches!(o, OutEvent::Ban(p) if *p == bad)));
    assert!(out.iter().any(|o| matches!(o, OutEvent::Count(Count::Ban))));
    assert_eq!(h.proto.banned().collect::<Vec<_>>(), vec![&bad]);
    let out = h.connect(bad, 2);
    assert!(matches!(out.as_slice(), [OutEvent::Disconnect(p)] if *p == bad));
    h.later(BAN_DURATION);
    let out = h.handle(InEvent::TimerExpired(Timer::Tick));
    assert!(out
        .iter()
        .any(|o| matches!(o, OutEvent::Unban(p) if *p == bad)));
}

#[test]
fn a_graylisted_peer_is_banned_on_the_tick() {
    let mut h = Harness::new();
    let p = peer(1);
    h.connect(p, 1);
    h.store
        .scores
        .insert(p, crate::p2p::behaviour::GRAYLIST_THRESHOLD - 1.0);
    let out = h.handle(InEvent::TimerExpired(Timer::Tick));
    assert!(out.iter().any(|o| matches!(o, OutEvent::Ban(b) if *b == p)));
}

#[test]
fn a_peer_of_another_network_is_banned() {
    let mut h = Harness::new();
    let p = peer(1);
    h.connect(p, 1);
    let out = h.handle(InEvent::Identified {
        peer: p,
        protocol_version: "/baraza/other/1".into(),
        agent: "x".into(),
        listen_addrs: Vec::new(),
    });
    assert!(out
        .iter()
        .any(|o| matches!(o, OutEvent::Count(Count::WrongNetwork))));
    assert!(out.iter().any(|o| matches!(o, OutEvent::Ban(b) if *b == p)));
}

#[test]
fn a_busy_answer_backs_off_for_a_second_then_fetches_again() {
    let mut h = Harness::new();
    let p = peer(1);
    h.connect(p, 1);
    // The peer's reconciliation shows it holds an object we lack.
    let mut theirs = MemStore::default();
    theirs.put(vec![object(1, None)]);
    let message = theirs
        .with_sync_index(|index| Reconciler::new().initiate(index))
        .expect("loaded");
    let out = h.handle(InEvent::Request {
        peer: p,
        tag: AnswerTag(1),
        request: SyncRequest::Reconcile {
            network: NETWORK.into(),
            message,
        },
    });
    let fetches = requests(&out);
    let [(tag, SyncRequest::Fetch { .. })] = fetches.as_slice() else {
        panic!("one fetch expected: {out:?}");
    };
    let tag = *tag;
    let out = h.handle(InEvent::Response {
        peer: p,
        tag,
        response: SyncResponse::Refused {
            code: RefusalCode::Busy,
            reason: "busy".into(),
        },
    });
    let resume = out.iter().find_map(|o| match o {
        OutEvent::ScheduleTimer {
            at,
            timer: Timer::Resume(q),
        } if *q == p => Some(*at),
        _ => None,
    });
    assert_eq!(resume, Some(h.now + BUSY_BACKOFF));
    assert!(requests(&out).is_empty(), "nothing sent while backing off");
    h.later(BUSY_BACKOFF);
    let out = h.handle(InEvent::TimerExpired(Timer::Resume(p)));
    assert_eq!(requests(&out).len(), 1, "fetching again");
}

#[test]
fn inbound_requests_are_rate_limited_and_checked_for_the_network() {
    let mut h = Harness::new();
    let p = peer(1);
    let out = h.handle(InEvent::Request {
        peer: p,
        tag: AnswerTag(1),
        request: SyncRequest::Fetch {
            network: "other".into(),
            ids: vec![ObjectId([1; 32])],
        },
    });
    assert!(out.iter().any(|o| matches!(
        o,
        OutEvent::Respond {
            response: SyncResponse::Refused {
                code: RefusalCode::WrongNetwork,
                ..
            },
            ..
        }
    )));
    let fetch = || SyncRequest::Fetch {
        network: NETWORK.into(),
        ids: vec![ObjectId([1; 32])],
    };
    let mut reads = 0;
    let mut busy = 0;
    for n in 0..100 {
        for o in h.handle(InEvent::Request {
            peer: p,
            tag: AnswerTag(n + 2),
            request: fetch(),
        }) {
            match o {
                OutEvent::ReadObjects { .. } => reads += 1,
                OutEvent::Respond {
                    response:
                        SyncResponse::Refused {
                            code: RefusalCode::Busy,
                            ..
                        },
                    ..
                } => busy += 1,
                _ => {}
            }
        }
    }
    assert_eq!(reads, FETCH_SLOTS, "fetch answers read at once are bounded");
    assert_eq!(reads + busy, 100);
}

#[test]
fn sync_with_a_peer_not_connected_dials_and_waits() {
    let mut h = Harness::new();
    let p = peer(1);
    let addr: libp2p::Multiaddr = "/ip4/127.0.0.1/tcp/1".parse().expect("addr");
    let out = h.handle(InEvent::SyncWanted {
        peer: p,
        addr: addr.clone(),
        waiter: WaiterId(1),
    });
    assert!(matches!(
        out.as_slice(),
        [OutEvent::Dial {
            purpose: DialPurpose::Sync { .. },
            ..
        }]
    ));
    h.handle(InEvent::SyncWanted {
        peer: p,
        addr,
        waiter: WaiterId(2),
    });
    let out = h.handle(InEvent::SyncDialFailed {
        peer: p,
        waiter: WaiterId(2),
        error: "cannot dial".into(),
    });
    assert!(
        matches!(out.as_slice(), [OutEvent::Reply { waiters, result: Err(_), .. }] if *waiters == vec![WaiterId(2)])
    );
    h.later(DIAL_WAIT);
    let out = h.handle(InEvent::TimerExpired(Timer::Tick));
    assert!(out.iter().any(|o| matches!(o, OutEvent::Reply { waiters, result: Err(e), .. } if *waiters == vec![WaiterId(1)] && e.contains("not connected"))));
}

#[test]
fn a_session_ends_with_a_report_for_its_waiters() {
    let mut h = Harness::new();
    let p = peer(1);
    h.connect(p, 1);
    h.confirm(p);
    let out = h.handle(InEvent::SyncWanted {
        peer: p,
        addr: "/ip4/127.0.0.1/tcp/1".parse().expect("addr"),
        waiter: WaiterId(9),
    });
    assert!(out.is_empty(), "joins the session under way");
    h.later(Duration::from_millis(250));
    let out = h.handle(InEvent::Response {
        peer: p,
        tag: RequestTag(1),
        response: SyncResponse::Done,
    });
    let report = out
        .iter()
        .find_map(|o| match o {
            OutEvent::Reply {
                waiters,
                result: Ok(report),
                ..
            } if *waiters == vec![WaiterId(9)] => Some(report.clone()),
            _ => None,
        })
        .expect("the waiter is answered");
    assert_eq!((report.rounds, report.millis, report.bytes_in), (1, 250, 8));
    assert!(report.bytes_out > 0);
}
