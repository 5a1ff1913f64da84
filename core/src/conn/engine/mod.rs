//! [`Engine`]: one Redis connection as a sans-I/O state machine.
//!
//! The engine owns no transport and no clock. A driver (the blocking and async shells of
//! this crate, a Tokio task, an embassy socket, a pool or a cluster router) moves bytes
//! between a transport and the engine, and the engine decides everything else: how
//! requests are encoded and framed, which requests are written, partly written or not
//! written at all, which reply belongs to which request, what pub/sub confirmations,
//! `MONITOR`, `CLIENT REPLY` and `RESET` do to the replies owed, when a reply is too large
//! and can be skipped, and when the byte stream can no longer be trusted.
//!
//! # The contract
//!
//! Inputs:
//! - [`queue`](Engine::queue) (or a batch: [`open_batch`](Engine::open_batch),
//!   [`batch_push`](Engine::batch_push), [`close_batch`](Engine::close_batch)) encodes a
//!   request into the write buffer and returns its [`Token`]. [`Expect`] says what the
//!   caller wants of its replies.
//! - [`sent`](Engine::sent): after each write of the bytes [`transmit`](Engine::transmit)
//!   handed out, how many were written (0 when the write failed).
//! - [`received`](Engine::received): after each read into [`spare`](Engine::spare), how
//!   many bytes arrived.
//! - [`cancel`](Engine::cancel): the caller gave up on a request.
//! - [`fail_all`](Engine::fail_all): the transport failed; [`reset`](Engine::reset): a
//!   fresh transport.
//! - [`set_shared`](Engine::set_shared): several callers share the connection, so
//!   commands that change it for every request after them are refused.
//!
//! Outputs (each `#[must_use]`):
//! - [`transmit`](Engine::transmit): the bytes to write next.
//! - [`spare`](Engine::spare): where to read into.
//! - [`poll`](Engine::poll): the next [`Event`]: a reply for a token (borrowing the read
//!   buffer), a push frame, a dropped stale reply, a failure. Call it until it returns
//!   `None` after every [`received`](Engine::received), and after every [`sent`](Engine::sent)
//!   when requests the server does not answer are outstanding.
//! - [`poll_head`](Engine::poll_head): `poll` without the borrow, for a driver that decides
//!   from an event's kind and token; [`current`](Engine::current),
//!   [`current_reply`](Engine::current_reply) and [`current_bytes`](Engine::current_bytes)
//!   then give its frame or bytes, and [`take_run`](Engine::take_run) the complete replies
//!   to the same request behind it, for a driver that copies replies out in one piece.
//!
//! ```
//! use ferrodis_core::conn::engine::{Engine, Event, Expect};
//! use ferrodis_core::resp::{Arg, Frame};
//!
//! let (mut rx, mut tx) = ([0u8; 128], [0u8; 128]);
//! let mut engine = Engine::new(&mut rx[..], &mut tx[..]);
//! let ping = engine.queue(&[Arg::from("PING")], Expect::Replies).unwrap();
//!
//! // The driver writes what the engine hands out...
//! let wire = engine.transmit().to_vec();
//! assert_eq!(wire, b"*1\r\n$4\r\nPING\r\n");
//! engine.sent(wire.len());
//!
//! // ...and reads into the spare region; here the reply arrives in two pieces.
//! for piece in [&b"+PO"[..], b"NG\r\n"] {
//!     let spare = engine.spare();
//!     spare[..piece.len()].copy_from_slice(piece);
//!     engine.received(piece.len());
//! }
//! match engine.poll() {
//!     Some(Event::Reply { token, frame, last: true, .. }) => {
//!         assert_eq!(token, ping);
//!         assert_eq!(frame, Frame::SimpleString(b"PONG"));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! assert!(engine.poll().is_none());
//! assert!(engine.is_idle());
//! ```

mod classify;
mod event;
mod pubsub;
mod read;
mod rx;
mod slots;
mod tx;

#[cfg(test)]
mod tests;

pub use event::{Event, Expect, Failure, Head, Outcome, QueueError, Refusal, Run, Token};
pub use pubsub::Subscriptions;
pub use slots::{Channels, Slot, SlotBuffer};

