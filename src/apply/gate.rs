//! The executor's side of a [`Permit`]: before a write batch starts, the permit proves the
//! right to write again; a batch is up to `width` changes, and no change of it starts after
//! the last proof's `until` or once the permit says the proof is no longer valid. Once
//! denied, nothing more starts.
//!
//! Decides only whether the next change may start; knows no backend.

use tokio::time::Instant;

use crate::coordination::{Denied, Permit};

pub(super) struct Gate<'a> {
    permit: &'a dyn Permit,
    width: usize,
    target: String,
    until: Option<Instant>,
    /// Changes started under the current proof.
    started: usize,
    pub(super) denied: Option<Denied>,
}

impl<'a> Gate<'a> {
    pub(super) fn new(permit: &'a dyn Permit, width: usize, target: &str) -> Gate<'a> {
        Gate {
            permit,
            width: width.max(1),
            target: target.to_string(),
            until: None,
            started: 0,
            denied: None,
        }
    }

    /// Whether one more change may start now; proves again when the batch is full or the
    /// proof has run out.
    pub(super) async fn admit(&mut self) -> bool {
        if self.denied.is_some() {
            return false;
        }
        let stale = self.until.is_none_or(|u| Instant::now() >= u) || !self.permit.valid();
        if stale || self.started >= self.width {
            let proof = self.permit.prove().await;
            let denied = match proof {
                Ok(until) if Instant::now() < until => {
                    self.until = Some(until);
                    self.started = 0;
                    None
                }
                // A proof already out of date when it arrives allows nothing.
                Ok(_) => Some(Denied::Unproven {
                    target: self.target.clone(),
                    reason: "the proof ran out before a write could start".into(),
                }),
                Err(denied) => Some(denied),
            };
            if let Some(denied) = denied {
                tracing::error!("stopping writes: {denied}");
                self.denied = Some(denied);
                return false;
            }
        }
        self.started += 1;
        true
    }
}
