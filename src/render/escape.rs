//! Escaping of outside text (vendor answers, manifests, config) before it reaches a terminal or
//! a markdown comment. [`text`] is the one function that neutralises control characters; every
//! renderer passes every piece of outside data through it (or through [`quoted`], which builds
//! on it). The markdown helpers add what markdown's structure needs on top.
//!
//! Must not: decide colours or layout, or touch anything but the string it is given.

use std::borrow::Cow;
use std::fmt::Write;

/// Characters that reorder text (bidirectional overrides and isolates): shown escaped, so that a
/// name cannot make a line read differently from what it says.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn needs_escape(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\u{1b}' => out.push_str("\\e"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\0'..='\u{1f}' | '\u{7f}' => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        _ => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `s` with every control character (C0, DEL, C1) and bidirectional control escaped:
/// ESC as `\e`, newline, return and tab as `\n`, `\r`, `\t`, other C0 and DEL as `\x07`,
/// the rest as `\u{9b}`. Borrows when there is nothing to escape.
pub(crate) fn text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Multi-line text (an error with its causes, a list of problems) with each line escaped as
/// [`text`] does; the line breaks themselves are kept.
pub(crate) fn lines(s: &str) -> String {
    s.split('\n').map(text).collect::<Vec<_>>().join("\n")
}

/// `s` in double quotes, with `"` and `\` escaped and then control characters as [`text`] does.
pub(crate) fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if needs_escape(c) => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for HTML (a `<summary>`, a `<code>` element): [`text`], then `&`, `<`, `>`, `"` as
/// entities.
pub(crate) fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in text(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// A markdown code span holding `s` literally: fenced by one more backtick than the longest run
/// inside, padded when `s` starts or ends with a backtick (CommonMark's rule).
pub(crate) fn code_span(s: &str) -> String {
    let s = text(s);
    let fence = "`".repeat(longest_run(&s, '`') + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A code span that also sits in a GFM table cell, where `|` ends the cell even inside code.
pub(crate) fn cell_code(s: &str) -> String {
    code_span(s).replace('|', "\\|")
}

/// The fence for a fenced code block holding `body`: longer than any backtick run in it, so
/// that no line of the body can close the block.
pub(crate) fn fence_for(body: &str) -> String {
    "`".repeat((longest_run(body, '`') + 1).max(3))
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in s.chars() {
        if x == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_pass_raw() {
        assert_eq!(text("\u{1b}[31mred\u{1b}[0m"), "\\e[31mred\\e[0m");
        assert_eq!(text("\u{1b}]8;;http://x\u{7}"), "\\e]8;;http://x\\x07");
        assert_eq!(text("a\nb\rc\td\0"), "a\\nb\\rc\\td\\x00");
        assert_eq!(text("del\u{7f}"), "del\\x7f");
        assert_eq!(text("csi\u{9b}2J"), "csi\\u{9b}2J");
        assert_eq!(text("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
        for c in (0u32..0x20).chain(0x7f..0xa0) {
            let c = char::from_u32(c).unwrap();
            let shown = text(&format!("x{c}y")).into_owned();
            assert!(!shown.chars().any(char::is_control), "{c:?} -> {shown:?}");
        }
    }

    #[test]
    fn lines_keep_their_breaks() {
        assert_eq!(lines("a\u{1b}\nb\rc\n"), "a\\e\nb\\rc\n");
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(text("Zoë Ólafsdóttir"), Cow::Borrowed(_)));
        assert_eq!(text("Zoë Ólafsdóttir"), "Zoë Ólafsdóttir");
    }

    #[test]
    fn quoted_escapes_quotes_backslashes_and_controls() {
        assert_eq!(quoted(r#"Bo "Bobby" O'Chen"#), r#""Bo \"Bobby\" O'Chen""#);
        assert_eq!(quoted("a\\e"), r#""a\\e""#);
        assert_eq!(quoted("a\u{1b}"), r#""a\e""#);
    }

    #[test]
    fn markdown_structure_survives() {
        assert_eq!(html("<b>&\"x\u{1b}"), "&lt;b&gt;&amp;&quot;x\\e");
        assert_eq!(code_span("a``b"), "```a``b```");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(cell_code("a|b"), "`a\\|b`");
        assert_eq!(fence_for("no ticks"), "```");
        assert_eq!(fence_for("x\n````\n"), "`````");
    }
}
