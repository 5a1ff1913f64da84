//! What the handles of a multiplexed connection and its I/O task share, under one lock: the
//! engine, and one waiter per outstanding request (in token order).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use ferrodis_core::conn::engine::{Engine, Event, Failure, Head, QueueError, Run, Token};
use ferrodis_core::conn::{GrowableBuffer, GrowableSlots};
use ferrodis_core::error::Delivery;
use ferrodis_core::resp::Frame;

pub(crate) use super::replies::Replies;
use super::write::{Writer, Wrote, write_out};

use crate::error::{Error, ErrorKind};

/// The engine of a multiplexed connection: buffers and request storage that grow.
pub(super) type ConnEngine = Engine<GrowableBuffer, GrowableBuffer, GrowableSlots>;

/// Where push frames go: called on the connection's I/O task, under its lock, so it must
/// not block or use the connection.
pub(crate) type PushCallback = Box<dyn FnMut(Frame<'_>) + Send>;

/// What a dead connection's requests fail with.
pub(super) type Cause = Arc<dyn Fn() -> ErrorKind + Send + Sync>;

/// Most requests outstanding at once; further callers wait for room.
pub(super) const MAX_OUTSTANDING: usize = 16 * 1024;

/// The shared part of a connection.
pub(super) struct Shared {
    state: Mutex<State>,
    /// Where the socket is connected.
    pub(super) address: crate::config::Address,
    /// The resolver to tell of a `READONLY` reply ([`crate::resolver::followed`]), set
    /// once the server's role is checked.
    pub(super) followed: std::sync::OnceLock<crate::AddressResolver>,
}

impl Shared {
    pub(super) fn new(
        engine: ConnEngine,
        writer: Writer,
        push: Option<PushCallback>,
        address: crate::config::Address,
    ) -> Shared {
        Shared {
            address,
            followed: std::sync::OnceLock::new(),
            state: Mutex::new(State {
                engine,
                writer,
                flush: false,
                write_blocked: false,
                woken: 0,
                waiters: VecDeque::new(),
                base: 0,
                io: None,
                room: Vec::new(),
                timer: None,
                dead: None,
                handles: 1,
                push,
            }),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The engine and the waiters.
pub(super) struct State {
    pub(super) engine: ConnEngine,
    /// The socket's write half.
    pub(super) writer: Writer,
    /// Whether written bytes may wait in a buffer of the writer (TLS) for a flush.
    pub(super) flush: bool,
    /// Whether the socket refused bytes: the I/O task writes until it takes them again.
    pub(super) write_blocked: bool,
    /// Callers woken by the last replies that have not queued again yet: while some are
    /// on their way, a caller leaves the write to the last of them (or the I/O task), so
    /// their requests go out together.
    woken: usize,
    /// One per outstanding request: `waiters[token - base]`.
    waiters: VecDeque<Waiter>,
    base: u64,
    /// The I/O task, when it sleeps.
    pub(super) io: Option<Waker>,
    /// Callers waiting for room to queue.
    room: Vec<Waker>,
    /// When the I/O task's response timer must fire at the latest: never later than the
    /// earliest deadline of a waiting request, often earlier (a deadline of a request
    /// answered since), so a request rarely has to re-arm it.
    pub(super) timer: Option<Instant>,
    /// Set once the connection died.
    pub(super) dead: Option<Cause>,
    /// Handles alive; at 0 the I/O task finishes the outstanding requests and ends.
    pub(super) handles: usize,
    push: Option<PushCallback>,
}

/// One request as its caller sees it.
struct Waiter {
    status: Status,
    /// When the caller stops waiting: the I/O task fails the request then.
    deadline: Option<Instant>,
    token: Token,
    /// The caller, while it waits.
    waker: Option<Waker>,
    replies: Replies,
    /// Why it failed, when it did.
    error: Option<Box<Error>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// Waiting for its replies.
    Pending,
    /// Its replies (or its error) are ready for the caller to take.
    Done,
    /// Its caller gave up; the engine drops its replies.
    Abandoned,
    /// Nothing more to do.
    Gone,
}

impl State {
    /// Queues a request with `queue` for a caller whose waker is `cx`'s, or says to wait
    /// for room. The I/O task is woken when it sleeps.
    /// With a `deadline`, the I/O task fails the request with [`ErrorKind::Timeout`] when
    /// it passes ([`expire`](Self::expire)).
    pub(super) fn submit(
        &mut self,
        queue: &mut dyn FnMut(&mut ConnEngine) -> Result<Token, QueueError>,
        deadline: Option<Instant>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Token, Error>> {
        if self.dead.is_some() {
            return Poll::Ready(Err(Error::new(ErrorKind::Broken, Delivery::NotSent)));
        }
        if self.engine.outstanding() >= MAX_OUTSTANDING {
            self.room.push(cx.waker().clone());
            return Poll::Pending;
        }
        match queue(&mut self.engine) {
            Ok(token) => {
                debug_assert_eq!(token.get(), self.base + self.waiters.len() as u64);
                self.waiters.push_back(Waiter {
                    status: Status::Pending,
                    deadline,
                    token,
                    waker: Some(cx.waker().clone()),
                    replies: Replies::default(),
                    error: None,
                });
                // Nothing in flight and no other caller on its way: the caller writes what is
                // queued itself. Otherwise, or when the socket refuses bytes or fails, the
                // I/O task is woken to write (or to find out).
                self.woken = self.woken.saturating_sub(1);
                let handed_on = self.write_blocked
                    || self.woken > 0
                    || !matches!(
                        write_out(&mut self.engine, &mut self.writer, &mut self.flush, cx),
                        Wrote::Done
                    );
                if handed_on {
                    self.write_blocked = true;
                }
                // An earlier deadline than the timer's: the I/O task re-arms it.
                let rearm = deadline.is_some_and(|d| self.timer.is_none_or(|t| d < t));
                if rearm {
                    self.timer = deadline;
                }
                if (handed_on || rearm)
                    && let Some(io) = self.io.take()
                {
                    io.wake();
                }
                Poll::Ready(Ok(token))
            }
            Err(QueueError::NoRoom) => {
                self.room.push(cx.waker().clone());
                Poll::Pending
            }
            Err(e) => Poll::Ready(Err(queue_error(e))),
        }
    }

    fn waiter(&mut self, token: Token) -> Option<&mut Waiter> {
        index(&mut self.waiters, self.base, token)
    }

    /// The replies to `token` when they are all in; otherwise `cx` is woken when they are.
    pub(super) fn poll_replies(
        &mut self,
        token: Token,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Replies, Error>> {
        let at = token.get().checked_sub(self.base).and_then(|at| usize::try_from(at).ok());
        let Some(waiter) = at.and_then(|at| self.waiters.get_mut(at)) else {
            return Poll::Ready(Err(Error::new(ErrorKind::Broken, Delivery::Unknown)));
        };
        match waiter.status {
            Status::Pending => {
                match &waiter.waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => waiter.waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
            Status::Done if at == Some(0) => {
                // The oldest (at depth 1, the only) request: taken out whole, moved once.
                let Some(waiter) = self.waiters.pop_front() else { unreachable!() };
                self.base += 1;
                self.trim();
                Poll::Ready(match waiter.error {
                    Some(e) => Err(*e),
                    None => Ok(waiter.replies),
                })
            }
            Status::Done => {
                waiter.status = Status::Gone;
                let result = match waiter.error.take() {
                    Some(e) => Err(*e),
                    None => Ok(std::mem::take(&mut waiter.replies)),
                };
                self.trim();
                Poll::Ready(result)
            }
            Status::Abandoned | Status::Gone => {
                Poll::Ready(Err(Error::new(ErrorKind::Broken, Delivery::Unknown)))
            }
        }
    }

    /// The caller gives up on `token`: what became of it, or its replies if they came
    /// meanwhile.
    pub(super) fn give_up(&mut self, token: Token) -> Result<Replies, Delivery> {
        let outcome = self.engine.cancel(token);
        let Some(waiter) = self.waiter(token) else { return Err(Delivery::Unknown) };
        let result = match waiter.status {
            Status::Done => {
                waiter.status = Status::Gone;
                match waiter.error.take() {
                    Some(e) => Err(e.delivery()),
                    None => Ok(std::mem::take(&mut waiter.replies)),
                }
            }
            Status::Pending => {
                waiter.waker = None;
                match outcome {
                    Some(o) if o.delivery == Delivery::NotSent => {
                        waiter.status = Status::Gone;
                        Err(Delivery::NotSent)
                    }
                    _ => {
                        waiter.status = Status::Abandoned;
                        Err(Delivery::Unknown)
                    }
                }
            }
            Status::Abandoned | Status::Gone => Err(Delivery::Unknown),
        };
        self.trim();
        result
    }

    /// Fails every waiting request whose deadline is not after `now` with
    /// [`ErrorKind::Timeout`] and what became of it: one not written yet is taken out
    /// ([`Delivery::NotSent`]), one written has its replies dropped when they come
    /// ([`Delivery::Unknown`]). The timer is then due at the next deadline.
    pub(super) fn expire(&mut self, now: Instant, wake: &mut Vec<Waker>) {
        let mut next: Option<Instant> = None;
        for at in 0..self.waiters.len() {
            let waiter = &mut self.waiters[at];
            let Some(deadline) = waiter.deadline.filter(|_| waiter.status == Status::Pending) else {
                continue;
            };
            if deadline > now {
                next = Some(next.map_or(deadline, |n| n.min(deadline)));
                continue;
            }
            let token = waiter.token;
            let delivery = match self.engine.cancel(token) {
                Some(outcome) => outcome.delivery,
                None => Delivery::Unknown,
            };
            let waiter = &mut self.waiters[at];
            waiter.status = Status::Done;
            waiter.replies = Replies::default();
            waiter.error = Some(Box::new(Error::new(ErrorKind::Timeout, delivery)));
            if let Some(w) = waiter.waker.take() {
                wake.push(w);
            }
        }
        self.timer = next;
    }

    /// Drops the waiters at the front that are done with.
    fn trim(&mut self) {
        while self.waiters.front().is_some_and(|w| w.status == Status::Gone) {
            self.waiters.pop_front();
            self.base += 1;
        }
    }

    /// Hands the engine's events to the waiters and the push handler; the wakers to wake
    /// (after the lock is released) go to `wake`. Returns the failure that killed the
    /// connection, if one did.
    pub(super) fn process(&mut self, wake: &mut Vec<Waker>) -> Option<Failure> {
        let State { engine, waiters, base, push, .. } = self;
        let mut failed = None;
        let mut finished = false;
        while let Some(head) = engine.poll_head() {
            let (token, last, too_large) = match head {
                Head::Reply { token, last, .. } => (token, last, None),
                Head::TooLarge { token, last, needed, .. } => (token, last, Some(needed)),
                Head::Push => {
                    if let (Some(push), Some(Event::Push(frame))) = (push.as_mut(), engine.current()) {
                        push(frame);
                    }
                    continue;
                }
                Head::Dropped { token } => {
                    // A request that timed out keeps its error until its caller takes it.
                    if let Some(w) = index(waiters, *base, token).filter(|w| w.status != Status::Done) {
                        w.status = Status::Gone;
                        finished = true;
                    }
                    continue;
                }
                Head::Unanswered { token } => (token, true, Some(0)),
                Head::Failed(failure) => {
                    failed = Some(failure);
                    break;
                }
                _ => continue,
            };
            let Some(waiter) = index(waiters, *base, token) else { continue };
            if waiter.status == Status::Pending {
                let mut last = last;
                match too_large {
                    None => {
                        // The replies behind it that are in already come along, in one copy.
                        let run = if last { Run::default() } else { engine.take_run() };
                        last |= run.last;
                        if let Some((frame, bytes)) = engine.current_reply() {
                            waiter.replies.push(frame, bytes, run);
                        }
                    }
                    Some(needed) if needed > 0 => waiter.replies.push_too_large(needed),
                    Some(_) => {}
                }
                if last {
                    waiter.status = Status::Done;
                    finished = true;
                    if let Some(w) = waiter.waker.take() {
                        wake.push(w);
                    }
                }
            }
        }
        self.woken += wake.len();
        if finished {
            self.trim();
            if !self.room.is_empty() && self.engine.outstanding() < MAX_OUTSTANDING {
                wake.append(&mut self.room);
            }
        }
        failed
    }

    /// Wakes the callers waiting for room (the write buffer emptied).
    pub(super) fn room_made(&mut self, wake: &mut Vec<Waker>) {
        wake.append(&mut self.room);
    }

    /// The connection died of `cause`: every request fails with what became of it, and
    /// later ones fail at once.
    pub(super) fn die(&mut self, cause: Cause, wake: &mut Vec<Waker>) {
        if self.dead.is_some() {
            return;
        }
        let State { engine, waiters, base, .. } = self;
        engine.fail_all(|token, outcome| {
            if let Some(waiter) = index(waiters, *base, token) {
                fail(waiter, Error::new(cause(), outcome.delivery), wake);
            }
        });
        for waiter in waiters.iter_mut() {
            // Requests the engine no longer knew (answered, or cut out) keep their result;
            // any left pending cannot get one any more.
            fail(waiter, Error::new(cause(), Delivery::Unknown), wake);
        }
        wake.append(&mut self.room);
        if let Some(io) = self.io.take() {
            wake.push(io);
        }
        self.dead = Some(cause);
        self.trim();
    }
}

/// Ends a waiting request with `error`; an abandoned one is simply gone.
fn fail(waiter: &mut Waiter, error: Error, wake: &mut Vec<Waker>) {
    match waiter.status {
        Status::Pending => {
            waiter.status = Status::Done;
            waiter.error = Some(Box::new(error));
            if let Some(w) = waiter.waker.take() {
                wake.push(w);
            }
        }
        Status::Abandoned => waiter.status = Status::Gone,
        Status::Done | Status::Gone => {}
    }
}

fn index(waiters: &mut VecDeque<Waiter>, base: u64, token: Token) -> Option<&mut Waiter> {
    let at = usize::try_from(token.get().checked_sub(base)?).ok()?;
    waiters.get_mut(at)
}

/// The error for a request the engine would not queue (nothing was sent).
pub(super) fn queue_error(e: QueueError) -> Error {
    let kind = match e {
        QueueError::Encode(e) => ErrorKind::Encode(e),
        QueueError::Refused(r) => ErrorKind::Refused(r),
        _ => ErrorKind::Broken,
    };
    Error::new(kind, Delivery::NotSent)
}
