//! Collecting everything a report depends on, and nothing else.
//!
//! The evaluator never looks at the source directly: it first gathers a
//! closed set of objects and then evaluates that set alone. A bundle is that
//! same set. Gathering is a fixpoint of monotone rules whose conditions only
//! look at gathered objects, so gathering again from the gathered set yields
//! the same set — which is why an auditor holding only the bundle computes
//! byte for byte the report the node computed from its whole store.
//!
//! The rules, for a target `T` resolving to charter `C`:
//!
//! 1. `T`, and the objects it stands on: for an endorsement or a retraction,
//!    its target, recursively, until an object naming a charter.
//! 2. `C`; the endorsements of `C` by its stewards (ratification); every
//!    comment and draft of `C` on a section of interest (the release's
//!    sections, the draft's or comment's section, all sections for a
//!    charter target).
//! 3. Every reference of a gathered object (missing ones are recorded as
//!    dangling), every retraction of a gathered object (but of profiles,
//!    retractions and revocations, which cannot be retracted), every
//!    endorsement of `T` and of the gathered comments and drafts of the
//!    sections of interest.
//! 4. For the signer of every gathered object (retractions and revocations
//!    excepted: they are judged against the target's author): every
//!    attestation of that key under `C`, and every revocation of that key.
//!    Attestation issuers are signers too, so chains are gathered whole.
//! 5. Every key with a `witness` attestation under `C`, as in rule 4: its
//!    attestations and revocations (log proofs name witnesses by key, and
//!    the audit needs whom each one witnessed for).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use super::index::retractable;
use super::source::AuditSource;
use crate::ids::{ObjectId, PublicKey};
use crate::kinds::{Body, Role};
use crate::limits::MAX_TARGET_HOPS;
use crate::object::SignedObject;

/// The objects a report depends on.
#[derive(Debug, Clone)]
pub(crate) struct Gathered {
    /// The audited object's id.
    pub(crate) target: ObjectId,
    /// From the target down to the object that names the charter (the
    /// target itself first). Empty when the target is missing.
    pub(crate) path: Vec<ObjectId>,
    /// The charter the target resolves to, if any (it may be missing).
    pub(crate) charter: Option<ObjectId>,
    /// Sections whose comments, drafts and participation are in the report.
    pub(crate) sections: BTreeSet<String>,
    /// Every gathered object, by id. A hash map for speed: everything
    /// derived from it is sorted before it reaches a report or a bundle.
    pub(crate) objects: HashMap<ObjectId, SignedObject>,
    /// Referenced ids the source does not have → the objects referencing them.
    pub(crate) missing: BTreeMap<ObjectId, BTreeSet<ObjectId>>,
}

/// Gathers the dependency set of `target` from `source`.
pub(crate) fn gather<S: AuditSource + ?Sized>(source: &S, target: &ObjectId) -> Gathered {
    let mut g = Gatherer {
        source,
        out: Gathered {
            target: *target,
            path: Vec::new(),
            charter: None,
            sections: BTreeSet::new(),
            objects: HashMap::new(),
            missing: BTreeMap::new(),
        },
        queue: VecDeque::new(),
        attestations: HashMap::new(),
        keys: HashSet::new(),
        endorsed: HashSet::new(),
    };
    match source.object(target) {
        Some(object) => g.run(object),
        None => {
            g.out.missing.insert(*target, BTreeSet::new());
        }
    }
    g.out
}

struct Gatherer<'s, S: ?Sized> {
    source: &'s S,
    out: Gathered,
    /// Gathered objects whose references, referrers and signer are still to be followed.
    queue: VecDeque<SignedObject>,
    /// Attestations under the charter, by subject (gathered only when the subject is relevant).
    attestations: HashMap<PublicKey, Vec<SignedObject>>,
    /// Keys whose attestations and revocations have been gathered.
    keys: HashSet<PublicKey>,
    /// Objects whose endorsements belong in the report.
    endorsed: HashSet<ObjectId>,
}

