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
];

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
        for (name, _, body) in ASSETS.iter().filter(|(n, _, _)| n.ends_with(".js")) {
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
}
