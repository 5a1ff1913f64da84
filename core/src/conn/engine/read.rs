//! The read side of the engine: frames from the read buffer to the requests they answer,
//! push frames apart, bulk strings in pieces, and frames too large to buffer dropped as
//! they arrive.

use super::pubsub::{PubSub, is_monitor_line};
use super::slots::{SlotKind, flags};
use super::{Current, Engine, Event, Failure, Head, Reading, Run, SlotBuffer};
use crate::conn::Buffer;
use crate::error::DecodeError;
use crate::resp::{Decoded, DetachedFrame, Frame, Skipped};

/// What a complete frame is, worked out while it is borrowed.
#[derive(Debug, Clone, Copy)]
struct Seen {
    frame: DetachedFrame,
    consumed: usize,
    pubsub: Option<PubSub>,
    shape: Shape,
}

/// The shapes of replies that change what the engine knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `+OK`.
    Ok,
    /// `+RESET`.
    Reset,
    /// A `MONITOR` line.
    MonitorLine,
    /// A map or an array (a successful `HELLO`).
    Aggregate,
    /// An error reply.
    Error,
    /// Anything else.
    Other,
}

/// A reply to account for: a frame, or one that was too large and dropped.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Frame(DetachedFrame, Shape),
    TooLarge(usize),
}

