//! A watch on membership and ownership, so that a daemon can run its claim loop the moment a
//! daemon joins or dies or a target is released, instead of waiting for its next tick.
//!
//! The watch only wakes the loop; the loop reads the whole view again (level-triggered), so a
//! missed or coalesced event costs a tick, never a wrong decision.

use etcd_client::{WatchOptions, WatchStream};

use super::call;
use super::error::EtcdError;
use super::keys::{DAEMONS, OWNERS};
use super::settings::Etcd;

/// Changes below `PREFIX/daemons/` and `PREFIX/owners/`.
pub struct Changes {
    stream: WatchStream,
}

impl Etcd {
    /// Starts watching membership and ownership from now on.
    pub async fn changes(&self) -> Result<Changes, EtcdError> {
        let mut client = self.client.watch_client();
        let prefix = || Some(WatchOptions::new().with_prefix());
        let mut stream = call::once(
            "watch",
            self.request_timeout,
            client.watch(self.keys.dir(OWNERS), prefix()),
        )
        .await?;
        call::once(
            "watch",
            self.request_timeout,
            stream.watch(self.keys.dir(DAEMONS), prefix()),
        )
        .await?;
        Ok(Changes { stream })
    }
}

impl Changes {
    /// Resolves at the next change. An error means the watch is over (etcd lost its leader or
    /// went away): start a new one after a pause.
    pub async fn next(&mut self) -> Result<(), EtcdError> {
        let broken = |reason: String| EtcdError::Unavailable {
            op: "watch",
            reason,
        };
        loop {
            match self.stream.message().await {
                Ok(Some(answer)) if answer.canceled() => {
                    return Err(broken(format!("cancelled: {}", answer.cancel_reason())));
                }
                Ok(Some(answer)) if !answer.events().is_empty() => return Ok(()),
                Ok(Some(_)) => {}
                Ok(None) => return Err(broken("stream closed".into())),
                Err(e) => return Err(broken(call::reason(&e))),
            }
        }
    }
}
