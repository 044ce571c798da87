//! Indexes over the gathered objects, built once per audit: attestations by
//! subject, effective retractions and revocations, endorsements by target,
//! comments and drafts by section. Everything after this reads only here.
//!
//! Lookups by id or key use hash maps (a `BTreeMap` of 32-byte keys spends
//! most of its time in `memcmp` at 100,000 objects); every list is sorted,
//! and nothing iterates a hash map into a report without sorting.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::gather::Gathered;
use crate::ids::{ObjectId, PublicKey};
use crate::kinds::{Attestation, Body, Charter, Comment, Draft};
use crate::object::SignedObject;

/// When something took effect, and which object made it so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Effective {
    /// From this time on (ms since the epoch).
    pub(crate) at: u64,
    /// The retraction or revocation.
    pub(crate) by: ObjectId,
}

/// The gathered objects and what the evaluator looks up in them.
pub(crate) struct Index {
    pub(crate) gathered: Gathered,
    /// The charter, when the target resolves to one that is present.
    pub(crate) charter: Option<(ObjectId, Charter)>,
    /// Attestations under the charter, by subject, in (created_at, id) order.
    pub(crate) attestations: HashMap<PublicKey, Vec<SignedObject>>,
    /// Subject → keys that issued an attestation of it under the charter.
    issuers: HashMap<PublicKey, BTreeSet<PublicKey>>,
    /// Object → its earliest authorised retraction.
    pub(crate) retracted: HashMap<ObjectId, Effective>,
    /// (retraction, target) pairs signed by someone other than the target's author.
    pub(crate) unauthorised_retractions: Vec<(ObjectId, ObjectId)>,
    /// Key → its earliest authorised revocation (by `effective_from`).
    pub(crate) revoked: HashMap<PublicKey, Effective>,
    /// (revocation, key) pairs signed by neither the key nor one of its attesters.
    pub(crate) unauthorised_revocations: Vec<(ObjectId, PublicKey)>,
    /// Target → endorsements of it, by id.
    endorsements: HashMap<ObjectId, Vec<SignedObject>>,
    /// Section → comments under the charter, in (created_at, id) order.
    pub(crate) comments: BTreeMap<String, Vec<SignedObject>>,
    /// Section → drafts under the charter, in (created_at, id) order.
    pub(crate) drafts: BTreeMap<String, Vec<SignedObject>>,
}

impl Index {
    pub(crate) fn new(gathered: Gathered) -> Index {
        let charter = gathered
            .charter
            .and_then(|id| match gathered.objects.get(&id)?.body() {
                Body::Charter(c) => Some((id, c.clone())),
                _ => None,
            });
        let mut index = Index {
            charter,
            attestations: HashMap::new(),
            issuers: HashMap::new(),
            retracted: HashMap::new(),
            unauthorised_retractions: Vec::new(),
            revoked: HashMap::new(),
            unauthorised_revocations: Vec::new(),
            endorsements: HashMap::new(),
            comments: BTreeMap::new(),
            drafts: BTreeMap::new(),
            gathered,
        };
        index.build();
        index
    }

    fn build(&mut self) {
        let charter_id = self.charter.as_ref().map(|(id, _)| *id);
        let mut retractions = Vec::new();
        let mut revocations = Vec::new();
        for object in self.gathered.objects.values() {
            match object.body() {
                Body::Attestation(a) if Some(a.charter) == charter_id => {
                    self.attestations
                        .entry(a.subject)
                        .or_default()
                        .push(object.clone());
                    self.issuers
                        .entry(a.subject)
                        .or_default()
                        .insert(object.author());
                }
                Body::Comment(c) if Some(c.charter) == charter_id => {
                    push(&mut self.comments, &c.section, object)
                }
                Body::Draft(d) if Some(d.charter) == charter_id => {
                    push(&mut self.drafts, &d.section, object)
                }
                Body::Endorsement(e) => self
                    .endorsements
                    .entry(e.target)
                    .or_default()
                    .push(object.clone()),
                Body::Retraction(r) => retractions.push((object.clone(), r.target)),
                Body::Revocation(r) => revocations.push((object.clone(), r.key, r.effective_from)),
                _ => {}
            }
        }
        let by_time = |o: &SignedObject| (o.created_at(), o.id());
        for list in self.attestations.values_mut() {
            list.sort_unstable_by_key(by_time);
        }
        for list in self.comments.values_mut().chain(self.drafts.values_mut()) {
            list.sort_unstable_by_key(by_time);
        }
        for list in self.endorsements.values_mut() {
            list.sort_unstable_by_key(SignedObject::id);
        }
        for (object, target) in retractions {
            let Some(retracted) = self.gathered.objects.get(&target) else {
                continue;
            };
            if !retractable(retracted) {
                continue;
            }
            if retracted.author() != object.author() {
                self.unauthorised_retractions.push((object.id(), target));
                continue;
            }
            let effective = Effective {
                at: object.created_at(),
                by: object.id(),
            };
            keep_earliest(self.retracted.entry(target), effective);
        }
        for (object, key, effective_from) in revocations {
            let signer = object.author();
            let authorised = signer == key
                || self
                    .issuers
                    .get(&key)
                    .is_some_and(|issuers| issuers.contains(&signer));
            if !authorised {
                self.unauthorised_revocations.push((object.id(), key));
                continue;
            }
            let effective = Effective {
                at: effective_from,
                by: object.id(),
            };
            keep_earliest(self.revoked.entry(key), effective);
        }
        self.unauthorised_retractions.sort_unstable();
        self.unauthorised_revocations.sort_unstable();
    }

