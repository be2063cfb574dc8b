//! Compares a secret a client sent (API key, token, client secret) with the one a simulator
//! accepts, without stopping at the first differing byte.
//!
//! Knows nothing of where a secret travels (form field, header, token request).

/// Whether `given` is `expected`, taking as long for a near miss as for a far one.
pub(crate) fn matches(expected: &str, given: &str) -> bool {
    let (a, b) = (expected.as_bytes(), given.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_secret_matches() {
        assert!(matches("sim-key", "sim-key"));
        assert!(!matches("sim-key", "sim-kez"));
        assert!(!matches("sim-key", "sim-key "));
        assert!(!matches("sim-key", ""));
    }
}
