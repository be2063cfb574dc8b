//! Vendor text made fit to show in an error, a log line or a status line: control characters
//! (ESC, CR, NUL …) become spaces, whitespace runs collapse, and the length is capped. Known
//! secrets are masked wherever they appear.
//!
//! Pure string functions; it decides nothing about what may be quoted (the wire modules never
//! quote an authentication answer) and adds the last line of defence only.

/// The most characters of vendor text one error carries.
pub(crate) const MAX_CHARS: usize = 300;

/// One line of at most [`MAX_CHARS`] characters, `…` marking a cut.
pub(crate) fn line(text: &str) -> String {
    capped(text, MAX_CHARS)
}

/// A glimpse of an answer body (an HTML page, broken JSON): one line of at most 120
/// characters, `(empty)` for nothing.
pub(crate) fn snippet(body: &str) -> String {
    let s = capped(body, 120);
    if s.is_empty() { "(empty)".into() } else { s }
}

fn capped(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() || is_bidi_control(c) {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            if count + 1 >= max {
                out.push('…');
                return out;
            }
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        if count >= max {
            out.push('…');
            return out;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// Characters that reorder what a terminal shows (Trojan Source), treated as control.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// `text` with every occurrence of each secret replaced by `(secret)`.
pub(crate) fn mask<'a>(text: String, secrets: impl IntoIterator<Item = &'a str>) -> String {
    let mut text = text;
    for s in secrets {
        // Very short values would mask ordinary words; no real credential is that short.
        if s.len() >= 6 && text.contains(s) {
            text = text.replace(s, "(secret)");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_pass() {
        let evil = "bad\u{1b}]8;;http://x\u{7}link\u{1b}[2J\r\nnext\u{0}\u{202E}txt";
        let got = line(evil);
        assert!(!got.chars().any(|c| c.is_control()), "{got:?}");
        assert_eq!(got, "bad ]8;;http://x link [2J next txt");
    }

    #[test]
    fn long_text_is_cut_and_marked() {
        let got = line(&"x".repeat(1000));
        assert_eq!(got.chars().count(), MAX_CHARS + 1);
        assert!(got.ends_with('…'));
        assert_eq!(line("  a   b  "), "a b");
        assert_eq!(snippet(" \n "), "(empty)");
    }

    #[test]
    fn secrets_are_masked() {
        let got = mask(
            "key abcdef123 and abcdef123 again, short abc".into(),
            ["abcdef123", "abc"],
        );
        assert_eq!(got, "key (secret) and (secret) again, short abc");
    }

    proptest::proptest! {
        #[test]
        fn output_is_one_clean_bounded_line(text in "\\PC{0,400}|[\\x00-\\x1f\\x7f a]{0,400}") {
            let got = line(&text);
            proptest::prop_assert!(got.chars().count() <= MAX_CHARS + 1);
            proptest::prop_assert!(!got.chars().any(|c| c.is_control() || c == '\n'));
        }
    }
}