use classify::{Classified, Command, Mode, replies};
use rx::Rx;
use slots::{Ring, SlotKind, flags};
use tx::{Fit, Tx};

use super::{Buffer, Handshake, Protocol};
use crate::error::Delivery;
use crate::resp::{Arg, CommandArgs, Decoder, DetachedFrame};

/// How many requests the default slot storage holds ([`Engine::new`]): enough for a
/// connection driven one operation at a time, whose pipelines are one request each.
pub const DEFAULT_SLOTS: usize = 8;

/// One Redis connection as a state machine: requests in, bytes out; bytes in, events out.
/// See the [module documentation](self) for the contract.
///
/// `R` and `W` are the caller's read and write buffers ([`Buffer`]); `S` stores the
/// outstanding requests ([`SlotBuffer`]).
pub struct Engine<R, W, S = [Slot; DEFAULT_SLOTS]> {
    rx: Rx<R>,
    tx: Tx<W>,
    slots: Ring<S>,
    decoder: Decoder,
    /// What the server's end of the connection is, as learned from the replies.
    resp3: bool,
    subscriptions: Subscriptions,
    monitoring: bool,
    /// What the server will do with the next command queued.
    mode: Mode,
    /// Bytes of the outgoing stream confirmed written, since the last reset.
    sent: u64,
    /// Bytes handed out by [`Engine::transmit`] and not yet confirmed.
    writing: usize,
    /// The last request is larger than the write buffer: bytes of it queued so far.
    windowed: Option<usize>,
    /// The first request of the operation under way ([`Engine::begin_op`]).
    op: Option<Token>,
    /// Why the byte stream cannot be trusted, and whether [`Engine::poll`] said so.
    failure: Option<Failure>,
    failure_reported: bool,
    reading: Reading,
    /// The event [`Engine::poll`] returned last, for [`Engine::current`].
    current: Option<Current>,
    /// Whether several callers share the connection ([`Engine::set_shared`]).
    shared: bool,
    /// Whether a command queued since the last reset (the handshake's aside) may have
    /// changed the session ([`Engine::session_changed`]).
    session_changed: bool,
}

/// How the bytes at the front of the read buffer are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Whole frames.
    Frames,
    /// The payload of a bulk string handed out in pieces: bytes left, its length, whether
    /// the first piece went out.
    Stream { left: usize, len: usize, first: bool },
    /// A frame too large for the read buffer, dropped as it arrives: bytes so far, and
    /// whether it is a push frame rather than a reply.
    Skip { total: usize, push: bool },
}

/// [`Event`] without the borrow: positions in the read buffer's unconsumed bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Current {
    Reply { token: Token, index: usize, last: bool, frame: DetachedFrame },
    TooLarge { token: Token, index: usize, last: bool, needed: usize },
    Chunk { token: Token, len: Option<usize>, bytes: usize, last: bool },
    Push(DetachedFrame),
    Monitor(DetachedFrame),
    Dropped(Token),
    Unanswered(Token),
    Failed(Failure),
}

impl<R: Buffer, W: Buffer> Engine<R, W> {
    /// An engine over the caller's read and write buffers, with room for
    /// [`DEFAULT_SLOTS`] outstanding requests.
    pub fn new(read_buf: R, write_buf: W) -> Self {
        Self::with_slots(read_buf, write_buf, [Slot::EMPTY; DEFAULT_SLOTS])
    }
}

impl<R: Buffer, W: Buffer, S: SlotBuffer> Engine<R, W, S> {
    /// An engine over the caller's buffers and request storage.
    pub fn with_slots(read_buf: R, write_buf: W, slots: S) -> Self {
        Self {
            rx: Rx::new(read_buf),
            tx: Tx::new(write_buf),
            slots: Ring::new(slots),
            decoder: Decoder::DEFAULT,
            resp3: false,
            subscriptions: Subscriptions { channels: 0, patterns: 0, shards: 0 },
            monitoring: false,
            mode: Mode::default(),
            sent: 0,
            writing: 0,
            windowed: None,
            op: None,
            failure: None,
            failure_reported: false,
            reading: Reading::Frames,
            current: None,
            shared: false,
            session_changed: false,
        }
    }

