//! `--target NAME` (repeatable): which of the config's targets a run touches. An unknown name
//! is an error listing the known ones; no name means every target.
//!
//! Pure: names in, names out. It never loads, fetches or skips a manifest: unselected targets
//! are still validated by the load, only not fetched.

use crate::config::Config;

/// A `--target` that the config does not have.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown target{} {} (the config has: {})", if .unknown.len() == 1 { "" } else { "s" }, quoted(.unknown), .known.join(", "))]
pub struct UnknownTarget {
    pub unknown: Vec<String>,
    pub known: Vec<String>,
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The targets a run touches, sorted and without repeats: `names`, or every target when
/// `names` is empty.
pub fn select(config: &Config, names: &[String]) -> Result<Vec<String>, UnknownTarget> {
    let known: Vec<String> = config.targets.keys().cloned().collect();
    if names.is_empty() {
        return Ok(known);
    }
    let mut unknown: Vec<String> = names
        .iter()
        .filter(|n| !config.targets.contains_key(n.as_str()))
        .cloned()
        .collect();
    unknown.sort();
    unknown.dedup();
    if !unknown.is_empty() {
        return Err(UnknownTarget { unknown, known });
    }
    let mut chosen = names.to_vec();
    chosen.sort();
    chosen.dedup();
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let mut text = String::from("manifests: users\ntargets:\n");
        for n in ["b", "a", "c"] {
            let url = format!("https://{n}.example/v1");
            text.push_str(&crate::vendor::sample_target(n, &url, 1));
        }
        crate::config::from_text(&text, "roster.yaml", std::path::Path::new(".")).unwrap()
    }

    #[test]
    fn no_name_selects_every_target_in_name_order() {
        assert_eq!(select(&config(), &[]).unwrap(), ["a", "b", "c"]);
    }

    #[test]
    fn names_are_sorted_and_deduplicated() {
        let names = ["c".to_string(), "a".to_string(), "c".to_string()];
        assert_eq!(select(&config(), &names).unwrap(), ["a", "c"]);
    }

    #[test]
    fn an_unknown_name_lists_the_known_ones() {
        let names = ["a".to_string(), "zz".to_string(), "y".to_string()];
        let err = select(&config(), &names).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown targets \"y\", \"zz\" (the config has: a, b, c)"
        );
        let err = select(&config(), &["q".to_string()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown target \"q\" (the config has: a, b, c)"
        );
    }
}
