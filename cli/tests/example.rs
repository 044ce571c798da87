//! `examples/iww-2024/` is exactly what `baraza example iww-2024` writes,
//! its bundles audit (offline, through the real binary) to the verdicts the
//! README promises, and the scenario holds what it claims: every section
//! commented on in several languages, late, unattested and retracted
//! comments flagged, two draft versions per section, a release endorsed
//! by NRIs of every region and stakeholders of every group.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use baraza_protocol::kinds::{Region, Role};
use baraza_protocol::{Body, Kind, SignedObject};
use serde_json::Value;

const REGENERATE: &str = "cargo run -p baraza-cli -- example iww-2024 --out examples/iww-2024";

/// The variants: their directory under the example, and their verdict.
const VARIANTS: [(&str, &str); 2] = [("", "policy_met"), ("policy-not-met", "policy_not_met")];

const LATE: [&str; 3] = [
    "comment-wo-igo-de-late",
    "comment-ss-gov-ke-late",
    "comment-ff-youth-br-late",
];
const UNATTESTED: [&str; 2] = ["comment-ui-guest-pierre", "comment-rr-guest-anonymous"];
const RETRACTED: &str = "comment-ss-cs-am-retracted";

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/iww-2024")
}

fn variant_dir(sub: &str) -> PathBuf {
    match sub {
        "" => example_dir(),
        sub => example_dir().join(sub),
    }
}

fn baraza() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baraza"));
    cmd.env_clear();
    cmd
}

/// Every file under `root` by relative path (`/`-separated), but the
/// hand-written README.md at the top.
fn files_under(root: &Path) -> BTreeMap<String, PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, PathBuf>) {
        let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .expect("under the root")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(relative, path);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out.remove("README.md");
    out
}

#[test]
fn the_checked_in_example_is_what_the_generator_writes() {
    let temp = tempfile::tempdir().expect("temp dir");
    let fresh = temp.path().join("iww-2024");
    baraza()
        .args(["example", "iww-2024", "--out"])
        .arg(&fresh)
        .assert()
        .success();
    let expected = files_under(&fresh);
    let checked_in = files_under(&example_dir());
    let mut problems = Vec::new();
    for (name, path) in &expected {
        match checked_in.get(name) {
            None => problems.push(format!("missing: {name}")),
            Some(old) => {
                if fs::read(old).expect("read checked-in") != fs::read(path).expect("read fresh") {
                    problems.push(format!("differs: {name}"));
                }
            }
        }
    }
    for name in checked_in.keys().filter(|n| !expected.contains_key(*n)) {
        problems.push(format!("not written by the generator: {name}"));
    }
    assert!(
        problems.is_empty(),
        "examples/iww-2024 is out of date ({} files):\n  {}\nregenerate it from the workspace root with\n  {REGENERATE}\nand check the changes in",
        problems.len(),
        problems
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  ")
    );
    // Twice the same: nothing depends on a clock or on randomness.
    let again = temp.path().join("again");
    baraza()
        .args(["example", "iww-2024", "--out"])
        .arg(&again)
        .assert()
        .success();
    for (name, path) in files_under(&again) {
        assert_eq!(
            fs::read(&path).expect("read"),
            fs::read(&expected[&name]).expect("read"),
            "{name} differs between two runs"
        );
    }
}

/// Audits a checked-in bundle with the real binary, offline: exit code and
/// the JSON report.
fn audit_bundle(sub: &str) -> (i32, Value) {
    let bundle = variant_dir(sub).join("release.bundle");
    let output = baraza()
        .args(["audit", "--json", "--bundle"])
        .arg(&bundle)
        .output()
        .expect("run baraza audit");
    let code = output.status.code().expect("exit code");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "`baraza audit --bundle {} --json` printed no JSON report ({e}); stderr: {}",
            bundle.display(),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (code, report)
}

fn checked_in_report(sub: &str) -> Value {
    let path = variant_dir(sub).join("release.report.json");
    serde_json::from_slice(&fs::read(&path).expect("read report")).expect("report JSON")
}

#[test]
fn auditing_the_bundles_gives_the_checked_in_reports() {
    for (sub, verdict) in VARIANTS {
        let (code, mut report) = audit_bundle(sub);
        assert_eq!(report["verdict"], verdict, "{sub:?}: {}", report["reasons"]);
        assert_eq!(code, if verdict == "policy_met" { 0 } else { 1 });
        // The CLI passes its clock; the checked-in report has none. All
        // objects are from 2024, so nothing else may differ.
        assert!(report["as_of"].is_u64());
        report["as_of"] = Value::Null;
        assert!(
            report == checked_in_report(sub),
            "the offline audit of {sub:?} differs from its release.report.json"
        );
    }
}

