//! Reading saved plans: whatever the file holds, a clean error and never its content.

use super::*;

fn sample() -> SavedPlan {
    SavedPlan {
        format_version: VERSION,
        kind: KIND.into(),
        roster_version: "0".into(),
        config_digest: "c".into(),
        manifests_digest: "m".into(),
        targets: vec!["acme".into()],
        assumptions: BTreeMap::new(),
        plan: Plan::default(),
    }
}

fn read_text(text: &[u8]) -> Result<SavedPlan, ReadError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, text).unwrap();
    read(&path)
}

#[test]
fn a_written_plan_reads_back_equal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    write(&path, &sample()).unwrap();
    assert_eq!(read(&path).unwrap(), sample());
}

#[test]
fn a_plan_saved_before_targets_were_recorded_covers_its_plans_targets() {
    let mut old = serde_json::to_value(sample()).unwrap();
    old.as_object_mut().unwrap().remove("targets");
    old["plan"]["targets"] = serde_json::json!([{
        "target": "beta", "provider": "x", "in_scope": 0, "desired_count": 0,
        "creates": [], "updates": [], "memberships": [], "deletes": [], "deactivations": [],
        "needs_person": [], "unmanaged": [], "protected": [], "ignored": [], "held": []
    }]);
    let read = read_text(old.to_string().as_bytes()).unwrap();
    assert_eq!(read.covered(), ["beta"]);
    assert_eq!(sample().covered(), ["acme"]);
}

#[test]
fn not_json_is_a_clean_error() {
    let e = read_text(b"\x7fELF\x02\x01 binary junk").unwrap_err();
    assert!(matches!(e, ReadError::Malformed { .. }), "{e}");
    assert!(e.to_string().contains("invalid JSON"), "{e}");
}

#[test]
fn deep_nesting_stops_at_the_recursion_limit() {
    let deep = "[".repeat(200_000);
    let e = read_text(deep.as_bytes()).unwrap_err();
    assert!(matches!(e, ReadError::Malformed { .. }), "{e}");
    // Valid JSON, nested deep where the reader skips it and where it reads it.
    let n = 200_000;
    let nested = format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
    for doc in [
        format!("{{\"format_version\": 1, \"kind\": \"{KIND}\", \"x\": {nested}}}"),
        format!("{{\"format_version\": 1, \"kind\": \"{KIND}\", \"plan\": {nested}}}"),
    ] {
        let e = read_text(doc.as_bytes()).unwrap_err();
        assert!(matches!(e, ReadError::Malformed { .. }), "{e}");
    }
}

#[test]
fn the_wrong_shape_never_quotes_the_file() {
    let secretish =
        format!("{{\"format_version\": 1, \"kind\": \"{KIND}\", \"plan\": \"hunter2-secret\"}}");
    let e = read_text(secretish.as_bytes()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("shape"), "{msg}");
    assert!(!msg.contains("hunter2"), "{msg}");
    let e = read_text(b"{\"format_version\": 1, \"kind\": \"token-hunter2\"}").unwrap_err();
    assert!(matches!(e, ReadError::WrongKind { .. }), "{e}");
    assert!(!e.to_string().contains("hunter2"), "{e}");
    let e = read_text(format!("{{\"format_version\": 9, \"kind\": \"{KIND}\"}}").as_bytes())
        .unwrap_err();
    assert!(e.to_string().contains("format version 9"), "{e}");
}

#[test]
fn a_huge_file_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(MAX_PLAN_BYTES + 1).unwrap();
    let e = read(&path).unwrap_err();
    assert!(matches!(e, ReadError::TooLarge { .. }), "{e}");
    assert!(e.to_string().contains("256 MiB"), "{e}");
}

#[test]
fn a_fifo_or_a_folder_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let e = read(dir.path()).unwrap_err();
    assert!(matches!(e, ReadError::NotAFile { .. }), "{e}");
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if made {
        // Opening it would wait for a writer forever.
        assert!(matches!(read(&fifo), Err(ReadError::NotAFile { .. })));
    }
    let e = read(&dir.path().join("missing.json")).unwrap_err();
    assert!(e.to_string().contains("not found"), "{e}");
}
