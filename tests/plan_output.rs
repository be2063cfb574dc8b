//! The plan as people read it: field-level pairs, folding of long plans (never of removals of
//! access), markdown within its byte budget, escaping of control characters, and `--redact`.
//! Most tests build plans in-process and call the pure renderers; the last ones run the binary
//! against `roster sim xtracta`.

mod util;

use roster::apply::{Outcome, Report, Step};
use roster::model::{Origin, Value};
use roster::plan::{Create, Drift, FieldChange, Membership, Plan, TargetPlan, Update, UserRef};
use roster::render::{self, Fold, Options, Styles, json, markdown, redact};
use roster::secret::SecretRef;
use util::{Sim, Workspace};

fn st() -> Styles {
    Styles::colored(false)
}

fn person(key: &str, id: Option<u64>, name: Option<&str>, line: Option<u64>) -> UserRef {
    UserRef {
        key: key.into(),
        id: id.map(|i| i.to_string()),
        name: name.map(str::to_string),
        origin: line.map(|line| Origin {
            file: "users/acme.yaml".into(),
            line,
            column: 5,
        }),
    }
}

fn change(user: &UserRef, field: &str, from: Option<Value>, to: Value) -> FieldChange {
    FieldChange {
        user: user.clone(),
        field: field.into(),
        from,
        to,
    }
}

fn update(user: UserRef, changes: Vec<(&str, Option<Value>, Value)>) -> Update {
    Update {
        changes: changes
            .into_iter()
            .map(|(f, from, to)| change(&user, f, from, to))
            .collect(),
        user,
        actual: roster::model::Fields::new(),
    }
}

fn create(key: &str, name: &str, line: u64) -> Create {
    Create {
        user: person(key, None, Some(name), Some(line)),
        fields: [
            ("email".to_string(), Value::text(key)),
            ("name".to_string(), Value::text(name)),
        ]
        .into(),
        password: None,
    }
}

fn target(name: &str, provider: &str, host: &str) -> TargetPlan {
    TargetPlan {
        target: name.into(),
        provider: provider.into(),
        host: Some(host.into()),
        // As the planner sets it from the vendor's schema.
        membership_noun: (provider == "xtracta").then(|| "workflow".into()),
        ..TargetPlan::default()
    }
}

/// A plan of a few changes of every kind, on two targets.
fn small_plan() -> Plan {
    let mut acme = target("acme", "xtracta", "api-app.xtracta.com");
    acme.in_scope = 4;
    acme.desired_count = 4;
    let mut ana = create("ana@example.com", "Ana Lima", 3);
    ana.fields
        .insert("workflows", Value::set(["496553", "496941"]));
    ana.password = Some(SecretRef::Env("ANA_FIRST_PASSWORD".into()));
    acme.creates.push(ana);
    let bo = person("bo@example.com", Some(4092), Some("Bo"), Some(7));
    acme.updates.push(update(
        bo.clone(),
        vec![
            (
                "email",
                Some(Value::text("bo@example.com")),
                Value::text("bo.chen@example.com"),
            ),
            ("name", Some(Value::text("Bo")), Value::text("Bo Chen")),
        ],
    ));
    let carla = person("carla@example.com", Some(4093), Some("Carla"), Some(12));
    acme.updates.push(update(
        carla.clone(),
        vec![(
            "name",
            Some(Value::text("Carla")),
            Value::text("Carla Souza"),
        )],
    ));
    acme.memberships.push(Membership {
        field: "workflows".into(),
        collection: "496553".into(),
        join: vec![bo.clone()],
        leave: vec![carla.clone()],
    });
    acme.deletes
        .push(person("dan@example.com", Some(4094), Some("Dan Old"), None));
    acme.unmanaged.push(person(
        "legacy@example.com",
        Some(4095),
        Some("Legacy"),
        None,
    ));
    acme.needs_person.push(Drift {
        user: person("eve@example.com", Some(4096), Some("Eve"), Some(15)),
        field: "group_id".into(),
        actual: Some(Value::text("777")),
        desired: Some(Value::text("12345")),
        reason: "xtracta does not let roster change group_id".into(),
    });

    let mut robots = target("robots", "uipath", "cloud.uipath.com");
    robots.in_scope = 3;
    robots.desired_count = 2;
    let hermione = person("hermione@example.com", Some(11), Some("Hermione"), Some(2));
    robots.updates.push(update(
        hermione,
        vec![
            ("active", Some(Value::Bool(true)), Value::Bool(false)),
            (
                "groups",
                Some(Value::set(["Administrators", "gryff-01"])),
                Value::set(["gryff-01", "readers"]),
            ),
        ],
    ));
    let ron = person("ron@example.com", Some(12), Some("Ron"), Some(9));
    robots.updates.push(update(
        ron,
        vec![(
            "extended_fields",
            Some(Value::Map([("department".into(), "Ops".into())].into())),
            Value::Map(
                [
                    ("department".into(), "Sales".into()),
                    ("costCenter".into(), "CC-42".into()),
                ]
                .into(),
            ),
        )],
    ));
    robots.deactivations.push(update(
        person("neville@example.com", Some(13), Some("Neville"), None),
        vec![("active", Some(Value::Bool(true)), Value::Bool(false))],
    ));
    Plan {
        targets: vec![acme, robots],
    }
}

