//! The multiplexed Tokio connection: one socket shared by many tasks, concurrent requests
//! written back to back (automatic pipelining), every reply matched to its request by the
//! core engine.
//!
//! The handles and one I/O task share the engine under a lock. A caller encodes its
//! request straight into the engine's write buffer and waits for its token's replies; the
//! I/O task writes what the engine hands out and reads into it, and hands each reply to
//! its waiter (one copy, one allocation). A request given up before any of its bytes were
//! written is taken out and never sent; one given up later has its replies read and
//! dropped. Either way every later request still gets its own reply.

mod connect;
mod io;
mod replies;
mod state;
mod write;

use std::borrow::Cow;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use ferrodis_core::cmd::{BlockTime, Command, batch_block_time, block_time, response_limit};
use ferrodis_core::conn::engine::{Engine, Expect, QueueError, Token, batchable_when_shared};
use ferrodis_core::conn::{
    GrowableBuffer, GrowableSlots, HandshakeCheck, TransactionOutcome, TransactionReply, Verdict,
    transaction_reply,
};
use ferrodis_core::error::Delivery;
use ferrodis_core::reply::FromFrame;
use ferrodis_core::resp::{Arg, CommandArgs, Frame};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::config::ConnectionConfig;
use crate::connection::{credentials_of, handshake_of, server_error};
use crate::error::{Error, ErrorKind, Result};
use crate::trace::{self, event, in_span};

use state::{ConnEngine, Shared};
pub(crate) use state::{PushCallback, Replies};

/// How long the socket may refuse to take bytes before the connection is given up, when
/// the configuration sets no socket timeout.
const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest command (or pipeline) one request can be, in bytes.
const MAX_REQUEST: usize = 1 << 30;

/// A multiplexed connection: cheap to clone, shared by any number of tasks.
///
/// Blocking commands (`BLPOP`, `XREAD BLOCK`, ...) hold up every request queued behind
/// them on the same socket; give them a connection of their own
/// ([`Client::get_multiplexed_connection`](crate::Client::get_multiplexed_connection)
/// again, or a blocking [`Connection`](crate::Connection)). Commands that change the state
/// of the whole connection (`SELECT`, `WATCH`, `MULTI`, `MONITOR`, `CLIENT REPLY`, and on
/// RESP2 the subscription commands) are refused with [`ErrorKind::Refused`]: the other
/// tasks' requests would run in that state. On RESP3, `SUBSCRIBE` and friends work: each
/// confirmation is a reply, and messages go to the push handler
/// ([`Client::get_multiplexed_connection_with_push`](crate::Client::get_multiplexed_connection_with_push)).
///
/// ```no_run
/// # async fn demo() -> ferrodis_std::Result<()> {
/// use ferrodis_std::Client;
///
/// let conn = Client::open("redis://127.0.0.1/")?.get_multiplexed_connection().await?;
/// let tasks: Vec<_> = (0..8)
///     .map(|i| {
///         let conn = conn.clone();
///         tokio::spawn(async move { conn.request_with(&["INCR".into(), "hits".into()], |f| format!("{f:?}")).await })
///     })
///     .collect();
/// for t in tasks {
///     t.await.unwrap()?;
/// }
/// # Ok(()) }
/// ```
pub struct MultiplexedConnection {
    shared: Arc<Shared>,
    timeout: Option<Duration>,
}

impl Clone for MultiplexedConnection {
    fn clone(&self) -> Self {
        self.shared.lock().handles += 1;
        MultiplexedConnection { shared: self.shared.clone(), timeout: self.timeout }
    }
}

impl Drop for MultiplexedConnection {
    fn drop(&mut self) {
        let io = {
            let mut state = self.shared.lock();
            state.handles -= 1;
            if state.handles == 0 { state.io.take() } else { None }
        };
        if let Some(io) = io {
            io.wake();
        }
    }
}

impl std::fmt::Debug for MultiplexedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiplexedConnection").field("closed", &self.is_closed()).finish()
    }
}

impl MultiplexedConnection {
    /// Connects, starts the socket task on the current Tokio runtime, and runs the
    /// handshake, all within `config.connect_timeout`.
    pub async fn open(config: &ConnectionConfig) -> Result<MultiplexedConnection> {
        Self::open_with(config, None).await
    }

