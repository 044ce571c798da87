//! The `/baraza/sync/1` stream codec: a 4-byte big-endian length, then a
//! frame of `baraza_protocol::sync::wire`. The length is checked against
//! `MAX_SYNC_FRAME_BYTES` before a byte of the frame is read or allocated,
//! so a peer can never make this node buffer more than one bounded frame.

use std::io;

use async_trait::async_trait;
use baraza_protocol::limits::MAX_SYNC_FRAME_BYTES;
use baraza_protocol::sync::wire::{SyncRequest, SyncResponse};
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::StreamProtocol;

/// The protocol name.
pub const SYNC_PROTOCOL: StreamProtocol = StreamProtocol::new("/baraza/sync/1");

/// Frames requests and responses; stateless.
#[derive(Debug, Clone, Copy, Default)]
pub struct SyncCodec;

/// Reads one frame of at most `limit` bytes (a 4-byte big-endian length,
/// then the frame), refusing a longer one before reading or allocating it;
/// `what` names the protocol in the error. Shared by `/baraza/sync/1` and
/// `/baraza/witness/1`.
pub(super) async fn read_frame<T: AsyncRead + Unpin + Send>(
    io: &mut T,
    limit: usize,
    what: &str,
) -> io::Result<Vec<u8>> {
    let mut len = [0u8; 4];
    io.read_exact(&mut len).await?;
    let len = u32::from_be_bytes(len) as usize;
    if len > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{what} frame of {len} bytes is over the limit of {limit}"),
        ));
    }
    let mut frame = vec![0u8; len];
    io.read_exact(&mut frame).await?;
    Ok(frame)
}

/// Writes one frame of at most `limit` bytes and closes the stream.
pub(super) async fn write_frame<T: AsyncWrite + Unpin + Send>(
    io: &mut T,
    frame: &[u8],
    limit: usize,
    what: &str,
) -> io::Result<()> {
    let len = u32::try_from(frame.len())
        .ok()
        .filter(|n| *n as usize <= limit)
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{what} frame over the limit"),
            )
        })?;
    io.write_all(&len.to_be_bytes()).await?;
    io.write_all(frame).await?;
    io.close().await
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

#[async_trait]
impl libp2p::request_response::Codec for SyncCodec {
    type Protocol = StreamProtocol;
    type Request = SyncRequest;
    type Response = SyncResponse;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<SyncRequest>
    where
        T: AsyncRead + Unpin + Send,
    {
        SyncRequest::decode(&read_frame(io, MAX_SYNC_FRAME_BYTES, "sync").await?).map_err(invalid)
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<SyncResponse>
    where
        T: AsyncRead + Unpin + Send,
    {
        SyncResponse::decode(&read_frame(io, MAX_SYNC_FRAME_BYTES, "sync").await?).map_err(invalid)
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        req: SyncRequest,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, &req.encode(), MAX_SYNC_FRAME_BYTES, "sync").await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        res: SyncResponse,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, &res.encode(), MAX_SYNC_FRAME_BYTES, "sync").await
    }
}
