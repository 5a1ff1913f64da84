//! Buffers for the core engine that grow on demand, up to a limit, and give the memory
//! back once they are empty.

use ferrodis_core::conn::Buffer;
use ferrodis_core::conn::engine::{Slot, SlotBuffer};

/// A heap buffer that grows up to `max` bytes (the engine grows a read buffer only when it
/// is full of received bytes) and shrinks back to its initial size when empty.
#[derive(Debug)]
pub(crate) struct Growable {
    buf: Vec<u8>,
    initial: usize,
    /// A buffer longer than this shrinks back to `initial` when empty.
    shrink_above: usize,
    max: usize,
}

impl Growable {
    /// `initial` bytes now, at most `max` ever.
    pub(crate) fn new(initial: usize, max: usize) -> Self {
        let initial = initial.min(max).max(1);
        let shrink_above = initial.saturating_mul(4).max(64 * 1024);
        Self { buf: vec![0; initial], initial, shrink_above, max: max.max(initial) }
    }
}

impl AsRef<[u8]> for Growable {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl AsMut<[u8]> for Growable {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.buf
    }
}

impl Buffer for Growable {
    fn max_len(&self) -> usize {
        self.max
    }

    fn grow(&mut self, len: usize) -> bool {
        if len > self.max {
            return false;
        }
        let new_len = len.max(self.buf.len().saturating_mul(2)).min(self.max);
        self.buf.resize(new_len, 0);
        true
    }

    #[inline]
    fn shrink(&mut self) {
        // Only a buffer that grew well past its initial size gives memory back, so one
        // that grows and empties on every request does not reallocate every time.
        if self.buf.len() > self.shrink_above {
            self.buf.truncate(self.initial);
            self.buf.shrink_to_fit();
        }
    }
}

/// Storage for outstanding requests that grows without a limit (a multiplexed connection
/// bounds them itself).
#[derive(Debug, Default)]
pub(crate) struct Slots(Vec<Slot>);

impl Slots {
    /// Room for `n` requests to begin with.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self(vec![Slot::EMPTY; n.max(1)])
    }
}

impl AsRef<[Slot]> for Slots {
    fn as_ref(&self) -> &[Slot] {
        &self.0
    }
}

impl AsMut<[Slot]> for Slots {
    fn as_mut(&mut self) -> &mut [Slot] {
        &mut self.0
    }
}

impl SlotBuffer for Slots {
    fn grow(&mut self) -> bool {
        let len = self.0.len().saturating_mul(2).max(1);
        self.0.resize(len, Slot::EMPTY);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_geometrically_up_to_the_limit_and_shrinks_when_empty() {
        let mut b = Growable::new(16, 1 << 20);
        assert!(b.grow(20));
        assert_eq!(b.as_ref().len(), 32);
        assert!(b.grow(900_000));
        assert_eq!(b.as_ref().len(), 900_000);
        assert!(!b.grow((1 << 20) + 1));
        b.shrink();
        assert_eq!(b.as_ref().len(), 16);
    }
}
