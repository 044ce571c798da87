//! The HTTP edge of the one ingest path: each [`Admission`] of the service
//! as one item of a submission's answer, its metric, and the answer's
//! status. Shared by the single (`submit.rs`) and bulk (`bulk.rs`) halves
//! of `POST /v1/objects`, which import this file and not each other.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use baraza_api_types::{ItemResult, ItemStatus, SubmitResults};
use baraza_protocol::ObjectId;

use crate::http::{ApiError, ApiState};
use crate::metrics::SubmissionResult;
use crate::service::{Admission, Refusal, Verdict};
use crate::store::{LogEntry, StoreError};

/// What one object came to, in HTTP terms.
#[derive(Debug)]
pub(super) enum Status {
    Stored,
    Known,
    Pending(Vec<ObjectId>),
    /// Held until `until` (ms since the epoch).
    Held(u64),
    /// Invalid: the client's fault.
    Invalid {
        code: &'static str,
        message: String,
    },
    /// Valid, but the store could not take it.
    Refused(ApiError),
}

/// One item of a submission's answer.
#[derive(Debug)]
pub(super) struct Item {
    /// The object's id; `None` for an item that did not decode.
    pub(super) id: Option<ObjectId>,
    pub(super) status: Status,
    /// For a stored or known object: the node's signed receipt.
    pub(super) receipt: Option<String>,
    /// For a newly stored object: its log entry, as the store reported
    /// it (a known one's is read back for its receipt).
    pub(super) logged: Option<LogEntry>,
}

impl Item {
    /// The item for one admission.
    pub(super) fn from_admission(admission: Admission) -> Item {
        let Admission { id, verdict } = admission;
        let logged = match &verdict {
            Verdict::Stored { log, .. } => *log,
            _ => None,
        };
        let status = match verdict {
            Verdict::Stored { .. } => Status::Stored,
            Verdict::Known => Status::Known,
            Verdict::Pending { missing } => Status::Pending(missing),
            Verdict::Held { until } => Status::Held(until),
            Verdict::Invalid { code, message } => {
                return Item {
                    id: None,
                    status: Status::Invalid { code, message },
                    receipt: None,
                    logged: None,
                }
            }
            Verdict::Refused { error } => Status::Refused(refused(&error)),
        };
        Item {
            id: Some(id),
            status,
            receipt: None,
            logged,
        }
    }

    /// The submission metric it counts under.
    pub(super) fn metric(&self) -> SubmissionResult {
        match self.status {
            Status::Stored => SubmissionResult::Stored,
            Status::Known => SubmissionResult::Known,
            Status::Pending(_) => SubmissionResult::Pending,
            Status::Held(_) => SubmissionResult::Held,
            Status::Invalid { .. } | Status::Refused(_) => SubmissionResult::Rejected,
        }
    }

    /// Its error code, if it was rejected.
    pub(super) fn code(&self) -> Option<&'static str> {
        match &self.status {
            Status::Invalid { code, .. } => Some(code),
            Status::Refused(e) => Some(e.code),
            _ => None,
        }
    }

    /// Its JSON form.
    pub(super) fn to_result(&self) -> ItemResult {
        let status = match &self.status {
            Status::Stored => ItemStatus::Stored,
            Status::Known => ItemStatus::Known,
            Status::Pending(_) => ItemStatus::Pending,
            Status::Held(_) => ItemStatus::Held,
            Status::Invalid { .. } | Status::Refused(_) => ItemStatus::Rejected,
        };
        let mut out = ItemResult::new(self.id, status);
        match &self.status {
            Status::Pending(missing) => out.missing = Some(missing.clone()),
            Status::Held(until) => out.until = Some(*until),
            Status::Invalid { code, message } => {
                out.error = Some((*code).to_owned());
                out.message = Some(message.clone());
            }
            Status::Refused(e) => {
                out.error = Some(e.code.to_owned());
                out.message = Some(e.message.clone());
            }
            Status::Stored | Status::Known => out.receipt = self.receipt.clone(),
        }
        out
    }
}

/// Signs the node's receipt for every stored or known item: its entry in
/// the transparency log (PROTOCOL.md §14). Many are signed on a blocking
/// thread (~20 µs each).
pub(super) async fn sign_receipts(state: &ApiState, items: &mut [Item]) -> Result<(), ApiError> {
    let wanted: Vec<(usize, ObjectId, Option<LogEntry>)> = items
        .iter()
        .enumerate()
        .filter(|(_, item)| matches!(item.status, Status::Stored | Status::Known))
        .filter_map(|(i, item)| {
            Some((
                i,
                item.id?,
                item.logged.filter(|e| Some(e.leaf.id) == item.id),
            ))
        })
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let store = state.store.clone();
    let notary = state.notary.clone();
    let sign = move || -> Result<Vec<(usize, Option<String>)>, StoreError> {
        wanted
            .into_iter()
            .map(|(i, id, logged)| {
                let entry = match logged {
                    Some(entry) => Some(entry),
                    None => store.log_entry(&id)?,
                };
                Ok((i, entry.map(|e| notary.receipt(&e))))
            })
            .collect()
    };
    let signed = if items.len() == 1 {
        sign()
    } else {
        tokio::task::spawn_blocking(sign).await?
    }
    .map_err(|e| ApiError::from(&e))?;
    let count = signed.iter().filter(|(_, r)| r.is_some()).count();
    for (i, receipt) in signed {
        items[i].receipt = receipt;
    }
    state.metrics.tlog.receipts_signed(count as u64);
    Ok(())
}

/// The error for a valid object the store did not take.
fn refused(refusal: &Refusal) -> ApiError {
    match refusal {
        Refusal::Item(error) | Refusal::Batch(error) => ApiError::from(error),
        Refusal::NotAttempted => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            "not attempted: the store failed on an earlier item of this request; retry later",
        ),
    }
}

/// 201 / 202 / 200 with `{"results": [...]}`.
pub(super) fn respond(items: &[Item]) -> Response {
    let status = if items.iter().any(|r| matches!(r.status, Status::Stored)) {
        StatusCode::CREATED
    } else if items
        .iter()
        .any(|r| matches!(r.status, Status::Pending(_) | Status::Held(_)))
    {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    let results = items.iter().map(Item::to_result).collect();
    (status, Json(SubmitResults { results })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_items_have_no_id_and_say_why() {
        let item = Item::from_admission(Admission {
            id: ObjectId([1; 32]),
            verdict: Verdict::Invalid {
                code: "bad_signature",
                message: "no".into(),
            },
        });
        assert_eq!(item.id, None);
        assert_eq!(item.code(), Some("bad_signature"));
        let json = serde_json::to_value(item.to_result()).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({ "status": "rejected", "error": "bad_signature", "message": "no" })
        );
    }

    #[test]
    fn skipped_items_are_unavailable() {
        let item = Item::from_admission(Admission {
            id: ObjectId([2; 32]),
            verdict: Verdict::Refused {
                error: Refusal::NotAttempted,
            },
        });
        assert_eq!(item.code(), Some("store_unavailable"));
        assert!(matches!(item.metric(), SubmissionResult::Rejected));
    }
}
