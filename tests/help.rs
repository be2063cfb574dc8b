//! `roster --help` and each command's `--help`, pinned as insta snapshots: the command line is
//! a contract (scripts and CI jobs call it), and a flag that changes or disappears shows here.

mod util;

use std::process::Command;

fn help(args: &[&str]) -> String {
    let out = Command::new(util::roster_bin())
        .args(args)
        .arg("--help")
        .env_remove("ROSTER_CONFIG")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_of_roster_and_every_command() {
    insta::assert_snapshot!("roster", help(&[]));
    for cmd in [
        "validate",
        "plan",
        "apply",
        "import",
        "doctor",
        "daemon",
        "status",
        "schema",
        "completions",
        "sim",
        "demo",
    ] {
        insta::assert_snapshot!(cmd, help(&[cmd]));
    }
}

#[test]
fn help_of_every_simulator() {
    for vendor in ["xtracta", "uipath", "learningcloud", "scim"] {
        insta::assert_snapshot!(format!("sim_{vendor}"), help(&["sim", vendor]));
    }
}
