//! What the audit flags: the [`Anomaly`] enum, and the checks that do not
//! belong to one particular part of the report (retractions, revocations,
//! late comments).
//!
//! An anomaly is *blocking* when it concerns an object the target stands
//! on — the target, the objects between it and the charter, the charter,
//! the drafts of the version chains, and the attestations on a failing
//! chain of one of those. Blocking anomalies make the verdict
//! `anomalies_found`; the others (an unattested commenter, a late comment, a
//! retracted endorsement) are reported, and the affected objects are left
//! out of counts where the rules say so, but they do not taint the target.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::index::Index;
use super::witnessing::Witnessing;
use crate::ids::{ObjectId, PublicKey};
use crate::kinds::{Body, Kind};
use crate::limits::{BACKDATE_TOLERANCE_MS, WITNESS_GRACE_MS};

/// One finding, with the ids involved.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Anomaly {
    /// `object`'s `signer` (or the issuer of an attestation on its chain)
    /// has no attestation of the role it needed when it signed.
    UnattestedSigner {
        /// The object signed.
        object: ObjectId,
        /// The signer without an attestation.
        signer: PublicKey,
    },
    /// The attestation `object`'s signer relied on had expired when it signed.
    ExpiredAttestation {
        /// The object signed (a content object, or an attestation whose
        /// issuer relied on an expired attestation).
        object: ObjectId,
        /// The expired attestation.
        attestation: ObjectId,
    },
    /// `object` was signed when `key` (its signer, or the issuer of its
    /// signer's attestation) was revoked.
    RevokedKey {
        /// The object signed.
        object: ObjectId,
        /// The revoked key.
        key: PublicKey,
        /// The revocation in force.
        revocation: ObjectId,
    },
    /// `object` is retracted by its author (or, for an attestation, its issuer).
    RetractedObject {
        /// The retracted object.
        object: ObjectId,
        /// The retraction.
        retraction: ObjectId,
    },
    /// `object` references `missing`, which the source does not have.
    DanglingReference {
        /// The referencing object.
        object: ObjectId,
        /// The id that could not be found.
        missing: ObjectId,
    },
    /// `object` is dated after `referrer`, which references it, or (without
    /// a referrer) after the auditor's `as_of` plus the clock skew.
    FutureDated {
        /// The object dated too late.
        object: ObjectId,
        /// Its `created_at`.
        created_at: u64,
        /// The object referencing it, when that is the comparison.
        referrer: Option<ObjectId>,
        /// The latest acceptable `created_at`.
        limit: u64,
    },
    /// A comment created outside every phase that accepts comments, or
    /// first witnessed more than [`WITNESS_GRACE_MS`] after the phase its
    /// `created_at` falls in closed.
    LateComment {
        /// The comment.
        comment: ObjectId,
        /// Its `created_at`.
        created_at: u64,
        /// Its witnessed time, when that is what makes it late.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        witnessed_at: Option<u64>,
    },
    /// `object` claims a `created_at` more than [`BACKDATE_TOLERANCE_MS`]
    /// before its witnessed time. Informational: it never blocks.
    Backdated {
        /// The object.
        object: ObjectId,
        /// Its `created_at`.
        created_at: u64,
        /// When a quorum of witnesses first saw it.
        witnessed_at: u64,
    },
    /// `object` is dated before its signer's revocation took effect but was
    /// first witnessed more than [`WITNESS_GRACE_MS`] after it: signed with
    /// the key after it was revoked, and dated back.
    WitnessedAfterRevocation {
        /// The object.
        object: ObjectId,
        /// Its signer.
        key: PublicKey,
        /// The revocation.
        revocation: ObjectId,
        /// When a quorum of witnesses first saw it.
        witnessed_at: u64,
    },
    /// One editor signed different drafts of the same section and version.
    Equivocation {
        /// The editor.
        editor: PublicKey,
        /// The section.
        section: String,
        /// The version.
        version: u32,
        /// The conflicting drafts (two or more).
        drafts: Vec<ObjectId>,
    },
    /// Fewer than `threshold` stewards ratified the charter.
    CharterNotInForce {
        /// The charter.
        charter: ObjectId,
        /// Stewards whose ratification counts.
        ratified: u32,
        /// Stewards needed.
        threshold: u32,
    },
    /// A retraction signed by someone other than its target's author.
    UnauthorisedRetraction {
        /// The retraction (ignored).
        retraction: ObjectId,
        /// What it tried to retract.
        target: ObjectId,
    },
    /// A revocation signed by neither the key nor one of its attesters.
    UnauthorisedRevocation {
        /// The revocation (ignored).
        revocation: ObjectId,
        /// The key it named.
        key: PublicKey,
    },
    /// `object`'s `signer` holds a role, but not the one its kind needs
    /// (`expected`: `steward`, `nri`, `editor:<section>`, `editor_or_steward`).
    WrongSignerRole {
        /// The object signed.
        object: ObjectId,
        /// Its signer.
        signer: PublicKey,
        /// The role needed.
        expected: String,
    },
    /// A reference that resolves, but to the wrong thing.
    InconsistentReference {
        /// The referencing object.
        object: ObjectId,
        /// The referenced object.
        reference: ObjectId,
        /// What is wrong with it.
        problem: ReferenceProblem,
    },
}

