//! One manifest file on its own: decode, parse, find its target, read every user. Files do not
//! depend on each other here (duplicates across files are found after), so `manifest::load`
//! reads them on every core at once.
//!
//! Pure apart from checking that referenced secrets are present.

use std::sync::Arc;

use crate::config::{Config, Target};
use crate::diag::{self, Problem};
use crate::model::DesiredUser;

use super::raw::RawManifest;
use super::snapshot;

/// What one file declares.
#[derive(Clone, Debug)]
pub(super) struct Parsed {
    pub shown: String,
    /// The target its users belong to, when known.
    pub target: Option<String>,
    /// The `target:` the file writes (`Some(None)`: none), once it parses as a manifest.
    pub named: Option<Option<String>>,
    pub users: Vec<DesiredUser>,
    pub problems: Vec<Problem>,
}

pub(super) fn parse(config: &Config, file: snapshot::File) -> Parsed {
    let mut out = Parsed {
        shown: file.shown,
        target: None,
        named: None,
        users: Vec::new(),
        problems: Vec::new(),
    };
    let shown = out.shown.as_str();
    // One name for the whole file: every origin in it shares it.
    let file_name: Arc<str> = shown.into();
    let text = match file.bytes.and_then(|b| diag::decode(b, shown)) {
        Ok(t) => t,
        Err(p) => {
            out.problems.push(p);
            return out;
        }
    };
    if text
        .trim()
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        let p = Problem::in_file(shown, "manifest is empty (expected `users:`)");
        out.problems.push(p);
        return out;
    }
    let raw: RawManifest = match diag::parse_yaml(&text, shown) {
        Ok(r) => r,
        Err(p) => {
            out.problems.push(p);
            return out;
        }
    };
    drop(text);
    out.named = Some(raw.target.as_ref().map(|t| t.value.trim().to_string()));
    let Some(target) = target_of(config, &mut out.problems, &raw, &file_name) else {
        return out;
    };
    out.users.reserve(raw.users.value.len());
    for u in raw.users.value.iter() {
        let (user, problems) =
            super::user::read(target, &file_name, u, &config.base_dir, config.timezone);
        out.problems.extend(problems);
        out.users.extend(user);
    }
    out.target = Some(target.name.clone());
    out
}

fn target_of<'c>(
    config: &'c Config,
    problems: &mut Vec<Problem>,
    raw: &RawManifest,
    shown: &Arc<str>,
) -> Option<&'c Target> {
    let targets = &config.targets;
    match &raw.target {
        Some(t) => match targets.get(t.value.trim()) {
            Some(target) => Some(target),
            None => {
                let known: Vec<&str> = targets.keys().map(String::as_str).collect();
                problems.push(Problem::at(
                    diag::origin_of(shown, &t.referenced),
                    format!(
                        "unknown target {:?} (the config has: {})",
                        t.value,
                        known.join(", ")
                    ),
                ));
                None
            }
        },
        None if targets.len() == 1 => targets.values().next(),
        None => {
            problems.push(Problem::in_file(
                shown,
                "missing `target:` (the config has more than one target)",
            ));
            None
        }
    }
}

/// Parses every file, on up to `workers` threads, keeping the files' order.
pub(super) fn parse_all(
    config: &Config,
    files: Vec<snapshot::File>,
    workers: usize,
) -> Vec<Parsed> {
    let workers = workers.clamp(1, files.len().max(1));
    if workers == 1 {
        return files.into_iter().map(|f| parse(config, f)).collect();
    }
    let queue = std::sync::Mutex::new(files.into_iter().enumerate());
    let mut out: Vec<(usize, Parsed)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                        let Some((i, file)) = next else { break };
                        done.push((i, parse(config, file)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, p)| p).collect()
}
