//! The frames of `/baraza/sync/1`: what a node asks a peer ([`SyncRequest`])
//! and what it answers ([`SyncResponse`]).
//!
//! A frame is carried on its own libp2p stream as a 4-byte big-endian
//! length followed by that many bytes (at most [`MAX_SYNC_FRAME_BYTES`]);
//! this module encodes and decodes the bytes after the length. Every count
//! is checked against its limit before anything is allocated, and every
//! rule has its own [`WireError`]. The layout is specified in
//! `docs/PROTOCOL.md`, "Sync frames".

use super::message::SyncMessage;
use super::varint;
use super::SyncError;
use crate::limits::{MAX_FETCH_IDS, MAX_OBJECT_BYTES, MAX_SYNC_FRAME_BYTES};
use crate::ObjectId;

/// Longest network id a frame carries (the node config allows 64 bytes).
pub const MAX_NETWORK_ID_BYTES: usize = 64;
/// Longest reason in a [`SyncResponse::Refused`], in bytes.
pub const MAX_REFUSAL_BYTES: usize = 256;

const REQ_RECONCILE: u8 = 0x01;
const REQ_FETCH: u8 = 0x02;
const RES_RECONCILE: u8 = 0x01;
const RES_DONE: u8 = 0x02;
const RES_OBJECTS: u8 = 0x03;
const RES_REFUSED: u8 = 0x04;

/// A request from the node running a sync session to its peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncRequest {
    /// One reconciliation round: the sender's message.
    Reconcile {
        /// The sender's network id; a peer of another network refuses.
        network: String,
        /// The round's message.
        message: SyncMessage,
    },
    /// Send these objects, in this order, as far as they fit in one frame.
    Fetch {
        /// The sender's network id.
        network: String,
        /// 1 to [`MAX_FETCH_IDS`] ids.
        ids: Vec<ObjectId>,
    },
}

/// Why a peer refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalCode {
    /// The request named another network.
    WrongNetwork,
    /// The peer is busy (too many sessions); try later.
    Busy,
    /// The request broke a rule of this module or of the sync messages.
    Malformed,
}

impl RefusalCode {
    fn to_byte(self) -> u8 {
        match self {
            RefusalCode::WrongNetwork => 1,
            RefusalCode::Busy => 2,
            RefusalCode::Malformed => 3,
        }
    }

    fn from_byte(b: u8) -> Option<RefusalCode> {
        match b {
            1 => Some(RefusalCode::WrongNetwork),
            2 => Some(RefusalCode::Busy),
            3 => Some(RefusalCode::Malformed),
            _ => None,
        }
    }
}

/// A peer's answer to one [`SyncRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncResponse {
    /// The peer's next reconciliation message.
    Reconcile(SyncMessage),
    /// Reconciliation is complete on the peer's side: it has nothing to add.
    Done,
    /// Objects answering a fetch, each as its complete encoding.
    Objects {
        /// The objects found, in the order asked, skipping ids the peer lacks.
        objects: Vec<Vec<u8>>,
        /// Whether the frame filled up before every id was answered: the
        /// ids after the last one returned should be asked again.
        truncated: bool,
    },
    /// The request was refused.
    Refused {
        /// Why, as a code.
        code: RefusalCode,
        /// Why, for a log line.
        reason: String,
    },
}

