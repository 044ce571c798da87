//! The provenance and signers trees of the audit report.

use std::collections::BTreeMap;
use std::io::{self, Write};

use baraza_protocol::audit::{AuditReport, Chain, ChainReason, ChainRole, NotCountedReason};
use baraza_protocol::{Kind, ObjectId};

use crate::time::date_utc;

use super::layout::*;
use super::*;

pub(super) fn write_provenance(
    out: &mut impl Write,
    report: &AuditReport,
    sections: &Sections,
) -> io::Result<()> {
    heading(
        out,
        "PROVENANCE",
        "✓/✗: the signer's chain to a steward held when it signed",
    )?;
    let target = &report.target;
    let mut chains: Vec<_> = report.drafts.iter().collect();
    chains.sort_by_key(|c| (sections.order(&c.section), c.head));
    let mut leaves: Vec<Tree> = chains
        .into_iter()
        .map(|chain| {
            let versions: Vec<String> = chain
                .versions
                .iter()
                .map(|s| format!("v{}", s.version))
                .collect();
            let mut label = format!("{} {}", sections.name(&chain.section), versions.join(" → "));
            if !chain.complete {
                label.push_str("  (incomplete: does not reach v1)");
            }
            let steps = chain
                .versions
                .iter()
                .map(|step| {
                    let mut line = format!(
                        "v{} {}  {}  editor {}  {}  {}",
                        step.version,
                        step.draft.short(),
                        date_utc(step.created_at),
                        did(&step.editor),
                        plural(
                            usize::try_from(step.dispositions).unwrap_or(usize::MAX),
                            "disposition"
                        ),
                        mark(step.editor_held)
                    );
                    if let Some(why) = report.trust.chains.get(&step.draft).and_then(failure) {
                        line.push_str(&format!(" {why}"));
                    }
                    Tree::leaf(line)
                })
                .collect();
            Tree::new(label, steps)
        })
        .collect();
    if let Some(charter) = &report.charter {
        if target.id != charter.id {
            let force = if charter.in_force {
                "in force"
            } else {
                "NOT in force"
            };
            leaves.push(Tree::leaf(format!(
                "charter {} \"{}\"  {}  {force}{}",
                charter.id.short(),
                clean(&charter.title, 50),
                date_utc(charter.created_at),
                signed_mark(report, &charter.id)
            )));
        }
    } else if let Some(id) = target.charter {
        leaves.push(Tree::leaf(format!(
            "charter {} (not present) ✗",
            id.short()
        )));
    }
    // From the object naming the charter back up to the target.
    let mut node = None;
    for id in target.path.iter().skip(1).rev() {
        let children = node.map_or_else(|| std::mem::take(&mut leaves), |n| vec![n]);
        node = Some(Tree::new(
            format!(
                "{} {}{}",
                refers(report, id),
                id.short(),
                signed_mark(report, id)
            ),
            children,
        ));
    }
    let children = node.map_or(leaves, |n| vec![n]);
    let mut root = describe_target(report);
    if let Some(label) = &target.label {
        root.push_str(&format!(" \"{}\"", clean(label, 32)));
    }
    if let Some(at) = target.created_at {
        root.push_str(&format!("  {}", date_utc(at)));
    }
    if let Some(author) = &target.author {
        root.push_str(&format!("  by {}", did(author)));
    }
    root.push_str(&signed_mark(report, &target.id));
    write_tree(out, &Tree::new(root, children))
}

/// How the path names `id`: what the object before it does to it.
pub(super) fn refers(report: &AuditReport, id: &ObjectId) -> &'static str {
    let first_hop = report.target.path.get(1) == Some(id);
    match report.target.kind {
        Some(Kind::Endorsement) if first_hop => "endorses",
        Some(Kind::Retraction) if first_hop => "retracts",
        _ => "refers to",
    }
}

