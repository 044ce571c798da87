//! Where the evaluator reads objects from: the [`AuditSource`] trait, and
//! [`ObjectSet`], the in-memory source a bundle (or a test) is read into.
//!
//! The trait is deliberately small, so that a node's store can answer it
//! from the indexes it keeps anyway (by id, by referenced id, revocations by
//! key). The evaluator never relies on the order or uniqueness of what a
//! source returns: gathering is a fixpoint that deduplicates by id, and
//! every list that reaches a report is sorted.

use std::collections::{BTreeMap, BTreeSet};

use crate::ids::{ObjectId, PublicKey};
use crate::kinds::Body;
use crate::object::SignedObject;
use crate::tlog::LogProof;

/// Read access to verified objects, as the audit evaluator needs it.
///
/// Every object a source returns must have been decoded and verified
/// ([`SignedObject`] guarantees that). Answers may come in any order and
/// may repeat objects.
pub trait AuditSource {
    /// The object with this id, if the source has it.
    fn object(&self, id: &ObjectId) -> Option<SignedObject>;

    /// Every object whose [`Body::references`] contains `id` (endorsements,
    /// retractions, replies, comments and drafts of a charter, …).
    fn referrers(&self, id: &ObjectId) -> Vec<SignedObject>;

    /// Every revocation whose revoked key is `key`, whoever signed it.
    fn revocations_of(&self, key: &PublicKey) -> Vec<SignedObject>;

    /// Log proofs of objects among `ids` (PROTOCOL.md §14, Log proofs):
    /// what the source knows of when they were witnessed. None by default.
    fn log_proofs(&self, ids: &BTreeSet<ObjectId>) -> Vec<LogProof> {
        let _ = ids;
        Vec::new()
    }
}

impl<S: AuditSource + ?Sized> AuditSource for &S {
    fn object(&self, id: &ObjectId) -> Option<SignedObject> {
        (**self).object(id)
    }
    fn referrers(&self, id: &ObjectId) -> Vec<SignedObject> {
        (**self).referrers(id)
    }
    fn revocations_of(&self, key: &PublicKey) -> Vec<SignedObject> {
        (**self).revocations_of(key)
    }
    fn log_proofs(&self, ids: &BTreeSet<ObjectId>) -> Vec<LogProof> {
        (**self).log_proofs(ids)
    }
}

/// A set of verified objects, deduplicated by id and indexed for
/// [`AuditSource`]: by id, by referenced id, and revocations by revoked key.
///
/// Iteration is in id order, so two sets holding the same objects behave
/// identically however they were filled.
#[derive(Debug, Clone, Default)]
pub struct ObjectSet {
    /// The objects, by id.
    objects: BTreeMap<ObjectId, SignedObject>,
    /// Referenced id → the objects referencing it (each once, cheap clones).
    referrers: BTreeMap<ObjectId, Vec<SignedObject>>,
    /// Revoked key → the revocations naming it.
    revocations: BTreeMap<PublicKey, Vec<SignedObject>>,
    /// Log proofs, as added.
    proofs: Vec<LogProof>,
}

impl ObjectSet {
    /// An empty set.
    pub fn new() -> ObjectSet {
        ObjectSet::default()
    }

    /// Adds `object`; returns `false` (and changes nothing) if an object
    /// with the same id is already present.
    pub fn insert(&mut self, object: SignedObject) -> bool {
        let id = object.id();
        if self.objects.contains_key(&id) {
            return false;
        }
        for referenced in object.body().references() {
            self.referrers
                .entry(referenced)
                .or_default()
                .push(object.clone());
        }
        if let Body::Revocation(r) = object.body() {
            self.revocations
                .entry(r.key)
                .or_default()
                .push(object.clone());
        }
        self.objects.insert(id, object);
        true
    }

    /// The object with this id.
    pub fn get(&self, id: &ObjectId) -> Option<&SignedObject> {
        self.objects.get(id)
    }

