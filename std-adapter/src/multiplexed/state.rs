//! What the handles of a multiplexed connection and its I/O task share, under one lock: the
//! engine, and one waiter per outstanding request (in token order).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use ferrodis_core::conn::engine::{Engine, Event, Failure, QueueError, Token};
use ferrodis_core::error::Delivery;
use ferrodis_core::resp::{DetachedFrame, Frame};

use crate::buffer::{Growable, Slots};
use crate::error::{Error, ErrorKind};

/// The engine of a multiplexed connection: buffers and request storage that grow.
pub(super) type ConnEngine = Engine<Growable, Growable, Slots>;

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
}

impl Shared {
    pub(super) fn new(engine: ConnEngine, push: Option<PushCallback>) -> Shared {
        Shared {
            state: Mutex::new(State {
                engine,
                waiters: VecDeque::new(),
                base: 0,
                io: None,
                room: Vec::new(),
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
    /// One per outstanding request: `waiters[token - base]`.
    waiters: VecDeque<Waiter>,
    base: u64,
    /// The I/O task, when it sleeps.
    pub(super) io: Option<Waker>,
    /// Callers waiting for room to queue.
    room: Vec<Waker>,
    /// Set once the connection died.
    pub(super) dead: Option<Cause>,
    /// Handles alive; at 0 the I/O task finishes the outstanding requests and ends.
    pub(super) handles: usize,
    push: Option<PushCallback>,
}

/// One request as its caller sees it.
enum Waiter {
    /// Waiting for its replies.
    Pending { waker: Option<Waker>, replies: Replies },
    /// Ready for its caller to take.
    Done(Result<Replies, Error>),
    /// Its caller gave up; the engine drops its replies.
    Abandoned,
    /// Nothing more to do.
    Gone,
}

/// The replies of one request, copied out of the read buffer: their bytes, and each
/// reply as positions in them (or the size of one too large to keep).
#[derive(Debug)]
pub(crate) struct Replies {
    bytes: Vec<u8>,
    frames: Frames,
}

#[derive(Debug)]
enum Frames {
    /// A single command, not answered yet.
    Single,
    One(Result<DetachedFrame, usize>),
    Many(Vec<Result<DetachedFrame, usize>>),
}

impl Replies {
    /// No replies (an empty pipeline).
    pub(crate) fn empty() -> Replies {
        Replies { bytes: Vec::new(), frames: Frames::Many(Vec::new()) }
    }

    fn new(commands: usize) -> Replies {
        let frames = if commands == 1 { Frames::Single } else { Frames::Many(Vec::with_capacity(commands)) };
        Replies { bytes: Vec::new(), frames }
    }

    /// Takes in a reply (or the size of one that was too large).
    fn push(&mut self, reply: Result<&Frame<'_>, usize>) {
        let reply = reply.map(|frame| {
            let (detached, bytes) = DetachedFrame::split(frame);
            let at = self.bytes.len();
            if at == 0 && matches!(self.frames, Frames::Single) {
                // The one allocation of a single reply, exactly its size.
                self.bytes = bytes.to_vec();
            } else {
                self.bytes.extend_from_slice(bytes);
            }
            detached.shifted(at)
        });
        match &mut self.frames {
            Frames::Single => self.frames = Frames::One(reply),
            Frames::One(_) => {}
            Frames::Many(frames) => frames.push(reply),
        }
    }

    /// The replies in order: each a frame, or the size of one too large to keep.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Result<Frame<'_>, usize>> + '_ {
        let frames: &[Result<DetachedFrame, usize>] = match &self.frames {
            Frames::Single => &[],
            Frames::One(frame) => std::slice::from_ref(frame),
            Frames::Many(frames) => frames,
        };
        frames.iter().map(|f| f.map(|d| d.attach(&self.bytes)))
    }

    /// The first reply, a frame or the size of one too large to keep (`Frame::Null` for a
    /// request answered by nothing).
    pub(crate) fn first(&self) -> Result<Frame<'_>, usize> {
        self.iter().next().unwrap_or(Ok(Frame::Null))
    }
}

impl State {
    /// Queues a request with `queue` for a caller (`commands` replies), or says to wait
    /// for room. The I/O task is woken when it sleeps.
    pub(super) fn submit(
        &mut self,
        commands: usize,
        queue: &mut dyn FnMut(&mut ConnEngine) -> Result<Token, QueueError>,
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
                self.waiters.push_back(Waiter::Pending { waker: None, replies: Replies::new(commands) });
                if let Some(io) = self.io.take() {
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
        let at = usize::try_from(token.get().checked_sub(self.base)?).ok()?;
        self.waiters.get_mut(at)
    }

    /// The replies to `token` when they are all in; otherwise `cx` is woken when they are.
    pub(super) fn poll_replies(
        &mut self,
        token: Token,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Replies, Error>> {
        let Some(waiter) = self.waiter(token) else {
            return Poll::Ready(Err(Error::new(ErrorKind::Broken, Delivery::Unknown)));
        };
        match waiter {
            Waiter::Pending { waker, .. } => {
                match waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => *waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
            Waiter::Done(_) => {
                let Waiter::Done(result) = std::mem::replace(waiter, Waiter::Gone) else { unreachable!() };
                self.trim();
                Poll::Ready(result)
            }
            Waiter::Abandoned | Waiter::Gone => {
                Poll::Ready(Err(Error::new(ErrorKind::Broken, Delivery::Unknown)))
            }
        }
    }

    /// The caller gives up on `token`: what became of it, or its replies if they came
    /// meanwhile.
    pub(super) fn give_up(&mut self, token: Token) -> Result<Replies, Delivery> {
        let outcome = self.engine.cancel(token);
        let Some(waiter) = self.waiter(token) else { return Err(Delivery::Unknown) };
        let result = match std::mem::replace(waiter, Waiter::Gone) {
            Waiter::Done(Ok(replies)) => Ok(replies),
            Waiter::Done(Err(e)) => Err(e.delivery()),
            Waiter::Pending { .. } => match outcome {
                Some(o) if o.delivery == Delivery::NotSent => Err(Delivery::NotSent),
                _ => {
                    *waiter = Waiter::Abandoned;
                    Err(Delivery::Unknown)
                }
            },
            other => {
                *waiter = other;
                Err(Delivery::Unknown)
            }
        };
        self.trim();
        result
    }

    /// Drops the waiters at the front that are done with.
    fn trim(&mut self) {
        while matches!(self.waiters.front(), Some(Waiter::Gone)) {
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
        while let Some(event) = engine.poll() {
            let (token, last, reply) = match event {
                Event::Reply { token, last, frame, .. } => (token, last, Ok(frame)),
                Event::TooLarge { token, last, needed, .. } => (token, last, Err(needed)),
                Event::Push(frame) => {
                    if let Some(push) = push.as_mut() {
                        push(frame);
                    }
                    continue;
                }
                Event::Dropped { token } => {
                    if let Some(w) = index(waiters, *base, token) {
                        *w = Waiter::Gone;
                    }
                    continue;
                }
                Event::Unanswered { token } => (token, true, Ok(Frame::Null)),
                Event::Failed(failure) => {
                    failed = Some(failure);
                    break;
                }
                Event::Chunk { .. } | Event::Monitor(_) => continue,
                _ => continue,
            };
            let Some(waiter) = index(waiters, *base, token) else { continue };
            if let Waiter::Pending { waker, replies } = waiter {
                replies.push(reply.as_ref().map_err(|n| *n));
                if last {
                    if let Some(w) = waker.take() {
                        wake.push(w);
                    }
                    let Waiter::Pending { replies, .. } = std::mem::replace(waiter, Waiter::Gone) else {
                        unreachable!()
                    };
                    *waiter = Waiter::Done(Ok(replies));
                }
            }
        }
        self.trim();
        if self.engine.outstanding() < MAX_OUTSTANDING {
            wake.append(&mut self.room);
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
                match waiter {
                    Waiter::Pending { waker, .. } => {
                        if let Some(w) = waker.take() {
                            wake.push(w);
                        }
                        *waiter = Waiter::Done(Err(Error::new(cause(), outcome.delivery)));
                    }
                    Waiter::Abandoned => *waiter = Waiter::Gone,
                    _ => {}
                }
            }
        });
        for waiter in waiters.iter_mut() {
            // Requests the engine no longer knew (answered, or cut out) keep their result;
            // any left pending cannot get one any more.
            if let Waiter::Pending { waker, .. } = waiter {
                if let Some(w) = waker.take() {
                    wake.push(w);
                }
                *waiter = Waiter::Done(Err(Error::new(cause(), Delivery::Unknown)));
            }
        }
        wake.append(&mut self.room);
        if let Some(io) = self.io.take() {
            wake.push(io);
        }
        self.dead = Some(cause);
        self.trim();
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
