//! Temporary: writes the data files from the old tables.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::data::*;
use super::*;
use crate::example::scenario::utc;

fn dt(ms: u64) -> toml::value::Datetime {
    crate::time::iso8601_utc(ms).replace(".000Z", "Z").parse().unwrap()
}

fn s(x: &str) -> String {
    x.to_owned()
}

#[test]
#[ignore]
fn dump() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/source/iww-2024");
    let people = People {
        attestations_expire: dt(utc(2026, 1, 1, 0, 0)),
        stewards: people::STEWARDS.iter().map(|x| Steward { handle: s(x.handle), name: s(x.name), country: s(x.country) }).collect(),
        nris: people::NRIS.iter().map(|x| Nri { handle: s(x.handle), name: s(x.name), country: x.country.map(s), region: x.region, steward: s(people::STEWARDS[x.steward].handle) }).collect(),
        editors: people::EDITORS.iter().map(|x| Editor { section: s(x.section), name: s(x.name), group: x.group.parse().unwrap(), country: s(x.country), steward: s(people::STEWARDS[x.steward].handle) }).collect(),
        stakeholders: people::STAKEHOLDERS.iter().map(|x| Stakeholder { handle: s(x.handle), name: s(x.name), group: x.group.parse().unwrap(), organisation: s(x.organisation), country: s(x.country), nri: s(x.nri), languages: x.languages.iter().map(|l| s(l)).collect() }).collect(),
        unattested: people::UNATTESTED.iter().map(|(h, n)| Unattested { handle: s(h), name: s(n) }).collect(),
    };
    std::fs::write(dir.join("people.toml"), toml::to_string_pretty(&people).unwrap()).unwrap();
    let comments = CommentsData {
        retraction: RetractionData { comment: s(comments::RETRACTED), at: dt(utc(2024, 2, 6, 8, 0)), reason: s("Posted under the wrong section; re-posted under rights-respecting.") },
        comments: comments::COMMENTS.iter().map(|c| CommentData { name: s(c.name), author: s(c.author), section: s(c.section), at: dt(c.at), language: s(c.language), reply_to: c.reply_to.map(s), anchor: c.anchor.map(s), text: s(c.text) }).collect(),
        support: comments::SUPPORT.iter().map(|(e, c, at)| Support { endorser: s(e), comment: s(c), at: dt(*at) }).collect(),
    };
    std::fs::write(dir.join("comments.toml"), toml::to_string_pretty(&comments).unwrap()).unwrap();
    for (v, texts) in [(1, &drafts_v1::DRAFTS[..]), (2, &drafts_v2::DRAFTS[..])] {
        let d = DraftsData {
            drafts: texts.iter().map(|d| DraftData {
                section: s(d.section), at: dt(d.at), text: s(d.text),
                goals: d.goals.iter().map(|g| GoalData { id: s(g.id), title: s(g.title), targets: g.targets.iter().map(|t| TargetData { id: s(t.id), text: s(t.text), indicators: t.indicators.iter().map(|(i, x, u)| IndicatorData { id: s(i), text: s(x), unit: s(u) }).collect() }).collect() }).collect(),
                dispositions: d.dispositions.iter().map(|(c, o, r)| DispositionData { comment: s(c), outcome: *o, rationale: s(r) }).collect(),
            }).collect(),
            release: (v == 2).then(|| ReleaseData { at: dt(utc(2024, 9, 30, 12, 0)), label: s("The Internet We Want: framework for IGF 2024, Riyadh"), signer: s(people::STEWARDS[0].handle) }),
        };
        std::fs::write(dir.join(format!("drafts-v{v}.toml")), toml::to_string_pretty(&d).unwrap()).unwrap();
    }
    std::fs::write(dir.join("endorsements.toml"), toml::to_string_pretty(&endorsements::dump_data()).unwrap()).unwrap();
    std::fs::write(dir.join("charter.toml"), toml::to_string_pretty(&charter::dump_data()).unwrap()).unwrap();
}
