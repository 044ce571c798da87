//! Endorsements of the release at IGF 2024 in Riyadh (15–19 December),
//! which decide whether the charter's policy is met: at least 5 NRIs, all
//! 5 UN regional groups, and a supporting stakeholder from each of seven
//! groups.
//!
//! - `policy-met`: the three stewards, all seven NRIs and eleven
//!   stakeholders support. One private-sector stakeholder objects, then
//!   changes to support (only the latest counts); one civil-society
//!   stakeholder keeps an objection; an unattested guest's support is not
//!   counted.
//! - `policy-not-met`: the same consultation, but only NRIs and
//!   stakeholders of three regions support (no Eastern European or Latin
//!   American and Caribbean support) and the youth stakeholder who takes
//!   part objects, so no youth stakeholder supports it.

use baraza_protocol::kinds::{Endorsement, Stance};
use baraza_protocol::Body;

use super::people::NRIS;
use super::Variant;
use crate::example::scenario::{utc, Scenario};

/// In which variants an endorsement is made.
#[derive(Clone, Copy, PartialEq, Eq)]
enum In {
    Both,
    MetOnly,
    NotMetOnly,
}

impl In {
    fn includes(self, variant: Variant) -> bool {
        match self {
            In::Both => true,
            In::MetOnly => variant == Variant::PolicyMet,
            In::NotMetOnly => variant == Variant::PolicyNotMet,
        }
    }
}

/// One endorsement of the release. Its object is named
/// `endorse-release-<endorser>` (plus `-<suffix>` when given).
struct Endorse {
    endorser: &'static str,
    suffix: &'static str,
    stance: Stance,
    at: u64,
    statement: Option<&'static str>,
    on_behalf_of: Option<&'static str>,
    variants: In,
}

const fn support(endorser: &'static str, at: u64, variants: In) -> Endorse {
    Endorse {
        endorser,
        suffix: "",
        stance: Stance::Support,
        at,
        statement: None,
        on_behalf_of: None,
        variants,
    }
}

const fn day(d: u64, h: u64, min: u64) -> u64 {
    utc(2024, 12, d, h, min)
}

/// Stakeholders' and stewards' endorsements; NRIs' are made from [`NRIS`].
const ENDORSEMENTS: [Endorse; 20] = [
    support("steward-amara", day(15, 9, 0), In::Both),
    support("steward-henrik", day(15, 9, 10), In::Both),
    support("steward-rosa", day(15, 9, 20), In::Both),
    Endorse {
        on_behalf_of: Some("Ministry of ICT and Digital Economy (fictional office)"),
        ..support("gov-ke", day(16, 12, 0), In::Both)
    },
    support("cs-ke", day(16, 12, 30), In::Both),
    Endorse {
        suffix: "objection",
        stance: Stance::Object,
        statement: Some(
            "Target 2.1 of whole-and-open could be read as licensing new regulation of \
             networks.",
        ),
        ..support("ps-ng", day(16, 14, 0), In::MetOnly)
    },
    Endorse {
        statement: Some(
            "After the session of 17 December and the working group's clarification of \
             target 2.1: support.",
        ),
        ..support("ps-ng", day(18, 16, 0), In::MetOnly)
    },
    support("ps-ng", day(16, 14, 0), In::NotMetOnly),
    support("tc-br", day(16, 15, 0), In::MetOnly),
    Endorse {
        statement: Some("Juventude Conectada apoia o marco."),
        ..support("youth-br", day(16, 15, 30), In::MetOnly)
    },
    support("ac-de", day(17, 9, 15), In::Both),
    Endorse {
        on_behalf_of: Some("Digital Cooperation Liaison Office (fictional)"),
        ..support("igo-de", day(17, 9, 45), In::Both)
    },
    support("parl-am", day(17, 10, 30), In::MetOnly),
    Endorse {
        stance: Stance::Object,
        statement: Some(
            "Target 1.1 of rights-respecting should commit to ending arbitrary shutdowns, not \
             only to reducing them.",
        ),
        ..support("cs-am", day(17, 11, 0), In::MetOnly)
    },
    support("youth-bd", day(17, 13, 0), In::MetOnly),
    Endorse {
        stance: Stance::Object,
        statement: Some(
            "The youth targets are too weak: target 2.2 of universal-and-inclusive should bind \
             every NRI, and no youth group from our region was heard at the session.",
        ),
        ..support("youth-bd", day(17, 13, 0), In::NotMetOnly)
    },
    support("tc-sg", day(17, 14, 0), In::Both),
    support("ps-sa", day(17, 16, 0), In::Both),
    support("other-ws", day(18, 8, 0), In::Both),
    Endorse {
        statement: Some("Je soutiens ce cadre."),
        ..support("guest-pierre", day(18, 10, 0), In::Both)
    },
];

/// NRIs that support the release in the `policy-not-met` variant (all
/// support it in `policy-met`).
const NRIS_NOT_MET: [&str; 5] = [
    "kenya-igf",
    "nigeria-igf",
    "germany-igf",
    "bangladesh-igf",
    "aprigf",
];

/// Signs the release's endorsements for `variant`.
pub(super) fn endorse_release(s: &mut Scenario, variant: Variant) -> anyhow::Result<()> {
    let release = s.id("release")?;
    let mut all: Vec<Endorse> = Vec::new();
    for (i, nri) in NRIS.iter().enumerate() {
        let variants = if NRIS_NOT_MET.contains(&nri.handle) {
            In::Both
        } else {
            In::MetOnly
        };
        all.push(Endorse {
            statement: Some("Endorsed by our multistakeholder organising committee."),
            on_behalf_of: Some(nri.name),
            ..support(nri.handle, day(16, 10, 5 * i as u64), variants)
        });
    }
    all.extend(ENDORSEMENTS);
    for e in all.iter().filter(|e| e.variants.includes(variant)) {
        let body = Endorsement {
            created_at: e.at,
            target: release,
            stance: e.stance,
            statement: e.statement.map(str::to_owned),
            on_behalf_of: e.on_behalf_of.map(str::to_owned),
        };
        let name = match e.suffix {
            "" => format!("endorse-release-{}", e.endorser),
            suffix => format!("endorse-release-{}-{suffix}", e.endorser),
        };
        s.sign(&name, e.endorser, Body::Endorsement(body))?;
    }
    Ok(())
}

#[cfg(test)]
pub(super) fn dump_data() -> super::data::EndorsementsData {
    use super::data::*;
    let dt = |ms: u64| -> toml::value::Datetime { crate::time::iso8601_utc(ms).replace(".000Z", "Z").parse().expect("dt") };
    EndorsementsData {
        nri_statement: "Endorsed by our multistakeholder organising committee.".into(),
        nris_from: dt(day(16, 10, 0)),
        nris_not_met: NRIS_NOT_MET.iter().map(|x| x.to_string()).collect(),
        endorsements: ENDORSEMENTS.iter().map(|e| EndorseData {
            endorser: e.endorser.into(),
            suffix: (!e.suffix.is_empty()).then(|| e.suffix.to_owned()),
            stance: e.stance,
            at: dt(e.at),
            statement: e.statement.map(str::to_owned),
            on_behalf_of: e.on_behalf_of.map(str::to_owned),
            variants: match e.variants { In::Both => super::data::In::Both, In::MetOnly => super::data::In::PolicyMet, In::NotMetOnly => super::data::In::PolicyNotMet },
        }).collect(),
    }
}
