//! The operations of both connection shells, written once over the [`Engine`]: each is a
//! short loop that queues requests, writes what the engine hands out, reads into the
//! engine and takes its events. No protocol decision is made here.
//!
//! `drive_methods!` expands to the same bodies in the blocking shell (plain calls) and in
//! the async shell (`async fn`, every I/O call awaited). Each shell has the fields `io`,
//! `engine` and `push`, and names its sink trait `SinkWrite`.
//!
//! [`Engine`]: super::engine::Engine

use super::engine::{Failure, QueueError};
use crate::error::{Delivery, Error, ErrorKind};

/// A pipeline [`pipeline_write`](super::blocking::Connection::pipeline_write) wrote, whose
/// replies [`pipeline_replies`](super::blocking::Connection::pipeline_replies) reads.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "its replies are read by pipeline_replies"]
pub struct Written(pub(super) super::engine::Token);

/// The error for a request the engine would not queue (nothing was sent).
pub(super) fn queue_error<E>(e: QueueError) -> Error<E> {
    let kind = match e {
        QueueError::Encode(e) => ErrorKind::Encode(e),
        QueueError::Refused(r) => ErrorKind::Refused(r),
        _ => ErrorKind::Broken,
    };
    Error::new(kind, Delivery::NotSent)
}

/// What a failure of the byte stream is as an error kind.
pub(super) fn failure_kind<E>(failure: Failure) -> ErrorKind<E> {
    match failure {
        Failure::Decode(e) => ErrorKind::Decode(e),
        Failure::Unexpected => ErrorKind::UnexpectedReply,
        Failure::TooLarge { needed } => ErrorKind::ReplyTooLarge { needed },
        _ => ErrorKind::Broken,
    }
}

