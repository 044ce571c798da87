//! Pages of the event log, for backups (`GET /v1/export`).

use super::{blocking, Service, ServiceError};

/// One page of the export: the encodings of the objects stored after a
/// position of the event log, up to a head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportPage {
    /// The log's head when the page was read.
    pub head: u64,
    /// The position of the last object in this page (`after` when empty).
    pub last: u64,
    /// The objects' encodings, concatenated (an RFC 8742 CBOR sequence).
    pub body: Vec<u8>,
}

impl Service {
    /// At most `limit` objects stored after `after` and at or before
    /// `upto` (default and most: the head now).
    pub async fn export(
        &self,
        after: u64,
        upto: Option<u64>,
        limit: usize,
    ) -> Result<ExportPage, ServiceError> {
        let store = self.store.clone();
        blocking(move || {
            let head = store.last_seq();
            let upto = upto.unwrap_or(head).min(head);
            let events = store.events_after(after, limit)?;
            let mut body = Vec::new();
            let mut last = after;
            for event in events.iter().take_while(|e| e.seq <= upto) {
                body.extend_from_slice(event.object.bytes());
                last = event.seq;
            }
            Ok(ExportPage { head, last, body })
        })
        .await
    }
}
