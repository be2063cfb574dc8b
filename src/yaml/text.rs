//! What a text value in a config or manifest may hold: no control characters and no line breaks in any
//! of them (a terminal, a log line or a vendor would take them for something else), a length
//! limit per kind of value, and for e-mail addresses none of the characters that make one
//! address read as two or as a display name (`,` `;` `"`, angle brackets, spaces; an
//! apostrophe stays allowed: `o'brien@example.com` is a real address).
//!
//! Pure: strings in, the reason a value is refused out (never quoting it raw).

/// RFC 5321's limit for an address in a mail path.
pub(crate) const MAX_EMAIL: usize = 254;
/// Names, surnames, usernames, group names.
pub(crate) const MAX_NAME: usize = 256;
/// Every other text value: languages, time zones, external ids, extended fields.
pub(crate) const MAX_TEXT: usize = 1024;

/// Characters an e-mail address in a manifest must not hold.
const NOT_IN_EMAIL: [char; 5] = [',', ';', '"', '<', '>'];

/// Why `s` (a value of `field`) is refused, if it is: a control character or line break, or
/// more than `max` characters. The message names the field and the character's code point.
pub(crate) fn problem(field: &str, s: &str, max: usize) -> Option<String> {
    if let Some(c) = s.chars().find(|&c| is_break_or_control(c)) {
        return Some(format!(
            "`{field}` contains a control character or line break (U+{:04X})",
            u32::from(c)
        ));
    }
    let n = s.chars().count();
    (n > max).then(|| format!("`{field}` is {n} characters long, over the {max} limit"))
}

/// Why `s` is not an e-mail address roster accepts, if it is not.
pub(crate) fn email_problem(s: &str) -> Option<String> {
    if let Some(p) = problem("email", s, MAX_EMAIL) {
        return Some(p);
    }
    let t = s.trim();
    if let Some(c) = t
        .chars()
        .find(|c| NOT_IN_EMAIL.contains(c) || c.is_whitespace())
    {
        return Some(format!(
            "invalid e-mail {t:?}: {} is not allowed in an address",
            describe(c)
        ));
    }
    let plausible = t.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
    });
    (!plausible).then(|| format!("invalid e-mail {t:?}"))
}

/// C0 (NUL, ESC, tab, newline…), DEL, C1 (NEL…) and the Unicode line and paragraph separators.
fn is_break_or_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

fn describe(c: char) -> &'static str {
    match c {
        ',' => "a comma",
        ';' => "a semicolon",
        '"' => "a quote",
        '<' | '>' => "an angle bracket",
        _ => "a space",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_line_breaks_are_refused_everywhere() {
        for s in [
            "Ana\u{1b}[2J",
            "Ana\0",
            "Ana\nLima",
            "Ana\r",
            "Ana\tLima",
            "Ana\u{7f}",
            "Ana\u{85}",
            "Ana\u{9b}31m",
            "Ana\u{2028}",
            "\u{1b}]8;;https://evil.example\u{7}x",
        ] {
            let p = problem("name", s, MAX_NAME).unwrap();
            assert!(
                p.starts_with("`name` contains a control character or line break (U+"),
                "{s:?}: {p}"
            );
            assert!(!p.contains(|c: char| c.is_control()), "{p:?}");
            assert!(email_problem(&format!("a{s}@example.com")).is_some());
        }
        assert_eq!(problem("name", "Ana Lima, Jr. — ação 名前", MAX_NAME), None);
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        assert_eq!(problem("name", &"é".repeat(256), MAX_NAME), None);
        assert_eq!(
            problem("name", &"é".repeat(257), MAX_NAME).unwrap(),
            "`name` is 257 characters long, over the 256 limit"
        );
        let local = "a".repeat(254 - "@example.com".len());
        assert_eq!(email_problem(&format!("{local}@example.com")), None);
        assert_eq!(
            email_problem(&format!("{local}x@example.com")).unwrap(),
            "`email` is 255 characters long, over the 254 limit"
        );
    }

    #[test]
    fn emails_refuse_what_makes_one_address_read_as_two() {
        assert_eq!(email_problem("ana@example.com"), None);
        assert_eq!(email_problem(" Ana@Example.com "), None);
        assert_eq!(email_problem("o'brien@example.com"), None);
        for (s, what) in [
            ("ana@example.com,eve@evil.example", "a comma"),
            ("ana@example.com;eve@evil.example", "a semicolon"),
            ("\"ana\"@example.com", "a quote"),
            ("Eve <eve@evil.example>", "a space"),
            ("<eve@evil.example>", "an angle bracket"),
            ("a b@example.com", "a space"),
        ] {
            let p = email_problem(s).unwrap();
            assert!(
                p.ends_with(&format!("{what} is not allowed in an address")),
                "{s}: {p}"
            );
        }
        for s in [
            "ana",
            "ana@localhost",
            "@example.com",
            "a@b@example.com",
            "a@.com",
        ] {
            assert_eq!(email_problem(s).unwrap(), format!("invalid e-mail {s:?}"));
        }
    }
}
