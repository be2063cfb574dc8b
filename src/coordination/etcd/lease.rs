//! One lease kept alive in the background, and the local deadline after which this process
//! stops trusting it.
//!
//! etcd expires a lease `ttl` after the leader last renewed it, and a renewal reaches the
//! leader after this process sent it; a new leader only extends leases. So `sent + ttl` is never
//! later than etcd's expiry, and the deadline `sent + ttl - margin` leaves the margin for a write
//! that was started just before it. Passing the deadline is final for the session: a renewal
//! that succeeds afterwards is ignored, so that "lost" never turns back into "held".
//!
//! The deadline is kept on two clocks: the monotonic one (what timers use) and, on Linux, the
//! boot clock (read from `/proc/uptime`), which also runs while the host is suspended (a laptop asleep, a VM suspended),
//! when the monotonic clock stands still and would make a stale lease look fresh on waking.
//! This module only renews and keeps time; it writes no keys.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use etcd_client::{Error, LeaseClient, LeaseKeepAliveStream, LeaseKeeper};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::error::LostWhy;

/// How soon a failed renewal is tried again (another endpoint may answer).
const RETRY: Duration = Duration::from_millis(100);

/// The timings that follow from a lease's TTL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timing {
    pub(crate) ttl: Duration,
    /// A third of the TTL, as etcd's own Go client does: two renewals can fail in a row.
    pub(crate) renew_every: Duration,
    /// How long after sending a renewal the lease is trusted: the TTL less a quarter.
    pub(crate) valid_for: Duration,
}

impl Timing {
    pub(crate) fn of(ttl: Duration) -> Timing {
        Timing {
            ttl,
            renew_every: ttl / 3,
            valid_for: ttl - ttl / 4,
        }
    }
}

/// When a grant or a renewal was sent, on both clocks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sent {
    pub(crate) at: Instant,
    boot: Option<Duration>,
}

impl Sent {
    /// Now; the boot clock is read first, so that it never reads later than the send.
    pub(crate) fn now() -> Sent {
        let boot = boot_clock();
        Sent {
            at: Instant::now(),
            boot,
        }
    }
}

/// The time since boot, suspended time included: Linux's `/proc/uptime` (`CLOCK_BOOTTIME`, in
/// hundredths of a second, read down, so never later than the truth). `None` where there is
/// no such file; the monotonic deadline still holds then.
fn boot_clock() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/uptime").ok()?;
    let first = text.split_whitespace().next()?;
    let (secs, hundredths) = first.split_once('.').unwrap_or((first, "0"));
    let secs: u64 = secs.parse().ok()?;
    let hundredths: u32 = hundredths.get(..2).unwrap_or(hundredths).parse().ok()?;
    Some(Duration::new(secs, hundredths.min(99) * 10_000_000))
}

/// Whether the lease may still be trusted, shared by the keeper and every user of the session.
#[derive(Debug)]
pub(crate) struct Liveness {
    state: Mutex<State>,
    changed: watch::Sender<()>,
    timing: Timing,
    lease: i64,
}

#[derive(Debug)]
struct State {
    deadline: Instant,
    /// The same deadline on the boot clock, where there is one.
    boot_deadline: Option<Duration>,
    lost: Option<LostWhy>,
}

impl Liveness {
    /// A lease whose grant (or last renewal) was `sent`.
    pub(crate) fn new(sent: Sent, timing: Timing, lease: i64) -> Liveness {
        Liveness {
            state: Mutex::new(State {
                deadline: sent.at + timing.valid_for,
                boot_deadline: sent.boot.map(|b| b + timing.valid_for),
                lost: None,
            }),
            changed: watch::Sender::new(()),
            timing,
            lease,
        }
    }

    pub(crate) fn timing(&self) -> Timing {
        self.timing
    }

    /// The deadline, or why the lease is lost; marks it lost when `now` is past the deadline.
    pub(crate) fn check(&self, now: Instant) -> Result<Instant, LostWhy> {
        self.check_at(now, boot_clock())
    }

