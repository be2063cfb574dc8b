//! Where in a JSON text something went wrong: the byte offset of a serde_json error's
//! line and column, and the Newtonsoft-style path (`groupIDs[1]`, `a.b`) of the value being
//! read there, so a validation problem can name the field as ASP.NET does.
//!
//! A forgiving scanner over bytes, not a parser: the text is known to be broken somewhere.

/// The byte offset just past `line:column` (both 1-based, as serde_json counts them).
pub(crate) fn offset_of(bytes: &[u8], line: usize, column: usize) -> usize {
    let line_start = match line {
        0 | 1 => Some(0),
        _ => bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map(|(i, _)| i + 1),
    };
    line_start.map_or(bytes.len(), |start| (start + column).min(bytes.len()))
}

enum Frame {
    Object { key: Option<String>, want_key: bool },
    Array { index: usize, started: bool },
}

/// The JSON path (`a.b[2].c`, Newtonsoft style) of the value being read at `end`.
pub(crate) fn path_at(bytes: &[u8], end: usize) -> String {
    let mut stack: Vec<Frame> = Vec::new();
    let start_value = |stack: &mut Vec<Frame>| {
        if let Some(Frame::Array { started, .. }) = stack.last_mut() {
            *started = true;
        }
    };
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'"' => {
                let from = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                let text = String::from_utf8_lossy(&bytes[from..i.min(bytes.len())]);
                match stack.last_mut() {
                    Some(Frame::Object { key, want_key }) if *want_key => {
                        *key = Some(text.into_owned());
                        *want_key = false;
                    }
                    _ => start_value(&mut stack),
                }
            }
            b'{' => {
                start_value(&mut stack);
                stack.push(Frame::Object {
                    key: None,
                    want_key: true,
                });
            }
            b'[' => {
                start_value(&mut stack);
                stack.push(Frame::Array {
                    index: 0,
                    started: false,
                });
            }
            // serde_json reports an error inside an array or object after reading its closing
            // bracket; the value at fault is still the one inside.
            b'}' | b']' if i + 1 == end => {}
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { want_key, .. }) => *want_key = true,
                Some(Frame::Array { index, .. }) => *index += 1,
                None => {}
            },
            b':' => {}
            b if b.is_ascii_whitespace() => {}
            _ => start_value(&mut stack),
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Array { index, started } if *started || *index > 0 => {
                path.push_str(&format!("[{index}]"));
            }
            _ => {}
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_before(text: &str, marker: &str) -> String {
        let end = text.find(marker).unwrap();
        path_at(text.as_bytes(), end)
    }

    #[test]
    fn paths_follow_keys_and_indices() {
        let text = r#"{"a": {"b": [1, {"c": X}]}, "d": Y}"#;
        assert_eq!(path_before(text, "X"), "a.b[1].c");
        assert_eq!(path_before(text, "Y"), "d");
        assert_eq!(path_before(r#"["x", "y", Z]"#, "Z"), "[2]");
        assert_eq!(path_before(r#"{"k\"ey": Q}"#, "Q"), r#"k\"ey"#);
        assert_eq!(path_at(b"   ", 3), "");
    }

    #[test]
    fn a_closing_bracket_at_the_end_keeps_its_container() {
        let text = br#"{"ids": ["a", "b"]}"#;
        let after_bracket = text.iter().position(|b| *b == b']').unwrap() + 1;
        assert_eq!(path_at(text, after_bracket), "ids[1]");
    }

    #[test]
    fn offsets_count_lines_from_one() {
        let text = b"{\n  \"a\": 1\n}";
        assert_eq!(offset_of(text, 1, 1), 1);
        assert_eq!(offset_of(text, 2, 3), 5);
        assert_eq!(offset_of(text, 9, 9), text.len());
    }
}