    /// Uses `decoder` (its limits) for replies from now on.
    pub fn set_decoder(&mut self, decoder: Decoder) {
        self.decoder = decoder;
    }

    /// The decoder in use.
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// Says whether several callers share the connection (a multiplexed connection). A
    /// shared engine's [`queue`](Self::queue) also refuses, with [`Refusal::Shared`], the
    /// commands that change the connection's state for every request after them:
    /// `MONITOR`, `CLIENT REPLY`, `RESET`, `HELLO`, `MULTI`/`EXEC`/`DISCARD`,
    /// `WATCH`/`UNWATCH`, `SELECT`, `AUTH`, `QUIT`, `SYNC`/`PSYNC`, and on RESP2 (where a
    /// subscribed connection runs nothing else) the subscription commands. On RESP3,
    /// subscriptions are fine: confirmations and messages are push frames. Batches are
    /// checked beforehand with [`batchable_when_shared`]. [`reset`](Self::reset) keeps the
    /// setting.
    pub fn set_shared(&mut self, shared: bool) {
        self.shared = shared;
    }

    // ---- Queueing ----------------------------------------------------------------------

    /// Queues one command and returns its token. Nothing is written until the driver
    /// writes what [`transmit`](Self::transmit) hands out.
    ///
    /// The engine reads the command to know what it is owed: one reply for most commands;
    /// one confirmation per channel for the subscription commands (and for an
    /// `UNSUBSCRIBE` without channels, one per subscribed channel); none for the commands
    /// that `CLIENT REPLY OFF` or `SKIP` silence. `SYNC` and `PSYNC` are refused, and so are
    /// subscriptions and `MONITOR` inside `MULTI` or with replies off ([`Refusal`]).
    ///
    /// A command that does not fit behind the bytes already queued fails with
    /// [`QueueError::NoRoom`] (write them, then queue it again); one larger than the write
    /// buffer can ever be is queued a window at a time: the first window now, each next
    /// one with [`continue_command`](Self::continue_command) once there is room.
    pub fn queue<C: CommandArgs + ?Sized>(
        &mut self,
        command: &C,
        expect: Expect,
    ) -> Result<Token, QueueError> {
        self.ready()?;
        let Classified { kind, changes_state, changes_session } = Classified::of(command);
        if self.shared && self.refused_when_shared(kind, changes_state) {
            return Err(QueueError::Refused(Refusal::Shared));
        }
        let changes_session =
            changes_session || !matches!(kind, Command::Plain | Command::Multi | Command::EndMulti);
        // Most commands: one reply, nothing about the mode changes.
        let ordinary = kind == Command::Plain && self.mode == Mode::default();
        if !ordinary {
            self.refuse(kind)?;
        }
        if !self.slots.reserve() {
            return Err(QueueError::NoSlot);
        }
        let start = self.queued();
        let (len, windowed) = self.encode(command)?;
        self.session_changed |= changes_session;
        let mut slot_flags = match expect {
            Expect::Replies => 0,
            Expect::Discard => flags::DISCARD,
            Expect::Stream if matches!(kind, Command::Plain | Command::Multi | Command::EndMulti) => {
                flags::STREAM
            }
            Expect::Stream => 0,
        };
        let mode_before = self.mode.to_byte();
        let (slot_kind, owed) = if ordinary {
            (SlotKind::Plain, 1)
        } else {
            let owed = replies(kind, self.mode);
            let after = self.mode.after(kind);
            if after != self.mode {
                slot_flags |= flags::CHANGES_MODE;
            }
            self.mode = after;
            let slot_kind = match kind {
                Command::Subscribe(of, _) => SlotKind::Subscribe(of),
                Command::Unsubscribe(of, names) => SlotKind::Unsubscribe { of, all: names == 0 },
                Command::Monitor => SlotKind::Monitor,
                Command::Reset => SlotKind::Reset,
                Command::Hello(resp3) => SlotKind::Hello { resp3 },
                _ => SlotKind::Plain,
            };
            (slot_kind, owed)
        };
        let slot = Slot { start, len, owed, index: 0, kind: slot_kind, flags: slot_flags, mode_before };
        self.push(slot, windowed)
    }

