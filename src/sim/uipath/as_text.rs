//! Serde for the values UiPath's JSON carries as strings (GUIDs, timestamps): written with
//! their `Display`, read with their own parser, whose message a refused body carries.
//!
//! Knows no value's format: each type keeps its own printing and parsing.

/// Implements `Serialize` with `Display` and `Deserialize` with `$read` (the text to
/// `Result<Self, String>`, the error the message) for `$type`.
macro_rules! serde_as_text {
    ($type:ty, $read:expr) => {
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                let read: fn(&str) -> Result<Self, String> = $read;
                read(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use serde_as_text;
