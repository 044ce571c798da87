//! The kinds of signed object and their bodies.
//!
//! A body is the COSE payload; its kind travels in the protected header, so
//! the payload itself carries no type tag. Field names here are the wire
//! names (see `docs/PROTOCOL.md`).

mod attestation;
mod charter;
mod comment;
pub mod common;
mod draft;
mod endorsement;
mod profile;
mod release;
mod retraction;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use attestation::{Attestation, Role};
pub use charter::{Charter, EndorsementPolicy, Phase, Section};
pub use comment::Comment;
pub use common::{Region, StakeholderGroup, STAKEHOLDER_GROUPS};
pub use draft::{Disposition, Draft, Goal, Indicator, Outcome, Target};
pub use endorsement::{Endorsement, Stance};
pub use profile::Profile;
pub use release::{Release, ReleaseDraft};
pub use retraction::{Retraction, Revocation};

use crate::cbor::{self, CborError};
use crate::ids::ObjectId;
use crate::validate::ValidationError;

/// The kind of a signed object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// [`Charter`]
    Charter,
    /// [`Profile`]
    Profile,
    /// [`Attestation`]
    Attestation,
    /// [`Comment`]
    Comment,
    /// [`Endorsement`]
    Endorsement,
    /// [`Draft`]
    Draft,
    /// [`Release`]
    Release,
    /// [`Retraction`]
    Retraction,
    /// [`Revocation`]
    Revocation,
}

/// Every kind, in a fixed order.
pub const KINDS: [Kind; 9] = [
    Kind::Charter,
    Kind::Profile,
    Kind::Attestation,
    Kind::Comment,
    Kind::Endorsement,
    Kind::Draft,
    Kind::Release,
    Kind::Retraction,
    Kind::Revocation,
];

impl Kind {
    /// The wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Charter => "charter",
            Kind::Profile => "profile",
            Kind::Attestation => "attestation",
            Kind::Comment => "comment",
            Kind::Endorsement => "endorsement",
            Kind::Draft => "draft",
            Kind::Release => "release",
            Kind::Retraction => "retraction",
            Kind::Revocation => "revocation",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown kind name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown kind {0:?}; expected one of charter, profile, attestation, comment, endorsement, draft, release, retraction, revocation")]
pub struct UnknownKind(pub String);

impl FromStr for Kind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KINDS
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.chars().take(64).collect()))
    }
}

/// The body of a signed object, one variant per kind.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum Body {
    /// A consultation charter.
    Charter(Charter),
    /// A key's profile.
    Profile(Profile),
    /// An accreditation.
    Attestation(Attestation),
    /// A comment.
    Comment(Comment),
    /// An endorsement or objection.
    Endorsement(Endorsement),
    /// A section draft.
    Draft(Draft),
    /// A framework release.
    Release(Release),
    /// A retraction.
    Retraction(Retraction),
    /// A key revocation.
    Revocation(Revocation),
}

/// Applies the same expression to whichever body variant is present.
macro_rules! each_body {
    ($body:expr, $b:ident => $e:expr) => {
        match $body {
            Body::Charter($b) => $e,
            Body::Profile($b) => $e,
            Body::Attestation($b) => $e,
            Body::Comment($b) => $e,
            Body::Endorsement($b) => $e,
            Body::Draft($b) => $e,
            Body::Release($b) => $e,
            Body::Retraction($b) => $e,
            Body::Revocation($b) => $e,
        }
    };
}

/// Builds the body variant of `kind` from a generic decoder `$decode::<T>()`.
macro_rules! body_of_kind {
    ($kind:expr, $decode:ident) => {
        match $kind {
            Kind::Charter => Body::Charter($decode!()?),
            Kind::Profile => Body::Profile($decode!()?),
            Kind::Attestation => Body::Attestation($decode!()?),
            Kind::Comment => Body::Comment($decode!()?),
            Kind::Endorsement => Body::Endorsement($decode!()?),
            Kind::Draft => Body::Draft($decode!()?),
            Kind::Release => Body::Release($decode!()?),
            Kind::Retraction => Body::Retraction($decode!()?),
            Kind::Revocation => Body::Revocation($decode!()?),
        }
    };
}

impl Body {
    /// This body's kind.
    pub fn kind(&self) -> Kind {
        match self {
            Body::Charter(_) => Kind::Charter,
            Body::Profile(_) => Kind::Profile,
            Body::Attestation(_) => Kind::Attestation,
            Body::Comment(_) => Kind::Comment,
            Body::Endorsement(_) => Kind::Endorsement,
            Body::Draft(_) => Kind::Draft,
            Body::Release(_) => Kind::Release,
            Body::Retraction(_) => Kind::Retraction,
            Body::Revocation(_) => Kind::Revocation,
        }
    }

    /// Creation time claimed by the author, ms since the Unix epoch.
    pub fn created_at(&self) -> u64 {
        each_body!(self, b => b.created_at)
    }

    /// Checks the kind's structural rules.
    pub fn validate(&self) -> Result<(), ValidationError> {
        each_body!(self, b => b.validate())
    }

    /// Every object id this body points at, in field order, without duplicates.
    pub fn references(&self) -> Vec<ObjectId> {
        let mut out: Vec<ObjectId> = match self {
            Body::Charter(_) | Body::Profile(_) | Body::Revocation(_) => Vec::new(),
            Body::Attestation(a) => vec![a.charter],
            Body::Comment(c) => std::iter::once(c.charter)
                .chain(c.draft)
                .chain(c.in_reply_to)
                .collect(),
            Body::Endorsement(e) => vec![e.target],
            Body::Draft(d) => std::iter::once(d.charter)
                .chain(d.parent)
                .chain(d.dispositions.iter().map(|x| x.comment))
                .collect(),
            Body::Release(r) => std::iter::once(r.charter)
                .chain(r.drafts.iter().map(|d| d.draft))
                .collect(),
            Body::Retraction(r) => vec![r.target],
        };
        let mut seen = std::collections::HashSet::new();
        out.retain(|id| seen.insert(*id));
        out
    }

    /// The deterministic CBOR payload.
    pub fn to_payload(&self) -> Vec<u8> {
        each_body!(self, b => cbor::to_canonical(b))
    }

    /// Decodes a payload of `kind`, rejecting anything non-canonical.
    pub(crate) fn from_payload(kind: Kind, payload: &[u8]) -> Result<Body, CborError> {
        macro_rules! decode {
            () => {
                cbor::from_canonical(payload)
            };
        }
        Ok(body_of_kind!(kind, decode))
    }

    /// The body as JSON (ids as hex, keys as did:key).
    pub fn to_json(&self) -> serde_json::Value {
        each_body!(self, b => serde_json::to_value(b).expect("protocol bodies serialize to JSON"))
    }

    /// Reads a body of `kind` from its JSON form (the shape [`Body::to_json`] writes).
    pub fn from_json(kind: Kind, json: serde_json::Value) -> Result<Body, serde_json::Error> {
        macro_rules! decode {
            () => {
                serde_json::from_value(json)
            };
        }
        Ok(body_of_kind!(kind, decode))
    }
}
