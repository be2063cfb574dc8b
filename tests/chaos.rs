//! A bad day: 5xx, lost answers, malformed answers and a rate limit. `apply`, run again when it
//! reports failures, must end with exactly the desired users, no duplicates, and the unmanaged
//! users untouched.

mod util;

use std::collections::BTreeMap;

use util::{Sim, Workspace};

const SEED: &str = "\
groups: [12345]
workflows:
  - { id: 100, name: Invoices }
  - { id: 200, name: Receipts }
users:
  - { id: 9001, name: Keep Me, email: unmanaged@example.com, group: 12345, workflows: [100] }
  - { id: 9002, name: Old Name, email: user7@example.com, group: 12345, workflows: [200] }
";

#[test]
fn chaos_apply_converges_without_duplicates() {
    let sim = Sim::xtracta(
        SEED,
        &[
            "--fail-rate",
            "0.2",
            "--ambiguous-rate",
            "0.05",
            "--malformed-rate",
            "0.02",
            "--rate-limit",
            "60",
            "--fault-seed",
            "7",
        ],
    );
    let ws = Workspace::xtracta(
        &sim,
        // user7 leaving workflow 200 is one of the two users in scope losing access.
        "    concurrency: 4\n    max_attempts: 8\n    rate_limit: 80\n    timeout: 5s\n    max_delete_fraction: 0.5\n",
    );
    let mut want: BTreeMap<String, (String, Vec<u64>)> = BTreeMap::new();
    for file in 0..4 {
        let mut text = String::from("users:\n");
        for i in (file * 50)..(file * 50 + 50) {
            let email = format!("user{i}@example.com");
            let name = format!("User {i}");
            let wf: Vec<u64> = match i % 3 {
                0 => vec![],
                1 => vec![100],
                _ => vec![100, 200],
            };
            text.push_str(&format!(
                "  - email: {email}\n    name: {name}\n    workflows: {wf:?}\n"
            ));
            want.insert(email, (name, wf));
        }
        ws.write(&format!("users/part{file}.yaml"), &text);
    }

    let mut runs = 0;
    loop {
        runs += 1;
        let out = ws.roster(&["apply", "--yes"]);
        assert!(!out.all().contains(util::API_KEY));
        assert!(!out.all().contains("panicked"), "{}", out.all());
        if out.code == 0 {
            break;
        }
        assert!(runs < 3, "still failing after {runs} runs:\n{}", out.all());
        assert!(
            out.stdout.contains("FAILED"),
            "a failed run reports what failed:\n{}",
            out.all()
        );
    }

    let statuses = sim.requests()["by_endpoint_status"].to_string();
    // 429s depend on timing, so they are checked in tests/safety.rs instead.
    for code in [" 50", "/v1/user/add 200"] {
        assert!(
            statuses.contains(code),
            "no {code} answers were seen: {statuses}"
        );
    }

    let users = sim.users();
    let mut seen = BTreeMap::new();
    for u in &users {
        let key = u.2.to_lowercase();
        assert!(
            seen.insert(key.clone(), u.0).is_none(),
            "duplicate user {key}"
        );
    }
    for (email, (name, wf)) in &want {
        let u = users
            .iter()
            .find(|u| &u.2 == email)
            .unwrap_or_else(|| panic!("{email} missing"));
        assert_eq!((&u.1, &u.4), (name, wf), "{email}");
    }
    assert_eq!(
        users.len(),
        want.len() + 1,
        "exactly the desired users plus the unmanaged one"
    );
    let keep = users
        .iter()
        .find(|u| u.2 == "unmanaged@example.com")
        .unwrap();
    assert_eq!((keep.1.as_str(), keep.4.clone()), ("Keep Me", vec![100]));
    assert_eq!(
        users.iter().find(|u| u.2 == "user7@example.com").unwrap().0,
        9002,
        "existing user kept its id"
    );
}
