//! Structural validation helpers shared by every kind, and their error type.
//!
//! Validation is deterministic and context-free: it looks at one body only.
//! Whether referenced objects exist, or an author was attested, is the
//! business of stores and of the audit evaluator.

use std::collections::BTreeSet;
use std::fmt::Display;

use crate::limits::{MAX_LANGUAGE_TAG_BYTES, MAX_SLUG_BYTES, MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS};

/// Why a well-formed body breaks a rule of its kind. `field` is a path such
/// as `goals[2].targets[0].text`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// Text longer than its limit.
    #[error("{field} is {len} bytes, over the limit of {limit}")]
    TextTooLong {
        /// Field path.
        field: String,
        /// Actual length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// Text that must not be empty.
    #[error("{field} must not be empty")]
    Empty {
        /// Field path.
        field: String,
    },
    /// A control character in a single-line field, or NUL anywhere.
    #[error("{field} contains a control character")]
    ControlCharacter {
        /// Field path.
        field: String,
    },
    /// A list with too many or too few items.
    #[error("{field} has {len} items; allowed {min}..={max}")]
    Count {
        /// Field path.
        field: String,
        /// Actual count.
        len: usize,
        /// Minimum.
        min: usize,
        /// Maximum.
        max: usize,
    },
    /// A slug that is not lowercase ASCII letters and digits joined by single hyphens.
    #[error(
        "{field} {value:?} is not a slug (a-z, 0-9 and single inner hyphens, at most 64 bytes)"
    )]
    BadSlug {
        /// Field path.
        field: String,
        /// The value.
        value: String,
    },
    /// A language tag that is not BCP 47 shaped.
    #[error("{field} {value:?} is not a BCP 47 language tag such as \"en\" or \"pt-BR\"")]
    BadLanguage {
        /// Field path.
        field: String,
        /// The value.
        value: String,
    },
    /// A country that is not an ISO 3166-1 alpha-2 code.
    #[error("{field} {value:?} is not an ISO 3166-1 alpha-2 code such as \"KE\"")]
    BadCountry {
        /// Field path.
        field: String,
        /// The value.
        value: String,
    },
    /// A timestamp outside the protocol's range.
    #[error("{field} {value} is outside {min}..={max} (ms since the Unix epoch)")]
    TimestampOutOfRange {
        /// Field path.
        field: String,
        /// The value.
        value: u64,
        /// Earliest allowed.
        min: u64,
        /// Latest allowed.
        max: u64,
    },
    /// A list item that appears twice where items must be distinct.
    #[error("{field} lists {value} more than once")]
    Duplicate {
        /// Field path.
        field: String,
        /// The repeated value.
        value: String,
    },
    /// Two values in the wrong order (for example a phase closing before it opens).
    #[error("{field}: {detail}")]
    Order {
        /// Field path.
        field: String,
        /// What is out of order.
        detail: String,
    },
    /// A combination of fields that the kind does not allow.
    #[error("{field}: {detail}")]
    Inconsistent {
        /// Field path.
        field: String,
        /// What is wrong.
        detail: String,
    },
}

impl ValidationError {
    /// A stable snake_case code for this variant (used in test vectors and APIs).
    pub fn code(&self) -> &'static str {
        match self {
            ValidationError::TextTooLong { .. } => "text_too_long",
            ValidationError::Empty { .. } => "empty_text",
            ValidationError::ControlCharacter { .. } => "control_character",
            ValidationError::Count { .. } => "bad_count",
            ValidationError::BadSlug { .. } => "bad_slug",
            ValidationError::BadLanguage { .. } => "bad_language",
            ValidationError::BadCountry { .. } => "bad_country",
            ValidationError::TimestampOutOfRange { .. } => "timestamp_out_of_range",
            ValidationError::Duplicate { .. } => "duplicate_item",
            ValidationError::Order { .. } => "out_of_order",
            ValidationError::Inconsistent { .. } => "inconsistent_fields",
        }
    }
}

/// Result of a validation step.
pub(crate) type Checked = Result<(), ValidationError>;

/// Multi-line free text: non-empty, within `max` bytes, no NUL or control
/// characters other than tab, line feed and carriage return.
pub(crate) fn text(field: &str, value: &str, max: usize) -> Checked {
    length(field, value, max)?;
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err(ValidationError::ControlCharacter {
            field: field.into(),
        });
    }
    Ok(())
}

/// Single-line text: like [`text`] but with no control characters at all.
pub(crate) fn label(field: &str, value: &str, max: usize) -> Checked {
    length(field, value, max)?;
    if value.chars().any(char::is_control) {
        return Err(ValidationError::ControlCharacter {
            field: field.into(),
        });
    }
    Ok(())
}

