//! The objects the benchmark submits: one charter, and comments on it by
//! many authors, all signed on every core before any timing starts.
//!
//! Comments reference only the charter (no drafts, no replies), so once the
//! charter is stored every comment is stored at once rather than waiting in
//! the pending set.

use std::ops::Range;

use baraza_protocol::kinds::{Comment, StakeholderGroup};
use baraza_protocol::{Body, Keypair, Kind, ObjectId, SignedObject};
use baraza_testkit::fixtures::{CharterBuilder, DAY, FEB_2024 as T0};
use baraza_testkit::keys;

/// Distinct comment authors: a busy consultation has many stakeholders, so
/// no per-author effect (index locality, key caching) flatters the numbers.
pub(crate) const AUTHORS: usize = 1024;
/// The charter's sections; comments are spread over them.
pub(crate) const SECTIONS: [&str; 4] = [
    "whole-and-open",
    "safe-and-secure",
    "rights-respecting",
    "universal-access",
];

/// Sentences that comment texts are assembled from.
const SENTENCES: [&str; 8] = [
    "The draft target on rural connectivity should name a measurable baseline year.",
    "Community networks need licence exemptions for spectrum below 6 GHz.",
    "We support the indicator on affordability but ask that it use 1 GB of mobile data.",
    "Please add county-level disaggregation so that progress outside Nairobi is visible.",
    "Public access points in libraries and schools deserve their own target.",
    "Data protection obligations must apply equally to public and private operators.",
    "The timeline for the universal service fund review is too short for consultation.",
    "Women's participation in ICT careers should be reported every year, not every five.",
];

/// How much text a comment carries.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TextSize {
    /// Five sentences, ~400 bytes of text (~700-byte object), like the
    /// verify benchmark's comment: a typical consultation response.
    Typical,
    /// One sentence, ~80 bytes of text (~370-byte object): for filling a
    /// large store quickly.
    Small,
}

fn steward() -> Keypair {
    keys::key(0xb1)
}

/// The deterministic key of comment author `n`.
fn author(n: usize) -> Keypair {
    keys::numbered(0xa5, n as u64)
}

/// The consultation every comment belongs to.
pub(crate) fn charter() -> SignedObject {
    let builder = SECTIONS
        .iter()
        .fold(CharterBuilder::new(T0 - 30 * DAY), |b, slug| {
            b.section(slug, &slug.replace('-', " "))
        });
    builder
        .phase(
            "consultation",
            T0 - 30 * DAY,
            T0 + 365 * DAY,
            &[Kind::Comment],
        )
        .steward(steward().public())
        .policy(1, 1, &[StakeholderGroup::CivilSociety])
        .languages(&["en", "fr", "sw"])
        .sign(&steward())
}

/// Comment number `n` on `charter`. Distinct `n` give distinct objects.
fn comment(charter: ObjectId, n: u64, size: TextSize) -> Body {
    let i = n as usize;
    let text = match size {
        TextSize::Typical => (0..5)
            .map(|k| SENTENCES[(i + k * 3) % SENTENCES.len()])
            .collect::<Vec<_>>()
            .join(" "),
        TextSize::Small => SENTENCES[i % SENTENCES.len()].to_owned(),
    };
    Body::Comment(Comment {
        created_at: T0 + n,
        charter,
        section: SECTIONS[i % SECTIONS.len()].into(),
        draft: None,
        anchor: None,
        in_reply_to: None,
        language: ["en", "fr", "sw"][i % 3].into(),
        text: format!("{text} (response {n})"),
    })
}

/// Signs comments numbered `range` on `charter`, in order, using every core.
pub(crate) fn sign_comments(
    charter: ObjectId,
    range: Range<u64>,
    size: TextSize,
) -> Vec<SignedObject> {
    let keys: Vec<Keypair> = (0..AUTHORS).map(author).collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let total = (range.end - range.start) as usize;
    let per_thread = total.div_ceil(threads).max(1);
    let numbers: Vec<u64> = range.collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = numbers
            .chunks(per_thread)
            .map(|chunk| {
                let keys = &keys;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|&n| {
                            let key = &keys[n as usize % AUTHORS];
                            SignedObject::sign(comment(charter, n, size), key)
                                .expect("bench comments are valid")
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a signing thread panicked"))
            .collect()
    })
}

/// Concatenates objects into `application/cbor-seq` bodies of `per_body` objects.
pub(crate) fn cbor_seq_bodies(objects: &[SignedObject], per_body: usize) -> Vec<Vec<u8>> {
    objects
        .chunks(per_body)
        .map(|chunk| {
            let mut body = Vec::with_capacity(chunk.iter().map(|o| o.bytes().len()).sum());
            for object in chunk {
                body.extend_from_slice(object.bytes());
            }
            body
        })
        .collect()
}
