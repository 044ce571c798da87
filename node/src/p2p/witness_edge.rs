//! The actor's side of witnessing: requests to and from witnesses over
//! `/baraza/witness/1`, and equivocation evidence on gossip. The witness
//! itself (its memory, its decisions) is behind [`WitnessService`]; this
//! file only moves messages between it and the swarm, off the actor's
//! task for anything that touches the store.

use std::collections::HashMap;
use std::sync::Arc;

use baraza_protocol::tlog::{Evidence, WitnessRequest, WitnessResponse};
use libp2p::gossipsub::{IdentTopic, MessageAcceptance, MessageId, TopicHash};
use libp2p::request_response::{self, OutboundRequestId, ResponseChannel};
use libp2p::PeerId;
use tokio::sync::oneshot;

use super::actor::{Actor, Done};
use super::witnessing::{evidence_topic, WitnessService, MAX_EVIDENCE_BYTES};
use super::P2pError;

/// Where a log's caller waits for a witness's answer.
type Reply = oneshot::Sender<Result<WitnessResponse, P2pError>>;

/// What the actor keeps for witnessing.
pub(super) struct WitnessEdge {
    service: Arc<dyn WitnessService>,
    topic: IdentTopic,
    /// Our requests to witnesses in flight.
    asked: HashMap<OutboundRequestId, Reply>,
}

/// A witness's answer to a peer's request, ready to send.
pub(crate) struct Answered {
    channel: ResponseChannel<WitnessResponse>,
    response: WitnessResponse,
    evidence: Option<Evidence>,
}

/// Gossiped evidence, checked.
pub(crate) struct Checked {
    message: MessageId,
    source: PeerId,
    valid: bool,
}

impl WitnessEdge {
    pub(super) fn new(service: Arc<dyn WitnessService>, network: &str) -> WitnessEdge {
        WitnessEdge {
            service,
            topic: evidence_topic(network),
            asked: HashMap::new(),
        }
    }

    /// Whether a gossip message is on the evidence topic.
    pub(super) fn is_evidence(&self, topic: &TopicHash) -> bool {
        *topic == self.topic.hash()
    }
}

impl Actor {
    /// A witness-protocol event from the swarm.
    pub(super) fn on_witness(
        &mut self,
        event: request_response::Event<WitnessRequest, WitnessResponse>,
    ) {
        use request_response::{Event, Message};
        match event {
            Event::Message {
                peer,
                message:
                    Message::Request {
                        request, channel, ..
                    },
                ..
            } => {
                let (service, done) = (self.witnessing.service.clone(), self.done.clone());
                tokio::spawn(async move {
                    let (response, evidence) = service.witness(peer, request).await;
                    let answered = Answered {
                        channel,
                        response,
                        evidence,
                    };
                    let _ = done.send(Done::Witnessed(answered)).await;
                });
            }
            Event::Message {
                message:
                    Message::Response {
                        request_id,
                        response,
                    },
                ..
            } => {
                if let Some(reply) = self.witnessing.asked.remove(&request_id) {
                    let _ = reply.send(Ok(response));
                }
            }
            Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                if let Some(reply) = self.witnessing.asked.remove(&request_id) {
                    let _ = reply.send(Err(P2pError::Peer {
                        peer: peer.to_string(),
                        message: format!("witness request failed: {error}"),
                    }));
                }
            }
            Event::InboundFailure { peer, error, .. } => {
                tracing::debug!(%peer, %error, "a witness request from a peer failed");
            }
            Event::ResponseSent { .. } => {}
        }
    }

    /// Sends the witness's answer, and publishes evidence it found.
    pub(super) fn answer_witness(&mut self, answered: Answered) {
        let Answered {
            channel,
            response,
            evidence,
        } = answered;
        let _ = self
            .swarm
            .behaviour_mut()
            .witness
            .send_response(channel, response);
        if let Some(evidence) = evidence {
            match serde_json::to_vec(&evidence) {
                Ok(bytes) => self.publish_evidence(bytes),
                Err(error) => tracing::warn!(%error, "could not encode evidence"),
            }
        }
    }

    /// Asks `peer` to cosign.
    pub(super) fn ask_witness(&mut self, peer: PeerId, request: WitnessRequest, reply: Reply) {
        let id = self
            .swarm
            .behaviour_mut()
            .witness
            .send_request(&peer, request);
        self.witnessing.asked.insert(id, reply);
    }

    /// Publishes evidence on the evidence topic (a duplicate is fine: the
    /// peers have it).
    pub(super) fn publish_evidence(&mut self, bytes: Vec<u8>) {
        let topic = self.witnessing.topic.clone();
        if let Err(error) = self.swarm.behaviour_mut().gossipsub.publish(topic, bytes) {
            tracing::debug!(%error, "evidence not published on gossip");
        }
    }

    /// Evidence from gossip: checked and kept off the actor, then accepted
    /// (forwarded) or rejected.
    pub(super) fn on_evidence(&mut self, source: PeerId, message: MessageId, data: Vec<u8>) {
        let evidence = (data.len() <= MAX_EVIDENCE_BYTES)
            .then(|| serde_json::from_slice::<Evidence>(&data).ok())
            .flatten();
        let Some(evidence) = evidence else {
            return self.report_evidence(Checked {
                message,
                source,
                valid: false,
            });
        };
        let (service, done) = (self.witnessing.service.clone(), self.done.clone());
        tokio::spawn(async move {
            let valid = service.evidence(evidence).await;
            let checked = Checked {
                message,
                source,
                valid,
            };
            let _ = done.send(Done::EvidenceChecked(checked)).await;
        });
    }

    /// Tells gossipsub whether to forward checked evidence.
    pub(super) fn report_evidence(&mut self, checked: Checked) {
        let acceptance = if checked.valid {
            MessageAcceptance::Accept
        } else {
            MessageAcceptance::Reject
        };
        self.swarm
            .behaviour_mut()
            .gossipsub
            .report_message_validation_result(&checked.message, &checked.source, acceptance);
    }
}