/// Every removal of access in a plan, by the user's key: deletions, deactivations, leaves and
/// updates that take access away, as the plan's own data names them.
fn removals(p: &Plan) -> Vec<String> {
    let mut keys = Vec::new();
    for t in &p.targets {
        keys.extend(t.deletes.iter().map(|u| format!("- delete {}", u.key)));
        keys.extend(
            t.deactivations
                .iter()
                .map(|u| format!("- deactivate {}", u.user.key)),
        );
        for m in &t.memberships {
            keys.extend(m.leave.iter().map(|u| format!("-member {}", u.key)));
        }
        for u in &t.updates {
            let takes_away = u.changes.iter().any(|c| match (&c.from, &c.to) {
                (Some(Value::Bool(true)), Value::Bool(false)) => true,
                (Some(Value::Text(old)), Value::Text(_)) => old.eq_ignore_ascii_case(&u.user.key),
                (Some(Value::Set(old)), Value::Set(new)) => !old.is_subset(new),
                _ => false,
            });
            if takes_away {
                keys.push(format!("~ update {}", u.user.key));
            }
        }
    }
    keys
}

/// A plan of thousands of changes on one target: creates, renames, e-mail changes, joins and
/// leaves, deletions, deactivations and unmanaged users.
fn big_plan(creates: usize, renames: usize, removals: usize) -> Plan {
    let mut t = target("acme", "xtracta", "api-app.xtracta.com");
    t.in_scope = renames + removals * 3;
    t.desired_count = creates + renames;
    let key = |prefix: &str, i: usize| format!("{prefix}{i:05}@example.com");
    for i in 0..creates {
        t.creates.push(create(
            &key("new", i),
            &format!("New {i}"),
            2 + i as u64 * 3,
        ));
    }
    for i in 0..renames {
        let u = person(
            &key("user", i),
            Some(10_000 + i as u64),
            Some(&format!("User {i}")),
            Some(2 + i as u64 * 3),
        );
        t.updates.push(update(
            u,
            vec![(
                "name",
                Some(Value::text(format!("User {i}"))),
                Value::text(format!("User {i} Lima")),
            )],
        ));
    }
    let joins: Vec<UserRef> = (0..renames / 2)
        .map(|i| person(&key("user", i), Some(10_000 + i as u64), None, None))
        .collect();
    let leaves: Vec<UserRef> = (0..removals)
        .map(|i| person(&key("leaver", i), Some(20_000 + i as u64), None, None))
        .collect();
    t.memberships.push(Membership {
        field: "workflows".into(),
        collection: "496553".into(),
        join: joins,
        leave: leaves,
    });
    for i in 0..removals {
        let moved = person(&key("moved", i), Some(30_000 + i as u64), None, Some(9));
        t.updates.push(update(
            moved,
            vec![(
                "email",
                Some(Value::text(key("moved", i))),
                Value::text(format!("moved{i:05}@elsewhere.example")),
            )],
        ));
        t.deletes
            .push(person(&key("gone", i), Some(40_000 + i as u64), None, None));
        t.deactivations.push(update(
            person(&key("off", i), Some(50_000 + i as u64), None, None),
            vec![("active", Some(Value::Bool(true)), Value::Bool(false))],
        ));
    }
    for i in 0..creates {
        t.unmanaged.push(person(
            &key("stray", i),
            Some(60_000 + i as u64),
            Some(&format!("Stray {i}")),
            None,
        ));
    }
    t.updates.sort_by(|a, b| a.user.cmp(&b.user));
    Plan { targets: vec![t] }
}