    /// As [`Liveness::check`], with the boot clock read as `boot`.
    fn check_at(&self, now: Instant, boot: Option<Duration>) -> Result<Instant, LostWhy> {
        let mut state = self.state.lock().expect("liveness lock");
        if let Some(why) = &state.lost {
            return Err(why.clone());
        }
        let boot_passed = matches!((boot, state.boot_deadline), (Some(b), Some(d)) if b >= d);
        if now >= state.deadline || boot_passed {
            let why = LostWhy::DeadlinePassed {
                ttl_secs: i64::try_from(self.timing.ttl.as_secs()).unwrap_or(i64::MAX),
            };
            state.lost = Some(why.clone());
            drop(state);
            self.changed.send_replace(());
            return Err(why);
        }
        Ok(state.deadline)
    }

    /// A renewal `sent` then succeeded; too late if the deadline passed meanwhile.
    pub(crate) fn renewed(&self, sent: Sent) -> Result<Instant, LostWhy> {
        self.check(Instant::now())?;
        let mut state = self.state.lock().expect("liveness lock");
        state.deadline = state.deadline.max(sent.at + self.timing.valid_for);
        if let (Some(b), Some(d)) = (sent.boot, state.boot_deadline) {
            state.boot_deadline = Some(d.max(b + self.timing.valid_for));
        }
        Ok(state.deadline)
    }

    /// Marks the lease lost for `why` (the first reason stays).
    pub(crate) fn lose(&self, why: LostWhy) {
        let mut state = self.state.lock().expect("liveness lock");
        if state.lost.is_none() {
            state.lost = Some(why);
        }
        drop(state);
        self.changed.send_replace(());
    }

    /// Resolves when the lease is lost, by the keeper's word or by the deadline passing.
    pub(crate) async fn wait_lost(&self) -> LostWhy {
        let mut changed = self.changed.subscribe();
        loop {
            let deadline = match self.check(Instant::now()) {
                Err(why) => return why,
                Ok(deadline) => deadline,
            };
            tokio::select! {
                _ = changed.changed() => {}
                _ = tokio::time::sleep_until(deadline) => {}
            }
        }
    }
}

/// Renews `lease` until it is lost; the task ends then (or when aborted).
pub(crate) fn spawn_keeper(
    client: LeaseClient,
    live: Arc<Liveness>,
    request_timeout: Duration,
) -> JoinHandle<()> {
    tokio::spawn(keep(client, live, request_timeout))
}

async fn keep(mut client: LeaseClient, live: Arc<Liveness>, request_timeout: Duration) {
    let lease = live.lease;
    let mut stream = None;
    let mut next = Instant::now() + live.timing.renew_every;
    loop {
        tokio::time::sleep_until(next).await;
        let sent = Sent::now();
        let sent_at = sent.at;
        let Ok(deadline) = live.check(sent_at) else {
            return;
        };
        let budget = (deadline - sent_at).min(request_timeout);
        match tokio::time::timeout(budget, renew(&mut client, lease, &mut stream)).await {
            Ok(Ok(true)) => {
                if live.renewed(sent).is_err() {
                    return;
                }
                next = sent_at + live.timing.renew_every;
            }
            Ok(Ok(false)) => {
                live.lose(LostWhy::LeaseGone { lease });
                return;
            }
            Ok(Err(e)) => {
                tracing::debug!(
                    lease = format!("{lease:x}"),
                    "etcd lease renewal: {}",
                    super::call::reason(&e)
                );
                stream = None;
                next = Instant::now() + RETRY;
            }
            Err(_) => {
                tracing::debug!(lease = format!("{lease:x}"), "etcd lease renewal timed out");
                stream = None;
                next = Instant::now() + RETRY;
            }
        }
    }
}

