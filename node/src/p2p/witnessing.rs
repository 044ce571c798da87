//! The witness protocol's edge in the peer protocol (`/baraza/witness/1`,
//! PROTOCOL.md §14): the request-response codec, what the node's witness
//! must answer ([`WitnessService`]), and the gossip topic of equivocation
//! evidence. The decisions are `baraza_protocol::tlog::decide`; the
//! service that keeps the witness's memory is `crate::tlog::Witness`.

use std::io;

use async_trait::async_trait;
use baraza_protocol::tlog::{Evidence, WitnessRequest, WitnessResponse};
use futures::{AsyncRead, AsyncWrite};

use super::codec::{read_frame, write_frame};
use libp2p::gossipsub::IdentTopic;
use libp2p::{PeerId, StreamProtocol};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The protocol name.
pub const WITNESS_PROTOCOL: StreamProtocol = StreamProtocol::new("/baraza/witness/1");
/// Largest request or response frame: a checkpoint note (64 KiB), a proof.
pub const MAX_WITNESS_FRAME_BYTES: usize = 96 * 1024;
/// Largest evidence message: two notes and a proof.
pub const MAX_EVIDENCE_BYTES: usize = 160 * 1024;

/// The gossipsub topic equivocation evidence is published on.
pub fn evidence_topic(network: &str) -> IdentTopic {
    IdentTopic::new(format!("/baraza/{network}/evidence/1"))
}

/// What the node's witness answers. Implemented by `crate::tlog::Witness`.
#[async_trait]
pub trait WitnessService: Send + Sync + 'static {
    /// Answers a log's request from `peer`; evidence, when the request
    /// showed a fork, is published by the caller.
    async fn witness(
        &self,
        peer: PeerId,
        request: WitnessRequest,
    ) -> (WitnessResponse, Option<Evidence>);

    /// Checks and keeps evidence a peer gossiped; whether it holds.
    async fn evidence(&self, evidence: Evidence) -> bool;
}

/// JSON in 4-byte big-endian length-prefixed frames, bounded before a
/// byte of the frame is read.
#[derive(Debug, Clone, Copy, Default)]
pub struct WitnessCodec;

async fn read_json<T, R>(io: &mut R) -> io::Result<T>
where
    T: DeserializeOwned,
    R: AsyncRead + Unpin + Send,
{
    let frame = read_frame(io, MAX_WITNESS_FRAME_BYTES, "witness").await?;
    serde_json::from_slice(&frame).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

async fn write_json<T, W>(io: &mut W, value: &T) -> io::Result<()>
where
    T: Serialize,
    W: AsyncWrite + Unpin + Send,
{
    let frame = serde_json::to_vec(value).map_err(io::Error::other)?;
    write_frame(io, &frame, MAX_WITNESS_FRAME_BYTES, "witness").await
}

#[async_trait]
impl libp2p::request_response::Codec for WitnessCodec {
    type Protocol = StreamProtocol;
    type Request = WitnessRequest;
    type Response = WitnessResponse;

    async fn read_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> io::Result<WitnessRequest>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_json(io).await
    }

    async fn read_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> io::Result<WitnessResponse>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_json(io).await
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        req: WitnessRequest,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_json(io, &req).await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        res: WitnessResponse,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_json(io, &res).await
    }
}

/// The baraza key behind a peer id (every node's libp2p identity is its
/// Ed25519 node key), if it is one.
pub fn key_of_peer(peer: &PeerId) -> Option<baraza_protocol::PublicKey> {
    let key = libp2p::identity::PublicKey::try_decode_protobuf(peer.as_ref().digest()).ok()?;
    let ed25519 = key.try_into_ed25519().ok()?;
    Some(baraza_protocol::PublicKey(ed25519.to_bytes()))
}

#[cfg(test)]
mod tests {
    use futures::io::Cursor;
    use libp2p::request_response::Codec;

    use super::*;

    fn framed(body: &[u8], len: u32) -> Vec<u8> {
        let mut out = len.to_be_bytes().to_vec();
        out.extend_from_slice(body);
        out
    }

    #[tokio::test]
    async fn frames_round_trip_and_hostile_ones_are_refused_before_reading() {
        let request = WitnessRequest {
            checkpoint: "note".into(),
            old_size: 3,
            old_root: Some("00".repeat(32)),
            proof: vec!["11".repeat(32)],
        };
        let mut codec = WitnessCodec;
        let mut wire = Cursor::new(Vec::new());
        codec
            .write_request(&WITNESS_PROTOCOL, &mut wire, request.clone())
            .await
            .expect("write");
        let mut read = Cursor::new(wire.into_inner());
        let back = codec
            .read_request(&WITNESS_PROTOCOL, &mut read)
            .await
            .expect("read");
        assert_eq!(back, request);

        // A length over the limit: refused without reading (or allocating) the frame.
        let mut huge = Cursor::new(framed(b"{}", (MAX_WITNESS_FRAME_BYTES + 1) as u32));
        let err = codec
            .read_request(&WITNESS_PROTOCOL, &mut huge)
            .await
            .expect_err("over the limit");
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("over the limit"), "{err}");
        // Unknown fields, wrong types, truncated frames.
        for body in [
            br#"{"checkpoint":"x","old_size":0,"proof":[],"extra":1}"#.as_slice(),
            br#"{"checkpoint":"x","old_size":-1,"proof":[]}"#,
            br#"{"status":"cosigned"}"#,
        ] {
            let mut bad = Cursor::new(framed(body, body.len() as u32));
            assert!(codec
                .read_request(&WITNESS_PROTOCOL, &mut bad)
                .await
                .is_err());
        }
        let mut short = Cursor::new(framed(b"{", 10));
        assert!(codec
            .read_response(&WITNESS_PROTOCOL, &mut short)
            .await
            .is_err());
    }

    #[test]
    fn a_peer_id_names_the_node_key_behind_it() {
        let key = baraza_protocol::Keypair::from_seed(&[3; 32]);
        let ed =
            libp2p::identity::ed25519::SecretKey::try_from_bytes(*key.secret_seed()).expect("seed");
        let libp2p_key =
            libp2p::identity::Keypair::from(libp2p::identity::ed25519::Keypair::from(ed));
        let peer = libp2p_key.public().to_peer_id();
        assert_eq!(key_of_peer(&peer), Some(key.public()));
        assert_eq!(key_of_peer(&PeerId::random()), None);
    }
}
