//! Trust: whether the charter is in force, and whether each signer held a
//! role — through an unbroken chain of attestations back to a steward — at
//! the moment they signed.
//!
//! Stewards are roots. A steward's attestation (role `nri` or `editor`)
//! accredits; an accredited NRI's attestation (role `stakeholder`) accredits
//! a stakeholder. A link — attestation `A` of `subject` by `issuer` — holds
//! at time `t` when, checked in this order:
//!
//! 1. `A.created_at <= t < A.expires_at` (`expired` otherwise);
//! 2. `A` is not retracted by its issuer at or before `t` (`retracted`);
//! 3. `subject` is not revoked with `effective_from <= t` (`signer_revoked`);
//! 4. `issuer` is not revoked with `effective_from <= t` (`issuer_revoked`);
//! 5. `issuer` held its own role (steward for `nri`/`editor`, an NRI for
//!    `stakeholder`) at `A.created_at` (`issuer_not_accredited`).
//!
//! A revocation counts when signed by the key itself or by the issuer of an
//! attestation of that key under the audited charter (others are reported
//! as `unauthorised_revocation`). When a key has several attestations of
//! the wanted role created at or before `t`, the evaluator takes a holding
//! one over a failing one, then the latest `created_at`, then the smallest
//! id — so a stakeholder attested by two NRIs keeps standing when one of
//! them loses accreditation.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::anomalies::Anomaly;
use super::index::Index;
use crate::ids::{ObjectId, PublicKey};
use crate::kinds::{Attestation, Body, Region, Role, StakeholderGroup};
use crate::object::SignedObject;

/// The role a signer held, as the report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainRole {
    /// Named in the charter's `stewards`.
    Steward,
    /// Attested `nri` by a steward.
    Nri,
    /// Attested `editor` of a section by a steward.
    Editor,
    /// Attested `stakeholder` by an accredited NRI.
    Stakeholder,
    /// A node key attested `witness` by an accredited NRI.
    Witness,
}

impl ChainRole {
    fn of(role: Role) -> ChainRole {
        match role {
            Role::Nri => ChainRole::Nri,
            Role::Editor => ChainRole::Editor,
            Role::Stakeholder => ChainRole::Stakeholder,
            Role::Witness => ChainRole::Witness,
        }
    }
}

/// Why a link of a chain does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainReason {
    /// The key has no attestation of the wanted role created at or before the time.
    NoAttestation,
    /// The key holds other roles, but not the one wanted.
    WrongRole,
    /// The attestation expired at or before the time.
    Expired,
    /// The attestation was retracted by its issuer at or before the time.
    Retracted,
    /// The signer's key was revoked with `effective_from` at or before the time.
    SignerRevoked,
    /// The issuer's key was revoked with `effective_from` at or before the time.
    IssuerRevoked,
    /// The issuer did not hold its own role when it issued the attestation.
    IssuerNotAccredited,
}

/// One signer's chain back to a steward, at one moment: a tree whose
/// `issuer` is the chain of whoever attested this signer, evaluated at the
/// attestation's `created_at`. Optional fields are left out of the JSON
/// when absent (chains repeat a lot in large reports).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    /// The signer.
    pub signer: PublicKey,
    /// The moment the chain is evaluated at (the signed object's `created_at`).
    pub at: u64,
    /// The role found (absent when the key has no usable attestation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<ChainRole>,
    /// The attestation granting `role` (absent for stewards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<ObjectId>,
    /// For editors: the section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// For stakeholders: the attested group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<StakeholderGroup>,
    /// For NRIs and stakeholders: the attested UN regional group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// When the attestation expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// Whether this link and every link above it held.
    pub held: bool,
    /// Why not, when `held` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<ChainReason>,
    /// The retraction or revocation behind `reason`, if one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<ObjectId>,
    /// The issuer's chain at the attestation's `created_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Box<Chain>>,
}

/// What role a signature needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Want {
    /// Any accredited role but witness, stewards included (comments,
    /// endorsements): a witness attestation vouches for a node, not a voice.
    Any,
    /// A steward of the charter (the charter itself, NRI and editor attestations).
    Steward,
    /// An accredited NRI (stakeholder attestations).
    Nri,
    /// An editor of this section (drafts).
    Editor(String),
    /// An editor of any section, or a steward (releases).
    EditorOrSteward,
    /// A witness node key (cosignatures of logs).
    Witness,
}