#[test]
fn the_policy_not_met_variant_names_the_failing_clauses() {
    let (_, report) = audit_bundle("policy-not-met");
    let clauses = report["policy"]["clauses"].as_array().expect("clauses");
    let failing: Vec<&str> = clauses
        .iter()
        .filter(|c| c["met"] == false)
        .map(|c| c["clause"].as_str().expect("name"))
        .collect();
    assert_eq!(failing, ["min_regions", "groups"]);
    let clause = |name: &str| {
        clauses
            .iter()
            .find(|c| c["clause"] == name)
            .expect("clause")
    };
    assert_eq!(clause("min_regions")["actual"], 3);
    assert_eq!(clause("min_regions")["required"], 5);
    assert_eq!(
        clause("min_regions")["missing"],
        serde_json::json!(["eastern_european", "latin_american_caribbean"])
    );
    assert_eq!(clause("groups")["missing"], serde_json::json!(["youth"]));
    let reasons: Vec<&str> = report["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(reasons.iter().any(|r| r.starts_with("min_regions: ")));
    assert!(reasons.iter().any(|r| r.starts_with("groups: ")));
    // A human reader sees the same.
    let human = baraza()
        .args(["audit", "--bundle"])
        .arg(variant_dir("policy-not-met").join("release.bundle"))
        .assert()
        .code(1);
    let text = String::from_utf8(human.get_output().stdout.clone()).expect("utf-8");
    assert_eq!(
        text.lines().last(),
        Some(
            "VERDICT: policy NOT met — min_regions 3/5 (missing eastern_european, \
             latin_american_caribbean); groups missing youth"
        ),
        "{text}"
    );
    let clause = text
        .lines()
        .find(|l| l.trim_start().starts_with("✗ min_regions"))
        .unwrap_or_default();
    assert_eq!(
        clause.split_whitespace().collect::<Vec<_>>(),
        [
            "✗",
            "min_regions",
            "5",
            "3",
            "eastern_european,",
            "latin_american_caribbean"
        ],
        "{text}"
    );
    // The objection's statement is read from the bundle.
    assert!(
        text.contains("      \"The youth targets are too weak"),
        "{text}"
    );
}

/// One object of the example, as `index.tsv` lists it.
struct Listed {
    name: String,
    signer: String,
    object: SignedObject,
}

/// The objects of a variant, decoded and verified from their files.
fn objects(sub: &str) -> Vec<Listed> {
    let dir = variant_dir(sub);
    let index = fs::read_to_string(dir.join("index.tsv")).expect("index.tsv");
    index
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            assert_eq!(cells.len(), 7, "index.tsv line {line:?}");
            let bytes = fs::read(dir.join(cells[6])).expect("object file");
            let object = SignedObject::decode(&bytes).expect("a valid signed object");
            assert_eq!(object.id().to_string(), cells[2], "id of {}", cells[6]);
            assert_eq!(object.kind().as_str(), cells[1]);
            Listed {
                name: cells[4].to_owned(),
                signer: cells[3].to_owned(),
                object,
            }
        })
        .collect()
}

fn id_of(objects: &[Listed], name: &str) -> String {
    objects
        .iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("no object {name} in index.tsv"))
        .object
        .id()
        .to_string()
}