impl<S: AuditSource + ?Sized> Gatherer<'_, S> {
    fn run(&mut self, target: SignedObject) {
        self.endorsed.insert(target.id());
        let subject = self.walk_to_charter(target);
        let charter = self
            .out
            .charter
            .and_then(|id| self.fetch(&id, subject.id()));
        if let Some(charter) = charter {
            let slugs: Vec<String> = match charter.body() {
                Body::Charter(c) => c.sections.iter().map(|s| s.slug.clone()).collect(),
                _ => Vec::new(),
            };
            self.out.sections = sections_of(&subject, &slugs);
            self.add(charter.clone());
            self.scan_charter(&charter);
        }
        while let Some(object) = self.queue.pop_front() {
            self.follow(&object);
        }
    }

    /// Follows endorsement and retraction targets from the target to the
    /// object that names a charter; records the path. Returns the last object.
    fn walk_to_charter(&mut self, target: SignedObject) -> SignedObject {
        let mut current = target;
        for _ in 0..=MAX_TARGET_HOPS {
            self.out.path.push(current.id());
            self.add(current.clone());
            let next = match current.body() {
                Body::Endorsement(e) => e.target,
                Body::Retraction(r) => r.target,
                Body::Charter(_) => {
                    self.out.charter = Some(current.id());
                    return current;
                }
                Body::Attestation(a) => return self.named(a.charter, current),
                Body::Comment(c) => return self.named(c.charter, current),
                Body::Draft(d) => return self.named(d.charter, current),
                Body::Release(r) => return self.named(r.charter, current),
                Body::Profile(_) | Body::Revocation(_) => return current,
            };
            match self.fetch(&next, current.id()) {
                Some(object) => current = object,
                None => return current,
            }
        }
        current
    }

    fn named(&mut self, charter: ObjectId, object: SignedObject) -> SignedObject {
        self.out.charter = Some(charter);
        object
    }

    /// One pass over everything referencing the charter: attestations (kept
    /// aside until their subject turns out to matter), the comments and
    /// drafts of the sections of interest, ratifications and retractions.
    fn scan_charter(&mut self, charter: &SignedObject) {
        let Body::Charter(body) = charter.body() else {
            return;
        };
        let id = charter.id();
        let mut witnesses = Vec::new();
        for object in self.source.referrers(&id) {
            match object.body() {
                Body::Attestation(a) if a.charter == id => {
                    if a.role == Role::Witness {
                        witnesses.push(a.subject);
                    }
                    self.attestations.entry(a.subject).or_default().push(object);
                }
                Body::Comment(c) if c.charter == id && self.out.sections.contains(&c.section) => {
                    self.endorsed.insert(object.id());
                    self.add(object);
                }
                Body::Draft(d) if d.charter == id && self.out.sections.contains(&d.section) => {
                    self.endorsed.insert(object.id());
                    self.add(object);
                }
                Body::Endorsement(e)
                    if e.target == id
                        && (self.endorsed.contains(&id)
                            || body.stewards.contains(&object.author())) =>
                {
                    self.add(object)
                }
                Body::Retraction(r) if r.target == id => self.add(object),
                _ => {}
            }
        }
        for key in witnesses {
            self.add_key(key);
        }
    }

    fn follow(&mut self, object: &SignedObject) {
        let id = object.id();
        each_reference(object.body(), |reference| {
            if !self.out.objects.contains_key(&reference) {
                if let Some(found) = self.fetch(&reference, id) {
                    self.add(found);
                }
            }
        });
        let endorsed = self.endorsed.contains(&id);
        let retractable = retractable(object);
        if Some(id) != self.out.charter && (endorsed || retractable) {
            for referrer in self.source.referrers(&id) {
                match referrer.body() {
                    Body::Retraction(r) if retractable && r.target == id => self.add(referrer),
                    Body::Endorsement(e) if endorsed && e.target == id => self.add(referrer),
                    _ => {}
                }
            }
        }
        match object.body() {
            Body::Retraction(_) | Body::Revocation(_) | Body::Profile(_) => {}
            _ => self.add_key(object.author()),
        }
    }

    fn add_key(&mut self, key: PublicKey) {
        if !self.keys.insert(key) {
            return;
        }
        for attestation in self.attestations.remove(&key).unwrap_or_default() {
            self.add(attestation);
        }
        for revocation in self.source.revocations_of(&key) {
            if matches!(revocation.body(), Body::Revocation(r) if r.key == key) {
                self.add(revocation);
            }
        }
    }

    /// The object `id` referenced by `referrer`, recording it as missing if
    /// the source lacks it (or answers with another object).
    fn fetch(&mut self, id: &ObjectId, referrer: ObjectId) -> Option<SignedObject> {
        if let Some(found) = self.out.objects.get(id) {
            return Some(found.clone());
        }
        if let Some(referrers) = self.out.missing.get_mut(id) {
            referrers.insert(referrer);
            return None;
        }
        match self.source.object(id).filter(|o| o.id() == *id) {
            Some(object) => Some(object),
            None => {
                self.out.missing.entry(*id).or_default().insert(referrer);
                None
            }
        }
    }

    fn add(&mut self, object: SignedObject) {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.out.objects.entry(object.id())
        {
            slot.insert(object.clone());
            self.queue.push_back(object);
        }
    }
}

/// Calls `f` with every id `body` references, as [`Body::references`] lists
/// them but without allocating (an id may come twice).
pub(crate) fn each_reference(body: &Body, mut f: impl FnMut(ObjectId)) {
    match body {
        Body::Charter(_) | Body::Profile(_) | Body::Revocation(_) => {}
        Body::Attestation(a) => f(a.charter),
        Body::Comment(c) => {
            f(c.charter);
            c.draft.into_iter().chain(c.in_reply_to).for_each(f);
        }
        Body::Endorsement(e) => f(e.target),
        Body::Draft(d) => {
            f(d.charter);
            d.parent.into_iter().for_each(&mut f);
            d.dispositions.iter().for_each(|x| f(x.comment));
        }
        Body::Release(r) => {
            f(r.charter);
            r.drafts.iter().for_each(|x| f(x.draft));
        }
        Body::Retraction(r) => f(r.target),
    }
}

/// The sections of interest for the object a target stands on.
fn sections_of(subject: &SignedObject, charter_sections: &[String]) -> BTreeSet<String> {
    match subject.body() {
        Body::Release(r) => r.drafts.iter().map(|d| d.section.clone()).collect(),
        Body::Draft(d) => BTreeSet::from([d.section.clone()]),
        Body::Comment(c) => BTreeSet::from([c.section.clone()]),
        Body::Charter(_) => charter_sections.iter().cloned().collect(),
        _ => BTreeSet::new(),
    }
}
