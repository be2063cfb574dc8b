//! GUIDs as the Identity API uses them for users, groups and partitions: parsed the way
//! .NET's `Guid.Parse` accepts them (hyphenated, 32 digits, or in braces), written
//! lowercase and hyphenated, and made either at random (`POST /api/User` without an id) or
//! deterministically from a counter (seeded worlds).
//!
//! No wire shapes here beyond the GUID text itself.

use std::fmt;
use std::hash::BuildHasher as _;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use super::as_text::serde_as_text;
use crate::sim::faults::mix;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Uuid(pub(crate) u128);

impl Uuid {
    /// Marks 128 raw bits as a version 4, RFC 4122 variant GUID.
    fn v4_from_bits(bits: u128) -> Self {
        let bits = (bits & !(0xF << 76)) | (0x4 << 76);
        let bits = (bits & !(0x3 << 62)) | (0x2 << 62);
        Self(bits)
    }

    /// The same GUID for the same `n`, for worlds built from a seed.
    pub(crate) fn derived(n: u64) -> Self {
        let high = mix(n ^ 0x5EED_0F1D);
        let low = mix(high ^ n.rotate_left(17));
        Self::v4_from_bits((u128::from(high) << 64) | u128::from(low))
    }

    /// A GUID nobody can predict from the ones before it (not cryptographically strong).
    pub(crate) fn random() -> Self {
        let (high, low) = (random_u64(), random_u64());
        Self::v4_from_bits((u128::from(high) << 64) | u128::from(low))
    }
}

/// 64 unpredictable bits from the standard library's per-process random hash keys.
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::collections::hash_map::RandomState::new().hash_one(n)
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = format!("{:032x}", self.0);
        write!(
            f,
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }
}

/// Not a GUID in any of the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a guid: {0}")]
pub(crate) struct NotAGuid(pub(crate) String);

impl FromStr for Uuid {
    type Err = NotAGuid;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = || NotAGuid(text.to_owned());
        let inner = text
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(text);
        let digits = match inner.len() {
            32 => inner.to_owned(),
            36 => {
                let dashes_at = [8, 13, 18, 23];
                let dashes_ok = inner
                    .char_indices()
                    .all(|(i, c)| (c == '-') == dashes_at.contains(&i));
                if !dashes_ok {
                    return Err(fail());
                }
                inner.replace('-', "")
            }
            _ => return Err(fail()),
        };
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(fail());
        }
        u128::from_str_radix(&digits, 16)
            .map(Self)
            .map_err(|_| fail())
    }
}

serde_as_text!(Uuid, |text| {
    text.parse()
        .map_err(|_| format!("could not convert '{text}' to a guid"))
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dotnet_forms_and_writes_lowercase_hyphenated() {
        let text = "6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11";
        let id: Uuid = text.parse().unwrap();
        assert_eq!(id.to_string(), text);
        assert_eq!("6B3A7E1C-0D3F-4C55-9A5E-3D0F1B2C4A11".parse(), Ok(id));
        assert_eq!("6b3a7e1c0d3f4c559a5e3d0f1b2c4a11".parse(), Ok(id));
        assert_eq!(format!("{{{text}}}").parse(), Ok(id));
        for bad in [
            "her-1909",
            "",
            "6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a1g",
            "6b3a7e1c0-d3f-4c55-9a5e-3d0f1b2c4a11",
        ] {
            assert!(bad.parse::<Uuid>().is_err(), "{bad}");
        }
    }

    #[test]
    fn derived_ids_are_stable_distinct_version_4() {
        assert_eq!(Uuid::derived(7), Uuid::derived(7));
        assert_ne!(Uuid::derived(7), Uuid::derived(8));
        for id in [Uuid::derived(1), Uuid::random()] {
            let text = id.to_string();
            assert_eq!(&text[14..15], "4", "{text}");
            assert!("89ab".contains(&text[19..20]), "{text}");
        }
        assert_ne!(Uuid::random(), Uuid::random());
    }
}
