//! Answering peers' sync requests: the network check, the per-peer rate
//! limit, reconciliation over the sync index, and the bound on fetch
//! answers read at once.

use baraza_protocol::sync::wire::{self, RefusalCode, SyncRequest, SyncResponse};
use libp2p::PeerId;

use super::{AnswerTag, Count, Env, OutEvent, PeerProtocol, FETCH_SLOTS};
use crate::p2p::limits::SYNC_PER_SECOND;

impl PeerProtocol {
    /// A peer's request: answer it now, or ask for the objects to be read.
    pub(super) fn on_request(
        &mut self,
        env: &impl Env,
        peer: PeerId,
        tag: AnswerTag,
        request: SyncRequest,
    ) {
        let network = &self.config.network;
        if request.network() != network {
            tracing::warn!(peer = %peer, theirs = request.network(), ours = %network, "refused a sync request from another network");
            let response = SyncResponse::Refused {
                code: RefusalCode::WrongNetwork,
                reason: format!("this node is on network {network}"),
            };
            self.respond(tag, response);
            return;
        }
        if !self.sync_buckets.allow(peer, self.now) {
            self.count(Count::SyncRefusal);
            let response = SyncResponse::Refused {
                code: RefusalCode::Busy,
                reason: format!(
                    "too many sync requests from this peer (at most {SYNC_PER_SECOND}/s); slow down"
                ),
            };
            self.respond(tag, response);
            return;
        }
        let response = match request {
            SyncRequest::Reconcile { message, .. } => {
                self.count(Count::SyncBytes {
                    received: message.encoded_len() as u64,
                    sent: 0,
                });
                let reconciler = &self.reconciler;
                match env.with_sync_index(|index| reconciler.reconcile(index, &message)) {
                    None => SyncResponse::Refused {
                        code: RefusalCode::Busy,
                        reason: "the sync index is still loading; try again shortly".into(),
                    },
                    Some(Ok(outcome)) => {
                        // The peer holds objects we lack: fetch them too
                        // (joining a session with it if one is under way).
                        if !outcome.need.is_empty() {
                            self.fetch_from(env, peer, outcome.need);
                        }
                        outcome
                            .reply
                            .map(SyncResponse::Reconcile)
                            .unwrap_or(SyncResponse::Done)
                    }
                    Some(Err(e)) => {
                        self.offend(env, peer, "sent an invalid sync message");
                        SyncResponse::Refused {
                            code: RefusalCode::Malformed,
                            reason: e.to_string(),
                        }
                    }
                }
            }
            SyncRequest::Fetch { ids, .. } => {
                if self.answering >= FETCH_SLOTS {
                    self.count(Count::SyncRefusal);
                    SyncResponse::Refused {
                        code: RefusalCode::Busy,
                        reason: "answering too many fetches; try again shortly".into(),
                    }
                } else {
                    // Up to 4 MiB of reads: the driver does them off its loop.
                    self.answering += 1;
                    self.emit(OutEvent::ReadObjects { tag, ids });
                    return;
                }
            }
        };
        self.respond(tag, response);
    }

    /// Sends an answer, counting its bytes.
    pub(super) fn respond(&mut self, tag: AnswerTag, response: SyncResponse) {
        self.count(Count::SyncBytes {
            received: 0,
            sent: wire::response_len(&response),
        });
        self.emit(OutEvent::Respond { tag, response });
    }
}