macro_rules! drive_methods {
    ($($async_:ident)?; $($await_:tt)*) => {
    /// The push handler.
    pub fn push_handler(&mut self) -> &mut P {
        &mut self.push
    }

    /// Uses `decoder` (its limits) for replies.
    pub fn set_decoder(&mut self, decoder: Decoder) {
        self.engine.set_decoder(decoder);
    }

    /// The engine: what the connection knows (its protocol, subscriptions, outstanding
    /// requests).
    pub fn engine(&self) -> &Engine<R, W, S> {
        &self.engine
    }

    /// Whether the connection failed and must be replaced (see
    /// [`replace_transport`](Self::replace_transport)).
    pub fn is_broken(&self) -> bool {
        self.engine.is_broken()
    }

    /// Whether a command since the handshake may have changed the session (database,
    /// user, name, watches, subscriptions, tracking, reply mode): see
    /// [`Engine::session_changed`](super::engine::Engine::session_changed).
    pub fn session_changed(&self) -> bool {
        self.engine.session_changed()
    }

    /// Takes the session as it is for the one the connection is set up with (after an
    /// on-connect hook's commands): see [`Engine::settle_session`](super::engine::Engine::settle_session).
    pub fn settle_session(&mut self) {
        self.engine.settle_session();
    }

    /// Replies owed to requests already sent and not yet read.
    pub fn pending_replies(&self) -> usize {
        self.engine.replies_owed()
    }

    /// Swaps in a fresh transport (a reconnect), dropping all buffered state, and
    /// returns the old one. Run the handshake again afterwards.
    pub fn replace_transport(&mut self, io: T) -> T {
        self.engine.reset();
        core::mem::replace(&mut self.io, io)
    }

    /// Forgets all buffered state and everything owed, keeping the transport (which the
    /// caller has just reopened). Run the handshake again afterwards.
    pub fn reset(&mut self) {
        self.engine.reset();
    }

    /// The transport.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// The transport, mutably (for socket options; reading or writing it directly
    /// desynchronises the connection).
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.io
    }

    /// The transport, giving up the connection.
    pub fn into_inner(self) -> T {
        self.io
    }

        /// Runs the [`Handshake`]: all its commands in one write, then every reply
        /// checked. A wrong password fails with the server's `WRONGPASS` (or `NOAUTH`)
        /// error; `CLIENT SETINFO` errors from servers older than 7.2 are ignored.
        pub $($async_)? fn handshake(&mut self, handshake: &Handshake<'_>) -> Result<(), Error<T::Error>> {
            self.begin()?;
            let mut check = HandshakeCheck::new(handshake);
            let token = self.open(Batch::Handshake(handshake)) $($await_)* ?;
            for step in check.steps() {
                self.push_command(step.args()) $($await_)* ?;
            }
            self.engine.close_batch();
            self.write_out(Some(token)) $($await_)* ?;
            let mut failure = None;
            loop {
                let Some(reply) = self.wait(token) $($await_)* ? else { break };
                let kind = match check.reply(reply.index, &self.frame()) {
                    Verdict::Ok | Verdict::Ignored => None,
                    Verdict::Failed => Some(server_error(&self.frame()).map_or(ErrorKind::UnexpectedReply, ErrorKind::Server)),
                    Verdict::Unexpected => Some(ErrorKind::UnexpectedReply),
                };
                if let Some(kind) = kind {
                    failure.get_or_insert(kind);
                }
                if reply.last {
                    break;
                }
            }
            self.engine.end_op();
            match failure {
                Some(kind) => Err(Error::new(kind, Delivery::Answered)),
                None => Ok(()),
            }
        }

        /// Queues one request without waiting for its reply (writing what is queued when
        /// the write buffer is full). Its reply comes from [`receive`](Self::receive);
        /// the next other operation writes it, and drops its reply if it was not received
        /// by then.
        pub $($async_)? fn send<C: CommandArgs + ?Sized>(&mut self, args: &C) -> Result<Token, Error<T::Error>> {
            self.queue(args, Expect::Replies) $($await_)*
        }

        /// Writes everything queued by [`send`](Self::send) and flushes the transport.
        pub $($async_)? fn flush(&mut self) -> Result<(), Error<T::Error>> {
            self.write_out(None) $($await_)*
        }

        /// The next reply to a request queued with [`send`](Self::send), or the next push
        /// frame or `MONITOR` line, whichever comes first; an error reply is a frame, not
        /// an error. (While another operation waits for its replies, push frames go to
        /// the push handler instead.)
        pub $($async_)? fn receive(&mut self) -> Result<Received<'_>, Error<T::Error>> {
            self.write_out(None) $($await_)* ?;
            loop {
                match self.engine.poll_head() {
                    Some(Head::Reply { .. } | Head::Push | Head::Monitor | Head::TooLarge { .. } | Head::Unanswered { .. }) => break,
                    Some(Head::Failed(failure)) => return Err(self.broke(failure_kind(failure), None)),
                    Some(_) => {}
                    None => self.read_in(None) $($await_)* ?,
                }
            }
            Ok(match self.engine.current() {
                Some(Event::Reply { token, frame, .. }) => Received::Reply { token, frame },
                Some(Event::TooLarge { token, needed, .. }) => Received::TooLarge { token, needed },
                Some(Event::Push(frame)) => Received::Push(frame),
                Some(Event::Monitor(line)) => Received::Monitor(line),
                Some(Event::Unanswered { token }) => Received::Unanswered { token },
                _ => Received::Push(Frame::Null),
            })
        }

        /// Sends one request and returns its reply, an error reply included as its frame.
        /// Replies still owed to earlier, abandoned requests are read and dropped first,
        /// so this reply is always this request's. A subscription command returns its last
        /// confirmation (one comes per channel); a command the server does not answer
        /// (`CLIENT REPLY OFF` or `SKIP`, and what they silence) returns [`Frame::Null`]
        /// once written.
        pub $($async_)? fn request_frame(&mut self, args: &[Arg<'_>]) -> Result<Frame<'_>, Error<T::Error>> {
            self.request_args(args) $($await_)*
        }

        /// [`request_frame`](Self::request_frame) for any [`CommandArgs`], such as a typed
        /// command builder from [`crate::cmd`].
        pub $($async_)? fn request_args<C: CommandArgs + ?Sized>(&mut self, args: &C) -> Result<Frame<'_>, Error<T::Error>> {
            self.begin()?;
            let token = self.queue(args, Expect::Replies) $($await_)* ?;
            self.write_out(Some(token)) $($await_)* ?;
            // A subscription command is answered once per channel: the last one is kept.
            let mut reply = self.wait(token) $($await_)* ?;
            while reply.is_some_and(|r| !r.last) {
                reply = self.wait(token) $($await_)* ?;
            }
            self.engine.end_op();
            match reply {
                Some(reply) if reply.too_large.is_some() => Err(Error::new(
                    ErrorKind::ReplyTooLarge { needed: reply.too_large.unwrap_or_default() },
                    Delivery::Answered,
                )),
                Some(_) => Ok(self.frame()),
                None => Ok(Frame::Null),
            }
        }

        /// Sends one request and returns its reply; an error reply becomes
        /// [`ErrorKind::Server`] (its text cut at [`SERVER_ERROR_TEXT`](crate::error::SERVER_ERROR_TEXT)
        /// bytes without the `alloc` feature; [`request_frame`](Self::request_frame) keeps
        /// all of it).
        pub $($async_)? fn request(&mut self, args: &[Arg<'_>]) -> Result<Frame<'_>, Error<T::Error>> {
            let reply = self.request_frame(args) $($await_)* ?;
            match server_error(&reply) {
                Some(e) => Err(Error::new(ErrorKind::Server(e), Delivery::Answered)),
                None => Ok(reply),
            }
        }

        /// Sends a typed command from [`crate::cmd`] and returns its reply as the
        /// command's [`Reply`](crate::cmd::Command::Reply) type, borrowing from the read
        /// buffer. An error reply becomes [`ErrorKind::Server`], as with
        /// [`request`](Self::request); a reply that does not convert becomes
        /// [`ErrorKind::Reply`]. Both leave the connection usable.
        pub $($async_)? fn run<C: crate::cmd::Command>(&mut self, command: &C) -> Result<C::Reply<'_>, Error<T::Error>> {
            let reply = self.request_args(command) $($await_)* ?;
            if let Some(e) = server_error(&reply) {
                return Err(Error::new(ErrorKind::Server(e), Delivery::Answered));
            }
            <C::Reply<'_> as crate::reply::FromFrame<'_>>::from_frame(reply)
                .map_err(|e| Error::new(ErrorKind::Reply(e), Delivery::Answered))
        }

        /// Sends every command in one write (several, when they do not fit the write
        /// buffer), then hands each reply to `on_reply` with the command's index, in order.
        /// An error reply is passed on as the frame it is (see [`Frame::is_error`]) and
        /// does not disturb the replies after it. A reply too large for the read buffer is
        /// read and dropped without a call; the pipeline then fails with
        /// [`ErrorKind::ReplyTooLarge`] once every reply is read.
        ///
        /// Commands that change what later commands are answered with (subscriptions,
        /// `MONITOR`, `CLIENT REPLY`, `RESET`, `HELLO`) are refused before anything is sent.
        pub $($async_)? fn pipeline<C: CommandArgs + ?Sized>(
            &mut self,
            commands: &[&C],
            on_reply: impl FnMut(usize, Frame<'_>),
        ) -> Result<(), Error<T::Error>> {
            match self.pipeline_write(commands) $($await_)* ? {
                Some(written) => self.pipeline_replies(written, on_reply) $($await_)*,
                None => Ok(()),
            }
        }

        /// The first half of [`pipeline`](Self::pipeline): checks `commands` and writes
        /// them, without reading a reply, so that a driver with pipelines for several
        /// servers (a cluster client) can write them all before it waits for any. `None`
        /// for no commands. The replies come from
        /// [`pipeline_replies`](Self::pipeline_replies); any other operation started
        /// before that abandons them (they are read and dropped).
        pub $($async_)? fn pipeline_write<C: CommandArgs + ?Sized>(
            &mut self,
            commands: &[&C],
        ) -> Result<Option<Written>, Error<T::Error>> {
            if commands.is_empty() {
                return Ok(None);
            }
            self.begin()?;
            let token = self.batch(None::<(&[Arg<'_>], &[Arg<'_>])>, commands) $($await_)* ?;
            Ok(Some(Written(token)))
        }

        /// The second half of [`pipeline`](Self::pipeline): each reply to the commands
        /// [`pipeline_write`](Self::pipeline_write) wrote, in order, as `pipeline` hands
        /// them over. When another operation came in between, the replies were abandoned
        /// to it: this fails at once with [`ErrorKind::Broken`] and an unknown outcome
        /// (the commands were written).
        pub $($async_)? fn pipeline_replies(
            &mut self,
            written: Written,
            mut on_reply: impl FnMut(usize, Frame<'_>),
        ) -> Result<(), Error<T::Error>> {
            let Written(token) = written;
            if !self.engine.is_op(token) {
                // Another operation came first and abandoned these replies.
                return Err(Error::new(ErrorKind::Broken, Delivery::Unknown));
            }
            let mut too_large = None;
            loop {
                let Some(reply) = self.wait(token) $($await_)* ? else { break };
                match reply.too_large {
                    Some(needed) => { too_large.get_or_insert(needed); }
                    None => on_reply(reply.index, self.frame()),
                }
                if reply.last {
                    break;
                }
            }
            self.engine.end_op();
            match too_large {
                Some(needed) => Err(Error::new(ErrorKind::ReplyTooLarge { needed }, Delivery::Answered)),
                None => Ok(()),
            }
        }

        /// Runs `commands` in a MULTI/EXEC transaction, in one write. On success each
        /// command's reply (an error reply as its frame) goes to `on_reply`. A watched key
        /// that changed gives [`TransactionOutcome::WatchConflict`]; a command the server
        /// refused to queue makes the whole transaction fail with its `EXECABORT` error.
        pub $($async_)? fn transaction<C: CommandArgs + ?Sized>(
            &mut self,
            commands: &[&C],
            mut on_reply: impl FnMut(usize, Frame<'_>),
        ) -> Result<TransactionOutcome, Error<T::Error>> {
            self.begin()?;
            let token = self.batch(Some((&[Arg::from("MULTI")], &[Arg::from("EXEC")])), commands) $($await_)* ?;
            let mut outcome = Err(ErrorKind::UnexpectedReply);
            loop {
                let Some(reply) = self.wait(token) $($await_)* ? else { break };
                if reply.too_large.is_some() {
                    outcome = Err(ErrorKind::ReplyTooLarge { needed: reply.too_large.unwrap_or_default() });
                } else {
                    match transaction_reply(commands.len(), reply.index, self.frame()) {
                        TransactionReply::Accepted | TransactionReply::Refused(_) => {}
                        TransactionReply::Committed(replies) => {
                            for (index, frame) in replies.iter().enumerate() {
                                on_reply(index, frame);
                            }
                            outcome = Ok(TransactionOutcome::Committed);
                        }
                        TransactionReply::WatchConflict => outcome = Ok(TransactionOutcome::WatchConflict),
                        TransactionReply::Failed(frame) => {
                            outcome = Err(server_error(&frame).map_or(ErrorKind::UnexpectedReply, ErrorKind::Server));
                        }
                        TransactionReply::Unexpected => outcome = Err(ErrorKind::UnexpectedReply),
                    }
                }
                if reply.last {
                    break;
                }
            }
            self.engine.end_op();
            outcome.map_err(|kind| Error::new(kind, Delivery::Answered))
        }

        /// Sends one request whose reply is a bulk string and writes the string into
        /// `sink` as it arrives, so a value far larger than the read buffer can be read.
        /// Returns the string's length, or `None` for a null reply. A reply that is not a
        /// bulk string is handled as by [`request`](Self::request) (it must then fit the
        /// read buffer). When the sink fails, the rest of the string is still read (so
        /// the connection stays usable) and [`ErrorKind::Sink`] is returned.
        pub $($async_)? fn request_streaming<C: CommandArgs + ?Sized, SK: SinkWrite>(
            &mut self,
            args: &C,
            sink: &mut SK,
        ) -> Result<Option<usize>, Error<T::Error>> {
            self.begin()?;
            let token = self.queue(args, Expect::Stream) $($await_)* ?;
            self.write_out(Some(token)) $($await_)* ?;
            let mut sink_failed = false;
            let mut total = None;
            loop {
                let event = self.engine.poll();
                match event {
                    Some(Event::Chunk { token: t, len, data, last }) if t == token => {
                        total = total.or(len);
                        if !sink_failed && !data.is_empty() {
                            sink_failed = sink.write_all(data) $($await_)* .is_err();
                        }
                        if last {
                            break;
                        }
                    }
                    Some(Event::Reply { token: t, .. } | Event::TooLarge { token: t, .. }) if t == token => {
                        self.engine.end_op();
                        return match self.engine.current() {
                            Some(Event::Reply { frame: Frame::BulkString(data), .. }) => {
                                let failed = sink.write_all(data) $($await_)* .is_err();
                                if failed {
                                    Err(Error::new(ErrorKind::Sink, Delivery::Answered))
                                } else {
                                    Ok(Some(data.len()))
                                }
                            }
                            Some(Event::Reply { frame, .. }) if frame.is_null() => Ok(None),
                            Some(Event::Reply { frame, .. }) => Err(Error::new(
                                server_error(&frame).map_or(ErrorKind::UnexpectedReply, ErrorKind::Server),
                                Delivery::Answered,
                            )),
                            Some(Event::TooLarge { needed, .. }) => {
                                Err(Error::new(ErrorKind::ReplyTooLarge { needed }, Delivery::Answered))
                            }
                            _ => Err(Error::new(ErrorKind::UnexpectedReply, Delivery::Answered)),
                        };
                    }
                    Some(Event::Unanswered { token: t }) if t == token => {
                        self.engine.end_op();
                        return Ok(None);
                    }
                    Some(Event::Push(frame)) => self.push.on_push(frame),
                    Some(Event::Monitor(line)) => self.push.on_push(Frame::SimpleString(line)),
                    Some(Event::Failed(failure)) => return Err(self.broke(failure_kind(failure), Some(token))),
                    Some(_) => {}
                    None => self.read_in(Some(token)) $($await_)* ?,
                }
            }
            self.engine.end_op();
            if sink_failed {
                return Err(Error::new(ErrorKind::Sink, Delivery::Answered));
            }
            Ok(total)
        }

        /// Begins an operation: requests of an abandoned one are cancelled.
        fn begin(&mut self) -> Result<(), Error<T::Error>> {
            self.engine.begin_op().map_err(queue_error)
        }

        /// The frame of the reply [`wait`](Self::wait) returned.
        fn frame(&self) -> Frame<'_> {
            match self.engine.current_reply() {
                Some((frame, bytes)) => frame.attach(bytes),
                None => Frame::Null,
            }
        }

        /// Queues one command, making room as needed: writing what is queued, reading
        /// replies when every request slot is taken, and writing a command larger than the
        /// write buffer a window at a time.
        $($async_)? fn queue<C: CommandArgs + ?Sized>(&mut self, args: &C, expect: Expect) -> Result<Token, Error<T::Error>> {
            loop {
                match self.engine.queue(args, expect) {
                    Ok(token) => {
                        self.finish_windows(args, Some(token)) $($await_)* ?;
                        return Ok(token);
                    }
                    Err(QueueError::NoRoom) => self.write_out(None) $($await_)* ?,
                    Err(QueueError::NoSlot) => self.free_slot() $($await_)* ?,
                    Err(e) => return Err(queue_error(e)),
                }
            }
        }

        /// Opens a batch (a pipeline, a transaction, the handshake), making room as needed.
        $($async_)? fn open(&mut self, batch: Batch<'_, '_>) -> Result<Token, Error<T::Error>> {
            loop {
                let opened = match batch {
                    Batch::Plain => self.engine.open_batch(Expect::Replies),
                    Batch::Handshake(handshake) => self.engine.open_handshake(handshake),
                };
                match opened {
                    Ok(token) => return Ok(token),
                    Err(QueueError::NoSlot) => self.free_slot() $($await_)* ?,
                    Err(e) => return Err(queue_error(e)),
                }
            }
        }

        /// Adds a command to the open batch, making room as needed.
        $($async_)? fn push_command<C: CommandArgs + ?Sized>(&mut self, args: &C) -> Result<(), Error<T::Error>> {
            loop {
                match self.engine.batch_push(args) {
                    Ok(()) => return self.finish_windows(args, None) $($await_)*,
                    Err(QueueError::NoRoom) => self.write_out(None) $($await_)* ?,
                    Err(e) => return Err(queue_error(e)),
                }
            }
        }

        /// Queues `commands` as one batch (wrapped in `around`, for MULTI/EXEC) and writes
        /// it. Every command is checked first, so a refused one sends nothing.
        $($async_)? fn batch<C: CommandArgs + ?Sized>(
            &mut self,
            around: Option<(&[Arg<'_>], &[Arg<'_>])>,
            commands: &[&C],
        ) -> Result<Token, Error<T::Error>> {
            for command in commands {
                if command.arg_count() == 0 {
                    return Err(Error::new(ErrorKind::Encode(crate::error::EncodeError::EmptyCommand), Delivery::NotSent));
                }
                batchable(*command).map_err(|r| Error::new(ErrorKind::Refused(r), Delivery::NotSent))?;
            }
            let token = self.open(Batch::Plain) $($await_)* ?;
            if let Some((before, _)) = around {
                self.push_command(before) $($await_)* ?;
            }
            for command in commands {
                self.push_command(*command) $($await_)* ?;
            }
            if let Some((_, after)) = around {
                self.push_command(after) $($await_)* ?;
            }
            self.engine.close_batch();
            self.write_out(Some(token)) $($await_)* ?;
            Ok(token)
        }

        /// Writes the rest of a command larger than the write buffer, a window at a time.
        #[inline]
        $($async_)? fn finish_windows<C: CommandArgs + ?Sized>(&mut self, args: &C, mine: Option<Token>) -> Result<(), Error<T::Error>> {
            while self.engine.is_queueing_windows() {
                self.write_out(mine) $($await_)* ?;
                self.engine.continue_command(args).map_err(queue_error)?;
            }
            Ok(())
        }

        /// Reads replies until a request slot is free.
        $($async_)? fn free_slot(&mut self) -> Result<(), Error<T::Error>> {
            self.write_out(None) $($await_)* ?;
            let before = self.engine.outstanding();
            while self.engine.outstanding() >= before {
                match self.engine.poll_head() {
                    Some(Head::Push | Head::Monitor) => self.hand_push(),
                    Some(Head::Failed(failure)) => return Err(self.broke(failure_kind(failure), None)),
                    Some(_) => {}
                    None => self.read_in(None) $($await_)* ?,
                }
            }
            Ok(())
        }

        /// Waits for the next reply to `token`, reading as needed; push frames go to the
        /// push handler, replies to other requests are dropped. `None` when the request
        /// is done without a reply (the server does not answer it).
        $($async_)? fn wait(&mut self, token: Token) -> Result<Option<Reply>, Error<T::Error>> {
            loop {
                match self.engine.poll_head() {
                    Some(Head::Reply { token: t, index, last }) if t == token => {
                        return Ok(Some(Reply { index, last, too_large: None }));
                    }
                    Some(Head::TooLarge { token: t, index, last, needed }) if t == token => {
                        return Ok(Some(Reply { index, last, too_large: Some(needed) }));
                    }
                    Some(Head::Unanswered { token: t } | Head::Dropped { token: t }) if t == token => return Ok(None),
                    Some(Head::Push | Head::Monitor) => self.hand_push(),
                    Some(Head::Failed(failure)) => return Err(self.broke(failure_kind(failure), Some(token))),
                    Some(_) => {}
                    None => self.read_in(Some(token)) $($await_)* ?,
                }
            }
        }

        /// Hands the current push frame or `MONITOR` line to the push handler.
        fn hand_push(&mut self) {
            match self.engine.current() {
                Some(Event::Push(frame)) => self.push.on_push(frame),
                Some(Event::Monitor(line)) => self.push.on_push(Frame::SimpleString(line)),
                _ => {}
            }
        }

        /// Writes everything queued, then flushes the transport.
        $($async_)? fn write_out(&mut self, mine: Option<Token>) -> Result<(), Error<T::Error>> {
            while self.engine.wants_to_transmit() {
                let result = {
                    let bytes = self.engine.transmit();
                    if bytes.is_empty() {
                        break;
                    }
                    self.io.write(bytes) $($await_)*
                };
                match result {
                    Ok(0) => {
                        self.engine.sent(0);
                        return Err(self.broke(ErrorKind::Closed, mine));
                    }
                    Ok(n) => self.engine.sent(n),
                    Err(e) if e.kind() == embedded_io::ErrorKind::Interrupted => self.engine.sent(0),
                    Err(e) => {
                        self.engine.sent(0);
                        return Err(self.broke(ErrorKind::Io(e), mine));
                    }
                }
            }
            if let Some(failure) = self.engine.failure() {
                return Err(self.broke(failure_kind(failure), mine));
            }
            let flushed = self.io.flush() $($await_)*;
            match flushed {
                Ok(()) => Ok(()),
                Err(e) => Err(self.broke(ErrorKind::Io(e), mine)),
            }
        }

        /// Reads once from the transport into the engine. A read that timed out leaves the
        /// connection usable: the operation's requests are cancelled, their replies
        /// dropped when they come.
        $($async_)? fn read_in(&mut self, mine: Option<Token>) -> Result<(), Error<T::Error>> {
            loop {
                let result = {
                    let spare = self.engine.spare();
                    if spare.is_empty() {
                        // Cannot happen: the engine skips a reply that cannot fit.
                        return Err(self.broke(ErrorKind::Broken, mine));
                    }
                    self.io.read(spare) $($await_)*
                };
                match result {
                    Ok(0) => return Err(self.broke(ErrorKind::Closed, mine)),
                    Ok(n) => {
                        self.engine.received(n);
                        return Ok(());
                    }
                    Err(e) => match e.kind() {
                        embedded_io::ErrorKind::Interrupted => {}
                        // The stream is intact: what arrived stays buffered, and the reply is
                        // dropped when it comes.
                        embedded_io::ErrorKind::TimedOut => {
                            self.engine.abandon_op();
                            return Err(Error::new(ErrorKind::Io(e), Delivery::Unknown));
                        }
                        _ => return Err(self.broke(ErrorKind::Io(e), mine)),
                    },
                }
            }
        }

        /// The transport failed or the stream cannot be trusted: every request fails, and
        /// the error says what became of `mine`.
        fn broke(&mut self, kind: ErrorKind<T::Error>, mine: Option<Token>) -> Error<T::Error> {
            let mut delivery = Delivery::Unknown;
            self.engine.fail_all(|token, outcome| {
                if Some(token) == mine {
                    delivery = outcome.delivery;
                }
            });
            Error::new(kind, delivery)
        }
    };
}

pub(super) use drive_methods;

/// A reply [`wait`](super::blocking::Connection) found: its index, whether it is the last
/// for its request, and its size when it was too large for the read buffer.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reply {
    pub(super) index: usize,
    pub(super) last: bool,
    pub(super) too_large: Option<usize>,
}

/// Which batch to open.
#[derive(Debug, Clone, Copy)]
pub(super) enum Batch<'h, 'a> {
    Plain,
    Handshake(&'h super::Handshake<'a>),
}

/// What [`receive`](super::blocking::Connection::receive) got.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Received<'a> {
    /// The reply to a request queued with `send`.
    Reply {
        /// The request.
        token: super::engine::Token,
        /// The reply (an error reply as its frame).
        frame: crate::resp::Frame<'a>,
    },
    /// A reply that did not fit the read buffer was read and dropped.
    TooLarge {
        /// The request.
        token: super::engine::Token,
        /// The read buffer it takes.
        needed: usize,
    },
    /// A request the server does not answer was written.
    Unanswered {
        /// The request.
        token: super::engine::Token,
    },
    /// A push frame (pub/sub message, invalidation, subscription change).
    Push(crate::resp::Frame<'a>),
    /// A line of `MONITOR` output.
    Monitor(&'a [u8]),
}
