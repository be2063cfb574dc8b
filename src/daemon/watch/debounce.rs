//! The debounce between file events and a reconcile: blocked until a first change arrives,
//! then waiting until none has come for the debounce, then firing once. It never wakes on
//! its own, so a daemon at rest costs no wake-ups; however long a burst lasts (a `git pull`
//! of 200 files), it fires once, after the burst.
//!
//! Generic over where events come from and what time it is ([`Source`]), so that tests drive
//! it in virtual time. It neither reads files nor decides what a change is: `change` says.

use std::time::{Duration, Instant};

/// What waiting on a [`Source`] gave.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next<E> {
    Event(E),
    /// The deadline passed with no event.
    Quiet,
    /// No event will come again.
    Closed,
}

/// Events in arrival order, and the clock they arrive by.
pub(crate) trait Source {
    type Event;
    fn now(&self) -> Instant;
    /// The next event, waiting until `deadline` at most (with none, for as long as it takes).
    fn next(&mut self, deadline: Option<Instant>) -> Next<Self::Event>;
}

/// Runs until `source` closes: for each burst of changes (`change` says what an event
/// changed, if anything), calls `fire` once with the first change, after `debounce` without
/// one. Events that change nothing neither start nor prolong a burst. A burst still open when
/// the source closes fires too: better one reconcile too many than a change missed.
pub(crate) fn run<S: Source, C>(
    source: &mut S,
    debounce: Duration,
    mut change: impl FnMut(&S::Event) -> Option<C>,
    mut fire: impl FnMut(C),
) {
    loop {
        let first = loop {
            match source.next(None) {
                Next::Event(e) => {
                    if let Some(c) = change(&e) {
                        break c;
                    }
                }
                Next::Quiet => {}
                Next::Closed => return,
            }
        };
        let mut quiet_at = source.now() + debounce;
        let closed = loop {
            match source.next(Some(quiet_at)) {
                Next::Event(e) => {
                    if change(&e).is_some() {
                        quiet_at = source.now() + debounce;
                    }
                }
                Next::Quiet => break false,
                Next::Closed => break true,
            }
        };
        fire(first);
        if closed {
            return;
        }
    }
}

/// A [`Source`] over a channel, on the real clock.
pub(crate) struct Channel<E>(pub std::sync::mpsc::Receiver<E>);

impl<E> Source for Channel<E> {
    type Event = E;

    fn now(&self) -> Instant {
        Instant::now()
    }

    fn next(&mut self, deadline: Option<Instant>) -> Next<E> {
        use std::sync::mpsc::RecvTimeoutError;
        let Some(deadline) = deadline else {
            return self.0.recv().map_or(Next::Closed, Next::Event);
        };
        match self
            .0
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            Ok(e) => Next::Event(e),
            Err(RecvTimeoutError::Timeout) => Next::Quiet,
            Err(RecvTimeoutError::Disconnected) => Next::Closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::collections::VecDeque;
    use std::rc::Rc;

    use super::*;

    /// Scripted events (milliseconds after the start, whether each changes something), in
    /// virtual time; closed once the script is over and nothing is pending.
    struct Script {
        start: Instant,
        /// Virtual milliseconds since the start, shared with whoever records the fires.
        clock: Rc<Cell<u64>>,
        events: VecDeque<(u64, bool)>,
        /// How often the debounce waited: each a wake-up.
        waits: usize,
        /// Close instead of letting a quiet period pass.
        close_in_burst: bool,
    }

    impl Script {
        fn new(events: impl IntoIterator<Item = (u64, bool)>) -> Script {
            Script {
                start: Instant::now(),
                clock: Rc::new(Cell::new(0)),
                events: events.into_iter().collect(),
                waits: 0,
                close_in_burst: false,
            }
        }
    }

    impl Source for Script {
        type Event = (u64, bool);

        fn now(&self) -> Instant {
            self.start + Duration::from_millis(self.clock.get())
        }

        fn next(&mut self, deadline: Option<Instant>) -> Next<(u64, bool)> {
            self.waits += 1;
            let due = |at: u64| self.start + Duration::from_millis(at);
            let first = self.events.front().map(|&(at, _)| at);
            if let Some(at) = first.filter(|&at| deadline.is_none_or(|d| due(at) <= d)) {
                self.clock.set(at);
                return self.events.pop_front().map_or(Next::Closed, Next::Event);
            }
            match deadline {
                None => Next::Closed,
                Some(_) if self.close_in_burst => Next::Closed,
                Some(d) => {
                    self.clock.set((d - self.start).as_millis() as u64);
                    Next::Quiet
                }
            }
        }
    }

    const DEBOUNCE: Duration = Duration::from_millis(300);

    /// Each fire: (the first change of its burst, virtual ms when it fired).
    fn fires(script: &mut Script) -> Vec<(u64, u64)> {
        let clock = script.clock.clone();
        let mut fires = Vec::new();
        run(
            script,
            DEBOUNCE,
            |&(at, changes)| changes.then_some(at),
            |first| fires.push((first, clock.get())),
        );
        fires
    }

    #[test]
    fn a_burst_of_200_events_fires_once_a_debounce_after_the_last() {
        let mut s = Script::new((0..200).map(|i| (1000 + 2 * i, true)));
        assert_eq!(fires(&mut s), [(1000, 1000 + 2 * 199 + 300)]);
    }

    #[test]
    fn bursts_apart_by_more_than_the_debounce_fire_once_each() {
        let events = [
            (0, true),
            (100, true),
            (401, true),
            (700, true),
            (1001, true),
        ];
        // 0 and 100 are quiet at 400; 401 and 700 at 1000; 1001 at 1301.
        assert_eq!(
            fires(&mut Script::new(events)),
            [(0, 400), (401, 1000), (1001, 1301)]
        );
    }

    #[test]
    fn events_that_change_nothing_neither_start_nor_prolong_a_burst() {
        let events = [
            (0, false),
            (50, false),
            (100, true),
            (350, false),
            (399, false),
        ];
        let mut s = Script::new(events.into_iter().chain([(700, false)]));
        assert_eq!(fires(&mut s), [(100, 400)]);
        assert_eq!(fires(&mut Script::new([(5, false), (9, false)])), []);
    }

    #[test]
    fn at_rest_it_waits_on_the_source_and_never_wakes_on_its_own() {
        // A change, then a day of nothing, then another.
        let mut s = Script::new([(0, true), (86_400_000, true)]);
        assert_eq!(fires(&mut s), [(0, 300), (86_400_000, 86_400_300)]);
        // Each change, each quiet period, and the close: nothing in between.
        assert_eq!(s.waits, 5);
    }

    #[test]
    fn a_burst_open_when_the_source_closes_still_fires() {
        let mut s = Script::new([(0, true), (10, true)]);
        s.close_in_burst = true;
        assert_eq!(fires(&mut s), [(0, 10)]);
        let mut s = Script::new([(0, false)]);
        s.close_in_burst = true;
        assert_eq!(fires(&mut s), [], "closed at rest: nothing to fire");
    }

    #[test]
    fn the_channel_source_waits_for_events_and_deadlines() {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut c = Channel(rx);
        tx.send(1).unwrap();
        assert_eq!(c.next(None), Next::Event(1));
        // A deadline already past and nothing sent: quiet at once.
        assert_eq!(c.next(Some(c.now())), Next::Quiet);
        tx.send(2).unwrap();
        assert_eq!(c.next(Some(c.now())), Next::Event(2));
        drop(tx);
        assert_eq!(c.next(None), Next::Closed);
        assert_eq!(c.next(Some(c.now())), Next::Closed);
    }
}