/// What is wrong with a reference that resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceProblem {
    /// The referenced object is of the wrong kind (a parent that is not a draft, …).
    WrongKind,
    /// The referenced object belongs to another charter.
    OtherCharter,
    /// The referenced draft is of another section.
    OtherSection,
    /// The section named is not one of the charter's (`reference` is the charter).
    UnknownSection,
    /// A draft's version is not its parent's plus one.
    VersionGap,
}

impl Anomaly {
    /// The snake_case name of this kind of anomaly.
    pub fn code(&self) -> &'static str {
        match self {
            Anomaly::UnattestedSigner { .. } => "unattested_signer",
            Anomaly::ExpiredAttestation { .. } => "expired_attestation",
            Anomaly::RevokedKey { .. } => "revoked_key",
            Anomaly::RetractedObject { .. } => "retracted_object",
            Anomaly::DanglingReference { .. } => "dangling_reference",
            Anomaly::FutureDated { .. } => "future_dated",
            Anomaly::LateComment { .. } => "late_comment",
            Anomaly::Backdated { .. } => "backdated",
            Anomaly::WitnessedAfterRevocation { .. } => "witnessed_after_revocation",
            Anomaly::Equivocation { .. } => "equivocation",
            Anomaly::CharterNotInForce { .. } => "charter_not_in_force",
            Anomaly::UnauthorisedRetraction { .. } => "unauthorised_retraction",
            Anomaly::UnauthorisedRevocation { .. } => "unauthorised_revocation",
            Anomaly::WrongSignerRole { .. } => "wrong_signer_role",
            Anomaly::InconsistentReference { .. } => "inconsistent_reference",
        }
    }

    /// Whether this kind of anomaly may block the verdict at all.
    /// `backdated` never does: witnessed time only bounds from above when an
    /// object existed (a late-joining node witnesses everything late).
    pub(crate) fn may_block(&self) -> bool {
        !matches!(self, Anomaly::Backdated { .. })
    }

    /// The objects this anomaly is about: it is blocking when one of them
    /// is an object the target stands on.
    pub(crate) fn subjects(&self) -> Vec<ObjectId> {
        match self {
            Anomaly::UnattestedSigner { object, .. }
            | Anomaly::ExpiredAttestation { object, .. }
            | Anomaly::RevokedKey { object, .. }
            | Anomaly::RetractedObject { object, .. }
            | Anomaly::DanglingReference { object, .. }
            | Anomaly::WrongSignerRole { object, .. }
            | Anomaly::InconsistentReference { object, .. } => vec![*object],
            Anomaly::FutureDated {
                object, referrer, ..
            } => std::iter::once(*object).chain(*referrer).collect(),
            Anomaly::LateComment { comment, .. } => vec![*comment],
            Anomaly::Backdated { object, .. }
            | Anomaly::WitnessedAfterRevocation { object, .. } => vec![*object],
            Anomaly::Equivocation { drafts, .. } => drafts.clone(),
            Anomaly::CharterNotInForce { charter, .. } => vec![*charter],
            Anomaly::UnauthorisedRetraction { retraction, .. } => vec![*retraction],
            Anomaly::UnauthorisedRevocation { revocation, .. } => vec![*revocation],
        }
    }
}

