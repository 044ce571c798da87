//! Signed objects: signing, strict decoding, and verification.

use std::sync::Arc;

use crate::cose::{self, Envelope};
use crate::error::{ObjectError, Part};
use crate::identity::Keypair;
use crate::ids::{ObjectId, PublicKey};
use crate::kinds::{Body, Kind};
use crate::limits::MAX_OBJECT_BYTES;
use crate::signature;

/// A decoded object whose signature has been verified. Cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedObject {
    inner: Arc<Inner>,
}

#[derive(Debug, PartialEq, Eq)]
struct Inner {
    bytes: Vec<u8>,
    id: ObjectId,
    author: PublicKey,
    body: Body,
}

/// A well-formed, canonical, structurally valid object whose signature has
/// not been checked yet. Produced by [`UnverifiedObject::parse`]; turned
/// into a [`SignedObject`] by [`UnverifiedObject::verify`] or
/// [`crate::verify_batch`].
#[derive(Debug, Clone)]
pub struct UnverifiedObject {
    bytes: Vec<u8>,
    id: ObjectId,
    envelope: Envelope,
    body: Body,
}

impl UnverifiedObject {
    /// Parses and checks everything but the signature: size, envelope,
    /// headers, canonical payload, the kind's rules. Cheapest checks first.
    pub fn parse(bytes: &[u8]) -> Result<UnverifiedObject, ObjectError> {
        if bytes.len() > MAX_OBJECT_BYTES {
            return Err(ObjectError::TooLarge {
                size: bytes.len(),
                limit: MAX_OBJECT_BYTES,
            });
        }
        let envelope = cose::parse(bytes)?;
        let body = Body::from_payload(envelope.kind, &bytes[envelope.payload.clone()])
            .map_err(ObjectError::cbor(Part::Payload))?;
        body.validate().map_err(|source| ObjectError::Invalid {
            kind: envelope.kind,
            source,
        })?;
        Ok(UnverifiedObject {
            bytes: bytes.to_vec(),
            id: ObjectId::of_bytes(bytes),
            envelope,
            body,
        })
    }

    /// The object's id.
    pub fn id(&self) -> ObjectId {
        self.id
    }

    /// The claimed author.
    pub fn author(&self) -> PublicKey {
        self.envelope.author
    }

    /// The kind.
    pub fn kind(&self) -> Kind {
        self.envelope.kind
    }

    /// The bytes covered by the signature.
    pub(crate) fn signed_message(&self) -> Vec<u8> {
        cose::sig_structure(
            &self.bytes[self.envelope.protected.clone()],
            &self.bytes[self.envelope.payload.clone()],
        )
    }

    pub(crate) fn signature(&self) -> &[u8; 64] {
        &self.envelope.signature
    }

    /// Verifies the signature (`verify_strict` semantics).
    pub fn verify(self) -> Result<SignedObject, ObjectError> {
        let prepared = signature::prepare(&self.envelope.author, &self.envelope.signature)?;
        signature::verify_one(&prepared, &self.signed_message())?;
        Ok(self.into_verified())
    }

    /// Marks the object verified; callers must have checked the signature.
    pub(crate) fn into_verified(self) -> SignedObject {
        SignedObject {
            inner: Arc::new(Inner {
                bytes: self.bytes,
                id: self.id,
                author: self.envelope.author,
                body: self.body,
            }),
        }
    }
}

impl SignedObject {
    /// Validates `body`, signs it with `key` and encodes it.
    pub fn sign(body: Body, key: &Keypair) -> Result<SignedObject, ObjectError> {
        let kind = body.kind();
        body.validate()
            .map_err(|source| ObjectError::Invalid { kind, source })?;
        let author = key.public();
        let protected = cose::protected_header(kind, &author);
        let payload = body.to_payload();
        let signature = key.sign_raw(&cose::sig_structure(&protected, &payload));
        let bytes = cose::encode(&protected, &payload, &signature);
        if bytes.len() > MAX_OBJECT_BYTES {
            return Err(ObjectError::TooLarge {
                size: bytes.len(),
                limit: MAX_OBJECT_BYTES,
            });
        }
        Ok(SignedObject {
            inner: Arc::new(Inner {
                id: ObjectId::of_bytes(&bytes),
                bytes,
                author,
                body,
            }),
        })
    }

    /// Decodes and verifies one object.
    pub fn decode(bytes: &[u8]) -> Result<SignedObject, ObjectError> {
        UnverifiedObject::parse(bytes)?.verify()
    }

    /// Decodes bytes that were verified before, skipping only the signature
    /// check (the expensive part). For a node reading its own store, whose
    /// every object was verified on the way in; everything else is still
    /// checked, so corrupted storage is reported rather than trusted.
    pub fn decode_trusted(bytes: &[u8]) -> Result<SignedObject, ObjectError> {
        Ok(UnverifiedObject::parse(bytes)?.into_verified())
    }

    /// The complete encoding (what the id hashes).
    pub fn bytes(&self) -> &[u8] {
        &self.inner.bytes
    }

    /// SHA-256 of [`SignedObject::bytes`].
    pub fn id(&self) -> ObjectId {
        self.inner.id
    }

    /// The signer.
    pub fn author(&self) -> PublicKey {
        self.inner.author
    }

    /// The kind.
    pub fn kind(&self) -> Kind {
        self.inner.body.kind()
    }

    /// The body.
    pub fn body(&self) -> &Body {
        &self.inner.body
    }

    /// The author's claimed creation time.
    pub fn created_at(&self) -> u64 {
        self.inner.body.created_at()
    }

    /// `{"id", "author", "kind", "body"}` — the JSON form used by vectors, the CLI and the API.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id().to_string(),
            "author": self.author().to_did(),
            "kind": self.kind().as_str(),
            "body": self.body().to_json(),
        })
    }
}