    /// Queues `ASKING` and then `command` as one request, for a cluster redirect: its
    /// events are `command`'s alone (the `+OK` of `ASKING` is checked and dropped; if
    /// `ASKING` fails, its error is the reply and `command`'s own reply is dropped).
    pub fn queue_asking<C: CommandArgs + ?Sized>(
        &mut self,
        command: &C,
        expect: Expect,
    ) -> Result<Token, QueueError> {
        self.ready()?;
        let Classified { kind, changes_session, .. } = Classified::of(command);
        if kind.is_special() {
            return Err(QueueError::Refused(Refusal::NotInBatch));
        }
        self.session_changed |= changes_session;
        self.refuse(kind)?;
        if !self.slots.reserve() {
            return Err(QueueError::NoSlot);
        }
        let start = self.queued();
        let asking = match self.tx.encode(&[Arg::from("ASKING")][..])? {
            Fit::Whole(n) => n,
            _ => return Err(QueueError::NoRoom),
        };
        let (len, windowed) = match self.encode(command) {
            Ok(encoded) => encoded,
            Err(e) => {
                self.tx.remove(self.tx.len() - asking, asking);
                return Err(e);
            }
        };
        let owed = 1 + replies(kind, self.mode);
        let discard = if expect == Expect::Discard { flags::DISCARD } else { 0 };
        let slot = Slot {
            start,
            len: asking + len,
            owed,
            index: 0,
            kind: SlotKind::Plain,
            flags: flags::ASKING | discard,
            mode_before: self.mode.to_byte(),
        };
        let token = self.push(slot, windowed)?;
        self.mode = self.mode.after(kind);
        Ok(token)
    }

    /// Opens a batch: a request of several commands (a pipeline, a `MULTI`/`EXEC`
    /// transaction) that is one token, one reply per command. Add commands with
    /// [`batch_push`](Self::batch_push) and close it with [`close_batch`](Self::close_batch);
    /// bytes queued so far may be written meanwhile.
    pub fn open_batch(&mut self, expect: Expect) -> Result<Token, QueueError> {
        self.open(SlotKind::Plain, expect)
    }

    /// Opens the batch of a connection's handshake (see [`Handshake::steps`]): a batch
    /// whose first command may be the `HELLO` that switches the protocol, which the
    /// engine notes when it succeeds.
    pub fn open_handshake(&mut self, handshake: &Handshake<'_>) -> Result<Token, QueueError> {
        self.open(SlotKind::Handshake { resp3: handshake.protocol == Protocol::Resp3 }, Expect::Replies)
    }

    fn open(&mut self, kind: SlotKind, expect: Expect) -> Result<Token, QueueError> {
        self.ready()?;
        let discard = if expect == Expect::Discard { flags::DISCARD } else { 0 };
        let slot = Slot {
            start: self.queued(),
            len: 0,
            owed: 0,
            index: 0,
            kind,
            flags: flags::OPEN | discard,
            mode_before: self.mode.to_byte(),
        };
        self.push(slot, None)
    }

    /// Adds `command` to the open batch. Commands that change what later commands are
    /// answered with (subscriptions, `MONITOR`, `CLIENT REPLY`, `RESET`, `HELLO`) are
    /// refused ([`Refusal::NotInBatch`]); [`batchable`] checks a command beforehand, so a
    /// batch need not be abandoned halfway.
    pub fn batch_push<C: CommandArgs + ?Sized>(&mut self, command: &C) -> Result<(), QueueError> {
        self.ready()?;
        let Some(slot) = self.slots.back_mut().filter(|s| s.has(flags::OPEN)) else {
            return Err(QueueError::NoBatch);
        };
        let handshake = matches!(slot.kind, SlotKind::Handshake { .. });
        let Classified { kind, changes_session, .. } = Classified::of(command);
        // Most commands: one reply, nothing about the mode changes.
        let ordinary = kind == Command::Plain && self.mode == Mode::default();
        if !ordinary {
            if kind.is_special() && !handshake {
                return Err(QueueError::Refused(Refusal::NotInBatch));
            }
            self.refuse(kind)?;
        }
        let (len, windowed) = self.encode(command)?;
        // The handshake sets the session up; it does not change it.
        self.session_changed |= !handshake
            && (changes_session || !matches!(kind, Command::Plain | Command::Multi | Command::EndMulti));
        let (owed, after) =
            if ordinary { (1, self.mode) } else { (replies(kind, self.mode), self.mode.after(kind)) };
        if let Some(slot) = self.slots.back_mut() {
            slot.len += len;
            slot.owed += owed;
            if after != self.mode {
                slot.flags |= flags::CHANGES_MODE;
            }
        }
        self.windowed = windowed;
        self.mode = after;
        Ok(())
    }