impl Want {
    /// How anomalies name the expected role.
    pub(crate) fn label(&self) -> String {
        match self {
            Want::Any => "attested".into(),
            Want::Steward => "steward".into(),
            Want::Nri => "nri".into(),
            Want::Editor(section) => format!("editor:{section}"),
            Want::EditorOrSteward => "editor_or_steward".into(),
            Want::Witness => "witness".into(),
        }
    }

    fn steward_ok(&self) -> bool {
        matches!(self, Want::Any | Want::Steward | Want::EditorOrSteward)
    }

    fn accepts(&self, a: &Attestation) -> bool {
        match self {
            Want::Any => a.role != Role::Witness,
            Want::Steward => false,
            Want::Witness => a.role == Role::Witness,
            Want::Nri => a.role == Role::Nri,
            Want::Editor(s) => a.role == Role::Editor && a.section.as_deref() == Some(s),
            Want::EditorOrSteward => a.role == Role::Editor,
        }
    }

    /// What an object of this body needs from its signer (`None`: nothing,
    /// or, for attestations, see [`Trust::issuer_standing`]).
    pub(crate) fn of(body: &Body) -> Option<Want> {
        match body {
            Body::Charter(_) => Some(Want::Steward),
            Body::Comment(_) | Body::Endorsement(_) => Some(Want::Any),
            Body::Draft(d) => Some(Want::Editor(d.section.clone())),
            Body::Release(_) => Some(Want::EditorOrSteward),
            _ => None,
        }
    }

    /// What the issuer of an attestation granting `role` needs.
    fn of_issuer(role: Role) -> Want {
        match role {
            Role::Nri | Role::Editor => Want::Steward,
            Role::Stakeholder | Role::Witness => Want::Nri,
        }
    }
}

/// Why a link fails, with its evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    NoAttestation,
    WrongRole,
    Expired,
    Retracted(ObjectId),
    SignerRevoked(ObjectId),
    IssuerRevoked(PublicKey, ObjectId),
    IssuerNotAccredited,
}

impl Failure {
    fn reason(&self) -> (ChainReason, Option<ObjectId>) {
        match *self {
            Failure::NoAttestation => (ChainReason::NoAttestation, None),
            Failure::WrongRole => (ChainReason::WrongRole, None),
            Failure::Expired => (ChainReason::Expired, None),
            Failure::Retracted(r) => (ChainReason::Retracted, Some(r)),
            Failure::SignerRevoked(r) => (ChainReason::SignerRevoked, Some(r)),
            Failure::IssuerRevoked(_, r) => (ChainReason::IssuerRevoked, Some(r)),
            Failure::IssuerNotAccredited => (ChainReason::IssuerNotAccredited, None),
        }
    }
}

/// A key's standing at one moment for one wanted role: the compact form of
/// a [`Chain`], kept for every evaluated object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Standing {
    pub(crate) role: Option<ChainRole>,
    pub(crate) attestation: Option<ObjectId>,
    pub(crate) failure: Option<Failure>,
}

impl Standing {
    pub(crate) fn held(&self) -> bool {
        self.failure.is_none()
    }
}

/// The trust evaluator over one index, memoising per object and per attestation.
pub(crate) struct Trust<'i> {
    index: &'i Index,
    stewards: BTreeSet<PublicKey>,
    /// Attestation id → its issuer's standing at the attestation's creation.
    issuers: HashMap<ObjectId, Standing>,
    /// Object id → its signer's standing at the object's creation.
    objects: HashMap<ObjectId, Option<Standing>>,
}