/// Every entry a rendered plan lists, as `- delete KEY`, `-member KEY`, `~ update KEY`: each
/// line without its diff marker, indentation, `  (id …)` and `: …` tails.
fn listed(text: &str) -> std::collections::HashSet<String> {
    text.lines()
        .map(|line| {
            // Markdown's diff marker is one character before the human line's indentation.
            let line = match line.as_bytes().get(1) {
                Some(b' ') => &line[1..],
                _ => line,
            };
            let line = line.trim_start();
            let line = line.split("  (").next().unwrap_or(line);
            line.split(": ").next().unwrap_or(line).to_string()
        })
        .collect()
}

#[track_caller]
fn assert_lists_every_removal(p: &Plan, text: &str) {
    let listed = listed(text);
    let removals = removals(p);
    assert!(!removals.is_empty());
    for line in removals {
        assert!(listed.contains(&line), "{line} missing");
    }
}

fn changes(p: &Plan) -> usize {
    p.targets
        .iter()
        .map(|t| {
            t.creates.len()
                + t.updates.len()
                + t.membership_changes()
                + t.deletes.len()
                + t.deactivations.len()
        })
        .sum()
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('\u{1b}') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after.find('m').expect("an SGR sequence ends with m");
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn human(p: &Plan, fold: Fold, saved: Option<&str>) -> String {
    let opts = Options {
        fold,
        saved: saved.map(str::to_string),
        ..Options::default()
    };
    render::plan_with(p, &st(), &opts)
}

fn md(p: &Plan, saved: Option<&str>, max_bytes: usize) -> String {
    let opts = Options {
        saved: saved.map(str::to_string),
        ..Options::default()
    };
    markdown::plan(p, &opts, max_bytes)
}

// ---- a small plan ----

#[test]
fn small_plan_human() {
    let text = human(&small_plan(), Fold::default(), None);
    assert!(text.contains("~ name: \"Bo\" → \"Bo Chen\""), "{text}");
    assert!(
        text.contains("Target acme (xtracta, api-app.xtracta.com): 4 users in scope"),
        "{text}"
    );
    insta::assert_snapshot!("small_plan_human", text);
}

#[test]
fn small_plan_colour_is_the_same_text() {
    let p = small_plan();
    let coloured = render::plan_with(&p, &Styles::colored(true), &Options::default());
    assert!(coloured.contains("\u{1b}[31m\"Bo\"\u{1b}[0m"), "{coloured}");
    assert_eq!(strip_ansi(&coloured), human(&p, Fold::default(), None));
}

#[test]
fn small_plan_markdown() {
    let text = md(&small_plan(), None, markdown::MAX_BYTES);
    assert!(!text.contains("Folded"), "{text}");
    insta::assert_snapshot!("small_plan_markdown", text);
}

#[test]
fn small_plan_redacted() {
    let p = small_plan();
    let shown = redact::plan(&p);
    let text = format!(
        "{}\n{}\n{}",
        human(&shown, Fold::default(), None),
        md(&shown, None, markdown::MAX_BYTES),
        json::plan(&shown)
    );
    assert_no_personal_data(&p, &text);
    insta::assert_snapshot!("small_plan_redacted", human(&shown, Fold::default(), None));
    insta::assert_snapshot!(
        "small_plan_redacted_markdown",
        md(&shown, None, markdown::MAX_BYTES)
    );
}

/// Every e-mail and name the plan holds, and every e-mail's domain.
fn personal_data(p: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    let json: serde_json::Value = serde_json::from_str(&json::plan(p)).unwrap();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        use serde_json::Value::{Array, Object, String};
        let text = |v: Option<&serde_json::Value>| v?.get("text")?.as_str().map(str::to_string);
        match v {
            Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("key" | "name", String(s)) => out.push(s.clone()),
                        ("email" | "name", Object(_)) => out.extend(text(Some(v))),
                        _ => {}
                    }
                    walk(v, out);
                }
                if let Some(String(f)) = map.get("field")
                    && ["email", "name"].contains(&f.as_str())
                {
                    for k in ["from", "to", "actual", "desired"] {
                        out.extend(text(map.get(k)));
                    }
                }
            }
            Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(&json, &mut out);
    let domains: Vec<String> = out
        .iter()
        .filter_map(|s| s.split_once('@').map(|(_, d)| d.to_string()))
        .collect();
    out.extend(domains);
    out.sort();
    out.dedup();
    out
}