/// Why a frame does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// Longer than [`MAX_SYNC_FRAME_BYTES`].
    #[error("sync frame of {0} bytes is over the limit of {MAX_SYNC_FRAME_BYTES}")]
    TooLarge(usize),
    /// Empty, or an unknown type byte.
    #[error("{}", match .0 { Some(t) => format!("unknown sync frame type 0x{t:02x}"), None => "empty sync frame".to_owned() })]
    UnknownType(Option<u8>),
    /// Ended in the middle of a field.
    #[error("sync frame is truncated in {0}")]
    Truncated(&'static str),
    /// Bytes after the last field.
    #[error("sync frame has {0} trailing bytes")]
    Trailing(usize),
    /// A network id or reason over its limit, or not UTF-8.
    #[error("sync frame field {0} is too long or not UTF-8")]
    BadText(&'static str),
    /// A fetch with no ids or more than [`MAX_FETCH_IDS`].
    #[error("fetch of {0} ids (must be 1 to {MAX_FETCH_IDS})")]
    FetchCount(u64),
    /// An answer with more than [`MAX_FETCH_IDS`] objects.
    #[error("answer of {0} objects (at most {MAX_FETCH_IDS})")]
    ObjectCount(u64),
    /// An object over `MAX_OBJECT_BYTES`.
    #[error("object entry of {0} bytes is over the limit")]
    ObjectTooLarge(u64),
    /// A flag byte other than 0 or 1, or an unknown refusal code.
    #[error("sync frame field {0} has an invalid value")]
    BadValue(&'static str),
    /// The embedded sync message is invalid.
    #[error("sync message: {0}")]
    Message(#[from] SyncError),
}

impl SyncRequest {
    /// The request's bytes (without the length prefix).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            SyncRequest::Reconcile { network, message } => {
                out.push(REQ_RECONCILE);
                put_bytes(&mut out, network.as_bytes());
                out.extend_from_slice(&message.encode());
            }
            SyncRequest::Fetch { network, ids } => {
                out.push(REQ_FETCH);
                put_bytes(&mut out, network.as_bytes());
                varint::put(&mut out, ids.len() as u64);
                for id in ids {
                    out.extend_from_slice(&id.0);
                }
            }
        }
        out
    }

    /// Decodes a request, checking every limit.
    pub fn decode(bytes: &[u8]) -> Result<SyncRequest, WireError> {
        check_size(bytes)?;
        let (&kind, mut rest) = bytes.split_first().ok_or(WireError::UnknownType(None))?;
        match kind {
            REQ_RECONCILE => {
                let network = take_text(&mut rest, "network", MAX_NETWORK_ID_BYTES)?;
                let message = SyncMessage::decode(rest)?;
                Ok(SyncRequest::Reconcile { network, message })
            }
            REQ_FETCH => {
                let network = take_text(&mut rest, "network", MAX_NETWORK_ID_BYTES)?;
                let n = varint::take(&mut rest).ok_or(WireError::Truncated("fetch count"))?;
                if n == 0 || n > MAX_FETCH_IDS as u64 {
                    return Err(WireError::FetchCount(n));
                }
                let n = n as usize;
                if rest.len() < n * 32 {
                    return Err(WireError::Truncated("fetch ids"));
                }
                if rest.len() > n * 32 {
                    return Err(WireError::Trailing(rest.len() - n * 32));
                }
                let ids = rest
                    .chunks_exact(32)
                    .map(|c| {
                        let mut id = [0u8; 32];
                        id.copy_from_slice(c);
                        ObjectId(id)
                    })
                    .collect();
                Ok(SyncRequest::Fetch { network, ids })
            }
            other => Err(WireError::UnknownType(Some(other))),
        }
    }

    /// The network id the request names.
    pub fn network(&self) -> &str {
        match self {
            SyncRequest::Reconcile { network, .. } | SyncRequest::Fetch { network, .. } => network,
        }
    }
}

/// Bytes of the length prefix every frame carries on its stream.
pub const LENGTH_PREFIX_BYTES: usize = 4;

/// The bytes a request takes on the wire, length prefix included, as the
/// node counts them (`bytes_out`, `baraza_p2p_sync_bytes_total`): the network
/// id's length and a fetch's id count are counted at one and two bytes, which
/// is exact for every id the config allows and every fetch up to
/// [`MAX_FETCH_IDS`] ids.
pub fn request_len(request: &SyncRequest) -> u64 {
    let body = match request {
        SyncRequest::Reconcile { network, message } => 2 + network.len() + message.encoded_len(),
        SyncRequest::Fetch { network, ids } => 4 + network.len() + 32 * ids.len(),
    };
    (LENGTH_PREFIX_BYTES + body) as u64
}

/// The bytes a response takes on the wire, length prefix included, as the
/// node counts them: a reconcile answer exactly; an objects answer at most
/// (each length varint counted at its largest, [`OBJECT_ENTRY_OVERHEAD`]);
/// `Done` and refusals at a nominal 8 bytes.
pub fn response_len(response: &SyncResponse) -> u64 {
    match response {
        SyncResponse::Reconcile(message) => {
            (LENGTH_PREFIX_BYTES + 1 + message.encoded_len()) as u64
        }
        SyncResponse::Objects { objects, .. } => {
            (LENGTH_PREFIX_BYTES
                + OBJECTS_HEADER_BYTES
                + objects
                    .iter()
                    .map(|o| o.len() + OBJECT_ENTRY_OVERHEAD)
                    .sum::<usize>()) as u64
        }
        SyncResponse::Done | SyncResponse::Refused { .. } => 8,
    }
}

/// Bytes an [`SyncResponse::Objects`] frame spends on one object besides
/// the object itself (its length varint, at most).
pub const OBJECT_ENTRY_OVERHEAD: usize = 5;
/// Bytes of an [`SyncResponse::Objects`] frame before its first entry, at most.
pub const OBJECTS_HEADER_BYTES: usize = 1 + 1 + 3;

