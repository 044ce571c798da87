//! The toolkit an example is written with: people whose keys come from
//! fixed seeds, objects signed and recorded under readable names, and UTC
//! dates as constants.
//!
//! A key's seed is `SHA-256("baraza example <example> key <handle>")`, so
//! anyone can re-derive every key of an example from the handles listed in
//! its `keys.tsv`. These keys are public knowledge: they exist only to make
//! examples reproducible and must never sign anything real.

use std::collections::BTreeMap;

use anyhow::{anyhow, Context};
use baraza_protocol::{Body, Keypair, ObjectId, PublicKey, SignedObject};

/// Someone who signs in an example.
pub(crate) struct Person {
    /// Short stable name (a slug), from which the key is derived.
    pub(crate) handle: String,
    /// The part they play: `steward`, `nri`, `editor`, `stakeholder`, `unattested`.
    pub(crate) role: &'static str,
    /// How they are shown to readers.
    pub(crate) display: String,
    /// Their key pair (from the fixed seed).
    key: Keypair,
}

impl Person {
    /// The public key.
    pub(crate) fn public(&self) -> PublicKey {
        self.key.public()
    }
}

/// One signed object of an example, with the name it is written under.
pub(crate) struct Entry {
    /// A slug naming the object (`comment-whole-and-open-gov-ke`, …).
    pub(crate) name: String,
    /// The handle of its signer.
    pub(crate) signer: String,
    /// The object.
    pub(crate) object: SignedObject,
}

/// The objects and people of one example, in the order they were made.
pub(crate) struct Scenario {
    /// Which example: part of every key's seed.
    example: &'static str,
    /// People, in the order they were introduced.
    pub(crate) people: Vec<Person>,
    /// Objects, in the order they were signed.
    pub(crate) entries: Vec<Entry>,
    /// Name → object id, for references between objects.
    names: BTreeMap<String, ObjectId>,
    /// Handle → index in `people`.
    handles: BTreeMap<String, usize>,
}

impl Scenario {
    /// An empty scenario of `example`.
    pub(crate) fn new(example: &'static str) -> Scenario {
        Scenario {
            example,
            people: Vec::new(),
            entries: Vec::new(),
            names: BTreeMap::new(),
            handles: BTreeMap::new(),
        }
    }

    /// Introduces a person; their key is derived from `handle`.
    pub(crate) fn person(
        &mut self,
        handle: &str,
        role: &'static str,
        display: &str,
    ) -> anyhow::Result<PublicKey> {
        if self.handles.contains_key(handle) {
            return Err(anyhow!("example person {handle:?} introduced twice"));
        }
        let seed =
            ObjectId::of_bytes(format!("baraza example {} key {handle}", self.example).as_bytes());
        let key = Keypair::from_seed(seed.as_bytes());
        let public = key.public();
        self.handles.insert(handle.to_owned(), self.people.len());
        self.people.push(Person {
            handle: handle.to_owned(),
            role,
            display: display.to_owned(),
            key,
        });
        Ok(public)
    }

    /// The public key of `handle`.
    pub(crate) fn key(&self, handle: &str) -> anyhow::Result<PublicKey> {
        Ok(self.who(handle)?.public())
    }

    fn who(&self, handle: &str) -> anyhow::Result<&Person> {
        self.handles
            .get(handle)
            .map(|&i| &self.people[i])
            .ok_or_else(|| anyhow!("example person {handle:?} is not introduced"))
    }

    /// Signs `body` as `signer` and records it under `name`.
    pub(crate) fn sign(
        &mut self,
        name: &str,
        signer: &str,
        body: Body,
    ) -> anyhow::Result<ObjectId> {
        if self.names.contains_key(name) {
            return Err(anyhow!("example object {name:?} made twice"));
        }
        let object = SignedObject::sign(body, &self.who(signer)?.key)
            .with_context(|| format!("example object {name:?} is not a valid object"))?;
        let id = object.id();
        self.names.insert(name.to_owned(), id);
        self.entries.push(Entry {
            name: name.to_owned(),
            signer: signer.to_owned(),
            object,
        });
        Ok(id)
    }

    /// The id of the object recorded under `name`.
    pub(crate) fn id(&self, name: &str) -> anyhow::Result<ObjectId> {
        self.names
            .get(name)
            .copied()
            .ok_or_else(|| anyhow!("example object {name:?} is not made yet"))
    }
}

/// The UTC instant `y-m-d h:min`, in ms since the epoch (proleptic
/// Gregorian calendar; valid for years from 1970).
pub(crate) const fn utc(y: u64, m: u64, d: u64, h: u64, min: u64) -> u64 {
    // Days from 1970-01-01 (Howard Hinnant's days_from_civil, shifted so
    // that the year starts in March).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 24 + h) * 60 + min) * 60_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_matches_known_instants() {
        assert_eq!(utc(1970, 1, 1, 0, 0), 0);
        // 2024-02-01T00:00:00Z and 2024-03-01T12:30:00Z (a leap year).
        assert_eq!(utc(2024, 2, 1, 0, 0), 1_706_745_600_000);
        assert_eq!(utc(2024, 3, 1, 12, 30), 1_709_296_200_000);
    }

    #[test]
    fn keys_depend_on_example_and_handle_only() {
        let mut a = Scenario::new("one");
        let mut b = Scenario::new("one");
        let mut c = Scenario::new("two");
        let ka = a.person("x", "nri", "X").expect("new");
        assert_eq!(ka, b.person("x", "nri", "Also X").expect("new"));
        assert_ne!(ka, c.person("x", "nri", "X").expect("new"));
        assert!(a.person("x", "nri", "X").is_err());
    }
}
