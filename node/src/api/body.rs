//! Reading a request body into memory, bounded.
//!
//! Over the limit the answer is 413, but first the rest of a moderately
//! oversized body is read and discarded (up to [`DRAIN_BYTES`], for at most
//! [`DRAIN_TIME`]): a server that answers and closes while the client is
//! still sending makes the client's kernel reset the connection, and the
//! client then sees "connection reset" instead of the 413 that explains it.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, StatusCode};
use futures::{Stream, StreamExt};

use crate::http::ApiError;

/// Most bytes past the limit read (and dropped) before answering 413: a
/// stakeholder who attaches a 10 MB document by mistake is told why, not
/// shown "connection reset". Bounded in time too, by [`DRAIN_TIME`].
const DRAIN_BYTES: u64 = 16 * 1024 * 1024;
/// Longest spent draining an oversized body.
const DRAIN_TIME: Duration = Duration::from_secs(2);

/// Reads the whole body, refusing with 413 `too_large` as soon as it is
/// known to be over `limit` (from `Content-Length`, or while reading).
/// `what` names the content type in the message.
pub(crate) async fn read_body(
    body: Body,
    headers: &HeaderMap,
    limit: usize,
    what: &str,
) -> Result<Bytes, ApiError> {
    let too_large = |size: Option<u64>| {
        let size = size.map_or_else(String::new, |s| format!("{s} bytes, "));
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is {size}over the limit of {limit} bytes for {what}"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut stream = body.into_data_stream();
    if let Some(length) = declared {
        if length > limit as u64 {
            if length - limit as u64 <= DRAIN_BYTES {
                drain(&mut stream, length).await;
            }
            return Err(too_large(Some(length)));
        }
    }
    let capacity = declared.map_or(0, |l| usize::try_from(l).unwrap_or(limit).min(limit));
    let mut buffer = Vec::with_capacity(capacity);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(
                "body_unreadable",
                format!("could not read the request body: {e}"),
            )
        })?;
        if buffer.len() + chunk.len() > limit {
            drain(&mut stream, DRAIN_BYTES).await;
            return Err(too_large(None));
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buffer))
}

/// Reads and drops up to `most` bytes of `stream`, for at most [`DRAIN_TIME`].
async fn drain<S, E>(stream: &mut S, most: u64)
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        let mut read = 0u64;
        while let Some(Ok(chunk)) = stream.next().await {
            read += chunk.len() as u64;
            if read >= most {
                break;
            }
        }
    })
    .await;
}