impl SyncResponse {
    /// The response's bytes (without the length prefix).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            SyncResponse::Reconcile(message) => {
                out.push(RES_RECONCILE);
                out.extend_from_slice(&message.encode());
            }
            SyncResponse::Done => out.push(RES_DONE),
            SyncResponse::Objects { objects, truncated } => {
                out.push(RES_OBJECTS);
                out.push(u8::from(*truncated));
                varint::put(&mut out, objects.len() as u64);
                for object in objects {
                    put_bytes(&mut out, object);
                }
            }
            SyncResponse::Refused { code, reason } => {
                out.push(RES_REFUSED);
                out.push(code.to_byte());
                let mut end = reason.len().min(MAX_REFUSAL_BYTES);
                while !reason.is_char_boundary(end) {
                    end -= 1;
                }
                put_bytes(&mut out, &reason.as_bytes()[..end]);
            }
        }
        out
    }

    /// Decodes a response, checking every limit. Objects are returned as
    /// bytes: the caller decodes and verifies each one.
    pub fn decode(bytes: &[u8]) -> Result<SyncResponse, WireError> {
        check_size(bytes)?;
        let (&kind, mut rest) = bytes.split_first().ok_or(WireError::UnknownType(None))?;
        match kind {
            RES_RECONCILE => Ok(SyncResponse::Reconcile(SyncMessage::decode(rest)?)),
            RES_DONE => {
                end(rest)?;
                Ok(SyncResponse::Done)
            }
            RES_OBJECTS => {
                let truncated = match take_byte(&mut rest, "truncated")? {
                    0 => false,
                    1 => true,
                    _ => return Err(WireError::BadValue("truncated")),
                };
                let n = varint::take(&mut rest).ok_or(WireError::Truncated("object count"))?;
                if n > MAX_FETCH_IDS as u64 {
                    return Err(WireError::ObjectCount(n));
                }
                let mut objects = Vec::with_capacity(n as usize);
                for _ in 0..n {
                    let len = varint::take(&mut rest).ok_or(WireError::Truncated("object"))?;
                    if len > MAX_OBJECT_BYTES as u64 {
                        return Err(WireError::ObjectTooLarge(len));
                    }
                    let len = len as usize;
                    if rest.len() < len {
                        return Err(WireError::Truncated("object"));
                    }
                    let (object, tail) = rest.split_at(len);
                    objects.push(object.to_vec());
                    rest = tail;
                }
                end(rest)?;
                Ok(SyncResponse::Objects { objects, truncated })
            }
            RES_REFUSED => {
                let code = RefusalCode::from_byte(take_byte(&mut rest, "refusal code")?)
                    .ok_or(WireError::BadValue("refusal code"))?;
                let reason = take_text(&mut rest, "reason", MAX_REFUSAL_BYTES)?;
                end(rest)?;
                Ok(SyncResponse::Refused { code, reason })
            }
            other => Err(WireError::UnknownType(Some(other))),
        }
    }
}

fn check_size(bytes: &[u8]) -> Result<(), WireError> {
    if bytes.len() > MAX_SYNC_FRAME_BYTES {
        return Err(WireError::TooLarge(bytes.len()));
    }
    Ok(())
}

