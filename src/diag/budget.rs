//! How much YAML one file may make roster build: sized for the largest manifest a real account
//! gives (200,000 users of up to 15 values each, as `roster import` writes them) and no more,
//! so that an alias bomb fails fast in little memory. Also the readable message for a breach.
//!
//! Pure: limits in, parser options and messages out.

use serde_saphyr::budget::BudgetBreach;

/// Users one manifest file may hold, and the YAML nodes (mappings, sequences, scalars) each
/// may take: a user of four fields is about 11, one of six fields with a list about 15.
pub(crate) const USERS_PER_FILE: usize = 200_000;
pub(crate) const NODES_PER_USER: usize = 15;

/// What one YAML file may cost.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Mappings, sequences and scalars as written.
    pub nodes: usize,
    /// Aliases (`*name`) and anchors (`&name`), each.
    pub aliases: usize,
    /// The nodes all aliases together may expand to.
    pub expansion: usize,
}

/// roster's limits: [`USERS_PER_FILE`] users of [`NODES_PER_USER`] nodes; aliases enough for
/// 25,000 users each to share one anchored list of groups, and far too few for a billion
/// laughs.
pub(crate) const LIMITS: Limits = Limits {
    nodes: USERS_PER_FILE * NODES_PER_USER,
    aliases: 50_000,
    expansion: 250_000,
};

/// The parser options for `limits`.
pub(crate) fn options(limits: &Limits) -> serde_saphyr::Options {
    serde_saphyr::options! {
        with_snippet: false,
        // `.inf` and `.nan` reach the reader, whose range checks name the key and its bounds.
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::PassThrough,
        budget: serde_saphyr::budget! {
            max_nodes: limits.nodes,
            // Every node is at most a start and an end event, plus the stream's and document's.
            max_events: 2 * limits.nodes + 16,
            max_aliases: limits.aliases,
            max_anchors: limits.aliases,
            max_recorded_anchor_events: limits.expansion,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: limits.expansion,
        },
    }
}

const TOO_LARGE: &str = "too large or too deeply aliased";

/// A readable message for a breach of `limits`, or `None` for any other error.
pub(crate) fn message(mut e: &serde_saphyr::Error, limits: &Limits) -> Option<String> {
    use serde_saphyr::Error;
    while let Error::AliasError { error, .. } | Error::WithSnippet { error, .. } = e {
        e = error;
    }
    let what = match e {
        Error::Budget { breach, .. } => breach_message(breach, limits)?,
        Error::AliasReplayLimitExceeded { .. } | Error::AliasReplayCounterOverflow { .. } => {
            format!(
                "aliases expand to more than {} YAML nodes",
                limits.expansion
            )
        }
        Error::AliasReplayStackDepthExceeded { max_depth, .. } => {
            format!("aliases nested more than {max_depth} deep")
        }
        Error::AliasExpansionLimitExceeded {
            max_expansions_per_anchor,
            ..
        } => format!("an anchor used more than {max_expansions_per_anchor} times"),
        _ => return None,
    };
    Some(format!("{TOO_LARGE}: {what}"))
}

fn breach_message(breach: &BudgetBreach, limits: &Limits) -> Option<String> {
    Some(match breach {
        BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => format!(
            "more than {} YAML nodes (about {} users); split it into several files",
            limits.nodes,
            limits.nodes / NODES_PER_USER
        ),
        BudgetBreach::Aliases { .. } => format!("more than {} aliases", limits.aliases),
        BudgetBreach::Anchors { .. } => format!("more than {} anchors", limits.aliases),
        BudgetBreach::AliasAnchorRatio { aliases, anchors } => {
            format!("{aliases} aliases for only {anchors} anchors")
        }
        BudgetBreach::RecordedAnchorEvents { .. } | BudgetBreach::RecordedAnchorBytes { .. } => {
            format!("anchors hold more than {} YAML nodes", limits.expansion)
        }
        BudgetBreach::Depth { depth } => format!("nested {depth} levels deep"),
        BudgetBreach::Documents { .. } => "too many YAML documents (`---`)".to_string(),
        BudgetBreach::ScalarBytes { .. } | BudgetBreach::InputBytes { .. } => {
            "more than 64 MiB of text".to_string()
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    static NODES: AtomicUsize = AtomicUsize::new(0);

    fn record(report: &serde_saphyr::budget::BudgetReport) {
        NODES.store(report.nodes, Ordering::SeqCst);
    }

    /// The YAML nodes of one user, measured by the parser on 100 of them.
    fn nodes_per_user(user: &str) -> usize {
        let text = format!("target: t\nusers:\n{}", user.repeat(100));
        let mut options = options(&LIMITS);
        options.budget_report = Some(record);
        let _: serde_json::Value = serde_saphyr::from_str_with_options(&text, options).unwrap();
        (NODES.load(Ordering::SeqCst) - 5) / 100
    }

    #[test]
    fn sized_for_two_hundred_thousand_users_a_file() {
        let four_fields =
            "  - { id: 4092, email: u1@example.com, name: U One, workflows: [496553, 496941] }\n";
        let six_fields = "  - email: u1@example.com\n    user_name: u1\n    name: U\n    surname: One\n    active: false\n    groups: [Administrators, gryff-01]\n";
        assert_eq!(nodes_per_user(four_fields), 11);
        assert_eq!(nodes_per_user(six_fields), 15);
        assert!(LIMITS.nodes >= USERS_PER_FILE * nodes_per_user(six_fields));
    }

    /// The message a document gives under `limits`, parsed as untyped data so that only the
    /// limits can stop it.
    fn breach(text: &str, limits: &Limits) -> String {
        let e = serde_saphyr::from_str_with_options::<serde_json::Value>(text, options(limits))
            .unwrap_err();
        message(&e, limits).unwrap_or_else(|| format!("not a budget error: {e}"))
    }

    #[test]
    fn every_breach_reads_as_what_was_too_much() {
        let small = Limits {
            nodes: 150,
            aliases: 5,
            expansion: 40,
        };
        let list = |n: usize| format!("[{}]", vec!["a"; n].join(", "));
        assert_eq!(
            breach(&format!("users: {}", list(200)), &small),
            "too large or too deeply aliased: more than 150 YAML nodes (about 10 users); split it into several files"
        );
        let aliases = format!("a: &a x\nb: [{}]\n", ["*a"; 6].join(", "));
        assert_eq!(
            breach(&aliases, &small),
            "too large or too deeply aliased: more than 5 aliases"
        );
        let expansion = format!("a: &a {}\nb: [*a, *a, *a]\n", list(20));
        assert_eq!(
            breach(&expansion, &small),
            "too large or too deeply aliased: aliases expand to more than 40 YAML nodes"
        );
        let anchors: String = (0..6).map(|i| format!("k{i}: &a{i} x\n")).collect();
        assert_eq!(
            breach(&anchors, &small),
            "too large or too deeply aliased: more than 5 anchors"
        );
    }

    /// Nine levels of nine aliases each: 9^9 (387 million) strings if expanded.
    fn billion_laughs() -> String {
        let mut text = String::from("l0: &l0 lol\n");
        for level in 1..=9 {
            let refs = vec![format!("*l{}", level - 1); 9].join(", ");
            text.push_str(&format!("l{level}: &l{level} [{refs}]\n"));
        }
        text
    }

    #[test]
    fn a_billion_laughs_fails_fast() {
        let started = std::time::Instant::now();
        let m = breach(&billion_laughs(), &LIMITS);
        assert!(m.starts_with("too large or too deeply aliased: "), "{m}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