#[track_caller]
fn assert_no_personal_data(p: &Plan, text: &str) {
    let personal = personal_data(p);
    assert!(
        personal.len() > 5,
        "the plan holds personal data: {personal:?}"
    );
    for s in personal {
        assert!(!text.contains(&s), "{s:?} in\n{text}");
    }
}

// ---- thousands of changes ----

#[test]
fn thousands_of_changes_fold_in_human_output() {
    let p = big_plan(300, 2_000, 20);
    let text = human(&p, Fold::default(), None);
    assert!(
        text.contains(
            "  … 280 more creates: run with --full, or see the saved plan (plan --out FILE)"
        ),
        "{text}"
    );
    assert!(text.contains("  … 1980 more updates: "), "{text}");
    assert_lists_every_removal(&p, &text);
    assert!(text.lines().count() < 400, "{} lines", text.lines().count());
    insta::assert_snapshot!("thousands_human", text);

    let full = human(&p, Fold::FULL, None);
    assert!(!full.contains("more updates"));
    for i in 0..2_000 {
        assert!(full.contains(&format!("~ name: \"User {i}\" → \"User {i} Lima\"")));
    }
}

#[test]
fn thousands_of_changes_fold_in_markdown() {
    let p = big_plan(300, 2_000, 20);
    let text = md(&p, Some("plan.json"), markdown::MAX_BYTES);
    assert!(text.len() <= markdown::MAX_BYTES, "{} bytes", text.len());
    assert!(text.contains("> **Folded to fit 65000 bytes:**"), "{text}");
    assert!(text.contains("every change is in the saved plan `plan.json`"));
    assert_lists_every_removal(&p, &text);
    // Snapshot a small budget so that the snapshot stays readable; the folding is the same.
    let small = md(&p, Some("plan.json"), 8_000);
    assert!(small.len() <= 8_000, "{} bytes", small.len());
    insta::assert_snapshot!("thousands_markdown_8000_bytes", small);
}

#[test]
fn thousands_of_changes_redacted() {
    let p = big_plan(300, 2_000, 20);
    let shown = redact::plan(&p);
    let text = human(&shown, Fold::default(), None);
    assert_no_personal_data(&p, &text);
    assert_no_personal_data(&p, &md(&shown, None, markdown::MAX_BYTES));
    insta::assert_snapshot!("thousands_redacted", text);
}

#[test]
fn ten_thousand_changes_fit_the_budget_and_list_every_removal() {
    let p = big_plan(3_000, 4_600, 100);
    assert!(changes(&p) >= 10_000, "{}", changes(&p));
    let text = md(&p, None, markdown::MAX_BYTES);
    assert!(text.len() <= markdown::MAX_BYTES, "{} bytes", text.len());
    assert_eq!(removals(&p).len(), 400);
    assert_lists_every_removal(&p, &text);
    assert!(text.contains("see every change with `roster plan --full`"));
    // Short sections stay whole, long ones fold first: the removals are all there and the
    // longest sections show the same number of entries.
    assert!(text.contains("more creates: ") && text.contains("more updates: "));
}

#[test]
fn removals_over_the_budget_are_all_listed_in_one_short_line_each() {
    let p = big_plan(100, 100, 3_000);
    let text = md(&p, Some("out/plan.json"), markdown::MAX_BYTES);
    assert!(
        text.contains("> **Over the 65000-byte budget:** removals of access are never folded"),
        "{}",
        &text[..2_000]
    );
    assert_lists_every_removal(&p, &text);
    assert!(
        text.contains("-  - delete gone00042@example.com\n"),
        "compact"
    );
    assert!(
        text.contains("!  ~ update moved00042@example.com: email\n"),
        "compact"
    );
}

#[test]
fn twenty_deletions_among_two_thousand_renames_are_all_shown() {
    let mut p = big_plan(0, 2_000, 0);
    let t = &mut p.targets[0];
    t.memberships.clear();
    for i in 0..20 {
        t.deletes.push(person(
            &format!("leaver{i}@example.com"),
            Some(9_000 + i),
            None,
            None,
        ));
    }
    let text = human(&p, Fold::default(), None);
    let md_text = md(&p, None, 20_000);
    assert!(md_text.len() <= 20_000);
    for i in 0..20 {
        let line = format!("  - delete leaver{i}@example.com  (id {})\n", 9_000 + i);
        assert!(text.contains(&line), "{line} not in\n{text}");
        assert!(md_text.contains(&line), "{line} not in\n{md_text}");
    }
    assert!(text.contains("… 1980 more updates"), "{text}");
    assert!(
        text.contains("  summary: 2000 to update (name 2000), 20 to delete"),
        "{text}"
    );
}

