//! The roster: who a key was in one consultation at one moment — its role,
//! the NRI that attested it, its group, organisation, country and region,
//! and why not when its chain does not hold.
//!
//! This is the audit's own rule (§12 of PROTOCOL.md, "Trust chains"),
//! exposed as a query so that everything else that labels a signer — the
//! CLI export, the node's pages — answers as the audit does instead of
//! re-implementing it. A [`Roster`] is built over the objects the rule reads
//! (the charter, the attestations under it, their retractions, and the
//! revocations of every key involved) and evaluates with the same
//! [`Trust`] evaluator the report uses; nothing here has rules of its own.
//!
//! The query asks for "any role" (what a comment or an endorsement needs):
//! a steward is a steward, anyone else takes the holding attestation of any
//! role with the latest `created_at` (then the smallest id).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::gather::Gathered;
use super::index::Index;
use super::source::AuditSource;
use super::trust::{self, attribution, Chain, ChainReason, ChainRole, Trust, Want};
use crate::ids::{ObjectId, PublicKey};
use crate::kinds::{Body, Charter, Region, StakeholderGroup};
use crate::object::SignedObject;

/// The objects of one consultation that decide who held which role, and the
/// query over them.
pub struct Roster {
    index: Index,
}

impl std::fmt::Debug for Roster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Roster")
            .field("charter", &self.index.gathered.charter)
            .field("objects", &self.index.gathered.objects.len())
            .finish()
    }
}

/// A key's standing in a consultation at one moment, as the audit judges it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    /// The chain back to a steward: role, attestation, group, region,
    /// expiry, whether it held and why not, and (in `issuer`) the standing
    /// of whoever attested the key, at the attestation's creation.
    pub chain: Chain,
    /// The chosen attestation's organisation (for an NRI: its name).
    pub organisation: Option<String>,
    /// The chosen attestation's country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// When the chain holds: the bucket the audit counts the key in —
    /// `steward`, `editor`, `nri`, or a stakeholder's attested group.
    pub counted_as: Option<String>,
    /// When the chain holds: the NRI the key is counted under (itself for
    /// an NRI, its attester for a stakeholder).
    pub nri: Option<PublicKey>,
}

impl Standing {
    /// Whether the key's chain held at the moment asked about.
    pub fn held(&self) -> bool {
        self.chain.held
    }

    /// The role found (held or not), `None` with no usable attestation.
    pub fn role(&self) -> Option<ChainRole> {
        self.chain.role
    }

    /// The attested stakeholder group, for a stakeholder (held or not).
    pub fn group(&self) -> Option<&StakeholderGroup> {
        self.chain.group.as_ref()
    }

    /// The attested UN regional group (held or not).
    pub fn region(&self) -> Option<Region> {
        self.chain.region
    }

    /// Why the chain does not hold; `None` when it holds.
    pub fn reason(&self) -> Option<ChainReason> {
        self.chain.reason
    }

    /// The chain of whoever attested the key (absent for stewards and keys
    /// without an attestation).
    pub fn attested_by(&self) -> Option<&Chain> {
        self.chain.issuer.as_deref()
    }
}

impl Roster {
    /// A roster over `objects` for the charter `charter` (which should be
    /// among them: without it nobody is a steward, so no chain holds).
    /// Objects the rule does not read are ignored; order and duplicates do
    /// not matter.
    pub fn new(charter: ObjectId, objects: impl IntoIterator<Item = SignedObject>) -> Roster {
        let objects: HashMap<ObjectId, SignedObject> = objects
            .into_iter()
            .filter(|o| o.id() == charter || in_roster(o.body(), &charter))
            .map(|o| (o.id(), o))
            .collect();
        let gathered = Gathered {
            target: charter,
            path: vec![charter],
            charter: Some(charter),
            sections: BTreeSet::new(),
            objects,
            missing: Default::default(),
        };
        Roster {
            index: Index::new(gathered),
        }
    }

    /// A roster read from `source`: the charter, every attestation under it,
    /// their retractions, and the revocations of the stewards and of every
    /// key that issued or received one of those attestations.
    pub fn from_source<S: AuditSource + ?Sized>(source: &S, charter: &ObjectId) -> Roster {
        Roster::from_attestations(source, charter, source.referrers(charter))
    }

    /// [`Roster::from_source`] for a source that can list a charter's
    /// attestations faster than all its referrers: `attestations` are
    /// those (anything else in it is skipped); the charter, retractions and
    /// revocations are read from `source`.
    pub fn from_attestations<S: AuditSource + ?Sized>(
        source: &S,
        charter: &ObjectId,
        attestations: impl IntoIterator<Item = SignedObject>,
    ) -> Roster {
        let mut objects = Vec::new();
        let mut keys = BTreeSet::new();
        if let Some(object) = source.object(charter).filter(|o| o.id() == *charter) {
            if let Body::Charter(c) = object.body() {
                keys.extend(c.stewards.iter().copied());
            }
            objects.push(object);
        }
        for object in attestations {
            let Body::Attestation(a) = object.body() else {
                continue;
            };
            if a.charter != *charter {
                continue;
            }
            keys.insert(a.subject);
            keys.insert(object.author());
            let id = object.id();
            objects.extend(
                source
                    .referrers(&id)
                    .into_iter()
                    .filter(|r| matches!(r.body(), Body::Retraction(x) if x.target == id)),
            );
            objects.push(object);
        }
        for key in keys {
            objects.extend(source.revocations_of(&key));
        }
        Roster::new(*charter, objects)
    }

    /// The charter, when the roster holds it.
    pub fn charter(&self) -> Option<&Charter> {
        self.index.charter.as_ref().map(|(_, c)| c)
    }

    /// `key`'s standing at `at` (ms since the epoch) for any role: what a
    /// comment or an endorsement signed by `key` at `at` is attributed to.
    pub fn standing_of(&self, key: &PublicKey, at: u64) -> Standing {
        self.standing_as(key, at, &Want::Any)
    }

    /// Whether `key` was an editor of `section` at `at` (what a draft of
    /// that section needs from its signer).
    pub fn is_editor(&self, key: &PublicKey, section: &str, at: u64) -> bool {
        self.standing_as(key, at, &Want::Editor(section.to_owned()))
            .held()
    }

    fn standing_as(&self, key: &PublicKey, at: u64, want: &Want) -> Standing {
        let mut trust = Trust::new(&self.index);
        let found: trust::Standing = trust.standing(*key, at, want);
        let chain = trust.chain(*key, at, &found);
        let attested = found.attestation.and_then(|id| self.index.attestation(&id));
        let bucket = attribution(&self.index, *key, &found);
        Standing {
            chain,
            organisation: attested.and_then(|a| a.organisation.clone()),
            country: attested.and_then(|a| a.country.clone()),
            counted_as: bucket.as_ref().map(|b| b.group.clone().into_owned()),
            nri: bucket.and_then(|b| b.nri),
        }
    }
}

/// Whether the roster reads objects of this body (under `charter`).
fn in_roster(body: &Body, charter: &ObjectId) -> bool {
    match body {
        Body::Attestation(a) => a.charter == *charter,
        Body::Retraction(_) | Body::Revocation(_) => true,
        _ => false,
    }
}
