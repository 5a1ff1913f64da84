//! The requests a connection has outstanding, oldest first: one [`Slot`] per queued
//! request (a single command or a batch), in a ring over caller-provided storage.

use super::Token;

/// Storage for the requests a connection has outstanding: an array or a slice of
/// [`Slot`]s, fixed in size, or (on a hosted adapter) storage that grows.
///
/// A fixed storage bounds how many requests can be queued before their replies are read;
/// the connection shells read replies when it is full, so any number of commands still go
/// through, only in more round trips.
pub trait SlotBuffer: AsRef<[Slot]> + AsMut<[Slot]> {
    /// Makes room for more slots (at least one more), keeping the contents in place;
    /// `false` when it cannot (the default: fixed storage).
    fn grow(&mut self) -> bool {
        false
    }
}

impl<const N: usize> SlotBuffer for [Slot; N] {}

impl SlotBuffer for &mut [Slot] {}

impl<const N: usize> SlotBuffer for &mut [Slot; N] {}

/// What a queued request's replies are, as far as the engine can tell from its commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SlotKind {
    /// Ordinary commands: `owed` replies, one per command.
    Plain,
    /// The connection handshake (ordinary replies; a `HELLO` first when `resp3`).
    Handshake { resp3: bool },
    /// `HELLO version`: the protocol changes when it succeeds.
    Hello { resp3: bool },
    /// `SUBSCRIBE`, `PSUBSCRIBE` or `SSUBSCRIBE`: one confirmation per name.
    Subscribe(Channels),
    /// `UNSUBSCRIBE`, `PUNSUBSCRIBE` or `SUNSUBSCRIBE`: one confirmation per name, or with no
    /// name (`all`) one per subscription of that kind (at least one).
    Unsubscribe { of: Channels, all: bool },
    /// `MONITOR`: `+OK`, then the connection streams what the server runs.
    Monitor,
    /// `RESET`: `+RESET`, and the connection's state is the server's default again.
    Reset,
    /// A request cancelled before any of its bytes left: nothing owed, nothing sent.
    Void,
}

/// The three kinds of pub/sub subscriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Channels {
    /// Channels (`SUBSCRIBE`).
    Channel,
    /// Glob-style patterns (`PSUBSCRIBE`).
    Pattern,
    /// Shard channels of Redis Cluster (`SSUBSCRIBE`).
    Shard,
}

/// Bits of [`Slot::flags`].
pub(super) mod flags {
    /// The caller gave up on it: its replies are read and dropped.
    pub(crate) const ABANDONED: u8 = 1;
    /// Fire and forget: its replies are read and dropped.
    pub(crate) const DISCARD: u8 = 1 << 1;
    /// A bulk reply is handed out in pieces.
    pub(crate) const STREAM: u8 = 1 << 2;
    /// `ASKING` went first; its `+OK` is read and dropped.
    pub(crate) const ASKING: u8 = 1 << 3;
    /// `ASKING` failed: the command's own reply is read and dropped.
    pub(crate) const DROP_ONE: u8 = 1 << 4;
    /// A batch still being queued.
    pub(crate) const OPEN: u8 = 1 << 5;
    /// It changed the queue-time mode (`CLIENT REPLY`, `MULTI`, `RESET`, ...), so it cannot
    /// be cut out from before later requests.
    pub(crate) const CHANGES_MODE: u8 = 1 << 6;
}

/// One outstanding request: where its bytes are in the outgoing stream, and what it is
/// still owed. Opaque; storage for it is all a caller provides ([`SlotBuffer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Where its bytes start in the outgoing stream (counted from the connection's start).
    pub(super) start: u64,
    /// Its encoded length.
    pub(super) len: usize,
    /// Replies (or confirmations) still to come; for `Unsubscribe { all: true }`, 1 until
    /// the last one.
    pub(super) owed: u32,
    /// Replies delivered so far: the index of the next.
    pub(super) index: u32,
    pub(super) kind: SlotKind,
    pub(super) flags: u8,
    /// The queue-time mode before it (see `Mode`), restored if it is cut out.
    pub(super) mode_before: u8,
}

impl Slot {
    /// An unused slot, to fill storage with: `[Slot::EMPTY; 16]`.
    pub const EMPTY: Slot =
        Slot { start: 0, len: 0, owed: 0, index: 0, kind: SlotKind::Void, flags: 0, mode_before: 0 };

    pub(super) const fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// Whether its replies are read and dropped rather than handed out.
    pub(super) const fn is_dropped(&self) -> bool {
        self.flags & (flags::ABANDONED | flags::DISCARD) != 0
    }

    /// The end of its bytes in the outgoing stream.
    pub(super) const fn end(&self) -> u64 {
        self.start + self.len as u64
    }
}

impl Default for Slot {
    fn default() -> Self {
        Slot::EMPTY
    }
}

/// The outstanding requests in a ring over `S`: `len` slots from `head`, the oldest first,
/// whose tokens count up from `front`.
#[derive(Debug)]
pub(super) struct Ring<S> {
    storage: S,
    head: usize,
    len: usize,
    /// The token of the oldest slot (or of the next request, when there is none).
    front: u64,
    /// How many of the slots are [`SlotKind::Void`].
    voids: usize,
}