    /// Closes the open batch: its last reply ends it.
    pub fn close_batch(&mut self) {
        if let Some(slot) = self.slots.back_mut() {
            slot.flags &= !flags::OPEN;
        }
    }

    /// Queues the next window of a command larger than the write buffer (the last one
    /// queued) into the room [`transmit`](Self::transmit) made; `true` once all of it is
    /// queued. `command` must be the one queued.
    pub fn continue_command<C: CommandArgs + ?Sized>(&mut self, command: &C) -> Result<bool, QueueError> {
        let Some(done) = self.windowed else { return Ok(true) };
        if self.failure.is_some() {
            return Err(QueueError::Broken);
        }
        let total = self.slots.back_mut().map_or(0, |s| s.end()).saturating_sub(self.queued());
        let n = self.tx.encode_window(command, done);
        let done = done + n;
        if n as u64 >= total {
            self.windowed = None;
            return Ok(true);
        }
        self.windowed = Some(done);
        Ok(false)
    }

    /// Whether a command larger than the write buffer is still being queued
    /// ([`continue_command`](Self::continue_command)).
    pub fn is_queueing_windows(&self) -> bool {
        self.windowed.is_some()
    }

    /// Encodes `command` behind the queued bytes: its whole length, and the bytes of it
    /// queued so far when it goes a window at a time.
    fn encode<C: CommandArgs + ?Sized>(&mut self, command: &C) -> Result<(usize, Option<usize>), QueueError> {
        match self.tx.encode(command)? {
            Fit::Whole(n) => Ok((n, None)),
            Fit::NoRoom => Err(QueueError::NoRoom),
            Fit::Larger(total) => Ok((total, Some(self.tx.encode_window(command, 0)))),
        }
    }

    fn push(&mut self, slot: Slot, windowed: Option<usize>) -> Result<Token, QueueError> {
        let Some(token) = self.slots.push(slot) else {
            // Cannot happen: every caller reserved the slot before encoding.
            return Err(QueueError::NoSlot);
        };
        if windowed.is_some() {
            self.windowed = windowed;
        }
        Ok(token)
    }

    /// Fails when nothing can be queued now.
    fn ready(&self) -> Result<(), QueueError> {
        if self.failure.is_some() {
            return Err(QueueError::Broken);
        }
        if self.windowed.is_some() {
            return Err(QueueError::Busy);
        }
        Ok(())
    }

    /// Refuses what cannot be queued in the current mode.
    fn refuse(&self, kind: Command) -> Result<(), QueueError> {
        let refusal = match kind {
            Command::Replication => Refusal::Replication,
            Command::Subscribe(..) | Command::Unsubscribe(..) | Command::Monitor | Command::Hello(_)
                if self.mode.in_multi =>
            {
                Refusal::InTransaction
            }
            Command::ClientReply(_) if self.mode.in_multi => Refusal::InTransaction,
            Command::Subscribe(..) | Command::Unsubscribe(..) | Command::Monitor if !self.mode.answers() => {
                Refusal::RepliesOff
            }
            _ => return Ok(()),
        };
        Err(QueueError::Refused(refusal))
    }

    /// Whether a shared engine refuses `command`, of kind `kind` (see
    /// [`set_shared`](Self::set_shared)).
    fn refused_when_shared(&self, kind: Command, changes_state: bool) -> bool {
        match kind {
            Command::Subscribe(..) | Command::Unsubscribe(..) => !self.resp3,
            Command::Plain => changes_state,
            _ => true,
        }
    }

    /// The stream position where the next queued byte goes.
    fn queued(&self) -> u64 {
        self.sent + self.tx.len() as u64
    }

    // ---- Writing -----------------------------------------------------------------------