impl<'i> Trust<'i> {
    pub(crate) fn new(index: &'i Index) -> Trust<'i> {
        let stewards = index
            .charter
            .as_ref()
            .map(|(_, c)| c.stewards.iter().copied().collect())
            .unwrap_or_default();
        Trust {
            index,
            stewards,
            issuers: HashMap::new(),
            objects: HashMap::new(),
        }
    }

    pub(crate) fn is_steward(&self, key: &PublicKey) -> bool {
        self.stewards.contains(key)
    }

    /// The standing of `object`'s signer when it was signed, for the role
    /// its kind needs; `None` for kinds judged otherwise (profiles,
    /// retractions, revocations). For attestations: the issuer's standing.
    pub(crate) fn of_object(&mut self, object: &SignedObject) -> Option<Standing> {
        if let Some(known) = self.objects.get(&object.id()) {
            return known.clone();
        }
        let standing = match object.body() {
            Body::Attestation(_) => Some(self.issuer_standing(&object.id())),
            body => Want::of(body)
                .map(|want| self.standing(object.author(), object.created_at(), &want)),
        };
        self.objects.insert(object.id(), standing.clone());
        standing
    }

    /// The standing of the issuer of attestation `id` at its creation.
    pub(crate) fn issuer_standing(&mut self, id: &ObjectId) -> Standing {
        if let Some(known) = self.issuers.get(id) {
            return known.clone();
        }
        let index = self.index;
        let standing = match (index.object(id), index.attestation(id)) {
            (Some(object), Some(a)) => {
                self.standing(object.author(), a.created_at, &Want::of_issuer(a.role))
            }
            _ => Standing {
                role: None,
                attestation: None,
                failure: Some(Failure::NoAttestation),
            },
        };
        self.issuers.insert(*id, standing.clone());
        standing
    }

    /// `key`'s standing at `at` for `want`.
    pub(crate) fn standing(&mut self, key: PublicKey, at: u64, want: &Want) -> Standing {
        let index = self.index;
        if want.steward_ok() && self.stewards.contains(&key) {
            return Standing {
                role: Some(ChainRole::Steward),
                attestation: None,
                failure: index.revoked_by(&key, at).map(Failure::SignerRevoked),
            };
        }
        let all: &[SignedObject] = index.attestations.get(&key).map_or(&[], Vec::as_slice);
        let mut best: Option<(bool, u64, ObjectId, Option<Failure>, Role)> = None;
        let mut any_of_role = false;
        for object in all {
            let Body::Attestation(a) = object.body() else {
                continue;
            };
            if !want.accepts(a) {
                continue;
            }
            any_of_role = true;
            if a.created_at > at {
                continue;
            }
            let id = object.id();
            let failure = self.link(&id, object.author(), a, at);
            let candidate = (failure.is_none(), a.created_at, id, failure, a.role);
            let better = match &best {
                None => true,
                Some((held, created, best_id, _, _)) => {
                    (candidate.0, candidate.1, std::cmp::Reverse(candidate.2))
                        > (*held, *created, std::cmp::Reverse(*best_id))
                }
            };
            if better {
                best = Some(candidate);
            }
        }
        match best {
            Some((_, _, id, failure, role)) => Standing {
                role: Some(ChainRole::of(role)),
                attestation: Some(id),
                failure,
            },
            None => {
                let has_other_role = self.stewards.contains(&key) || !all.is_empty();
                let failure = if *want == Want::Steward || (!any_of_role && has_other_role) {
                    Failure::WrongRole
                } else {
                    Failure::NoAttestation
                };
                Standing {
                    role: None,
                    attestation: None,
                    failure: Some(failure),
                }
            }
        }
    }

    /// Whether attestation `id` (by `issuer`, body `a`, created at or
    /// before `at`) holds at `at`.
    fn link(
        &mut self,
        id: &ObjectId,
        issuer: PublicKey,
        a: &Attestation,
        at: u64,
    ) -> Option<Failure> {
        let index = self.index;
        if at >= a.expires_at {
            return Some(Failure::Expired);
        }
        if let Some(r) = index.retracted_by(id, at) {
            return Some(Failure::Retracted(r));
        }
        if let Some(r) = index.revoked_by(&a.subject, at) {
            return Some(Failure::SignerRevoked(r));
        }
        if let Some(r) = index.revoked_by(&issuer, at) {
            return Some(Failure::IssuerRevoked(issuer, r));
        }
        if !self.issuer_standing(id).held() {
            return Some(Failure::IssuerNotAccredited);
        }
        None
    }

    /// The report form of `standing` (of `key` at `at`), with issuers' chains.
    pub(crate) fn chain(&mut self, key: PublicKey, at: u64, standing: &Standing) -> Chain {
        let index = self.index;
        let attestation = standing.attestation.and_then(|id| {
            let object = index.object(&id)?;
            Some((id, object.author(), index.attestation(&id)?))
        });
        let (reason, evidence) = match standing.failure.map(|f| f.reason()) {
            Some((r, e)) => (Some(r), e),
            None => (None, None),
        };
        let issuer = attestation.map(|(id, issuer, a)| {
            let upstream = self.issuer_standing(&id);
            Box::new(self.chain(issuer, a.created_at, &upstream))
        });
        Chain {
            signer: key,
            at,
            role: standing.role,
            attestation: standing.attestation,
            section: attestation.and_then(|(_, _, a)| a.section.clone()),
            group: attestation.and_then(|(_, _, a)| a.group.clone()),
            region: attestation.and_then(|(_, _, a)| a.region),
            expires_at: attestation.map(|(_, _, a)| a.expires_at),
            held: standing.held(),
            reason,
            evidence,
            issuer,
        }
    }

    /// Adds to `out` the anomaly explaining why `object`'s signer chain
    /// fails (walking down to the link that actually broke), and returns
    /// the attestations on that failing path.
    pub(crate) fn explain(
        &mut self,
        object: &SignedObject,
        standing: &Standing,
        out: &mut BTreeSet<Anomaly>,
    ) -> Vec<ObjectId> {
        let index = self.index;
        let mut path = Vec::new();
        let mut current = (object.id(), object.author(), standing.clone());
        let mut want = match object.body() {
            Body::Attestation(a) => Want::of_issuer(a.role),
            body => Want::of(body).unwrap_or(Want::Any),
        };
        while let Some(failure) = current.2.failure {
            let (id, signer, standing) = &current;
            if let Some(a) = standing.attestation {
                path.push(a);
            }
            let anomaly = match failure {
                Failure::IssuerNotAccredited => {
                    let Some((a, body, issuer)) = standing.attestation.and_then(|a| {
                        Some((a, index.attestation(&a)?, index.object(&a)?.author()))
                    }) else {
                        break;
                    };
                    want = Want::of_issuer(body.role);
                    current = (a, issuer, self.issuer_standing(&a));
                    continue;
                }
                Failure::NoAttestation => Anomaly::UnattestedSigner {
                    object: *id,
                    signer: *signer,
                },
                Failure::WrongRole => Anomaly::WrongSignerRole {
                    object: *id,
                    signer: *signer,
                    expected: want.label(),
                },
                Failure::Expired => Anomaly::ExpiredAttestation {
                    object: *id,
                    attestation: standing.attestation.unwrap_or(*id),
                },
                Failure::Retracted(retraction) => Anomaly::RetractedObject {
                    object: standing.attestation.unwrap_or(*id),
                    retraction,
                },
                Failure::SignerRevoked(revocation) => Anomaly::RevokedKey {
                    object: *id,
                    key: *signer,
                    revocation,
                },
                Failure::IssuerRevoked(key, revocation) => Anomaly::RevokedKey {
                    object: *id,
                    key,
                    revocation,
                },
            };
            out.insert(anomaly);
            break;
        }
        path
    }
}

/// Who a held signature speaks for: the buckets endorsements and
/// participation are counted in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attribution<'i> {
    pub(crate) role: ChainRole,
    /// `steward`, `nri`, `editor`, or the stakeholder's attested group.
    pub(crate) group: Cow<'i, str>,
    /// The attested region (NRIs and stakeholders only).
    pub(crate) region: Option<Region>,
    /// The NRI: the signer itself for an NRI, the attesting NRI for a stakeholder.
    pub(crate) nri: Option<PublicKey>,
}

/// The attribution of `signer` with `standing`, when the standing holds.
pub(crate) fn attribution<'i>(
    index: &'i Index,
    signer: PublicKey,
    standing: &Standing,
) -> Option<Attribution<'i>> {
    if !standing.held() {
        return None;
    }
    let role = standing.role?;
    let attestation = standing.attestation.and_then(|id| {
        let object = index.object(&id)?;
        match object.body() {
            Body::Attestation(a) => Some((object.author(), a)),
            _ => None,
        }
    });
    let (group, region, nri) = match (role, attestation) {
        (ChainRole::Steward, _) => (Cow::Borrowed("steward"), None, None),
        (ChainRole::Editor, _) => (Cow::Borrowed("editor"), None, None),
        (ChainRole::Witness, _) => return None,
        (ChainRole::Nri, Some((_, a))) => (Cow::Borrowed("nri"), a.region, Some(signer)),
        (ChainRole::Stakeholder, Some((issuer, a))) => (
            a.group
                .as_ref()
                .map_or(Cow::Borrowed("stakeholder"), StakeholderGroup::as_str),
            a.region,
            Some(issuer),
        ),
        (_, None) => return None,
    };
    Some(Attribution {
        role,
        group,
        region,
        nri,
    })
}