fn end(rest: &[u8]) -> Result<(), WireError> {
    if rest.is_empty() {
        Ok(())
    } else {
        Err(WireError::Trailing(rest.len()))
    }
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    varint::put(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn take_byte(rest: &mut &[u8], field: &'static str) -> Result<u8, WireError> {
    let (&b, tail) = rest.split_first().ok_or(WireError::Truncated(field))?;
    *rest = tail;
    Ok(b)
}

fn take_text(rest: &mut &[u8], field: &'static str, max: usize) -> Result<String, WireError> {
    let len = varint::take(rest).ok_or(WireError::Truncated(field))?;
    if len > max as u64 {
        return Err(WireError::BadText(field));
    }
    let len = len as usize;
    if rest.len() < len {
        return Err(WireError::Truncated(field));
    }
    let (text, tail) = rest.split_at(len);
    *rest = tail;
    String::from_utf8(text.to_vec()).map_err(|_| WireError::BadText(field))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::{Reconciler, SortedVecStore, SyncKey};

    fn message() -> SyncMessage {
        let store =
            SortedVecStore::from_keys((0..40u8).map(|i| SyncKey::new(i.into(), ObjectId([i; 32]))));
        Reconciler::new().initiate(&store)
    }

    #[test]
    fn every_frame_round_trips() {
        let requests = [
            SyncRequest::Reconcile {
                network: "iww".into(),
                message: message(),
            },
            SyncRequest::Fetch {
                network: "iww".into(),
                ids: vec![ObjectId([1; 32]), ObjectId([2; 32])],
            },
        ];
        for r in requests {
            assert_eq!(SyncRequest::decode(&r.encode()), Ok(r));
        }
        let responses = [
            SyncResponse::Reconcile(message()),
            SyncResponse::Done,
            SyncResponse::Objects {
                objects: vec![vec![0xd2, 0x84], vec![]],
                truncated: true,
            },
            SyncResponse::Refused {
                code: RefusalCode::WrongNetwork,
                reason: "we are on iww".into(),
            },
        ];
        for r in responses {
            assert_eq!(SyncResponse::decode(&r.encode()), Ok(r));
        }
    }

    #[test]
    fn limits_are_checked_before_allocation() {
        let mut fetch = vec![REQ_FETCH, 0];
        varint::put(&mut fetch, MAX_FETCH_IDS as u64 + 1);
        assert_eq!(
            SyncRequest::decode(&fetch),
            Err(WireError::FetchCount(MAX_FETCH_IDS as u64 + 1))
        );
        assert_eq!(
            SyncRequest::decode(&[REQ_FETCH, 0, 0]),
            Err(WireError::FetchCount(0))
        );
        let mut huge = vec![RES_OBJECTS, 0, 1];
        varint::put(&mut huge, MAX_OBJECT_BYTES as u64 + 1);
        assert_eq!(
            SyncResponse::decode(&huge),
            Err(WireError::ObjectTooLarge(MAX_OBJECT_BYTES as u64 + 1))
        );
        let too_big = vec![RES_DONE; MAX_SYNC_FRAME_BYTES + 1];
        assert_eq!(
            SyncResponse::decode(&too_big),
            Err(WireError::TooLarge(MAX_SYNC_FRAME_BYTES + 1))
        );
    }

    #[test]
    fn malformed_frames_name_their_fault() {
        assert_eq!(SyncRequest::decode(&[]), Err(WireError::UnknownType(None)));
        assert_eq!(
            SyncRequest::decode(&[9]),
            Err(WireError::UnknownType(Some(9)))
        );
        assert_eq!(
            SyncResponse::decode(&[RES_DONE, 0]),
            Err(WireError::Trailing(1))
        );
        assert_eq!(
            SyncResponse::decode(&[RES_OBJECTS, 2, 0]),
            Err(WireError::BadValue("truncated"))
        );
        assert_eq!(
            SyncRequest::decode(&[REQ_FETCH, 2, 0xff, 0xfe]),
            Err(WireError::BadText("network"))
        );
        assert_eq!(
            SyncRequest::decode(&[REQ_FETCH, 0, 1, 7]),
            Err(WireError::Truncated("fetch ids"))
        );
        assert_eq!(
            SyncResponse::decode(&[RES_REFUSED, 9, 0]),
            Err(WireError::BadValue("refusal code"))
        );
        assert!(matches!(
            SyncRequest::decode(&[REQ_RECONCILE, 0, 0xff]),
            Err(WireError::Message(_))
        ));
    }

    #[test]
    fn counted_lengths_match_the_encoding() {
        let wire = |bytes: Vec<u8>| (LENGTH_PREFIX_BYTES + bytes.len()) as u64;
        let reconcile = SyncRequest::Reconcile {
            network: "iww".into(),
            message: message(),
        };
        assert_eq!(request_len(&reconcile), wire(reconcile.encode()));
        for n in [1usize, 127, 128, MAX_FETCH_IDS] {
            let fetch = SyncRequest::Fetch {
                network: "a-network".into(),
                ids: vec![ObjectId([7; 32]); n],
            };
            let exact = wire(fetch.encode());
            // The count varint is one byte below 128 ids, two from there.
            assert_eq!(request_len(&fetch), exact + u64::from(n < 128), "{n} ids");
        }
        let answer = SyncResponse::Reconcile(message());
        assert_eq!(response_len(&answer), wire(answer.encode()));
        let objects = SyncResponse::Objects {
            objects: vec![vec![1; 10], vec![2; 300], vec![]],
            truncated: false,
        };
        let counted = response_len(&objects);
        assert!(counted >= wire(objects.encode()), "an upper bound");
        assert_eq!(counted, (4 + 5 + 15 + 305 + 5) as u64);
        assert_eq!(response_len(&SyncResponse::Done), 8);
        let refused = SyncResponse::Refused {
            code: RefusalCode::Busy,
            reason: "busy".into(),
        };
        assert_eq!(response_len(&refused), 8);
    }
}