    /// The bytes to write next: every queued byte not yet written. Write some or all of
    /// them, then call [`sent`](Self::sent) with how many were written, before anything
    /// else touches the engine's write side. A write that is handed out and never
    /// confirmed (a cancelled future) breaks the connection at the next operation: where
    /// it stopped is unknown.
    #[must_use]
    pub fn transmit(&mut self) -> &[u8] {
        if self.writing > 0 {
            self.fail(Failure::WriteAbandoned);
            return &[];
        }
        if self.failure.is_some() {
            return &[];
        }
        let pending = self.tx.pending();
        self.writing = pending.len();
        pending
    }

    /// [`transmit`](Self::transmit), handing out at most `max` bytes (the rest stay
    /// unwritten, and so do the requests in them, for [`cancel`](Self::cancel)).
    #[must_use]
    pub fn transmit_at_most(&mut self, max: usize) -> &[u8] {
        let all = self.transmit().len();
        self.writing = all.min(max);
        &self.tx.pending()[..self.writing]
    }

    /// Confirms that the write of what [`transmit`](Self::transmit) handed out wrote `n`
    /// bytes (0 when it failed before writing any).
    pub fn sent(&mut self, n: usize) {
        let n = n.min(self.writing);
        self.writing = 0;
        self.tx.consume(n);
        self.sent += n as u64;
    }

    /// Whether queued bytes wait to be written.
    pub fn wants_to_transmit(&self) -> bool {
        self.tx.len() > 0 && self.failure.is_none()
    }

    /// Free space in the write buffer for more requests (after moving pending bytes to
    /// its front).
    pub fn write_room(&mut self) -> usize {
        self.tx.room()
    }

    // ---- Reading -----------------------------------------------------------------------

    /// Where to read received bytes into; then call [`received`](Self::received). Empty
    /// only when the read buffer is full and cannot grow: [`poll`](Self::poll) first.
    #[must_use]
    pub fn spare(&mut self) -> &mut [u8] {
        self.current = None;
        self.rx.spare()
    }

    /// Takes in `n` bytes read into [`spare`](Self::spare).
    pub fn received(&mut self, n: usize) {
        self.rx.commit(n);
    }

    // ---- Cancelling and failing --------------------------------------------------------

    /// The caller gives up on `token`. If none of its bytes can have been written, they
    /// are taken out and never sent ([`Delivery::NotSent`]); otherwise its replies are
    /// read and dropped when they come ([`Delivery::Unknown`]). `None` when `token` is
    /// not outstanding (its replies all came, or it was cancelled before).
    pub fn cancel(&mut self, token: Token) -> Option<Outcome> {
        let at = self.slots.position(token)?;
        let slot = *self.slots.get(at)?;
        if slot.kind == SlotKind::Void {
            return None;
        }
        let last = at + 1 == self.slots.len();
        if !self.started(&slot) && (!slot.has(flags::CHANGES_MODE) || self.only_void_after(at)) {
            self.cut(at);
            return Some(Outcome { delivery: Delivery::NotSent, answered: 0 });
        }
        if last && self.windowed.is_some() {
            // The rest of it cannot be written without the command: the stream is cut short.
            self.fail(Failure::WriteAbandoned);
        }
        if let Some(slot) = self.slots.get_mut(at) {
            // No more commands join an abandoned batch.
            slot.flags |= flags::ABANDONED;
            slot.flags &= !(flags::STREAM | flags::OPEN);
        }
        Some(Outcome { delivery: Delivery::Unknown, answered: slot.index as usize })
    }

    /// Whether any byte of `slot` may have been written.
    fn started(&self, slot: &Slot) -> bool {
        slot.len > 0 && slot.start < self.sent + self.writing as u64
    }

    fn only_void_after(&self, at: usize) -> bool {
        (at + 1..self.slots.len()).all(|i| self.slots.get(i).is_some_and(|s| s.kind == SlotKind::Void))
    }