/// One renewal: `Ok(false)` when etcd says the lease no longer exists. Opening the stream is
/// itself a renewal (the client checks its first answer).
async fn renew(
    client: &mut LeaseClient,
    lease: i64,
    stream: &mut Option<(LeaseKeeper, LeaseKeepAliveStream)>,
) -> Result<bool, Error> {
    if let Some((keeper, answers)) = stream {
        keeper.keep_alive().await?;
        return match answers.message().await? {
            Some(answer) => Ok(answer.ttl() > 0),
            None => Err(Error::LeaseKeepAliveError("stream closed".into())),
        };
    }
    match client.keep_alive(lease).await {
        Ok(pair) => {
            *stream = Some(pair);
            Ok(true)
        }
        Err(Error::LeaseKeepAliveError(msg)) if msg == "lease not found" => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_renews_three_times_per_ttl_and_trusts_three_quarters() {
        let t = Timing::of(Duration::from_secs(10));
        assert_eq!(
            t.renew_every,
            Duration::from_millis(3333) + Duration::from_nanos(333_333)
        );
        assert_eq!(t.valid_for, Duration::from_millis(7500));
        assert!(t.renew_every * 2 < t.valid_for, "one renewal may fail");
    }

    /// Sent at `at`, on the monotonic clock only.
    fn sent(at: Instant) -> Sent {
        Sent { at, boot: None }
    }

    #[test]
    fn a_suspend_passes_the_deadline_on_the_boot_clock_alone() {
        let timing = Timing::of(Duration::from_secs(4));
        let at = Instant::now();
        let boot = Duration::from_secs(1000);
        let live = Liveness::new(
            Sent {
                at,
                boot: Some(boot),
            },
            timing,
            7,
        );
        // The monotonic clock stood still (suspended), the boot clock ran on.
        assert!(
            live.check_at(at, Some(boot + Duration::from_secs(2)))
                .is_ok()
        );
        assert_eq!(
            live.check_at(at, Some(boot + Duration::from_secs(3))),
            Err(LostWhy::DeadlinePassed { ttl_secs: 4 })
        );
        assert!(live.check(at).is_err(), "lost for good");
    }

    #[test]
    fn the_boot_clock_reads_and_moves_forward() {
        if let (Some(a), Some(b)) = (boot_clock(), boot_clock()) {
            assert!(a > Duration::ZERO && b >= a);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn deadline_passes_without_renewal_and_stays_passed() {
        let timing = Timing::of(Duration::from_secs(4));
        let start = Instant::now();
        let live = Liveness::new(sent(start), timing, 7);
        assert_eq!(live.check(start), Ok(start + Duration::from_secs(3)));
        tokio::time::advance(Duration::from_secs(2)).await;
        let deadline = live.renewed(sent(Instant::now())).unwrap();
        assert_eq!(deadline, start + Duration::from_secs(5));
        tokio::time::advance(Duration::from_secs(3)).await;
        assert_eq!(
            live.check(Instant::now()),
            Err(LostWhy::DeadlinePassed { ttl_secs: 4 })
        );
        // A renewal answered after the deadline does not bring the lease back.
        assert!(live.renewed(sent(Instant::now())).is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn wait_lost_wakes_at_the_deadline_or_on_loss() {
        let timing = Timing::of(Duration::from_secs(4));
        let live = Arc::new(Liveness::new(sent(Instant::now()), timing, 7));
        let start = Instant::now();
        assert!(matches!(
            live.wait_lost().await,
            LostWhy::DeadlinePassed { .. }
        ));
        assert_eq!(Instant::now() - start, Duration::from_secs(3));

        let live = Arc::new(Liveness::new(sent(Instant::now()), timing, 7));
        let waiter = tokio::spawn({
            let live = live.clone();
            async move { live.wait_lost().await }
        });
        tokio::time::advance(Duration::from_secs(1)).await;
        live.lose(LostWhy::LeaseGone { lease: 7 });
        assert_eq!(waiter.await.unwrap(), LostWhy::LeaseGone { lease: 7 });
    }
}
