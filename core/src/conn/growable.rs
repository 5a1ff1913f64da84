//! Heap buffers for the engine (feature `alloc`): a byte buffer that grows on demand up to
//! a limit and gives memory back once empty, and request slots that grow without a limit.
//! Hosted drivers use them; firmware passes fixed buffers instead.

use alloc::vec;
use alloc::vec::Vec;

use super::Buffer;
use super::engine::{Slot, SlotBuffer};

/// A heap buffer that grows up to a limit and shrinks back to its initial size when empty.
///
/// The engine grows a read buffer only when it is full of bytes that arrived, so a server
/// cannot make it allocate more than it sent (nor more than the limit).
///
/// ```
/// use ferrodis_core::conn::{Buffer, GrowableBuffer};
///
/// let mut buf = GrowableBuffer::new(16, 1 << 20);
/// assert!(buf.grow(20));
/// assert_eq!(buf.as_ref().len(), 32); // geometric growth
/// assert!(!buf.grow((1 << 20) + 1)); // past the limit
/// ```
#[derive(Debug)]
pub struct GrowableBuffer {
    buf: Vec<u8>,
    initial: usize,
    /// A buffer longer than this shrinks back to `initial` when empty.
    shrink_above: usize,
    max: usize,
}

impl GrowableBuffer {
    /// `initial` bytes now (at least 1), at most `max` ever.
    pub fn new(initial: usize, max: usize) -> Self {
        let initial = initial.min(max).max(1);
        let shrink_above = initial.saturating_mul(4).max(64 * 1024);
        Self { buf: vec![0; initial], initial, shrink_above, max: max.max(initial) }
    }
}

impl AsRef<[u8]> for GrowableBuffer {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl AsMut<[u8]> for GrowableBuffer {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.buf
    }
}

impl Buffer for GrowableBuffer {
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

/// Storage for outstanding requests that doubles whenever it is full, without a limit: the
/// driver bounds how many requests it queues.
#[derive(Debug, Default)]
pub struct GrowableSlots(Vec<Slot>);

impl GrowableSlots {
    /// Room for `n` requests (at least 1) to begin with.
    pub fn with_capacity(n: usize) -> Self {
        Self(vec![Slot::EMPTY; n.max(1)])
    }
}

impl AsRef<[Slot]> for GrowableSlots {
    fn as_ref(&self) -> &[Slot] {
        &self.0
    }
}

impl AsMut<[Slot]> for GrowableSlots {
    fn as_mut(&mut self) -> &mut [Slot] {
        &mut self.0
    }
}

impl SlotBuffer for GrowableSlots {
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
        let mut b = GrowableBuffer::new(16, 1 << 20);
        assert!(b.grow(20));
        assert_eq!(b.as_ref().len(), 32);
        assert!(b.grow(900_000));
        assert_eq!(b.as_ref().len(), 900_000);
        assert!(!b.grow((1 << 20) + 1));
        b.shrink();
        assert_eq!(b.as_ref().len(), 16);
    }

    #[test]
    fn slots_double_when_full() {
        let mut slots = GrowableSlots::with_capacity(0);
        assert_eq!(slots.as_ref().len(), 1);
        assert!(slots.grow());
        assert!(slots.grow());
        assert_eq!(slots.as_mut().len(), 4);
    }
}