    /// Takes the unwritten slot at `at` out: its bytes from the write buffer, its place in
    /// the stream from the slots after it.
    fn cut(&mut self, at: usize) {
        let Some(slot) = self.slots.get(at).copied() else { return };
        let from = (slot.start - self.sent) as usize;
        let in_buffer = slot.len.min(self.tx.len().saturating_sub(from));
        self.tx.remove(from, in_buffer);
        for i in at + 1..self.slots.len() {
            if let Some(later) = self.slots.get_mut(i) {
                later.start -= in_buffer as u64;
            }
        }
        if at + 1 == self.slots.len() {
            self.windowed = None;
        }
        if slot.has(flags::CHANGES_MODE) {
            self.mode = Mode::from_byte(slot.mode_before);
        }
        self.slots.void(at);
    }

    /// The transport failed (or the driver gives up on the connection): `f` hears, for
    /// every outstanding request in order, whether it was [`Delivery::NotSent`] or
    /// [`Delivery::Unknown`] and how many replies it had. The engine then holds nothing
    /// and refuses requests until [`reset`](Self::reset).
    pub fn fail_all(&mut self, mut f: impl FnMut(Token, Outcome)) {
        for (token, slot) in self.slots.iter() {
            if slot.kind == SlotKind::Void {
                continue;
            }
            let delivery = if self.started(slot) { Delivery::Unknown } else { Delivery::NotSent };
            f(token, Outcome { delivery, answered: slot.index as usize });
        }
        self.clear();
        if self.failure.is_none() {
            self.failure = Some(Failure::Transport);
            self.failure_reported = true;
        }
    }

    /// Whether the session may differ from what the handshake set up: a command queued
    /// since (the handshake's aside) changes the database, user, name, protocol, watched
    /// keys, subscriptions, tracking or reply mode (`SELECT`, `AUTH`, `HELLO`, `WATCH`,
    /// `SUBSCRIBE`, `MONITOR`, `CLIENT TRACKING`, `CLIENT SETNAME`, `CLIENT REPLY`,
    /// `RESET`, ...), or a `MULTI` is still open. A pool returns only a connection for
    /// which this is `false` to its next user.
    ///
    /// It errs on the safe side: `MULTI` ... `EXEC` leaves it `false`, but `WATCH` and a
    /// later `UNWATCH` leave it `true`.
    pub fn session_changed(&self) -> bool {
        self.session_changed
            || self.mode != Mode::default()
            || self.monitoring
            || !self.subscriptions.is_empty()
    }

    /// Takes the session as it is now for the one the connection is set up with: after
    /// a caller's own setup commands (an on-connect hook), so
    /// [`session_changed`](Self::session_changed) says what changed since.
    pub fn settle_session(&mut self) {
        self.session_changed = false;
    }

    /// Starts over on a fresh transport: nothing queued, nothing owed, the protocol and
    /// modes the server's defaults (RESP2, no subscriptions, replies on). Run the
    /// handshake again. Tokens go on counting.
    pub fn reset(&mut self) {
        self.clear();
        self.failure = None;
        self.failure_reported = false;
        self.resp3 = false;
        self.subscriptions = Subscriptions::default();
        self.monitoring = false;
        self.mode = Mode::default();
        self.sent = 0;
        self.session_changed = false;
    }

    fn clear(&mut self) {
        self.slots.clear();
        self.tx.clear();
        self.rx.clear();
        self.reading = Reading::Frames;
        self.windowed = None;
        self.writing = 0;
        self.op = None;
        self.current = None;
    }

    fn fail(&mut self, failure: Failure) {
        if self.failure.is_none() {
            self.failure = Some(failure);
            self.failure_reported = false;
        }
    }

    // ---- Operations, for drivers that can be abandoned midway --------------------------

    /// Begins an operation (requests queued from now on, until [`end_op`](Self::end_op)).
    /// If the previous operation never ended (its future was dropped), its requests are
    /// cancelled first ([`cancel`](Self::cancel)), and if it was abandoned in the middle
    /// of a write, the connection fails ([`Failure::WriteAbandoned`]).
    pub fn begin_op(&mut self) -> Result<(), QueueError> {
        self.abandon_op();
        if self.writing > 0 {
            self.fail(Failure::WriteAbandoned);
        }
        if self.failure.is_some() {
            return Err(QueueError::Broken);
        }
        self.op = Some(self.slots.next_token());
        Ok(())
    }

