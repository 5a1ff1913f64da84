//! [`Slots`]: the bookkeeping both pools share (idle connections most recent first, the
//! count of open ones against the limit, and the generation that `disconnect(in_use)`
//! bumps), apart from how each pool waits and opens connections.

use std::time::{Duration, Instant};

/// What [`Slots::checkout`] found.
#[derive(Debug)]
pub(super) enum Checkout<C> {
    /// An idle connection (the one given back most recently), with whether it idled longer
    /// than the health-check interval and must be checked before it is lent.
    Idle { conn: C, stale: bool, generation: u64 },
    /// No idle connection; a place to open a new one is reserved (give it up with
    /// [`Slots::forget`] when opening fails).
    Open { generation: u64 },
    /// No idle connection and no place: the limit is reached.
    Full,
}

/// The state of one pool's connections, kept under the pool's lock.
#[derive(Debug)]
pub(super) struct Slots<C> {
    /// Connections not in use, with when each came back, the most recently returned last.
    idle: Vec<(C, Instant)>,
    /// Connections open: idle, in use, or being opened.
    open: usize,
    /// Bumped by `disconnect(in_use)`: connections lent before it are closed when they
    /// come back.
    generation: u64,
}

impl<C> Default for Slots<C> {
    fn default() -> Self {
        Self { idle: Vec::new(), open: 0, generation: 0 }
    }
}

impl<C> Slots<C> {
    /// Takes the most recently returned idle connection, or reserves a place for a new one
    /// while fewer than `max` are open.
    pub(super) fn checkout(&mut self, max: Option<usize>, health_check: Option<Duration>) -> Checkout<C> {
        let generation = self.generation;
        if let Some((conn, since)) = self.idle.pop() {
            let stale = health_check.is_some_and(|interval| since.elapsed() > interval);
            return Checkout::Idle { conn, stale, generation };
        }
        if max.is_none_or(|max| self.open < max) {
            self.open += 1;
            return Checkout::Open { generation };
        }
        Checkout::Full
    }

    /// A connection checked out (or a place reserved) is gone for good: closed, detached,
    /// or never opened.
    pub(super) fn forget(&mut self) {
        self.open -= 1;
    }

    /// Takes back a connection lent under `generation`. It goes to the idle list when
    /// `reusable` and no `disconnect(in_use)` came since; otherwise it is handed back to be
    /// closed (outside the lock).
    pub(super) fn give_back(&mut self, conn: C, generation: u64, reusable: bool) -> Option<C> {
        if reusable && generation == self.generation {
            self.idle.push((conn, Instant::now()));
            None
        } else {
            self.open -= 1;
            Some(conn)
        }
    }

    /// Takes every idle connection out to be closed; with `in_use`, the ones lent now are
    /// closed when they come back.
    pub(super) fn disconnect(&mut self, in_use: bool) -> Vec<(C, Instant)> {
        let idle = std::mem::take(&mut self.idle);
        self.open -= idle.len();
        if in_use {
            self.generation += 1;
        }
        idle
    }

    /// Whether no `disconnect(in_use)` came since `generation`: a connection opened under
    /// an older one (while the pool was told its address changed, say) is not lent.
    pub(super) fn is_current(&self, generation: u64) -> bool {
        generation == self.generation
    }

    /// Connections open now (idle and in use).
    pub(super) fn open(&self) -> usize {
        self.open
    }

    /// Connections open and not in use.
    pub(super) fn idle(&self) -> usize {
        self.idle.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idle_conn(checkout: Checkout<u32>) -> Option<u32> {
        match checkout {
            Checkout::Idle { conn, .. } => Some(conn),
            _ => None,
        }
    }

    #[test]
    fn opens_up_to_the_limit_then_reuses_the_most_recent() {
        let mut slots = Slots::default();
        assert!(matches!(slots.checkout(Some(2), None), Checkout::Open { generation: 0 }));
        assert!(matches!(slots.checkout(Some(2), None), Checkout::Open { .. }));
        assert!(matches!(slots.checkout(Some(2), None), Checkout::Full));
        assert_eq!(slots.give_back(1, 0, true), None);
        assert_eq!(slots.give_back(2, 0, true), None);
        assert_eq!((slots.open(), slots.idle()), (2, 2));
        assert_eq!(idle_conn(slots.checkout(Some(2), None)), Some(2));
        assert_eq!(idle_conn(slots.checkout(Some(2), None)), Some(1));
    }

    #[test]
    fn a_connection_not_reusable_or_from_before_a_disconnect_is_closed() {
        let mut slots = Slots::default();
        let _ = slots.checkout(None, None);
        let _ = slots.checkout(None, None);
        assert_eq!(slots.give_back(7, 0, false), Some(7));
        assert!(slots.disconnect(true).is_empty());
        assert_eq!(slots.give_back(8, 0, true), Some(8), "lent before disconnect(in_use)");
        assert_eq!((slots.open(), slots.idle()), (0, 0));
        assert!(matches!(slots.checkout(None, None), Checkout::Open { generation: 1 }));
        assert!(!slots.is_current(0) && slots.is_current(1));
    }

    #[test]
    fn a_place_whose_opening_failed_is_free_again() {
        let mut slots = Slots::<u32>::default();
        assert!(matches!(slots.checkout(Some(1), None), Checkout::Open { .. }));
        slots.forget();
        assert!(matches!(slots.checkout(Some(1), None), Checkout::Open { .. }));
    }

    #[test]
    fn idle_longer_than_the_interval_is_stale() {
        let mut slots = Slots::default();
        let _ = slots.checkout(None, None);
        slots.give_back(1, 0, true);
        std::thread::sleep(Duration::from_millis(5));
        assert!(matches!(
            slots.checkout(None, Some(Duration::from_millis(1))),
            Checkout::Idle { stale: true, .. }
        ));
        slots.give_back(1, 0, true);
        assert!(matches!(
            slots.checkout(None, Some(Duration::from_secs(60))),
            Checkout::Idle { stale: false, .. }
        ));
    }
}