/// An anomaly and whether it blocks the verdict.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Finding {
    /// The anomaly (its fields appear inline, with `kind`).
    #[serde(flatten)]
    pub anomaly: Anomaly,
    /// Whether it concerns an object the target stands on.
    pub blocking: bool,
}

/// Retractions in effect, unauthorised retractions and revocations.
pub(crate) fn retractions_and_revocations(index: &Index, out: &mut BTreeSet<Anomaly>) {
    for (object, effective) in &index.retracted {
        out.insert(Anomaly::RetractedObject {
            object: *object,
            retraction: effective.by,
        });
    }
    for (retraction, target) in &index.unauthorised_retractions {
        out.insert(Anomaly::UnauthorisedRetraction {
            retraction: *retraction,
            target: *target,
        });
    }
    for (revocation, key) in &index.unauthorised_revocations {
        out.insert(Anomaly::UnauthorisedRevocation {
            revocation: *revocation,
            key: *key,
        });
    }
}

/// Comments of the charter created outside every phase accepting
/// comments, or witnessed after the phase they claim closed (plus the grace).
pub(crate) fn late_comments(index: &Index, witnessing: &Witnessing, out: &mut BTreeSet<Anomaly>) {
    let Some((_, charter)) = &index.charter else {
        return;
    };
    let windows: Vec<(u64, u64)> = charter
        .phases
        .iter()
        .filter(|p| p.accepts.contains(&Kind::Comment))
        .map(|p| (p.opens, p.closes))
        .collect();
    for object in index.comments.values().flatten() {
        let at = object.created_at();
        let window = windows
            .iter()
            .find(|&&(opens, closes)| opens <= at && at < closes);
        let witnessed_at = match window {
            // Dated outside every window: late by its own date.
            None => None,
            // Dated inside one: late only if witnessed after it closed.
            Some(&(_, closes)) => match witnessing.at(&object.id()) {
                Some(w) if w > closes.saturating_add(WITNESS_GRACE_MS) => Some(w),
                _ => continue,
            },
        };
        out.insert(Anomaly::LateComment {
            comment: object.id(),
            created_at: at,
            witnessed_at,
        });
    }
}

/// Objects dated far before they were witnessed, and objects dated before
/// their signer's revocation but witnessed after it.
pub(crate) fn witnessed_times(index: &Index, witnessing: &Witnessing, out: &mut BTreeSet<Anomaly>) {
    for (id, witnessed) in &witnessing.witnessed {
        let Some(object) = index.object(id) else {
            continue;
        };
        let created_at = object.created_at();
        let witnessed_at = witnessed.at;
        if witnessed_at > created_at.saturating_add(BACKDATE_TOLERANCE_MS) {
            out.insert(Anomaly::Backdated {
                object: *id,
                created_at,
                witnessed_at,
            });
        }
        if matches!(object.body(), Body::Revocation(_) | Body::Profile(_)) {
            continue;
        }
        let key = object.author();
        if index.revoked_by(&key, created_at).is_some() {
            continue; // already `revoked_key`
        }
        if let Some(revocation) =
            index.revoked_by(&key, witnessed_at.saturating_sub(WITNESS_GRACE_MS))
        {
            out.insert(Anomaly::WitnessedAfterRevocation {
                object: *id,
                key,
                revocation,
                witnessed_at,
            });
        }
    }
}
