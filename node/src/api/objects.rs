//! `GET /v1/objects/{id}`: one object, as its exact signed bytes
//! (`Accept: application/cbor`) or as JSON (anything else).
//!
//! Objects are immutable and named by their hash, so responses carry a
//! strong `ETag` (the id) and may be cached forever.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::http::extract::IdPath;
use crate::http::{ApiError, ApiState};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The handler.
pub(crate) async fn get_object(
    State(state): State<ApiState>,
    IdPath(id): IdPath,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut response = if accepts_cbor(&headers) {
        let bytes = state.service.object_bytes(id).await?;
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/cbor"),
            )],
            bytes,
        )
            .into_response()
    } else {
        Json(state.service.object(id).await?.to_json()).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    headers.insert(header::VARY, HeaderValue::from_static("accept"));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{id}\"")) {
        headers.insert(header::ETAG, etag);
    }
    Ok(response)
}

/// Whether the `Accept` header names `application/cbor` (exactly; q-values
/// are not weighed: a client that lists it gets CBOR).
fn accepts_cbor(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|item| item.split(';').next())
        .any(|media| media.trim().eq_ignore_ascii_case("application/cbor"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbor_is_chosen_only_when_asked_for() {
        let with = |accept: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                header::ACCEPT,
                HeaderValue::from_str(accept).expect("ascii"),
            );
            accepts_cbor(&h)
        };
        assert!(with("application/cbor"));
        assert!(with("application/json;q=0.5, application/cbor"));
        assert!(!with("application/cbor-seq"));
        assert!(!with("*/*"));
        assert!(!accepts_cbor(&HeaderMap::new()));
    }
}