#[test]
fn json_stays_complete_whatever_the_size() {
    let p = big_plan(3_000, 4_600, 100);
    let doc: serde_json::Value = serde_json::from_str(&json::plan(&p)).unwrap();
    assert_eq!(doc["format_version"], 1);
    let t = &doc["targets"][0];
    assert_eq!(t["host"], "api-app.xtracta.com");
    assert_eq!(t["updates"].as_array().unwrap().len(), 4_700);
    assert_eq!(t["creates"].as_array().unwrap().len(), 3_000);
    assert_eq!(t["unmanaged"].as_array().unwrap().len(), 3_000);
}

// ---- control characters and markdown structure ----

#[test]
fn control_characters_never_reach_the_output_raw() {
    let esc = "\u{1b}]0;owned\u{7}\u{1b}[2J";
    let mut p = small_plan();
    let t = &mut p.targets[0];
    t.target = "ac`me|<b>".into();
    t.unmanaged[0].name = Some(format!("Legacy{esc}"));
    t.updates[1].changes[0].to = Value::text(format!("Carla{esc}\u{9b}\u{7f}"));
    t.memberships[0].collection = format!("4965{esc}");
    t.needs_person[0].reason = format!("reason {esc}");
    t.deletes[0].key = format!("dan{esc}@example.com");
    let raw = |s: &str| s.chars().any(|c| c.is_control() && c != '\n');
    let text = human(&p, Fold::default(), None);
    assert!(!raw(&text), "{text:?}");
    assert!(text.contains("Legacy\\e]0;owned\\x07\\e[2J"), "{text}");
    let md_text = md(&p, None, markdown::MAX_BYTES);
    assert!(!raw(&md_text), "{md_text:?}");
    assert!(
        md_text.contains("| ``ac`me\\|<b>`` (xtracta) |"),
        "{md_text}"
    );
    assert!(
        md_text.contains("<code>ac`me|&lt;b&gt;</code>"),
        "{md_text}"
    );
    let report = Report {
        target: "acme".into(),
        steps: vec![Step {
            change: format!("create dan{esc}"),
            kind: roster::apply::ChangeKind::Create,
            outcome: Outcome::Failed(format!("vendor said {esc}\n```")),
            error: None,
        }],
        denied: None,
    };
    let text = render::report(&report, &st());
    assert!(!raw(&text), "{text:?}");
    let md_report = markdown::reports(std::slice::from_ref(&report));
    assert!(
        !raw(&md_report) && md_report.ends_with("\n````\n"),
        "{md_report}"
    );
}

// ---- the binary against the simulator ----

fn many_users_seed(n: usize) -> String {
    let mut seed = String::from("groups: [12345]\nusers:\n");
    for i in 0..n {
        seed.push_str(&format!(
            "  - {{ id: {}, name: User {i}, email: user{i}@example.com }}\n",
            1000 + i
        ));
    }
    seed
}

fn renamed(n: usize) -> String {
    let mut text = String::from("users:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  - email: user{i}@example.com\n    name: User {i} Lima\n"
        ));
    }
    text
}