    /// Whether the operation under way is the one whose first request is `token`.
    pub fn is_op(&self, token: Token) -> bool {
        self.op == Some(token)
    }

    /// Ends the operation begun last: its requests are done with.
    pub fn end_op(&mut self) {
        self.op = None;
    }

    /// Cancels the requests of the operation under way (it failed midway) and ends it.
    #[inline]
    pub fn abandon_op(&mut self) {
        if self.op.is_some() {
            self.abandon_op_requests();
        }
    }

    #[inline(never)]
    fn abandon_op_requests(&mut self) {
        let Some(first) = self.op.take() else { return };
        let mut at = self.slots.position(first).unwrap_or(self.slots.len());
        while at < self.slots.len() {
            let token = self.slots.token(at);
            let _ = self.cancel(token);
            at += 1;
        }
    }

    // ---- What the engine knows ---------------------------------------------------------

    /// Whether the byte stream can no longer be trusted (see [`Failure`]); nothing can be
    /// queued until [`reset`](Self::reset).
    pub fn is_broken(&self) -> bool {
        self.failure.is_some()
    }

    /// Why the connection failed, if it did.
    pub fn failure(&self) -> Option<Failure> {
        self.failure
    }

    /// Whether nothing is queued, outstanding or buffered.
    pub fn is_idle(&self) -> bool {
        self.slots.is_empty() && self.tx.len() == 0
    }

    /// How many requests are outstanding (queued, written or partly answered).
    pub fn outstanding(&self) -> usize {
        self.slots.live()
    }

    /// How many replies the outstanding requests are owed.
    pub fn replies_owed(&self) -> usize {
        self.slots.iter().map(|(_, s)| s.owed as usize).sum()
    }

    /// Whether the oldest outstanding request has been (at least partly) written and
    /// waits for its replies: a driver that gathers requests into one write waits for
    /// this to turn false.
    pub fn awaits_replies(&self) -> bool {
        self.slots.get(0).is_some_and(|s| self.started(s))
    }

    /// Whether a driver that gathers requests into fewer, larger writes may hold back
    /// what is queued now: a request that was written waits for its replies, and every
    /// request begun is written in full (so no reply the server owes waits on the hold).
    pub fn may_hold_writes(&self) -> bool {
        if !self.awaits_replies() {
            return false;
        }
        let next = self.sent + self.writing as u64;
        for at in (0..self.slots.len()).rev() {
            match self.slots.get(at) {
                Some(slot) if slot.kind != SlotKind::Void && slot.start < next => return slot.end() <= next,
                _ => {}
            }
        }
        true
    }

    /// The protocol the server speaks on this connection, as its replies showed.
    pub fn protocol(&self) -> Protocol {
        if self.resp3 { Protocol::Resp3 } else { Protocol::Resp2 }
    }

    /// The connection's subscriptions, from the server's confirmations.
    pub fn subscriptions(&self) -> Subscriptions {
        self.subscriptions
    }

    /// Whether the connection is in `MONITOR` mode.
    pub fn is_monitoring(&self) -> bool {
        self.monitoring
    }
}

/// Whether `command` can go in a batch ([`Engine::batch_push`]): everything but the
/// commands that change what later commands are answered with, and `SYNC`/`PSYNC`.
pub fn batchable<C: CommandArgs + ?Sized>(command: &C) -> Result<(), Refusal> {
    match Command::of(command) {
        Command::Replication => Err(Refusal::Replication),
        kind if kind.is_special() => Err(Refusal::NotInBatch),
        _ => Ok(()),
    }
}

/// Whether `command` can go in a batch ([`batchable`]) on a connection shared by several
/// callers (what a shared engine refuses, [`Engine::set_shared`]), in one look at it: the
/// check a shared connection's pipeline makes of each command.
pub fn batchable_when_shared<C: CommandArgs + ?Sized>(command: &C) -> Result<(), Refusal> {
    let Classified { kind, changes_state, .. } = Classified::of(command);
    match kind {
        Command::Plain if !changes_state => Ok(()),
        Command::Plain | Command::Multi | Command::EndMulti => Err(Refusal::Shared),
        Command::Replication => Err(Refusal::Replication),
        _ => Err(Refusal::NotInBatch),
    }
}
