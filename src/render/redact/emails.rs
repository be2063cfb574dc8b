//! Finds e-mail addresses in free text (a vendor's error, a drift's reason) and masks them, so
//! that `--redact` covers addresses the plan does not know.
//!
//! Must not: mask anything but what looks like `local@domain.tld`.

use super::mask;

fn local_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"._%+-'".contains(&b)
}

fn domain_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
}

/// `text` with every `local@domain.tld` masked as [`mask`] does.
pub fn mask_emails(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'@' {
            i += 1;
            continue;
        }
        let mut start = i;
        while start > copied && local_char(bytes[start - 1]) {
            start -= 1;
        }
        // A quote or a dot is punctuation around an address, not part of it.
        while start < i && b".'".contains(&bytes[start]) {
            start += 1;
        }
        let mut end = i + 1;
        while end < bytes.len() && domain_char(bytes[end]) {
            end += 1;
        }
        while end > i + 1 && b".-".contains(&bytes[end - 1]) {
            end -= 1;
        }
        let domain = &text[i + 1..end];
        if start < i && domain.contains('.') && !domain.starts_with('.') {
            out.push_str(&text[copied..start]);
            out.push_str(&mask(&text[start..end]));
            copied = end;
            i = end;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_text_are_masked_and_the_rest_kept() {
        let text = "User name 'harry@example.com' is already taken; ask it.admin@corp.example.";
        let shown = mask_emails(text);
        assert_eq!(
            shown,
            format!(
                "User name '{}' is already taken; ask {}.",
                mask("harry@example.com"),
                mask("it.admin@corp.example")
            )
        );
        assert_eq!(
            mask_emails("no address @ all, a@b, @x.com"),
            "no address @ all, a@b, @x.com"
        );
        assert_eq!(mask_emails("é@ü.com ünïcode"), "é@ü.com ünïcode");
    }
}