    /// Whether an object with this id is present.
    pub fn contains(&self, id: &ObjectId) -> bool {
        self.objects.contains_key(id)
    }

    /// Removes and returns the object with this id (indexes included).
    pub fn remove(&mut self, id: &ObjectId) -> Option<SignedObject> {
        let object = self.objects.remove(id)?;
        for referenced in object.body().references() {
            if let Some(list) = self.referrers.get_mut(&referenced) {
                list.retain(|r| r.id() != *id);
            }
        }
        if let Body::Revocation(r) = object.body() {
            if let Some(list) = self.revocations.get_mut(&r.key) {
                list.retain(|r| r.id() != *id);
            }
        }
        Some(object)
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The objects, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &SignedObject> + '_ {
        self.objects.values()
    }

    /// Adds a log proof (a bundle's, or one fetched from another node).
    pub fn insert_proof(&mut self, proof: LogProof) {
        self.proofs.push(proof);
    }

    /// The log proofs, as added.
    pub fn proofs(&self) -> &[LogProof] {
        &self.proofs
    }
}

impl FromIterator<SignedObject> for ObjectSet {
    fn from_iter<I: IntoIterator<Item = SignedObject>>(iter: I) -> ObjectSet {
        let mut set = ObjectSet::new();
        set.extend(iter);
        set
    }
}

impl Extend<SignedObject> for ObjectSet {
    fn extend<I: IntoIterator<Item = SignedObject>>(&mut self, iter: I) {
        for object in iter {
            self.insert(object);
        }
    }
}

impl AuditSource for ObjectSet {
    fn object(&self, id: &ObjectId) -> Option<SignedObject> {
        self.objects.get(id).cloned()
    }

    fn referrers(&self, id: &ObjectId) -> Vec<SignedObject> {
        self.referrers.get(id).cloned().unwrap_or_default()
    }

    fn revocations_of(&self, key: &PublicKey) -> Vec<SignedObject> {
        self.revocations.get(key).cloned().unwrap_or_default()
    }

    fn log_proofs(&self, ids: &BTreeSet<ObjectId>) -> Vec<LogProof> {
        self.proofs
            .iter()
            .filter_map(|p| p.restricted(ids))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Keypair;
    use crate::kinds::{Endorsement, Retraction, Revocation, Stance};

    const T0: u64 = 1_709_251_200_000;

    fn sign(body: Body, seed: u8) -> SignedObject {
        SignedObject::sign(body, &Keypair::from_seed(&[seed; 32])).expect("valid body")
    }

    #[test]
    fn indexes_referrers_and_revocations_and_deduplicates() {
        let key = Keypair::from_seed(&[1; 32]).public();
        let revocation = sign(
            Body::Revocation(Revocation {
                created_at: T0,
                key,
                effective_from: T0,
                reason: "lost".into(),
            }),
            1,
        );
        let endorsement = sign(
            Body::Endorsement(Endorsement {
                created_at: T0,
                target: revocation.id(),
                stance: Stance::Support,
                statement: None,
                on_behalf_of: None,
            }),
            2,
        );
        let retraction = sign(
            Body::Retraction(Retraction {
                created_at: T0 + 1,
                target: endorsement.id(),
                reason: "oops".into(),
            }),
            2,
        );
        let mut set: ObjectSet = [
            revocation.clone(),
            endorsement.clone(),
            retraction.clone(),
            endorsement.clone(),
        ]
        .into_iter()
        .collect();
        assert_eq!(set.len(), 3);
        assert_eq!(set.referrers(&revocation.id()), vec![endorsement.clone()]);
        assert_eq!(set.referrers(&endorsement.id()), vec![retraction.clone()]);
        assert_eq!(set.revocations_of(&key), vec![revocation.clone()]);
        assert!(set.referrers(&retraction.id()).is_empty());

        assert_eq!(set.remove(&endorsement.id()), Some(endorsement.clone()));
        assert!(set.referrers(&revocation.id()).is_empty());
        assert!(!set.insert(revocation));
        assert!(set.insert(endorsement));
    }
}
