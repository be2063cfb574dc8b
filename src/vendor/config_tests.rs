//! The config loader against hostile text: ranges, credentials in URLs, target names, and
//! property tests that arbitrary text never panics it.

use std::path::Path;

use proptest::prelude::*;

use crate::config::from_text;

const VALID: &str = "\
manifests: users
targets:
  acme:
    provider: xtracta
    url: https://api-app.xtracta.com/v1
    api_key: { env: PATH }
    group_id: 12345
    timeout: 30s
    concurrency: 4
    rate_limit: 10
    max_attempts: 5
    max_delete: 5
    max_delete_fraction: 0.25
  robots:
    provider: uipath
    url: https://cloud.uipath.com/acme/identity_
    token_url: https://cloud.uipath.com/identity_/connect/token
    client_id: { env: PATH }
    client_secret: { env: PATH }
    partition_global_id: 6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11
daemon:
  schedule: '*/15 * * * *'
  debounce: 500ms
";

/// The problems of `text` as `line:col: message`, or an empty list when it is valid.
fn problems(text: &str) -> Vec<String> {
    match from_text(text, "roster.yaml", Path::new(".")) {
        Ok(_) => Vec::new(),
        Err(p) => p.0.iter().map(|p| p.to_string()).collect(),
    }
}

/// `VALID` with its first `old` replaced by `new`.
fn with(old: &str, new: &str) -> String {
    assert!(VALID.contains(old), "{old}");
    VALID.replacen(old, new, 1)
}

#[test]
fn the_valid_config_is_valid() {
    assert_eq!(problems(VALID), Vec::<String>::new());
}

#[test]
fn every_number_and_duration_is_range_checked_with_its_location() {
    for (old, new, expected) in [
        (
            "timeout: 30s",
            "timeout: 99999999999999999999h",
            "roster.yaml:8:14: target acme: timeout: duration \"99999999999999999999h\" is out of range (1ms to 1h)",
        ),
        (
            "timeout: 30s",
            "timeout: 2h",
            "roster.yaml:8:14: target acme: timeout: duration \"2h\" is out of range (1ms to 1h)",
        ),
        (
            "rate_limit: 10",
            "rate_limit: 1e-20",
            "roster.yaml:10:17: target acme: `rate_limit` must be 0.001 to 100000 requests per second",
        ),
        (
            "rate_limit: 10",
            "rate_limit: .inf",
            "roster.yaml:10:17: target acme: `rate_limit` must be 0.001 to 100000 requests per second",
        ),
        (
            "rate_limit: 10",
            "rate_limit: .nan",
            "roster.yaml:10:17: target acme: `rate_limit` must be 0.001 to 100000 requests per second",
        ),
        (
            "concurrency: 4",
            "concurrency: 0",
            "roster.yaml:9:18: target acme: `concurrency` must be 1 to 64",
        ),
        (
            "max_attempts: 5",
            "max_attempts: 21",
            "roster.yaml:11:19: target acme: `max_attempts` must be 1 to 20",
        ),
        (
            "max_delete_fraction: 0.25",
            "max_delete_fraction: 1.5",
            "roster.yaml:13:26: target acme: `max_delete_fraction` must be between 0 and 1",
        ),
        (
            "debounce: 500ms",
            "debounce: 99999999999999999999h",
            "roster.yaml:23:13: daemon: debounce: duration \"99999999999999999999h\" is out of range (10ms to 1h)",
        ),
        (
            "debounce: 500ms",
            "debounce: 1ms",
            "roster.yaml:23:13: daemon: debounce: duration \"1ms\" is out of range (10ms to 1h)",
        ),
        (
            "schedule: '*/15 * * * *'",
            "schedule: '0 0 31 2 *'",
            "roster.yaml:22:13: daemon: schedule \"0 0 31 2 *\" never fires",
        ),
    ] {
        assert_eq!(problems(&with(old, new)), [expected], "{new}");
    }
    for (old, new) in [
        ("timeout: 30s", "timeout: 1ms"),
        ("timeout: 30s", "timeout: 1h"),
        ("rate_limit: 10", "rate_limit: 0.001"),
        ("rate_limit: 10", "rate_limit: 100000"),
        ("debounce: 500ms", "debounce: 10ms"),
        ("debounce: 500ms", "debounce: 60m"),
    ] {
        assert_eq!(problems(&with(old, new)), Vec::<String>::new(), "{new}");
    }
}

#[test]
fn numbers_that_do_not_fit_are_located_errors() {
    for (old, new) in [
        ("concurrency: 4", "concurrency: 99999999999999999999"),
        ("max_delete: 5", "max_delete: -1"),
        ("group_id: 12345", "group_id: 1e400"),
        ("max_attempts: 5", "max_attempts: 4294967296"),
    ] {
        let p = problems(&with(old, new));
        assert_eq!(p.len(), 1, "{new}: {p:?}");
        assert!(p[0].starts_with("roster.yaml:"), "{p:?}");
    }
}

#[test]
fn credentials_in_urls_are_refused_without_the_password() {
    let p = problems(&with(
        "url: https://api-app.xtracta.com/v1",
        "url: https://me:hunter2@api-app.xtracta.com/v1",
    ));
    assert_eq!(
        p,
        [
            "roster.yaml:5:10: target acme: url \"https://***@api-app.xtracta.com/v1\" carries credentials (user:password@): roster refuses them; use the target's secret keys"
        ]
    );
    let p = problems(&with(
        "token_url: https://cloud.uipath.com",
        "token_url: https://me:hunter2@cloud.uipath.com",
    ));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with(
            "roster.yaml:17:16: target robots: token_url: url \"https://***@cloud.uipath.com"
        ),
        "{p:?}"
    );
    assert!(!p.concat().contains("hunter2"));
}

