//! One etcd request, bounded by a deadline, retried while the errors are temporary.
//!
//! The client spreads requests over the endpoints, so with a member down some requests land on
//! it and fail at once; retrying with a short pause reaches a live member well within a lease.
//! Only idempotent requests go through here (every request this layer makes is).

use std::error::Error as _;
use std::future::Future;
use std::time::Duration;

use etcd_client::Error;
use tokio::time::Instant;
use tonic::Code;

use super::error::EtcdError;

const FIRST_PAUSE: Duration = Duration::from_millis(25);
const LONGEST_PAUSE: Duration = Duration::from_millis(250);

/// Runs `attempt` until it succeeds, fails for good, or `deadline` passes; each attempt gets at
/// most `per_try`.
pub(crate) async fn until<T, F, Fut>(
    op: &'static str,
    deadline: Instant,
    per_try: Duration,
    mut attempt: F,
) -> Result<T, EtcdError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut pause = FIRST_PAUSE;
    let mut last = String::from("no time left to ask");
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(EtcdError::Unavailable { op, reason: last });
        }
        let budget = (deadline - now).min(per_try);
        match tokio::time::timeout(budget, attempt()).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) if !is_temporary(&e) => return Err(classify(op, e)),
            Ok(Err(e)) => last = reason(&e),
            Err(_) => last = format!("no answer within {} ms", budget.as_millis()),
        }
        tokio::time::sleep_until((Instant::now() + pause).min(deadline)).await;
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}

/// A single attempt within `per_try`, for callers that must not retry.
pub(crate) async fn once<T, Fut>(
    op: &'static str,
    per_try: Duration,
    attempt: Fut,
) -> Result<T, EtcdError>
where
    Fut: Future<Output = Result<T, Error>>,
{
    match tokio::time::timeout(per_try, attempt).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(classify(op, e)),
        Err(_) => Err(EtcdError::Unavailable {
            op,
            reason: format!("no answer within {} ms", per_try.as_millis()),
        }),
    }
}

pub(crate) fn classify(op: &'static str, e: Error) -> EtcdError {
    let reason = reason(&e);
    if is_temporary(&e) {
        EtcdError::Unavailable { op, reason }
    } else {
        EtcdError::Refused { op, reason }
    }
}

/// The error's message and its causes, once each, without the gRPC status's debug dump.
pub(crate) fn reason(e: &Error) -> String {
    let (mut parts, mut cause): (Vec<String>, Option<&dyn std::error::Error>) = match e {
        Error::GRpcStatus(status) => (vec![status.message().to_string()], status.source()),
        Error::TransportError(t) => (vec![t.to_string()], t.source()),
        other => (vec![other.to_string()], None),
    };
    while let Some(c) = cause {
        let text = c.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = c.source();
    }
    parts.retain(|p| !p.is_empty());
    parts.join(": ")
}

/// Temporary: the member is down, has no leader, timed out, or the connection broke.
/// Permanent: permissions, authentication, bad requests.
pub(crate) fn is_temporary(e: &Error) -> bool {
    match e {
        Error::GRpcStatus(status) => matches!(
            status.code(),
            Code::Unavailable
                | Code::DeadlineExceeded
                | Code::Unknown
                | Code::Aborted
                | Code::ResourceExhausted
                | Code::Cancelled
                | Code::Internal
        ),
        Error::TransportError(_) | Error::IoError(_) | Error::LeaseKeepAliveError(_) => true,
        Error::WatchError(_) => true,
        _ => false,
    }
}