    /// [`open`](Self::open), with push frames (pub/sub messages, invalidations) going to
    /// `push`. It runs on the connection's socket task while the connection is locked:
    /// it must be quick and must not use the connection (send the frames on, converted
    /// to owned values, through a channel).
    ///
    /// With a [`resolver`](ConnectionConfig::resolver) and no `push`, a server that turns
    /// out to have another role than the one resolved for is left and the resolver asked
    /// again, as [`Connection::open`](crate::Connection::open) does.
    pub async fn open_with(
        config: &ConnectionConfig,
        push: Option<PushCallback>,
    ) -> Result<MultiplexedConnection> {
        if push.is_some() {
            return Self::open_once(config, push).await;
        }
        let mut attempts = 1;
        loop {
            match Self::open_once(config, None).await {
                Err(e) if crate::resolver::may_resolve_again(&e, attempts) => attempts += 1,
                opened => return opened,
            }
        }
    }

    /// [`open_with`](Self::open_with), resolving once.
    async fn open_once(
        config: &ConnectionConfig,
        push: Option<PushCallback>,
    ) -> Result<MultiplexedConnection> {
        let resolved = match &config.resolver {
            // Its failure (no sentinel named a master, say) is the connect's: nothing was sent.
            Some(resolver) => Some(
                resolver.resolve_async().await.map_err(|e| Error::new(e.into_kind(), Delivery::NotSent))?,
            ),
            None => None,
        };
        let (config, role) = match resolved {
            Some(resolved) => {
                (Cow::Owned(ConnectionConfig { address: resolved.address, ..config.clone() }), resolved.role)
            }
            None => (Cow::Borrowed(config), None),
        };
        let config = config.as_ref();
        let open = async {
            let conn = connect::socket(config, push).await.inspect_err(|e| trace::failed("connect", e))?;
            in_span!(
                conn.handshake(config),
                "handshake",
                protocol = ?config.protocol,
                db = config.db,
                auth = trace::auth_of(config)
            )
            .await
            .inspect(|()| event!(debug, "handshake done"))
            .inspect_err(|e| trace::failed("handshake", e))?;
            if let Some(role) = role {
                crate::resolver::check_role_async(&conn, role, &config.address).await?;
                if let Some(followed) = crate::resolver::followed(config.resolver.as_ref(), Some(role)) {
                    let _ = conn.shared.followed.set(followed);
                }
            }
            if let Some(hook) = &config.on_connect_async {
                hook.run(conn.clone()).await.inspect_err(|e| trace::failed("on-connect hook", e))?;
            }
            Ok(conn)
        };
        let within_timeout = async {
            match tokio::time::timeout(config.connect_timeout, open).await {
                Ok(result) => result,
                Err(_) => {
                    event!(warn, timeout = ?config.connect_timeout, "connect timed out");
                    Err(Error::new(ErrorKind::Timeout, Delivery::NotSent))
                }
            }
        };
        in_span!(
            within_timeout,
            "connect",
            kind = "multiplexed",
            address = %config.address,
            tls = config.tls.is_some()
        )
        .await
    }