#[test]
fn target_names_that_cannot_be_file_names_are_refused() {
    for bad in ["'../../etc'", "'a/b'", "'..'", "''", "\"a\\e[2Jb\""] {
        let p = problems(&with("  acme:", &format!("  {bad}:")));
        assert_eq!(p.len(), 1, "{bad}: {p:?}");
        assert!(
            p[0].starts_with("roster.yaml:4:5: invalid target name"),
            "{bad}: {p:?}"
        );
        assert!(!p[0].contains('\u{1b}'), "{p:?}");
    }
}

/// Values a careless or hostile author might write, for any key.
fn odd_value() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "0",
        "-1",
        "1",
        "64",
        "65",
        "1e-20",
        "1e400",
        "-1e400",
        ".nan",
        ".inf",
        "-.inf",
        "0.5",
        "99999999999999999999",
        "18446744073709551616",
        "4294967296",
        "99999999999999999999h",
        "1e300s",
        "0.0000000001ms",
        "1h",
        "10ms",
        "500",
        "~",
        "''",
        "\"\\0\"",
        "\"\\e[2J\"",
        "\"\\x85\"",
        "[]",
        "{}",
        "[a, b]",
        "{ env: PATH }",
        "{ env: '' }",
        "{ file: missing }",
        "{ file: /dev/null }",
        "{ file: /dev/zero }",
        "{ file: . }",
        "{ env: A, file: B }",
        "https://u:p@h.example/",
        "http://x.example",
        "https://api-app.xtracta.com/v1",
        "http://127.0.0.1:1",
        "xtracta",
        "uipath",
        "learningcloud",
        "report",
        "delete",
        "deactivate",
        "'*/15 * * * *'",
        "'0 0 31 2 *'",
        "'*/0 * * * *'",
        "Europe/Berlin",
        "Mars/Olympus",
        "127.0.0.1:1",
        "'[::1]:99999'",
        "&a x",
        "*a",
        "!!binary aGk=",
        "!!str 5",
        "true",
        "yes",
        "'a/b'",
        "cloud",
        "onprem",
        "synchronous",
        "6b3a7e1c-0d3f-4c55-9a5e-3d0f1b2c4a11",
    ])
    .prop_map(str::to_string)
}

fn target_key() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "provider",
        "url",
        "unmanaged",
        "protect",
        "max_delete",
        "max_delete_fraction",
        "timeout",
        "concurrency",
        "rate_limit",
        "max_attempts",
        "ignore",
        "api_key",
        "group_id",
        "token_url",
        "client_id",
        "client_secret",
        "scope",
        "partition_global_id",
        "deployment",
        "token",
        "synchronization",
        "bogus",
    ])
}

fn daemon_key() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "schedule", "timezone", "mode", "listen", "debounce", "bogus",
    ])
}

fn target_name() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["acme", "'a/b'", "'..'", "''", "x y", "ok", "\"\\e\""])
}

/// A config built from the real keys with odd values in odd places.
fn config_text() -> impl Strategy<Value = String> {
    let target = (
        target_name(),
        prop::collection::vec((target_key(), odd_value()), 0..10),
    );
    (
        odd_value(),
        prop::option::of(odd_value()),
        prop::collection::vec(target, 0..3),
        prop::option::of(prop::collection::vec((daemon_key(), odd_value()), 0..6)),
    )
        .prop_map(|(manifests, state_dir, targets, daemon)| {
            let mut t = format!("manifests: {manifests}\n");
            if let Some(s) = state_dir {
                t.push_str(&format!("state_dir: {s}\n"));
            }
            t.push_str("targets:\n");
            for (name, keys) in targets {
                t.push_str(&format!("  {name}:\n"));
                for (k, v) in keys {
                    t.push_str(&format!("    {k}: {v}\n"));
                }
            }
            if let Some(keys) = daemon {
                t.push_str("daemon:\n");
                for (k, v) in keys {
                    t.push_str(&format!("  {k}: {v}\n"));
                }
            }
            t
        })
}

/// One edit of a text: insert, replace or delete a character at a position.
#[derive(Clone, Debug)]
enum Edit {
    Insert(usize, char),
    Replace(usize, char),
    Delete(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let c = prop::sample::select(vec![
        ' ', '\n', '\t', ':', '-', '[', ']', '{', '}', ',', '&', '*', '!', '"', '\'', '#', '9',
        '.', 'e', '\0', '\u{1b}', '\u{85}', '@', '/', '|', '>', '%',
    ]);
    prop_oneof![
        (any::<usize>(), c.clone()).prop_map(|(i, c)| Edit::Insert(i, c)),
        (any::<usize>(), c).prop_map(|(i, c)| Edit::Replace(i, c)),
        any::<usize>().prop_map(Edit::Delete),
    ]
}

fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let n = chars.len().max(1);
        match *e {
            Edit::Insert(i, c) => chars.insert(i % (chars.len() + 1), c),
            Edit::Replace(i, c) if !chars.is_empty() => chars[i % n] = c,
            Edit::Delete(i) if !chars.is_empty() => {
                chars.remove(i % n);
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// A config or located problems: never a panic, never a problem without a place.
fn config_or_located_problems(text: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    if let Err(problems) = from_text(text, "roster.yaml", dir.path()) {
        prop_assert!(!problems.is_empty());
        for p in &problems.0 {
            prop_assert!(p.origin.is_some(), "unlocated: {p}");
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn configs_from_a_grammar_of_real_keys_never_panic(text in config_text()) {
        config_or_located_problems(&text)?;
    }

    #[test]
    fn mutations_of_a_valid_config_never_panic(edits in prop::collection::vec(edit(), 1..8)) {
        config_or_located_problems(&mutate(VALID, &edits))?;
    }
}
