//! Deterministic identifiers and password hashes: user ids and commonIds drawn from the
//! world's counter, and a bcrypt-looking hash standing in for the stored password.
//!
//! Nothing here is secret or cryptographic; it only has to look like the vendor's values and
//! come out the same for the same input.

use crate::sim::faults::{SplitMix64, mix};

/// The fixed first half of every user id: learningCloud ids are 32 lowercase hex digits
/// whose first half names the server (e.g. `ff8081814fb1ee7f014fb20105ba0004`).
const ID_PREFIX: &str = "ff8081818d2e4a01";

/// Mixed into commonIds so they do not look like the ids.
const COMMON_SALT: u64 = 0xC0_4E_11_DD;

/// The characters of bcrypt's own base64 alphabet.
const BCRYPT_ALPHABET: &[u8; 64] =
    b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The id of the `seq`-th user the world creates.
pub(crate) fn user_id(seq: u64) -> String {
    format!("{ID_PREFIX}{seq:016x}")
}

/// The commonId of the `seq`-th user the world creates.
pub(crate) fn common_id(seq: u64) -> String {
    format!(
        "{:016x}{:016x}",
        mix(seq ^ COMMON_SALT),
        mix(seq.wrapping_add(COMMON_SALT))
    )
}

/// Whether `text` has the shape of an id: 32 lowercase hex digits.
pub(crate) fn is_id(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A `$2a$10$…` string (60 characters, like bcrypt) that changes with the user and the
/// password. A user without a password still shows one, as the vendor's users do.
pub(crate) fn password_hash(user_id: &str, password: Option<&str>) -> String {
    let mut state: u64 = 0xCBF2_9CE4_8422_2325;
    let marker: &[u8] = if password.is_some() { b"+" } else { b"-" };
    let bytes = [
        user_id.as_bytes(),
        marker,
        password.unwrap_or("").as_bytes(),
    ];
    for byte in bytes.into_iter().flatten() {
        state = (state ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01B3);
    }
    let mut rng = SplitMix64::new(state);
    let tail: String = (0..53)
        .map(|_| char::from(BCRYPT_ALPHABET[(rng.next_u64() % 64) as usize]))
        .collect();
    format!("$2a$10${tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_hex_and_distinct() {
        assert_eq!(user_id(1), "ff8081818d2e4a010000000000000001");
        assert!(is_id(&user_id(7)) && is_id(&common_id(7)));
        assert_ne!(common_id(1), common_id(2));
        assert!(!is_id("FF8081818D2E4A010000000000000001"));
        assert!(!is_id("restuser.acme"));
    }

    #[test]
    fn hashes_look_like_bcrypt_and_follow_the_password() {
        let a = password_hash("u1", Some("secret"));
        assert_eq!(a.len(), 60);
        assert!(a.starts_with("$2a$10$"));
        assert_eq!(a, password_hash("u1", Some("secret")));
        assert_ne!(a, password_hash("u1", Some("other")));
        assert_ne!(a, password_hash("u2", Some("secret")));
        assert_ne!(password_hash("u1", None), password_hash("u1", Some("")));
        assert!(!a.contains("secret"));
    }
}