    /// Starts the I/O task over `reader` and `writer` (the halves of a connected socket)
    /// and makes the first handle.
    fn start<R, W>(
        reader: R,
        writer: W,
        config: &ConnectionConfig,
        push: Option<PushCallback>,
    ) -> MultiplexedConnection
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let mut engine: ConnEngine = Engine::with_slots(
            GrowableBuffer::new(config.read_buffer_size, config.max_reply_size),
            GrowableBuffer::new(config.write_buffer_size, MAX_REQUEST),
            GrowableSlots::with_capacity(64),
        );
        // Every handle's requests go through it: commands that change the connection's
        // state for the requests after them are refused.
        engine.set_shared(true);
        let shared = Arc::new(Shared::new(engine, Box::new(writer), push, config.address.clone()));
        let write_timeout = config.socket_timeout.unwrap_or(DEFAULT_WRITE_TIMEOUT);
        let io = io::Io::new(reader, shared.clone(), write_timeout);
        // A span of its own: the connect span ends when the connection is open.
        tokio::spawn(in_span!(io, parent: None, "io_task", address = %config.address));
        event!(debug, "I/O task started");
        MultiplexedConnection { shared, timeout: config.socket_timeout }
    }

    async fn handshake(&self, config: &ConnectionConfig) -> Result<()> {
        let credentials = credentials_of(config)?;
        let handshake = handshake_of(config, credentials.as_ref());
        let mut check = HandshakeCheck::new(&handshake);
        let steps = check.steps().to_vec();
        if steps.is_empty() {
            return Ok(());
        }
        let replies = self
            .roundtrip(None, &mut |engine| {
                let token = engine.open_handshake(&handshake)?;
                for step in &steps {
                    engine.batch_push(step.args())?;
                }
                engine.close_batch();
                Ok(token)
            })
            .await?;
        let mut failure = None;
        for (index, reply) in replies.iter().enumerate() {
            let frame = reply.unwrap_or(Frame::Null);
            if matches!(check.reply(index, &frame), Verdict::Failed | Verdict::Unexpected) {
                failure = Some(
                    server_error(&frame)
                        .unwrap_or_else(|| Error::new(ErrorKind::UnexpectedReply, Delivery::Answered)),
                );
            }
        }
        failure.map_or(Ok(()), Err)
    }

    /// Sets the limit on waiting for each reply (`None`: wait forever). A request that
    /// times out before any of its bytes were written is never sent
    /// ([`Delivery::NotSent`]); one written already has its reply read and dropped when
    /// it comes ([`Delivery::Unknown`]).
    pub fn set_response_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }

    /// Whether a pool may lend the connection again: it is open, and no command since the
    /// handshake changed the session (on RESP3, a subscription; the commands that would
    /// change it otherwise are refused). One look under the lock.
    pub(crate) fn is_reusable(&self) -> bool {
        let state = self.shared.lock();
        state.dead.is_none() && !state.engine.session_changed()
    }

    /// Where the connection is connected: the configured address, or where the
    /// configuration's [`resolver`](ConnectionConfig::resolver) said to go when it was
    /// opened.
    pub fn address(&self) -> &crate::config::Address {
        &self.shared.address
    }

    /// Whether the socket failed; every request then fails with
    /// [`ErrorKind::Broken`], and a new connection is needed.
    pub fn is_closed(&self) -> bool {
        self.shared.lock().dead.is_some()
    }

    /// Queues a request with `queue` and waits for its replies, within the response
    /// timeout and the wait a blocking command asks for (`block`).
    async fn roundtrip(
        &self,
        block: Option<BlockTime>,
        queue: &mut (dyn FnMut(&mut ConnEngine) -> std::result::Result<Token, QueueError> + Send),
    ) -> Result<Replies> {
        // The deadline is kept by the I/O task's one timer, not by a timer per request.
        let deadline =
            response_limit(self.timeout, block).and_then(|limit| Instant::now().checked_add(limit));
        let mut request =
            Request { shared: &self.shared, queue, deadline, room_timer: None, token: None, done: false };
        let result = poll_fn(|cx| request.poll(cx)).await;
        request.done = true;
        result
    }

    /// Sends a typed command from core's builders ([`ferrodis_core::cmd`]) and hands its
    /// reply, as the builder's own reply type, to `f` (the reply borrows the reply bytes,
    /// so it is used inside `f`). An error reply is [`ErrorKind::Server`] with its whole
    /// text; a reply that does not convert is [`ErrorKind::Reply`].
    ///
    /// ```no_run
    /// # async fn demo() -> ferrodis_std::Result<()> {
    /// use ferrodis_std::Client;
    /// use ferrodis_std::core::cmd;
    ///
    /// let conn = Client::open("redis://127.0.0.1/")?.get_multiplexed_connection().await?;
    /// conn.run_with(&cmd::set("greeting", "hello").ex(60), |_| ()).await?;
    /// let len = conn.run_with(&cmd::get("greeting"), |value| value.map_or(0, <[u8]>::len)).await?;
    /// assert_eq!(len, 5);
    /// # Ok(()) }
    /// ```
    pub async fn run_with<C: Command + Sync, R>(
        &self,
        command: &C,
        f: impl FnOnce(C::Reply<'_>) -> R,
    ) -> Result<R> {
        self.request_with(command, |frame| <C::Reply<'_> as FromFrame<'_>>::from_frame(frame).map(f))
            .await?
            .map_err(|e| Error::new(ErrorKind::Reply(e), Delivery::Answered))
    }

    /// Sends one request and hands its reply frame to `f`; an error reply becomes
    /// [`ErrorKind::Server`]. A subscription command (RESP3 only) hands over its last
    /// confirmation: one comes per channel.
    ///
    /// `args` is any [`CommandArgs`]: an argument array, a [`Cmd`](crate::Cmd) (encoded
    /// from its own buffer), a typed builder.
    pub async fn request_with<C: CommandArgs + Sync + ?Sized, R>(
        &self,
        args: &C,
        f: impl FnOnce(Frame<'_>) -> R,
    ) -> Result<R> {
        let replies =
            self.roundtrip(block_time(args), &mut |engine| engine.queue(args, Expect::Replies)).await?;
        match replies.last() {
            Ok(frame) => match server_error(&frame) {
                Some(e) => {
                    crate::resolver::on_error(self.shared.followed.get(), &e);
                    Err(e)
                }
                None => Ok(f(frame)),
            },
            Err(needed) => Err(Error::new(ErrorKind::ReplyTooLarge { needed }, Delivery::Answered)),
        }
    }

    /// Sends all `commands` in one write and hands each reply (error replies as
    /// frames) to `on_reply` in order. A reply too large for the read buffer limit is read
    /// and dropped without a call, and the pipeline then fails with
    /// [`ErrorKind::ReplyTooLarge`].
    pub async fn pipeline_with(
        &self,
        commands: &[&[Arg<'_>]],
        on_reply: impl FnMut(usize, Frame<'_>),
    ) -> Result<()> {
        let replies = self.batch(commands, None).await?;
        each_reply(&replies, on_reply)
    }

    /// Runs `commands` in MULTI/EXEC, as one batch that no other task's request can land
    /// inside, and hands each reply to `on_reply`: as
    /// [`Connection::transaction_with`](crate::Connection::transaction_with).
    pub async fn transaction_with(
        &self,
        commands: &[&[Arg<'_>]],
        on_reply: impl FnMut(usize, Frame<'_>),
    ) -> Result<TransactionOutcome> {
        self.transaction_args(commands, on_reply).await
    }

    /// [`transaction_with`](Self::transaction_with) for any [`CommandArgs`].
    pub(crate) async fn transaction_args<C: CommandArgs + Sync>(
        &self,
        commands: &[C],
        mut on_reply: impl FnMut(usize, Frame<'_>),
    ) -> Result<TransactionOutcome> {
        let replies = self.batch(commands, Some((&[Arg::from("MULTI")], &[Arg::from("EXEC")]))).await?;
        let mut outcome = Err(ErrorKind::UnexpectedReply);
        for (index, reply) in replies.iter().enumerate() {
            let Ok(frame) = reply else {
                outcome = Err(ErrorKind::ReplyTooLarge { needed: reply.err().unwrap_or_default() });
                continue;
            };
            match transaction_reply(commands.len(), index, frame) {
                TransactionReply::Accepted | TransactionReply::Refused(_) => {}
                TransactionReply::Committed(results) => {
                    for (index, result) in results.iter().enumerate() {
                        on_reply(index, result);
                    }
                    outcome = Ok(TransactionOutcome::Committed);
                }
                TransactionReply::WatchConflict => outcome = Ok(TransactionOutcome::WatchConflict),
                TransactionReply::Failed(frame) => {
                    return Err(server_error(&frame)
                        .unwrap_or_else(|| Error::new(ErrorKind::UnexpectedReply, Delivery::Answered)));
                }
                TransactionReply::Unexpected => outcome = Err(ErrorKind::UnexpectedReply),
            }
        }
        outcome.map_err(|kind| Error::new(kind, Delivery::Answered))
    }

    /// Sends `commands` as one batch (inside `around`, for MULTI/EXEC) and returns its
    /// replies. Every command is checked first, so a refused one sends nothing.
    pub(crate) async fn batch<C: CommandArgs + Sync>(
        &self,
        commands: &[C],
        around: Option<(&[Arg<'_>; 1], &[Arg<'_>; 1])>,
    ) -> Result<Replies> {
        if commands.is_empty() && around.is_none() {
            return Ok(Replies::default());
        }
        for command in commands {
            if command.arg_count() == 0 {
                return Err(Error::new(
                    ErrorKind::Encode(ferrodis_core::EncodeError::EmptyCommand),
                    Delivery::NotSent,
                ));
            }
            batchable_when_shared(command)
                .map_err(|r| Error::new(ErrorKind::Refused(r), Delivery::NotSent))?;
        }
        // Inside MULTI a blocking command does not block.
        let block = if around.is_some() { None } else { batch_block_time(commands) };
        self.roundtrip(block, &mut |engine| {
            let token = engine.open_batch(Expect::Replies)?;
            let push = |engine: &mut ConnEngine| -> std::result::Result<(), QueueError> {
                if let Some((before, _)) = around {
                    engine.batch_push(before)?;
                }
                for command in commands {
                    engine.batch_push(command)?;
                }
                if let Some((_, after)) = around {
                    engine.batch_push(after)?;
                }
                Ok(())
            };
            let pushed = push(engine);
            engine.close_batch();
            if let Err(e) = pushed {
                // Nothing of it was written yet: it is taken out whole.
                let _ = engine.cancel(token);
                return Err(match e {
                    QueueError::NoRoom => QueueError::Encode(ferrodis_core::EncodeError::BufferTooSmall {
                        needed: MAX_REQUEST + 1,
                    }),
                    other => other,
                });
            }
            Ok(token)
        })
        .await
    }
}

/// Hands each reply of a batch to `on_reply`; a reply too large for the read buffer makes
/// the whole fail once the others are handed out.
pub(crate) fn each_reply(replies: &Replies, mut on_reply: impl FnMut(usize, Frame<'_>)) -> Result<()> {
    let mut too_large = None;
    for (index, reply) in replies.iter().enumerate() {
        match reply {
            Ok(frame) => on_reply(index, frame),
            Err(needed) => {
                too_large.get_or_insert(needed);
            }
        }
    }
    match too_large {
        Some(needed) => Err(Error::new(ErrorKind::ReplyTooLarge { needed }, Delivery::Answered)),
        None => Ok(()),
    }
}

/// A caller's request: queued on its first poll (which registers the caller's waker with
/// it), then waiting for its replies. Dropped unfinished, it gives up on them.
struct Request<'a, 'q> {
    shared: &'a Shared,
    queue: &'q mut (dyn FnMut(&mut ConnEngine) -> std::result::Result<Token, QueueError> + Send),
    deadline: Option<Instant>,
    /// Armed while the request waits for room to queue.
    room_timer: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
    token: Option<Token>,
    done: bool,
}

impl Request<'_, '_> {
    fn poll(&mut self, cx: &mut std::task::Context<'_>) -> Poll<Result<Replies>> {
        let mut state = self.shared.lock();
        let polled = match self.token {
            Some(token) => state.poll_replies(token, cx),
            None => match state.submit(&mut *self.queue, self.deadline, cx) {
                Poll::Ready(Ok(token)) => {
                    self.token = Some(token);
                    // The I/O task wakes this caller when the replies are in.
                    return Poll::Pending;
                }
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                // No room to queue yet: the caller's own timer keeps its deadline meanwhile
                // (rare: the connection holds thousands of requests).
                Poll::Pending => match self.deadline {
                    None => Poll::Pending,
                    Some(deadline) => {
                        let timer = self.room_timer.get_or_insert_with(|| {
                            Box::pin(tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)))
                        });
                        match timer.as_mut().poll(cx) {
                            Poll::Ready(()) => {
                                Poll::Ready(Err(Error::new(ErrorKind::Timeout, Delivery::NotSent)))
                            }
                            Poll::Pending => Poll::Pending,
                        }
                    }
                },
            },
        };
        drop(state);
        if polled.is_ready() {
            self.done = true;
        }
        polled
    }
}

impl Drop for Request<'_, '_> {
    fn drop(&mut self) {
        if !self.done
            && let Some(token) = self.token
        {
            let _ = self.shared.lock().give_up(token);
        }
    }
}