pub(super) fn write_signers(
    out: &mut impl Write,
    report: &AuditReport,
    sections: &Sections,
) -> io::Result<()> {
    let trust = &report.trust;
    heading(
        out,
        "SIGNERS",
        &format!(
            "{} of {} signed objects held a chain to a steward; {} signers",
            trust.held, trust.evaluated, trust.signers
        ),
    )?;
    let mut trie = Trie::default();
    let mut add = |id: &ObjectId, note: Note| {
        if let Some(chain) = trust.chains.get(id) {
            trie.insert(chain, note);
        }
    };
    let kind = report.target.kind.map_or("object", |k| k.as_str());
    add(&report.target.id, Note::new(format!("signed this {kind}")));
    for id in report.target.path.iter().skip(1) {
        add(id, Note::new(format!("signed {}", id.short())));
    }
    if let Some(charter) = &report.charter {
        if charter.id != report.target.id {
            add(&charter.id, Note::new("charter author".into()));
        }
        for ratification in &charter.ratifications {
            add(
                &ratification.endorsement,
                Note::new("ratified the charter".into()),
            );
        }
    }
    for chain in &report.drafts {
        for step in &chain.versions {
            let what = format!("drafted {}", sections.number(&chain.section));
            add(&step.draft, Note::versions(what, step.version));
        }
    }
    if let Some(endorsements) = &report.endorsements {
        for e in &endorsements.supporters {
            add(&e.endorsement, Note::new("support".into()));
        }
        for e in &endorsements.objectors {
            add(&e.endorsement, Note::new("objection".into()));
        }
        for e in &endorsements.not_counted {
            let why = match e.reason {
                NotCountedReason::Superseded => "superseded",
                NotCountedReason::Retracted => "retracted",
                NotCountedReason::ChainNotHeld => "chain not held",
            };
            let note = format!("{}, not counted ({why})", stance(e.stance));
            add(&e.endorsement, Note::new(note));
        }
    }
    if trie.children.is_empty() {
        return writeln!(out, "  (no signer chains were evaluated)");
    }
    for root in trie.into_trees() {
        write_tree(out, &root)?;
    }
    Ok(())
}

/// One link of a chain, as a tree label: `NRI did:key:…yAbM7q (african) ✓`.
pub(super) fn link_label(chain: &Chain) -> String {
    let role = chain.role.map(role_name).unwrap_or_default();
    let mut about: Vec<String> = Vec::new();
    if let Some(group) = &chain.group {
        about.push(clean(&group.as_str(), 40));
    }
    if let Some(section) = &chain.section {
        about.push(clean(section, 40));
    }
    if let Some(region) = chain.region {
        about.push(region.as_str().to_owned());
    }
    let about = if about.is_empty() {
        String::new()
    } else {
        format!(" ({})", about.join(", "))
    };
    let signer = format!(
        "{} {}{about} {}",
        role,
        did(&chain.signer),
        mark(chain.held)
    );
    let mut label = signer.trim_start().to_owned();
    if let Some(why) = failure(chain) {
        label.push_str(&format!(" {why}"));
    }
    label
}

/// Why a link does not hold, when it is this link that broke.
pub(super) fn failure(chain: &Chain) -> Option<String> {
    let reason = chain.reason?;
    let text = match reason {
        ChainReason::NoAttestation => "no attestation of the needed role".to_owned(),
        ChainReason::WrongRole => "holds a role, but not the one it needed".to_owned(),
        ChainReason::Expired => match chain.expires_at {
            Some(at) => format!("attestation expired {}", date_utc(at)),
            None => "attestation expired".to_owned(),
        },
        ChainReason::Retracted => "attestation retracted".to_owned(),
        ChainReason::SignerRevoked => "key revoked".to_owned(),
        ChainReason::IssuerRevoked => "issuer's key revoked".to_owned(),
        ChainReason::IssuerNotAccredited => "issuer not accredited when it attested".to_owned(),
    };
    Some(match chain.evidence {
        Some(evidence) => format!("({text}: {})", evidence.short()),
        None => format!("({text})"),
    })
}