    /// A gathered object.
    pub(crate) fn object(&self, id: &ObjectId) -> Option<&SignedObject> {
        self.gathered.objects.get(id)
    }

    /// A gathered attestation's body.
    pub(crate) fn attestation(&self, id: &ObjectId) -> Option<&Attestation> {
        match self.object(id)?.body() {
            Body::Attestation(a) => Some(a),
            _ => None,
        }
    }

    /// A gathered comment's body.
    pub(crate) fn comment(&self, id: &ObjectId) -> Option<&Comment> {
        match self.object(id)?.body() {
            Body::Comment(c) => Some(c),
            _ => None,
        }
    }

    /// A gathered draft's body.
    pub(crate) fn draft(&self, id: &ObjectId) -> Option<&Draft> {
        match self.object(id)?.body() {
            Body::Draft(d) => Some(d),
            _ => None,
        }
    }

    /// The endorsements of `target`, by id.
    pub(crate) fn endorsements_of(&self, target: &ObjectId) -> &[SignedObject] {
        self.endorsements.get(target).map_or(&[], Vec::as_slice)
    }

    /// The comments of the charter on `section`, by (created_at, id).
    pub(crate) fn comments_on(&self, section: &str) -> &[SignedObject] {
        self.comments.get(section).map_or(&[], Vec::as_slice)
    }

    /// The drafts of the charter for `section`, by (created_at, id).
    pub(crate) fn drafts_of(&self, section: &str) -> &[SignedObject] {
        self.drafts.get(section).map_or(&[], Vec::as_slice)
    }

    /// The retraction in effect for `id` at `at` (made by its author at or before `at`).
    pub(crate) fn retracted_by(&self, id: &ObjectId, at: u64) -> Option<ObjectId> {
        self.retracted.get(id).filter(|r| r.at <= at).map(|r| r.by)
    }

    /// The revocation in effect for `key` at `at` (`effective_from <= at`).
    pub(crate) fn revoked_by(&self, key: &PublicKey, at: u64) -> Option<ObjectId> {
        self.revoked.get(key).filter(|r| r.at <= at).map(|r| r.by)
    }

    /// Whether the object has an authorised retraction (whenever made).
    pub(crate) fn is_retracted(&self, id: &ObjectId) -> bool {
        self.retracted.contains_key(id)
    }
}

/// Kinds a retraction applies to. Profiles are superseded, not retracted;
/// retractions and revocations cannot be taken back.
pub(crate) fn retractable(object: &SignedObject) -> bool {
    !matches!(
        object.body(),
        Body::Profile(_) | Body::Retraction(_) | Body::Revocation(_)
    )
}

fn push(map: &mut BTreeMap<String, Vec<SignedObject>>, section: &str, object: &SignedObject) {
    match map.get_mut(section) {
        Some(list) => list.push(object.clone()),
        None => {
            map.insert(section.to_owned(), vec![object.clone()]);
        }
    }
}

fn keep_earliest<K>(entry: std::collections::hash_map::Entry<'_, K, Effective>, new: Effective) {
    use std::collections::hash_map::Entry;
    match entry {
        Entry::Vacant(slot) => {
            slot.insert(new);
        }
        Entry::Occupied(mut slot) => {
            if new < *slot.get() {
                slot.insert(new);
            }
        }
    }
}
