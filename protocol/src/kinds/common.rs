//! Vocabularies shared by several kinds: stakeholder groups and UN regional groups.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::limits::MAX_LABEL_BYTES;

/// Prefix of a free-text stakeholder group.
pub const OTHER_GROUP_PREFIX: &str = "other:";

/// A stakeholder group, encoded as a text string: one of the fixed names
/// below, or `other:<label>` for anything else (label 1..=64 bytes, no control
/// characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StakeholderGroup {
    /// `government`
    Government,
    /// `private_sector`
    PrivateSector,
    /// `civil_society`
    CivilSociety,
    /// `technical_community`
    TechnicalCommunity,
    /// `academia`
    Academia,
    /// `intergovernmental` (intergovernmental organisations)
    Intergovernmental,
    /// `youth`
    Youth,
    /// `parliamentarian`
    Parliamentarian,
    /// `other:<label>`
    Other(String),
}

/// The fixed group names, in their wire spelling.
pub const STAKEHOLDER_GROUPS: [&str; 8] = [
    "government",
    "private_sector",
    "civil_society",
    "technical_community",
    "academia",
    "intergovernmental",
    "youth",
    "parliamentarian",
];

/// Longest label of an `other:` group.
pub const MAX_OTHER_GROUP_BYTES: usize = 64;

impl StakeholderGroup {
    /// The wire spelling.
    pub fn as_str(&self) -> std::borrow::Cow<'_, str> {
        use StakeholderGroup::*;
        let fixed = match self {
            Government => 0,
            PrivateSector => 1,
            CivilSociety => 2,
            TechnicalCommunity => 3,
            Academia => 4,
            Intergovernmental => 5,
            Youth => 6,
            Parliamentarian => 7,
            Other(label) => return format!("{OTHER_GROUP_PREFIX}{label}").into(),
        };
        STAKEHOLDER_GROUPS[fixed].into()
    }
}

/// Why a stakeholder group or region could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct VocabularyError(String);

impl FromStr for StakeholderGroup {
    type Err = VocabularyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        use StakeholderGroup::*;
        Ok(match s {
            "government" => Government,
            "private_sector" => PrivateSector,
            "civil_society" => CivilSociety,
            "technical_community" => TechnicalCommunity,
            "academia" => Academia,
            "intergovernmental" => Intergovernmental,
            "youth" => Youth,
            "parliamentarian" => Parliamentarian,
            other => {
                let label = other.strip_prefix(OTHER_GROUP_PREFIX).ok_or_else(|| {
                    VocabularyError(format!(
                        "unknown stakeholder group {:?}; expected one of {} or \"other:<label>\"",
                        other.chars().take(80).collect::<String>(),
                        STAKEHOLDER_GROUPS.join(", ")
                    ))
                })?;
                if label.is_empty()
                    || label.len() > MAX_OTHER_GROUP_BYTES.min(MAX_LABEL_BYTES)
                    || label.chars().any(char::is_control)
                {
                    return Err(VocabularyError(format!(
                        "\"other:\" stakeholder group label must be 1..={MAX_OTHER_GROUP_BYTES} bytes without control characters"
                    )));
                }
                Other(label.to_owned())
            }
        })
    }
}

impl fmt::Display for StakeholderGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

/// One of the five United Nations regional groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// African Group: `african`
    African,
    /// Asia-Pacific Group: `asia_pacific`
    AsiaPacific,
    /// Eastern European Group: `eastern_european`
    EasternEuropean,
    /// Latin American and Caribbean Group (GRULAC): `latin_american_caribbean`
    LatinAmericanCaribbean,
    /// Western European and Others Group (WEOG): `western_european_other`
    WesternEuropeanOther,
}

/// All regions, in wire order.
pub const REGIONS: [Region; 5] = [
    Region::African,
    Region::AsiaPacific,
    Region::EasternEuropean,
    Region::LatinAmericanCaribbean,
    Region::WesternEuropeanOther,
];

impl Region {
    /// The wire spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Region::African => "african",
            Region::AsiaPacific => "asia_pacific",
            Region::EasternEuropean => "eastern_european",
            Region::LatinAmericanCaribbean => "latin_american_caribbean",
            Region::WesternEuropeanOther => "western_european_other",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Region {
    type Err = VocabularyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        REGIONS.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
            VocabularyError(format!(
                "unknown region {:?}; expected one of african, asia_pacific, eastern_european, latin_american_caribbean, western_european_other",
                s.chars().take(80).collect::<String>()
            ))
        })
    }
}

impl Serialize for StakeholderGroup {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_str())
    }
}

impl<'de> Deserialize<'de> for StakeholderGroup {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_round_trip_through_text() {
        for name in STAKEHOLDER_GROUPS {
            let g: StakeholderGroup = name.parse().expect(name);
            assert_eq!(g.to_string(), name);
        }
        let other: StakeholderGroup = "other:faith communities".parse().expect("other");
        assert_eq!(other, StakeholderGroup::Other("faith communities".into()));
        assert_eq!(other.to_string(), "other:faith communities");
        assert!("other:".parse::<StakeholderGroup>().is_err());
        assert!("Government".parse::<StakeholderGroup>().is_err());
    }

    #[test]
    fn regions_round_trip() {
        for r in REGIONS {
            assert_eq!(r.as_str().parse::<Region>().expect("own spelling"), r);
        }
    }
}