fn length(field: &str, value: &str, max: usize) -> Checked {
    if value.is_empty() {
        return Err(ValidationError::Empty {
            field: field.into(),
        });
    }
    if value.len() > max {
        return Err(ValidationError::TextTooLong {
            field: field.into(),
            len: value.len(),
            limit: max,
        });
    }
    Ok(())
}

/// `[a-z0-9]+(-[a-z0-9]+)*`, at most [`MAX_SLUG_BYTES`].
pub(crate) fn slug(field: &str, value: &str) -> Checked {
    let ok = !value.is_empty()
        && value.len() <= MAX_SLUG_BYTES
        && value.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(ValidationError::BadSlug {
            field: field.into(),
            value: value.chars().take(80).collect(),
        })
    }
}

/// A BCP 47 shaped tag: a 2–3 letter lowercase primary language, then
/// subtags of 1–8 ASCII letters or digits, joined by hyphens.
pub(crate) fn language(field: &str, value: &str) -> Checked {
    let mut parts = value.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase()));
    let ok = value.len() <= MAX_LANGUAGE_TAG_BYTES
        && primary_ok
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::BadLanguage {
            field: field.into(),
            value: value.chars().take(80).collect(),
        })
    }
}

/// Two uppercase ASCII letters.
pub(crate) fn country(field: &str, value: &str) -> Checked {
    if value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(ValidationError::BadCountry {
            field: field.into(),
            value: value.chars().take(80).collect(),
        })
    }
}

/// Within [`MIN_TIMESTAMP_MS`]..=[`MAX_TIMESTAMP_MS`].
pub(crate) fn timestamp(field: &str, value: u64) -> Checked {
    if (MIN_TIMESTAMP_MS..=MAX_TIMESTAMP_MS).contains(&value) {
        Ok(())
    } else {
        Err(ValidationError::TimestampOutOfRange {
            field: field.into(),
            value,
            min: MIN_TIMESTAMP_MS,
            max: MAX_TIMESTAMP_MS,
        })
    }
}

/// A list length within `min..=max`.
pub(crate) fn count(field: &str, len: usize, min: usize, max: usize) -> Checked {
    if (min..=max).contains(&len) {
        Ok(())
    } else {
        Err(ValidationError::Count {
            field: field.into(),
            len,
            min,
            max,
        })
    }
}

/// Every item distinct.
pub(crate) fn distinct<T: Ord + Display>(
    field: &str,
    items: impl IntoIterator<Item = T>,
) -> Checked {
    let mut seen = BTreeSet::new();
    for item in items {
        let shown = item.to_string();
        if !seen.insert(item) {
            return Err(ValidationError::Duplicate {
                field: field.into(),
                value: shown,
            });
        }
    }
    Ok(())
}

/// Optional values: validate when present.
pub(crate) fn optional<T: ?Sized>(value: Option<&T>, check: impl FnOnce(&T) -> Checked) -> Checked {
    value.map_or(Ok(()), check)
}

/// A consistency failure.
pub(crate) fn inconsistent(field: &str, detail: impl Into<String>) -> ValidationError {
    ValidationError::Inconsistent {
        field: field.into(),
        detail: detail.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for good in ["a", "free-flowing", "section-1", "x9"] {
            slug("s", good).expect(good);
        }
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "é", &"a".repeat(65)] {
            assert!(slug("s", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn languages_and_countries() {
        for good in ["en", "fr", "pt-BR", "zh-Hans-CN", "ast"] {
            language("l", good).expect(good);
        }
        for bad in ["", "E", "EN", "english", "en--US", "en-toolongsubtag"] {
            assert!(language("l", bad).is_err(), "{bad}");
        }
        country("c", "KE").expect("KE");
        for bad in ["ke", "KEN", "K", "1A"] {
            assert!(country("c", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_rules() {
        assert!(matches!(
            text("t", "", 5),
            Err(ValidationError::Empty { .. })
        ));
        assert!(matches!(
            text("t", "abcdef", 5),
            Err(ValidationError::TextTooLong { len: 6, .. })
        ));
        text("t", "a\nb", 5).expect("newline allowed in free text");
        assert!(matches!(
            label("t", "a\nb", 5),
            Err(ValidationError::ControlCharacter { .. })
        ));
        assert!(matches!(
            text("t", "a\u{0}b", 5),
            Err(ValidationError::ControlCharacter { .. })
        ));
    }

    #[test]
    fn timestamps_counts_and_distinct() {
        assert!(timestamp("t", 0).is_err());
        timestamp("t", MIN_TIMESTAMP_MS).expect("lower bound inclusive");
        assert!(count("l", 0, 1, 3).is_err());
        count("l", 3, 1, 3).expect("upper bound inclusive");
        assert!(matches!(
            distinct("l", ["a", "b", "a"]),
            Err(ValidationError::Duplicate { .. })
        ));
    }
}