#[test]
fn long_plans_fold_and_full_and_max_bytes_change_that() {
    let sim = Sim::xtracta(&many_users_seed(120), &[]);
    let ws = Workspace::xtracta(&sim, "");
    ws.write("users/acme.yaml", &renamed(120));

    let plan = ws.roster(&["plan"]);
    plan.ok();
    let host = format!("Target acme (xtracta, {}): 120 users in scope", sim.addr);
    assert!(plan.stdout.contains(&host), "{}", plan.stdout);
    assert!(
        plan.stdout.contains(
            "  … 100 more updates: run with --full, or see the saved plan (plan --out FILE)"
        ),
        "{}",
        plan.stdout
    );
    assert_eq!(plan.stdout.matches("~ name: ").count(), 20);

    let saved = ws.roster(&["plan", "--out", "plan.json"]);
    assert!(
        saved
            .stdout
            .contains("… 100 more updates: run with --full, or see the saved plan plan.json"),
        "{}",
        saved.stdout
    );

    let full = ws.roster(&["plan", "--full"]);
    full.ok();
    assert_eq!(full.stdout.matches("~ name: ").count(), 120);
    assert!(
        full.stdout
            .contains("~ name: \"User 119\" → \"User 119 Lima\"")
    );
    assert!(!full.stdout.contains("more updates"));

    let whole = ws.roster(&["plan", "--output", "markdown"]);
    assert_eq!(
        whole.stdout.matches("~ name: ").count(),
        120,
        "markdown is whole when it fits"
    );
    let md = ws.roster(&[
        "plan",
        "--output",
        "markdown",
        "--max-bytes",
        "4000",
        "--out",
        "plan.json",
    ]);
    md.ok();
    assert!(md.stdout.len() <= 4000, "{} bytes", md.stdout.len());
    assert!(
        md.stdout.contains("> **Folded to fit 4000 bytes:**"),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout
            .contains("every change is in the saved plan `plan.json`")
    );

    let json = ws.roster(&["plan", "--output", "json", "--max-bytes", "4000"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["targets"][0]["updates"].as_array().unwrap().len(), 120);
    assert_eq!(doc["targets"][0]["host"], sim.addr.as_str());
}

const PEOPLE_SEED: &str = "\
groups: [12345]
workflows:
  - { id: 100, name: Invoices }
users:
  - { id: 4092, name: Bo Borges, email: bo@example.com, workflows: [100] }
  - { id: 4093, name: Carla Souza, email: carla@example.com }
  - { id: 4094, name: Dan Old, email: dan@example.com }
";

#[test]
fn redacted_plan_and_apply_show_no_personal_data() {
    let sim = Sim::xtracta(PEOPLE_SEED, &[]);
    let personal = [
        "ana@example.com",
        "Ana Lima",
        "bo@example.com",
        "bo.chen@example.com",
        "Bo Borges",
        "Bo Chen",
        "carla@example.com",
        "Carla Souza",
        "dan@example.com",
        "example.com",
        "Lima",
    ];
    let initial = sim.state();
    for format in ["human", "markdown", "json"] {
        let ws = Workspace::xtracta(&sim, "    unmanaged: delete\n");
        ws.write(
            "users/acme.yaml",
            "users:\n  - email: ana@example.com\n    name: Ana Lima\n    workflows: [100]\n  - id: 4092\n    email: bo.chen@example.com\n    name: Bo Chen\n    workflows: []\n  - email: dan@example.com\n    name: Dan\n",
        );
        let plan = ws.roster(&["plan", "--redact", "--output", format]);
        plan.ok();
        let apply = ws.roster(&[
            "apply",
            "--yes",
            "--allow-mass-delete",
            "--redact",
            "--output",
            format,
        ]);
        apply.ok();
        for out in [&plan, &apply] {
            for p in personal {
                assert!(!out.all().contains(p), "{format}: {p:?} in\n{}", out.all());
            }
        }
        assert!(
            apply.stdout.contains("a***@e***.com#"),
            "{format}: users can be told apart:\n{}",
            apply.stdout
        );
        if format == "human" {
            assert!(
                apply.stdout.contains("done create a***@e***.com#"),
                "{}",
                apply.stdout
            );
            assert!(
                apply.stdout.contains("done delete c***@e***.com#"),
                "{}",
                apply.stdout
            );
        }
        // Put the world back for the next format.
        sim.put_state(&initial);
    }
}

const LC_SEED: &str = "\
users:
  - { username: bo.chen, email: bo@acme.example, name: \"Bo \\e]0;owned\\a\\e[2J\", surname: Chen, language: es, timezone: Europe/Madrid }
  - { username: legacy, name: \"Le\\e[2Jgacy\" }
";

#[test]
fn vendor_control_characters_are_escaped_in_the_plan() {
    let sim = Sim::learningcloud(LC_SEED, &[]);
    let ws = Workspace::learningcloud(&sim, "    synchronization: synchronous\n");
    ws.write(
        "users/academy.yaml",
        "users:\n  - username: bo.chen\n    email: bo@acme.example\n    name: Bo\n    surname: Chen\n    language: es\n    timezone: Europe/Madrid\n",
    );
    for format in ["human", "markdown"] {
        let plan = ws.roster(&["plan", "--output", format]);
        plan.ok();
        assert!(
            !plan.stdout.contains('\u{1b}') && !plan.stdout.contains('\u{7}'),
            "{format}: {:?}",
            plan.stdout
        );
        for line in [
            r#"~ name: "Bo \e]0;owned\x07\e[2J" → "Bo""#,
            r#"legacy "Le\e[2Jgacy" (id "#,
        ] {
            assert!(
                plan.stdout.contains(line),
                "{format}: {line} not in\n{}",
                plan.stdout
            );
        }
    }
}

/// The arguments of the example pipeline's `roster plan … --output markdown` step.
fn pipeline_plan_args(file: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/gitops")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("roster plan") && l.contains("--output markdown"))
        .unwrap_or_else(|| panic!("{file} has no markdown plan step"));
    let command = line.split("roster plan").nth(1).unwrap();
    let command = command.split(['>', '|']).next().unwrap();
    std::iter::once("plan".to_string())
        .chain(command.split_whitespace().map(str::to_string))
        .collect()
}

#[test]
fn the_example_pipelines_post_a_ten_thousand_change_plan() {
    // 5,000 users renamed, 5,000 created, 40 deleted: the comment GitHub (65,536 characters)
    // and GitLab accept, with every deletion in it.
    let mut seed = String::from("groups: [12345]\nusers:\n");
    let mut manifest = String::from("users:\n");
    for i in 0..5_040 {
        seed.push_str(&format!(
            "  - {{ id: {}, name: U{i}, email: u{i}@example.com }}\n",
            10_000 + i
        ));
        if i < 5_000 {
            manifest.push_str(&format!("  - email: u{i}@example.com\n    name: U{i} L\n"));
        }
    }
    for i in 0..5_000 {
        manifest.push_str(&format!("  - email: n{i}@example.com\n    name: N{i}\n"));
    }
    let sim = Sim::xtracta(&seed, &[]);
    let ws = Workspace::xtracta(&sim, "    unmanaged: delete\n    max_delete: 100\n");
    ws.write("users/acme.yaml", &manifest);
    for file in [".github/workflows/roster.yml", ".gitlab-ci.yml"] {
        let args = pipeline_plan_args(file);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = ws.roster(&args);
        out.ok();
        let limit = if file.contains("gitlab") {
            1_000_000
        } else {
            65_536
        };
        assert!(
            out.stdout.chars().count() <= limit,
            "{file}: {} characters",
            out.stdout.chars().count()
        );
        assert!(
            out.stdout.contains("Plan: 5000 to create, 5000 to update"),
            "{file}"
        );
        assert!(
            out.stdout
                .contains("every change is in the saved plan `plan.json`"),
            "{file}"
        );
        let listed = listed(&out.stdout);
        let deleted = listed.iter().filter(|l| l.starts_with("- delete ")).count();
        assert_eq!(deleted, 40, "{file}: every deletion is listed");
        assert!(
            ws.path().join("plan.json").is_file(),
            "{file}: the saved plan"
        );
    }
}

#[test]
fn problems_on_stderr_are_escaped_and_redacted() {
    let sim = Sim::xtracta(PEOPLE_SEED, &[]);
    let ws = Workspace::xtracta(&sim, "");
    // A control character in a value is refused by name, never echoed raw; a duplicate e-mail
    // is named in the problem, and masked under --redact.
    let bad = "  - email: \"ana\\e]0;x\\a@example.com\"\n    name: Ana\n";
    let twice = "  - email: bo@example.com\n    name: Bo\n";
    ws.write("users/acme.yaml", &format!("users:\n{bad}{twice}{twice}"));
    let plain = ws.roster(&["plan"]);
    assert_eq!(plain.code, 1, "{}", plain.all());
    assert!(
        plain
            .stderr
            .contains("`email` contains a control character or line break (U+001B)"),
        "{}",
        plain.stderr
    );
    assert!(
        plain.stderr.contains("user bo@example.com declared twice"),
        "{}",
        plain.stderr
    );
    let redacted = ws.roster(&["plan", "--redact"]);
    assert_eq!(redacted.code, 1, "{}", redacted.all());
    for out in [&plain, &redacted] {
        assert!(!out.all().contains(['\u{1b}', '\u{7}']), "{:?}", out.all());
    }
    assert!(
        !redacted.all().contains("example.com"),
        "{}",
        redacted.all()
    );
}