impl<R: Buffer, W: Buffer, S: SlotBuffer> Engine<R, W, S> {
    /// The next event, if one is ready. The event borrows the read buffer; whatever it
    /// hands out is consumed at the next call that reads or polls. Call after every
    /// [`received`](Self::received) until it returns `None` (more bytes are needed).
    #[must_use]
    pub fn poll(&mut self) -> Option<Event<'_>> {
        if self.advance() { self.current() } else { None }
    }

    /// [`poll`](Self::poll), saying only what the event is: a driver that decides from an
    /// event's kind and token whether to take its frame then gets it from
    /// [`current`](Self::current). (A loop that returns a borrowed frame cannot call
    /// `poll` on each turn: the borrow checker does not see the borrow end.)
    #[must_use]
    pub fn poll_head(&mut self) -> Option<Head> {
        if !self.advance() {
            return None;
        }
        Some(match self.current? {
            Current::Reply { token, index, last, .. } => Head::Reply { token, index, last },
            Current::TooLarge { token, index, last, needed } => Head::TooLarge { token, index, last, needed },
            Current::Chunk { token, last, .. } => Head::Chunk { token, last },
            Current::Push(_) => Head::Push,
            Current::Monitor(_) => Head::Monitor,
            Current::Dropped(token) => Head::Dropped { token },
            Current::Unanswered(token) => Head::Unanswered { token },
            Current::Failed(failure) => Head::Failed(failure),
        })
    }

    /// The current event's reply, when it is one, as a [`DetachedFrame`] positioned in the
    /// bytes it was received as ([`current_bytes`](Self::current_bytes)): what a driver
    /// copies to hand the reply on, without attaching it first.
    pub fn current_reply(&self) -> Option<(DetachedFrame, &[u8])> {
        match self.current {
            Some(Current::Reply { frame, .. }) => Some((frame, self.current_bytes())),
            _ => None,
        }
    }

    /// The bytes the current event ([`current`](Self::current)) takes from the read buffer:
    /// for a reply, the frame as it was received (attributes before it included), to keep
    /// it whole elsewhere.
    pub fn current_bytes(&self) -> &[u8] {
        match self.current {
            Some(_) => self.rx.data().get(..self.rx.release).unwrap_or_default(),
            None => &[],
        }
    }

    /// Takes, behind the reply the last poll returned, the replies to the same request
    /// that are complete in the read buffer and need nothing but counting (a push frame,
    /// a reply too large or a protocol error ends the run; the next poll handles it): a
    /// driver that copies replies out of the read buffer then copies a pipeline's in one
    /// piece. [`current_bytes`](Self::current_bytes) covers the current reply and every
    /// reply taken, back to back, and the next poll goes on after them. Takes nothing when
    /// the current event is not a reply or is its request's last.
    pub fn take_run(&mut self) -> Run {
        let mut run = Run::default();
        if !matches!(self.current, Some(Current::Reply { last: false, .. }))
            || self.monitoring
            || self.failure.is_some()
            || self.reading != Reading::Frames
        {
            return run;
        }
        let Some(slot) =
            self.slots.front_mut().filter(|s| s.kind == SlotKind::Plain && s.flags & !flags::OPEN == 0)
        else {
            return run;
        };
        let data = &self.rx.buf.as_ref()[self.rx.start..self.rx.end];
        while slot.owed > 0 {
            let rest = data.get(self.rx.release..).unwrap_or_default();
            match self.decoder.decode_resumable(rest, &mut self.rx.state) {
                Ok(Decoded::Complete { frame, consumed }) => {
                    if !ordinary(&frame, self.resp3, self.subscriptions.is_empty()) {
                        break;
                    }
                    run.has_error |= frame.is_error();
                    slot.owed -= 1;
                    slot.index += 1;
                    run.count += 1;
                    self.rx.release += consumed;
                }
                Ok(Decoded::Incomplete { needed }) => {
                    // As for the first reply: wait for what it needs if it can fit.
                    let want = rest.len().saturating_add(needed);
                    if want <= self.rx.max_len() && !self.rx.is_full() {
                        self.rx.want = want;
                    }
                    break;
                }
                Err(_) => break,
            }
        }
        run.last = slot.owed == 0 && !slot.has(flags::OPEN);
        if run.last {
            self.slots.drop_front();
        }
        run
    }

    /// The event the last [`poll`](Self::poll) or [`poll_head`](Self::poll_head) returned,
    /// again. `None` once anything else was called.
    pub fn current(&self) -> Option<Event<'_>> {
        let data = self.rx.data();
        Some(match self.current? {
            Current::Reply { token, index, last, frame } => {
                Event::Reply { token, index, last, frame: frame.attach(data) }
            }
            Current::TooLarge { token, index, last, needed } => {
                Event::TooLarge { token, index, last, needed }
            }
            Current::Chunk { token, len, bytes, last } => {
                Event::Chunk { token, len, data: data.get(..bytes).unwrap_or_default(), last }
            }
            Current::Push(frame) => Event::Push(frame.attach(data)),
            Current::Monitor(line) => match line.attach(data) {
                Frame::SimpleString(text) => Event::Monitor(text),
                _ => Event::Monitor(&[]),
            },
            Current::Dropped(token) => Event::Dropped { token },
            Current::Unanswered(token) => Event::Unanswered { token },
            Current::Failed(failure) => Event::Failed(failure),
        })
    }

    /// Works out the next event into `current`; `false` when there is none yet. The
    /// commonest cases (nothing to read; an ordinary reply to an ordinary request) are
    /// settled here, the rest in [`Engine::advance_slow`].
    #[inline]
    fn advance(&mut self) -> bool {
        self.current = None;
        if self.failure.is_none() && self.reading == Reading::Frames {
            self.rx.release();
            let front_owed = self.slots.get(0).is_none_or(|s| s.owed > 0);
            if front_owed && self.rx.start == self.rx.end {
                return false;
            }
            if let Some(done) = self.ordinary_reply() {
                return done;
            }
        }
        self.advance_slow()
    }

    /// An ordinary reply to the oldest request, when that is what comes: `Some(true)` with
    /// the event made, `Some(false)` when the reply is not all here (and fits), `None` for
    /// anything else (the general path).
    #[inline(never)]
    fn ordinary_reply(&mut self) -> Option<bool> {
        if self.monitoring {
            return None;
        }
        let slot = self
            .slots
            .front_mut()
            .filter(|s| s.kind == SlotKind::Plain && s.owed > 0 && s.flags & !flags::OPEN == 0)?;
        let data = &self.rx.buf.as_ref()[self.rx.start..self.rx.end];
        if data.len() < self.rx.want {
            return Some(false);
        }
        match self.decoder.decode_resumable(data, &mut self.rx.state) {
            Ok(Decoded::Complete { frame, consumed }) => {
                if !ordinary(&frame, self.resp3, self.subscriptions.is_empty()) {
                    // Routed by the general path, which decodes it again (whole, from the
                    // start: the state was cleared with the frame complete).
                    return None;
                }
                slot.owed -= 1;
                let index = slot.index as usize;
                slot.index += 1;
                let last = slot.owed == 0 && !slot.has(flags::OPEN);
                let token = self.slots.token(0);
                if last {
                    self.slots.drop_front();
                }
                self.current =
                    Some(Current::Reply { token, index, last, frame: DetachedFrame::of(&frame, data) });
                self.rx.release = consumed;
                self.rx.want = 0;
                Some(true)
            }
            Ok(Decoded::Incomplete { needed }) => {
                let want = data.len().saturating_add(needed);
                if want > self.rx.max_len() || self.rx.is_full() {
                    return None;
                }
                self.rx.want = want;
                Some(false)
            }
            Err(_) => None,
        }
    }

    /// [`Engine::advance`] for everything but its commonest cases.
    #[inline(never)]
    fn advance_slow(&mut self) -> bool {
        self.current = None;
        if let Some(failure) = self.failure {
            if self.failure_reported {
                return false;
            }
            self.failure_reported = true;
            self.current = Some(Current::Failed(failure));
            return true;
        }
        loop {
            self.rx.release();
            if let Some(done) = self.unanswered_front() {
                self.current = Some(done);
                return true;
            }
            match self.reading {
                Reading::Stream { left, len, first } => match self.stream(left, len, first) {
                    Some(true) => return true,
                    Some(false) => continue,
                    None => return false,
                },
                Reading::Skip { total, push } => match self.skip(total, push) {
                    Some(true) => return true,
                    Some(false) => continue,
                    None => return false,
                },
                Reading::Frames => {}
            }
            match self.start_stream() {
                Some(true) => continue,
                Some(false) => return false,
                None => {}
            }
            let seen = {
                let data = &self.rx.buf.as_ref()[self.rx.start..self.rx.end];
                if data.is_empty() || data.len() < self.rx.want {
                    return false;
                }
                let decoded = self.decoder.decode_resumable(data, &mut self.rx.state);
                match decoded {
                    Err(e) => return self.failed(Failure::Decode(e)),
                    Ok(Decoded::Incomplete { needed }) => {
                        self.rx.want = data.len().saturating_add(needed);
                        None
                    }
                    Ok(Decoded::Complete { frame, consumed }) => Some(self.seen(&frame, consumed, data)),
                }
            };
            match seen {
                Some(seen) => {
                    self.rx.want = 0;
                    if self.route(seen) {
                        return true;
                    }
                }
                None => {
                    if self.rx.want <= self.rx.max_len() && !self.rx.is_full() {
                        return false;
                    }
                    // It cannot fit: drop it as it comes.
                    let data = self.rx.data();
                    let push = data.first() == Some(&b'>')
                        || (!self.resp3 && !self.subscriptions.is_empty() && data.first() == Some(&b'*'));
                    self.rx.want = 0;
                    self.reading = Reading::Skip { total: 0, push };
                }
            }
        }
    }

    /// What `frame` (the first `consumed` bytes of `data`) is.
    fn seen(&self, frame: &Frame<'_>, consumed: usize, data: &[u8]) -> Seen {
        let pubsub = match frame {
            Frame::Push(items) => Some(PubSub::of(items).unwrap_or(PubSub::Message)),
            Frame::Array(items)
                if !self.resp3 && (!self.subscriptions.is_empty() || self.awaits_confirmation()) =>
            {
                PubSub::of(items)
            }
            _ => None,
        };
        let shape = match frame {
            Frame::SimpleString(b"OK") => Shape::Ok,
            Frame::SimpleString(b"RESET") => Shape::Reset,
            Frame::SimpleString(text) if self.monitoring && is_monitor_line(text) => Shape::MonitorLine,
            Frame::Map(_) | Frame::Array(_) => Shape::Aggregate,
            f if f.is_error() => Shape::Error,
            _ => Shape::Other,
        };
        // A RESP2 message is an array: hand it out as the push frame it is.
        let frame = match (pubsub, frame) {
            (Some(_), Frame::Array(items)) => Frame::Push(*items),
            (_, frame) => *frame,
        };
        Seen { frame: DetachedFrame::of(&frame, data), consumed, pubsub, shape }
    }

    /// Whether the oldest request owed a reply is a subscription command.
    fn awaits_confirmation(&self) -> bool {
        self.slots
            .iter()
            .find(|(_, s)| s.owed > 0)
            .is_some_and(|(_, s)| matches!(s.kind, SlotKind::Subscribe(_) | SlotKind::Unsubscribe { .. }))
    }

    /// Hands a complete frame to the request it answers, or out as a push or `MONITOR`
    /// line; `true` when that made an event.
    fn route(&mut self, seen: Seen) -> bool {
        self.rx.release = seen.consumed;
        match seen.pubsub {
            Some(PubSub::Message) => {
                self.current = Some(Current::Push(seen.frame));
                return true;
            }
            Some(PubSub::Confirmation { of, subscribed, count }) => {
                self.subscriptions.update(of, count);
                let confirms = self.slots.get(0).is_some_and(|s| match s.kind {
                    SlotKind::Subscribe(kind) => subscribed && kind == of,
                    SlotKind::Unsubscribe { of: kind, .. } => !subscribed && kind == of,
                    _ => false,
                });
                if !confirms {
                    // A change the server made on its own (a shard channel moved, say).
                    self.current = Some(Current::Push(seen.frame));
                    return true;
                }
            }
            None => {}
        }
        if seen.shape == Shape::MonitorLine {
            self.current = Some(Current::Monitor(seen.frame));
            return true;
        }
        self.answer(Answer::Frame(seen.frame, seen.shape))
    }

    /// Accounts a reply to the oldest request owed one; `true` when that made an event.
    fn answer(&mut self, answer: Answer) -> bool {
        let token = self.slots.token(0);
        let subscriptions = self.subscriptions;
        let Some(slot) = self.slots.get_mut(0).filter(|s| s.owed > 0) else {
            return self.failed(Failure::Unexpected);
        };
        let shape = match answer {
            Answer::Frame(_, shape) => shape,
            Answer::TooLarge(_) => Shape::Other,
        };
        if slot.has(flags::ASKING) {
            // The reply to ASKING: dropped when it is +OK, else the request's reply.
            slot.flags &= !flags::ASKING;
            slot.owed -= 1;
            if shape == Shape::Ok {
                return false;
            }
            slot.flags |= flags::DROP_ONE;
        } else if slot.has(flags::DROP_ONE) {
            slot.owed -= 1;
            if slot.owed == 0 {
                self.slots.drop_front();
            }
            return false;
        } else {
            match slot.kind {
                // A refused subscription command is answered once, with the error.
                SlotKind::Subscribe(_) | SlotKind::Unsubscribe { .. } if shape == Shape::Error => {
                    slot.owed = 0
                }
                SlotKind::Unsubscribe { of, all: true } => {
                    if subscriptions.of(of) == 0 {
                        slot.owed = 0;
                    }
                }
                _ => slot.owed -= 1,
            }
        }
        let index = slot.index as usize;
        slot.index += 1;
        let last = slot.owed == 0 && !slot.has(flags::OPEN);
        let dropped = slot.is_dropped();
        let kind = slot.kind;
        if last {
            self.slots.drop_front();
        }
        match (kind, shape) {
            (SlotKind::Monitor, Shape::Ok) => self.monitoring = true,
            (SlotKind::Reset, Shape::Reset) => {
                self.resp3 = false;
                self.subscriptions = Default::default();
                self.monitoring = false;
            }
            (SlotKind::Hello { resp3 }, Shape::Aggregate) => self.resp3 = resp3,
            (SlotKind::Handshake { resp3: true }, Shape::Aggregate) if index == 0 => self.resp3 = true,
            _ => {}
        }
        self.current = match (dropped, last, answer) {
            (true, true, _) => Some(Current::Dropped(token)),
            (true, false, _) => return false,
            (false, _, Answer::Frame(frame, _)) => Some(Current::Reply { token, index, last, frame }),
            (false, _, Answer::TooLarge(needed)) => Some(Current::TooLarge { token, index, last, needed }),
        };
        true
    }

    /// A request at the front that is owed no reply and is written: it is done.
    #[inline]
    fn unanswered_front(&mut self) -> Option<Current> {
        loop {
            let slot = self.slots.get(0)?;
            if slot.owed > 0 {
                return None;
            }
            if slot.kind == SlotKind::Void {
                self.slots.drop_front();
                continue;
            }
            if slot.has(flags::OPEN) || slot.end() > self.sent {
                return None;
            }
            let dropped = slot.is_dropped();
            let token = self.slots.token(0);
            self.slots.drop_front();
            return Some(if dropped { Current::Dropped(token) } else { Current::Unanswered(token) });
        }
    }

    /// Starts handing out a bulk string in pieces, when the oldest request owed a reply
    /// asked for that and the reply is one. `Some(true)`: started; `Some(false)`: its
    /// header is not all here yet; `None`: read it as a frame.
    fn start_stream(&mut self) -> Option<bool> {
        let slot = self.slots.get(0).filter(|s| s.owed > 0 && s.has(flags::STREAM))?;
        let _ = slot;
        let data = self.rx.data();
        let (b'$', body) = data.split_first()? else { return None };
        if matches!(body.first(), Some(b'?' | b'-')) {
            return None;
        }
        if body.is_empty() {
            return Some(false);
        }
        match crate::resp::parse::length(body) {
            Ok((rest, Some(len))) => {
                if len > self.decoder.limits().max_bulk_len {
                    self.fail(Failure::Decode(DecodeError::BulkTooLong));
                    return Some(true);
                }
                let header = data.len() - rest.len();
                self.rx.consume(header);
                self.reading = Reading::Stream { left: len, len, first: true };
                Some(true)
            }
            Err(nom::Err::Incomplete(_)) => Some(false),
            // Not a length: the decoder says what is wrong with it.
            _ => None,
        }
    }

    /// The next piece of a bulk string handed out in pieces. `Some(true)`: an event;
    /// `Some(false)`: go on reading; `None`: more bytes are needed.
    fn stream(&mut self, left: usize, len: usize, first: bool) -> Option<bool> {
        let token = self.slots.token(0);
        let dropped = self.slots.get(0).is_none_or(|s| s.is_dropped());
        let data = self.rx.data();
        let len_once = first.then_some(len);
        if data.len() >= left.saturating_add(2) {
            if data[left..left + 2] != *b"\r\n" {
                return Some(self.failed(Failure::Decode(DecodeError::MissingCrlf)));
            }
            self.reading = Reading::Frames;
            if let Some(slot) = self.slots.get_mut(0) {
                slot.owed = slot.owed.saturating_sub(1);
                slot.index += 1;
                if slot.owed == 0 {
                    self.slots.drop_front();
                }
            }
            self.rx.release = left + 2;
            self.current = Some(if dropped {
                Current::Dropped(token)
            } else {
                Current::Chunk { token, len: len_once, bytes: left, last: true }
            });
            return Some(true);
        }
        let take = data.len().min(left);
        if take == 0 {
            return None;
        }
        self.reading = Reading::Stream { left: left - take, len, first: false };
        self.rx.release = take;
        if dropped {
            return Some(false);
        }
        self.current = Some(Current::Chunk { token, len: len_once, bytes: take, last: false });
        Some(true)
    }

    /// Drops more of a frame too large for the read buffer. `Some(true)`: it ended with
    /// an event; `Some(false)`: it ended without one; `None`: more bytes are needed.
    fn skip(&mut self, total: usize, push: bool) -> Option<bool> {
        let full = self.rx.is_full();
        let data = &self.rx.buf.as_ref()[self.rx.start..self.rx.end];
        if data.is_empty() {
            return None;
        }
        match self.decoder.skip(data, &mut self.rx.state) {
            Err(e) => Some(self.failed(Failure::Decode(e))),
            Ok(Skipped::More { consumed }) => {
                self.rx.consume(consumed);
                let total = total + consumed;
                self.reading = Reading::Skip { total, push };
                if consumed == 0 && full {
                    // One line longer than the whole buffer: it cannot be skipped in pieces.
                    return Some(self.failed(Failure::TooLarge { needed: total + self.rx.max_len() + 1 }));
                }
                None
            }
            Ok(Skipped::Done { consumed }) => {
                self.rx.consume(consumed);
                self.reading = Reading::Frames;
                if push {
                    return Some(false);
                }
                Some(self.answer(Answer::TooLarge(total + consumed)))
            }
        }
    }

    /// Records `failure` and reports it as the current event.
    fn failed(&mut self, failure: Failure) -> bool {
        self.fail(failure);
        self.failure_reported = true;
        self.current = Some(Current::Failed(failure));
        true
    }
}

/// Whether a complete frame is simply the next reply: not a push frame, nor (on RESP2,
/// subscribed) an array that may be a message.
#[inline]
fn ordinary(frame: &Frame<'_>, resp3: bool, unsubscribed: bool) -> bool {
    match frame {
        Frame::Push(_) => false,
        Frame::Array(_) => resp3 || unsubscribed,
        _ => true,
    }
}