/// The ids the report's anomalies of `kind` name in `field`.
fn flagged(report: &Value, kind: &str, field: &str) -> BTreeSet<String> {
    report["anomalies"]
        .as_array()
        .expect("anomalies")
        .iter()
        .filter(|a| a["kind"] == kind)
        .map(|a| a[field].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn the_scenario_holds_what_it_claims() {
    for (sub, _) in VARIANTS {
        let objects = objects(sub);
        let report = checked_in_report(sub);
        let ids = |names: &[&str]| -> BTreeSet<String> {
            names.iter().map(|n| id_of(&objects, n)).collect()
        };

        // Planted findings, none of them blocking.
        assert_eq!(flagged(&report, "late_comment", "comment"), ids(&LATE));
        assert!(flagged(&report, "unattested_signer", "object").is_superset(&ids(&UNATTESTED)));
        assert_eq!(
            flagged(&report, "retracted_object", "object"),
            ids(&[RETRACTED])
        );
        assert!(report["anomalies"]
            .as_array()
            .expect("anomalies")
            .iter()
            .all(|a| a["blocking"] == false));
        let codes: BTreeSet<&str> = report["anomalies"]
            .as_array()
            .expect("anomalies")
            .iter()
            .filter_map(|a| a["kind"].as_str())
            .collect();
        assert_eq!(
            codes,
            BTreeSet::from(["late_comment", "retracted_object", "unattested_signer"])
        );

        // The charter: five sections, five phases, ratified by stewards.
        let charter = &report["charter"];
        assert_eq!(charter["title"], "The Internet We Want");
        assert_eq!(
            charter["sections"],
            serde_json::json!([
                "whole-and-open",
                "universal-and-inclusive",
                "free-flowing-and-trustworthy",
                "safe-and-secure",
                "rights-respecting"
            ])
        );
        assert_eq!(charter["in_force"], true);
        assert_eq!(charter["threshold"], 2);
        assert_eq!(charter["ratifications"].as_array().map(Vec::len), Some(3));

        // Comments on every section, in many languages; NRIs of every
        // region; stakeholders of every group; two drafts per section.
        let mut languages = BTreeSet::new();
        let mut commented = BTreeSet::new();
        let mut regions = BTreeSet::new();
        let mut groups = BTreeSet::new();
        let mut drafts: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        let mut releases = 0;
        for listed in &objects {
            match listed.object.body() {
                Body::Comment(c) => {
                    languages.insert(c.language.clone());
                    commented.insert(c.section.clone());
                }
                Body::Attestation(a) if a.role == Role::Nri => {
                    regions.extend(a.region);
                }
                Body::Attestation(a) if a.role == Role::Stakeholder => {
                    groups.extend(a.group.as_ref().map(|g| g.to_string()));
                }
                Body::Draft(d) => {
                    assert!(!d.goals.is_empty(), "{} has goals", listed.name);
                    assert!(d
                        .goals
                        .iter()
                        .all(|g| g.targets.iter().all(|t| !t.indicators.is_empty())));
                    assert!(!d.dispositions.is_empty(), "{} disposes", listed.name);
                    drafts.entry(d.section.clone()).or_default().push(d.version);
                }
                Body::Release(_) => releases += 1,
                _ => {}
            }
        }
        assert!(languages.len() >= 8, "languages: {languages:?}");
        assert_eq!(commented.len(), 5);
        assert_eq!(regions.len(), 5, "NRI regions {regions:?}");
        assert!(regions.contains(&Region::EasternEuropean));
        for group in [
            "government",
            "private_sector",
            "civil_society",
            "technical_community",
            "academia",
            "intergovernmental",
            "youth",
            "parliamentarian",
        ] {
            assert!(groups.contains(group), "no {group} stakeholder");
        }
        assert!(groups.iter().any(|g| g.starts_with("other:")));
        assert_eq!(drafts.len(), 5);
        assert!(drafts.values().all(|v| {
            let mut v = v.clone();
            v.sort_unstable();
            v == [1, 2]
        }));
        assert_eq!(releases, 1);
        assert_eq!(report["target"]["kind"], "release");
        assert_eq!(report["complete"], true);

        // Coverage: one comment left unanswered, the unattested one.
        let coverage = &report["coverage"];
        assert_eq!(coverage["totals"]["not_addressed"], 1);
        assert_eq!(coverage["retracted"], 1);
        let unanswered: Vec<&str> = coverage["sections"]
            .as_object()
            .expect("sections")
            .values()
            .flat_map(|s| s["comments"].as_array().expect("comments"))
            .filter(|c| c["status"] == "not_addressed")
            .filter_map(|c| c["comment"].as_str())
            .collect();
        assert_eq!(unanswered, [id_of(&objects, "comment-rr-guest-anonymous")]);

        // The bundle leaves out only what the audit does not read: profiles.
        let kinds: BTreeSet<Kind> = objects.iter().map(|o| o.object.kind()).collect();
        assert!(kinds.contains(&Kind::Profile));
        assert!(report["objects"]["by_kind"].get("profile").is_none());
        assert!(objects.iter().any(|o| o.signer.starts_with("guest-")));
    }

    // The policy-met variant: a superseded objection and an uncounted guest.
    let objects = objects("");
    let report = checked_in_report("");
    let not_counted: BTreeMap<String, String> = report["endorsements"]["not_counted"]
        .as_array()
        .expect("not_counted")
        .iter()
        .map(|n| {
            (
                n["endorsement"].as_str().expect("id").to_owned(),
                n["reason"].as_str().expect("reason").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        not_counted,
        BTreeMap::from([
            (
                id_of(&objects, "endorse-release-ps-ng-objection"),
                "superseded".to_owned()
            ),
            (
                id_of(&objects, "endorse-release-guest-pierre"),
                "chain_not_held".to_owned()
            ),
        ])
    );
    assert_eq!(report["endorsements"]["objection"]["total"], 1);
    assert_eq!(report["policy"]["met"], true);
}
