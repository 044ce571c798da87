//! The pages' static assets, compiled into the binary: the stylesheet and
//! the page script's ES modules. Served from `/assets/{name}` with a fixed
//! list (no file system access), `nosniff`, and a short cache lifetime so
//! that an upgraded node's script is picked up within the hour.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// `(name, content type, contents)`.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "site.css",
        "text/css; charset=utf-8",
        include_str!("site.css"),
    ),
    ("app.js", JS, include_str!("assets/app.js")),
    ("cbor.js", JS, include_str!("assets/cbor.js")),
    ("ids.js", JS, include_str!("assets/ids.js")),
    ("keyfile.js", JS, include_str!("assets/keyfile.js")),
    ("signer.js", JS, include_str!("assets/signer.js")),
    ("vault.js", JS, include_str!("assets/vault.js")),
    // Loaded only by browsers whose WebCrypto lacks Ed25519.
    (
        "noble-ed25519.js",
        JS,
        include_str!("assets/noble-ed25519.js"),
    ),
];

/// SHA-256 of the vendored noble-ed25519 (assets/VENDORED.md).
#[cfg(test)]
const NOBLE_SHA256: &str = "a4f631d1876b5d9e43a86cd71194ca27b5e1451edf4ba4db9a418f40a475569a";

const JS: &str = "text/javascript; charset=utf-8";

/// `GET /assets/{name}`.
pub(crate) async fn asset(Path(name): Path<String>) -> Response {
    let Some((_, content_type, body)) = ASSETS.iter().find(|(n, _, _)| *n == name) else {
        return (StatusCode::NOT_FOUND, "no such asset\n").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        *body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_module_the_scripts_import_is_served() {
        let ours = ASSETS
            .iter()
            .filter(|(n, _, _)| n.ends_with(".js") && !n.starts_with("noble"));
        for (name, _, body) in ours {
            let dynamic = body
                .match_indices("import('./")
                .map(|(at, _)| &body[at + "import('./".len()..]);
            for rest in dynamic {
                let module = rest.split('\'').next().unwrap_or_default();
                assert!(
                    ASSETS.iter().any(|(n, _, _)| *n == module),
                    "{name} loads {module}, which is not served"
                );
            }
            for line in body.lines().filter(|l| l.starts_with("import ")) {
                let module = line
                    .rsplit("from './")
                    .next()
                    .and_then(|rest| rest.split('\'').next())
                    .unwrap_or_else(|| panic!("{name}: odd import {line}"));
                assert!(
                    ASSETS.iter().any(|(n, _, _)| *n == module),
                    "{name} imports {module}, which is not served"
                );
            }
        }
    }

    #[test]
    fn the_vendored_library_is_the_one_recorded() {
        use sha2::{Digest, Sha256};
        let (_, _, body) = ASSETS
            .iter()
            .find(|(n, _, _)| *n == "noble-ed25519.js")
            .expect("served");
        assert_eq!(
            hex::encode(Sha256::digest(body.as_bytes())),
            NOBLE_SHA256,
            "assets/noble-ed25519.js changed: see assets/VENDORED.md"
        );
    }
}
