//! Links between the pages, each keeping the page's language: to an
//! object (by a text or its short id), to an author (by a short did:key).

use baraza_protocol::{ObjectId, PublicKey, SignedObject};
use maud::{html, Markup};

use super::html::Words;
use super::Ctx;

impl Ctx {
    /// The address of `path` in the page's language (an attribute value:
    /// maud escapes it where it is interpolated).
    pub(super) fn href(&self, path: &str) -> String {
        format!("{path}?lang={}", self.lang.tag())
    }

    /// A link to `object` shown as `text` (a signer's words, often).
    pub(super) fn object_link(&self, object: &SignedObject, text: &str) -> Markup {
        html! {
            a href=(self.href(&format!("/objects/{}", object.id()))) { (Words(text)) }
        }
    }

    /// A link to the object `id`, shown by its short form.
    pub(super) fn id_link(&self, id: &ObjectId) -> Markup {
        html! {
            a class="id" href=(self.href(&format!("/objects/{id}"))) { (id.short()) }
        }
    }

    /// A link to the author page of `key`, shown by its short did:key.
    pub(super) fn author_link(&self, key: &PublicKey) -> Markup {
        let did = key.to_did();
        html! {
            a class="id" href=(self.href(&format!("/authors/{did}"))) { (short_did(&did)) }
        }
    }
}

/// `did` cut to its first 20 and last 4 characters when it is long.
pub(super) fn short_did(did: &str) -> String {
    match did.get(..20) {
        Some(head) if did.len() > 24 => format!("{head}…{}", &did[did.len() - 4..]),
        _ => did.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_did_keeps_its_head_and_tail() {
        let did = format!("did:key:z6Mk{}", "a".repeat(40));
        let short = short_did(&did);
        assert!(short.starts_with("did:key:z6Mkaaaaaaaa") && short.ends_with("…aaaa"));
        assert_eq!(short_did("did:key:short"), "did:key:short");
    }
}
