//! A response body that sends part of its bytes and then fails, so the connection drops
//! after the status line and headers went out: the client cannot know whether the request
//! took effect.
//!
//! It only shapes bytes on the wire; deciding when to break a response is the caller's job.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::body::{Body, Bytes};
use futures_core::Stream;
use tokio::time::Sleep;

/// How long the body stalls between its first bytes and the error. The stall makes hyper
/// flush the headers and the first bytes before the connection is torn down.
const STALL: Duration = Duration::from_millis(20);

/// A body yielding the first half of `full`, then an I/O error.
pub(crate) fn broken_body(full: Bytes) -> Body {
    let head = full.slice(..full.len() / 2);
    Body::from_stream(BrokenStream {
        head: Some(head),
        stall: Box::pin(tokio::time::sleep(STALL)),
        failed: false,
    })
}

struct BrokenStream {
    head: Option<Bytes>,
    stall: Pin<Box<Sleep>>,
    failed: bool,
}

impl Stream for BrokenStream {
    type Item = Result<Bytes, io::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(head) = this.head.take() {
            return Poll::Ready(Some(Ok(head)));
        }
        if this.failed {
            return Poll::Ready(None);
        }
        ready!(this.stall.as_mut().poll(cx));
        this.failed = true;
        Poll::Ready(Some(Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "simulated connection drop",
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
        std::future::poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)).await
    }

    #[tokio::test]
    async fn yields_half_then_fails() {
        let mut stream = broken_body(Bytes::from_static(b"0123456789")).into_data_stream();
        let first = next(&mut stream).await.expect("a first chunk");
        assert_eq!(&first.expect("the first chunk is data")[..], b"01234");
        assert!(next(&mut stream).await.expect("an error item").is_err());
    }
}
