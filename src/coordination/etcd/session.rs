//! A [`Session`]: one process's etcd lease, kept alive in the background, with its local
//! deadline; and a daemon's membership (`PREFIX/daemons/<id>`) under that lease.
//!
//! Everything a process holds hangs on its session's lease, so losing the lease loses all of
//! it at once, and a dead process's keys vanish when etcd expires the lease. A lost session is
//! never revived: the process starts a new one. Claims and fences live in [`super::ownership`].

use std::sync::Arc;
use std::time::Duration;

use etcd_client::{GetOptions, PutOptions};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::call;
use super::error::{EtcdError, LostWhy};
use super::identity::Holder;
use super::keys::DAEMONS;
use super::lease::{Liveness, Sent, Timing, spawn_keeper};
use super::settings::{Etcd, EtcdSettings};

/// One process's lease and what hangs on it.
pub struct Session {
    pub(crate) etcd: Etcd,
    pub(crate) lease: i64,
    pub(crate) me: Holder,
    pub(crate) live: Arc<Liveness>,
    keeper: JoinHandle<()>,
}

/// A live daemon as registered under `PREFIX/daemons/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub holder: Holder,
}

impl Session {
    /// Connects and takes a lease for this process in `role` (`roster daemon`, `roster apply`).
    pub async fn start(settings: &EtcdSettings, role: &str) -> Result<Session, EtcdError> {
        let etcd = Etcd::connect(settings).await?;
        Session::open(etcd, settings.lease_ttl, Holder::this_process(role)).await
    }

    /// Takes a lease of `ttl` on an existing connection, held by `holder`.
    pub async fn open(etcd: Etcd, ttl: Duration, holder: Holder) -> Result<Session, EtcdError> {
        let secs = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
        let sent = Sent::now();
        let sent_at = sent.at;
        let lease_client = etcd.client.lease_client();
        let grant = call::until(
            "grant lease",
            sent_at + etcd.request_timeout,
            etcd.request_timeout,
            || {
                let mut c = lease_client.clone();
                async move { c.grant(secs, None).await }
            },
        )
        .await?;
        let lease = grant.id();
        let live = Arc::new(Liveness::new(sent, Timing::of(ttl), lease));
        let keeper = spawn_keeper(lease_client, live.clone(), etcd.request_timeout);
        let me = Holder {
            id: format!("{lease:016x}"),
            ..holder
        };
        Ok(Session {
            etcd,
            lease,
            me,
            live,
            keeper,
        })
    }

    /// This process's id in etcd: its lease in hex.
    pub fn id(&self) -> &str {
        &self.me.id
    }

    pub fn lease(&self) -> i64 {
        self.lease
    }

    /// Who this session is, as others see it.
    pub fn holder(&self) -> &Holder {
        &self.me
    }

    pub fn etcd(&self) -> &Etcd {
        &self.etcd
    }

    /// Until when the lease may be trusted, or why it is lost (for good).
    pub fn deadline(&self) -> Result<Instant, LostWhy> {
        self.live.check(Instant::now())
    }

    pub fn is_alive(&self) -> bool {
        self.deadline().is_ok()
    }

    /// Resolves when the lease is lost (keep-alive refused, or the deadline passed).
    pub async fn lost(&self) -> LostWhy {
        self.live.wait_lost().await
    }

    /// The lease's TTL and how often it is renewed.
    pub fn ttl(&self) -> Duration {
        self.live.timing().ttl
    }

    /// Registers this process as a live daemon (`PREFIX/daemons/<id>`, under the lease), so
    /// that the others count it in the fair share. One-shot commands do not register.
    pub async fn register(&self) -> Result<(), EtcdError> {
        let deadline = self.usable_until()?;
        let key = self.etcd.keys.key(DAEMONS, self.id());
        let value = self.me.to_json();
        let (kv, lease) = (self.etcd.client.kv_client(), self.lease);
        call::until(
            "register daemon",
            deadline,
            self.etcd.request_timeout,
            || {
                let (mut kv, key, value) = (kv.clone(), key.clone(), value.clone());
                async move {
                    kv.put(key, value, Some(PutOptions::new().with_lease(lease)))
                        .await
                }
            },
        )
        .await?;
        Ok(())
    }

    /// Gives the lease back, so that everything it held is free at once rather than after the
    /// TTL. Best effort: when etcd cannot be reached, the lease expires by itself.
    pub async fn close(&self) {
        self.keeper.abort();
        let mut lease = self.etcd.client.lease_client();
        let _ = call::once(
            "revoke lease",
            self.etcd.request_timeout,
            lease.revoke(self.lease),
        )
        .await;
    }

    /// The deadline for a request that needs the lease: the lease's deadline, capped by the
    /// request timeout.
    pub(crate) fn usable_until(&self) -> Result<Instant, EtcdError> {
        let deadline = self.deadline().map_err(EtcdError::LeaseLost)?;
        Ok(deadline.min(Instant::now() + self.etcd.request_timeout))
    }
}

impl Drop for Session {
    /// Stops renewing; the lease then expires in etcd after its TTL.
    fn drop(&mut self) {
        self.keeper.abort();
    }
}

impl Etcd {
    /// The live daemons, sorted by id.
    pub async fn members(&self) -> Result<Vec<Member>, EtcdError> {
        let dir = self.keys.dir(DAEMONS);
        let kvs = self.list("list daemons", &dir).await?;
        let mut members: Vec<Member> = kvs
            .iter()
            .filter_map(|kv| {
                let id = self.keys.name_in(DAEMONS, kv.key())?;
                Some(Member {
                    id: id.to_string(),
                    holder: Holder::from_json(kv.value()),
                })
            })
            .collect();
        members.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(members)
    }

    /// Every key below `dir` (a linearizable read, retried within the request timeout).
    pub(crate) async fn list(
        &self,
        op: &'static str,
        dir: &str,
    ) -> Result<Vec<etcd_client::KeyValue>, EtcdError> {
        let kv = self.client.kv_client();
        let mut answer = call::until(
            op,
            Instant::now() + self.request_timeout,
            self.request_timeout,
            || {
                let (mut kv, dir) = (kv.clone(), dir.to_string());
                async move { kv.get(dir, Some(GetOptions::new().with_prefix())).await }
            },
        )
        .await?;
        Ok(answer.take_kvs())
    }
}