/// Chains merged by their links from the root (a steward, or a signer
/// with no chain at all) down, so that shared links are drawn once.
#[derive(Default)]
pub(super) struct Trie {
    children: BTreeMap<(ChainRank, String), Trie>,
    notes: Vec<Note>,
}

/// What a signer signed, as the tree notes it: `support`, or `drafted §4`
/// with the versions `v2, v1` merged into one note.
#[derive(PartialEq)]
pub(super) struct Note {
    what: String,
    versions: Vec<u32>,
}

impl Note {
    fn new(what: String) -> Note {
        Note {
            what,
            versions: Vec::new(),
        }
    }

    fn versions(what: String, version: u32) -> Note {
        Note {
            what,
            versions: vec![version],
        }
    }

    fn render(&self) -> String {
        let versions: Vec<String> = self.versions.iter().map(|v| format!("v{v}")).collect();
        if versions.is_empty() {
            self.what.clone()
        } else {
            format!("{} {}", self.what, versions.join(", "))
        }
    }
}

/// Orders siblings: stewards, NRIs, editors, stakeholders, witnesses, then signers without a role.
pub(super) type ChainRank = u8;

pub(super) fn rank(role: Option<ChainRole>) -> ChainRank {
    match role {
        Some(ChainRole::Steward) => 0,
        Some(ChainRole::Nri) => 1,
        Some(ChainRole::Editor) => 2,
        Some(ChainRole::Stakeholder) => 3,
        Some(ChainRole::Witness) => 4,
        None => 5,
    }
}

impl Trie {
    fn insert(&mut self, chain: &Chain, note: Note) {
        let mut links = Vec::new();
        let mut link = Some(chain);
        while let Some(c) = link {
            links.push(c);
            link = c.issuer.as_deref();
        }
        let mut node = self;
        for c in links.into_iter().rev() {
            node = node
                .children
                .entry((rank(c.role), link_label(c)))
                .or_default();
        }
        match node.notes.iter_mut().find(|n| n.what == note.what) {
            Some(same) => {
                for v in note.versions {
                    if !same.versions.contains(&v) {
                        same.versions.push(v);
                    }
                }
            }
            None => node.notes.push(note),
        }
    }

    fn into_trees(self) -> Vec<Tree> {
        let total = self.children.len();
        let mut trees: Vec<Tree> = self
            .children
            .into_iter()
            .take(MAX_CHILDREN)
            .map(|((_, label), node)| {
                let label = if node.notes.is_empty() {
                    label
                } else {
                    let notes: Vec<String> = node.notes.iter().map(Note::render).collect();
                    format!("{label}  · {}", notes.join("; "))
                };
                Tree::new(label, node.into_trees())
            })
            .collect();
        if total > MAX_CHILDREN {
            trees.push(Tree::leaf(format!("… and {} more", total - MAX_CHILDREN)));
        }
        trees
    }
}

/// A labelled tree, drawn with box-drawing characters.
pub(super) struct Tree {
    label: String,
    children: Vec<Tree>,
}

impl Tree {
    fn new(label: String, children: Vec<Tree>) -> Tree {
        Tree { label, children }
    }

    fn leaf(label: String) -> Tree {
        Tree::new(label, Vec::new())
    }
}

pub(super) fn write_tree(out: &mut impl Write, tree: &Tree) -> io::Result<()> {
    writeln!(out, "{}", tree.label)?;
    write_branches(out, &tree.children, "")
}

pub(super) fn write_branches(
    out: &mut impl Write,
    children: &[Tree],
    prefix: &str,
) -> io::Result<()> {
    for (i, child) in children.iter().enumerate() {
        let last = i + 1 == children.len();
        let (branch, indent) = if last {
            ("└── ", "    ")
        } else {
            ("├── ", "│   ")
        };
        writeln!(out, "{prefix}{branch}{}", child.label)?;
        write_branches(out, &child.children, &format!("{prefix}{indent}"))?;
    }
    Ok(())
}

// ---- 3. coverage --------------------------------------------------------------