impl<S: SlotBuffer> Ring<S> {
    pub(super) fn new(storage: S) -> Self {
        Self { storage, head: 0, len: 0, front: 0, voids: 0 }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many slots hold a request that is not [`SlotKind::Void`].
    pub(super) fn live(&self) -> usize {
        self.len - self.voids
    }

    /// Makes the slot at `at` a void one (its request was cut out), keeping its start.
    pub(super) fn void(&mut self, at: usize) {
        if let Some(slot) = self.get_mut(at)
            && slot.kind != SlotKind::Void
        {
            *slot = Slot { start: slot.start, kind: SlotKind::Void, ..Slot::EMPTY };
            self.voids += 1;
        }
    }

    /// The token the next pushed slot gets.
    pub(super) fn next_token(&self) -> Token {
        Token(self.front + self.len as u64)
    }

    /// The token of the slot at position `at` (0: the oldest).
    pub(super) fn token(&self, at: usize) -> Token {
        Token(self.front + at as u64)
    }

    /// The position of `token`, if it is outstanding.
    pub(super) fn position(&self, token: Token) -> Option<usize> {
        let at = usize::try_from(token.0.checked_sub(self.front)?).ok()?;
        (at < self.len).then_some(at)
    }

    fn physical(&self, at: usize) -> usize {
        let capacity = self.storage.as_ref().len();
        let i = self.head + at;
        if i >= capacity { i - capacity } else { i }
    }

    pub(super) fn get(&self, at: usize) -> Option<&Slot> {
        if at >= self.len {
            return None;
        }
        self.storage.as_ref().get(self.physical(at))
    }

    pub(super) fn get_mut(&mut self, at: usize) -> Option<&mut Slot> {
        if at >= self.len {
            return None;
        }
        let i = self.physical(at);
        self.storage.as_mut().get_mut(i)
    }

    pub(super) fn back_mut(&mut self) -> Option<&mut Slot> {
        self.len.checked_sub(1).and_then(|at| self.get_mut(at))
    }

    /// Whether one more slot fits, growing the storage if it can.
    pub(super) fn reserve(&mut self) -> bool {
        if self.len < self.storage.as_ref().len() {
            return true;
        }
        // Make the ring contiguous from 0, so growing the storage at its end keeps order.
        self.storage.as_mut().rotate_left(self.head);
        self.head = 0;
        self.storage.grow() && self.len < self.storage.as_ref().len()
    }

    /// Appends `slot` and returns its token; `None` when the storage is full.
    pub(super) fn push(&mut self, slot: Slot) -> Option<Token> {
        if !self.reserve() {
            return None;
        }
        let token = self.next_token();
        let i = self.physical(self.len);
        self.storage.as_mut()[i] = slot;
        self.len += 1;
        Some(token)
    }

    /// The oldest slot.
    pub(super) fn front_mut(&mut self) -> Option<&mut Slot> {
        if self.len == 0 {
            return None;
        }
        self.storage.as_mut().get_mut(self.head)
    }

    /// Removes the oldest slot.
    pub(super) fn drop_front(&mut self) {
        let Some(front) = self.get(0) else { return };
        if front.kind == SlotKind::Void {
            self.voids -= 1;
        }
        self.head = self.physical(1);
        self.len -= 1;
        self.front += 1;
        if self.len == 0 {
            self.head = 0;
        }
    }

    /// Forgets every slot; tokens go on counting from where they were, so a token is
    /// never reused.
    pub(super) fn clear(&mut self) {
        self.front += self.len as u64;
        self.head = 0;
        self.len = 0;
        self.voids = 0;
    }

    /// The slots, oldest first.
    pub(super) fn iter(&self) -> impl Iterator<Item = (Token, &Slot)> + '_ {
        (0..self.len).filter_map(move |at| Some((self.token(at), self.get(at)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(start: u64) -> Slot {
        Slot { start, len: 1, owed: 1, kind: SlotKind::Plain, ..Slot::EMPTY }
    }

    #[test]
    fn a_fixed_ring_wraps_and_tokens_keep_counting() {
        let mut ring = Ring::new([Slot::EMPTY; 3]);
        assert_eq!(ring.push(plain(0)), Some(Token(0)));
        assert_eq!(ring.push(plain(1)), Some(Token(1)));
        assert_eq!(ring.push(plain(2)), Some(Token(2)));
        assert_eq!(ring.push(plain(3)), None, "full");
        assert_eq!(ring.get(0).map(|s| s.start), Some(0));
        ring.drop_front();
        assert_eq!(ring.push(plain(3)), Some(Token(3)));
        let starts: std::vec::Vec<_> = ring.iter().map(|(t, s)| (t.0, s.start)).collect();
        assert_eq!(starts, [(1, 1), (2, 2), (3, 3)]);
        assert_eq!(ring.position(Token(3)), Some(2));
        assert_eq!(ring.position(Token(0)), None);
        ring.clear();
        assert_eq!(ring.next_token(), Token(4), "tokens are never reused");
    }

    #[test]
    fn growing_storage_keeps_the_order_of_a_wrapped_ring() {
        let mut ring = Ring::new(crate::conn::GrowableSlots::with_capacity(2));
        ring.push(plain(0));
        ring.push(plain(1));
        ring.drop_front();
        ring.push(plain(2)); // wraps to index 0
        for start in 3..10 {
            ring.push(plain(start));
        }
        let starts: std::vec::Vec<_> = ring.iter().map(|(_, s)| s.start).collect();
        assert_eq!(starts, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
}
