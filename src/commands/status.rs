//! `roster status`: who may apply each target now, read-only. With `coordination.etcd`, from
//! etcd: the live daemons, each target's owner (host, pid, since when) and the last reconcile
//! result its owner published. Without it, from the file locks in `state_dir`: which targets a
//! process on this host holds now.
//!
//! Changes nothing; takes no lock it keeps.

use std::fmt::Write as _;

use serde::Serialize;

use crate::config::Config;
use crate::exit;
use crate::render::escape;

use super::{Ctx, Output};

/// One target's line, as `--output json` prints it.
#[derive(Debug, Serialize)]
struct Line {
    target: String,
    /// `etcd` or `file lock`.
    via: &'static str,
    /// Who owns it now, e.g. `roster daemon on host-b (pid 4242) since 10:02:11`; `null` when
    /// nobody does.
    owner: Option<String>,
    /// The last reconcile result the owner published (etcd only).
    #[serde(skip_serializing_if = "Option::is_none")]
    last: Option<Last>,
}

#[derive(Debug, Serialize)]
struct Last {
    finished_at: String,
    result: String,
    summary: String,
}

pub async fn run(cx: &Ctx) -> anyhow::Result<u8> {
    let config = match crate::config::load(&cx.config) {
        Ok(c) => c,
        Err(problems) => {
            eprintln!(
                "{}",
                crate::render::error_text(&problems.to_string(), cx.redact)
            );
            return Ok(exit::ERROR);
        }
    };
    let (daemons, lines) = match &config.coordination {
        Some(c) => from_etcd(&config, &c.etcd).await?,
        None => (Vec::new(), from_locks(&config)),
    };
    match cx.output {
        Output::Json => {
            let doc = serde_json::json!({
                "format_version": crate::render::json::FORMAT_VERSION,
                "kind": "status",
                "daemons": daemons,
                "targets": lines,
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        _ => print!("{}", human(&daemons, &lines)),
    }
    Ok(exit::OK)
}

fn human(daemons: &[String], lines: &[Line]) -> String {
    let mut out = String::new();
    if !daemons.is_empty() {
        let _ = writeln!(out, "Daemons:");
        for d in daemons {
            let _ = writeln!(out, "  {}", escape::text(d));
        }
        out.push('\n');
    }
    let width = lines.iter().map(|l| l.target.len()).max().unwrap_or(0);
    for l in lines {
        let owner = l.owner.as_deref().unwrap_or("nobody");
        let _ = write!(
            out,
            "{:width$}  {}: {}",
            escape::text(&l.target),
            l.via,
            escape::text(owner)
        );
        if let Some(last) = &l.last {
            let _ = write!(
                out,
                "; last reconcile {} at {}: {}",
                escape::text(&last.result),
                escape::text(&last.finished_at),
                escape::text(&last.summary)
            );
        }
        out.push('\n');
    }
    out
}

/// Each target's lock on this host: held (by whom) or free.
fn from_locks(config: &Config) -> Vec<Line> {
    config
        .targets
        .keys()
        .map(|name| Line {
            target: name.clone(),
            via: "file lock",
            owner: crate::coordination::local::holder(&config.state_dir, name),
            last: None,
        })
        .collect()
}

#[cfg(feature = "etcd")]
async fn from_etcd(
    config: &Config,
    etcd: &crate::config::coordination::EtcdConfig,
) -> anyhow::Result<(Vec<String>, Vec<Line>)> {
    use crate::coordination::etcd::{Etcd, EtcdSettings};
    let settings = EtcdSettings::from_config(etcd, &config.base_dir)?;
    let client = Etcd::connect(&settings).await?;
    let daemons = client
        .members()
        .await?
        .into_iter()
        .map(|m| m.holder.to_string())
        .collect();
    let mut known = client.status().await?;
    let mut lines = Vec::new();
    for name in config.targets.keys() {
        let s = known
            .iter()
            .position(|s| &s.target == name)
            .map(|i| known.remove(i));
        lines.push(Line {
            target: name.clone(),
            via: "etcd",
            owner: s
                .as_ref()
                .and_then(|s| s.owner.as_ref())
                .map(ToString::to_string),
            last: s.and_then(|s| s.last).map(|p| Last {
                finished_at: p.finished_at,
                result: p.result,
                summary: p.summary,
            }),
        });
    }
    Ok((daemons, lines))
}

#[cfg(not(feature = "etcd"))]
async fn from_etcd(
    _config: &Config,
    _etcd: &crate::config::coordination::EtcdConfig,
) -> anyhow::Result<(Vec<String>, Vec<Line>)> {
    anyhow::bail!("this roster was built without etcd (cargo feature `etcd`)")
}
