//! The request/reply operations of both connection shells, written once.
//!
//! `shell_methods!` expands to the same method bodies in the blocking shell (plain calls)
//! and in the async shell (`async fn`, every I/O call awaited). Each shell supplies the
//! three primitives the bodies use: `fill` (read once into the read buffer), `flush`
//! (write what is queued) and `write_segments` (write one oversized command directly),
//! plus `SinkWrite`, the write trait of streaming sinks.

macro_rules! shell_methods {
    ($($async_:ident)?; $($await_:tt)*) => {
    /// The push handler.
    pub fn push_handler(&mut self) -> &mut P {
        &mut self.push
    }

    /// Uses `decoder` (its limits) for replies.
    pub fn set_decoder(&mut self, decoder: Decoder) {
        self.engine.decoder = decoder;
    }

    /// Whether the connection failed and must be replaced (see
    /// [`replace_transport`](Self::replace_transport)).
    pub fn is_broken(&self) -> bool {
        self.engine.broken
    }

    /// Replies owed to requests already sent and not yet read.
    pub fn pending_replies(&self) -> usize {
        self.engine.owed()
    }

    /// Swaps in a fresh transport (a reconnect), dropping all buffered state, and
    /// returns the old one. Run the handshake again afterwards.
    pub fn replace_transport(&mut self, io: T) -> T {
        self.engine.reset();
        core::mem::replace(&mut self.io, io)
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

    fn begin(&mut self) -> Result<usize, Error<T::Error>> {
        self.engine.begin().map_err(|f| f.into_error(Delivery::NotSent))
    }

    fn write_failed(&mut self, kind: ErrorKind<T::Error>) -> Error<T::Error> {
        self.engine.broken = true;
        let delivery = if self.engine.written == 0 { Delivery::NotSent } else { Delivery::Unknown };
        Error::new(kind, delivery)
    }

        /// Runs the [`Handshake`]: all its commands in one write, then every reply
        /// checked. A wrong password fails with the server's `WRONGPASS` (or `NOAUTH`)
        /// error; `CLIENT SETINFO` errors from servers older than 7.2 are ignored.
        pub $($async_)? fn handshake(&mut self, handshake: &Handshake<'_>) -> Result<(), Error<T::Error>> {
            let stale = self.begin()?;
            let steps = handshake.steps();
            for step in &steps {
                self.queue_one(step.args()) $($await_)* ?;
            }
            self.flush() $($await_)* ?;
            self.drain(stale) $($await_)* ?;
            let mut failure = None;
            for step in &steps {
                let reply = self.receive() $($await_)* ?;
                let kind = match step.judge(&reply) {
                    Verdict::Ok | Verdict::Ignored => continue,
                    Verdict::Failed => server_error(&reply).map_or(ErrorKind::UnexpectedReply, ErrorKind::Server),
                    Verdict::Unexpected => ErrorKind::UnexpectedReply,
                };
                failure.get_or_insert(kind);
            }
            match failure {
                Some(kind) => Err(Error::new(kind, Delivery::Answered)),
                None => Ok(()),
            }
        }

        /// Queues one request without waiting for its reply; it is written when the
        /// write buffer fills or at the next [`flush`](Self::flush). Read its reply with
        /// [`receive`](Self::receive).
        pub $($async_)? fn send(&mut self, args: &[Arg<'_>]) -> Result<(), Error<T::Error>> {
            if self.engine.broken {
                return Err(Fault::Broken.into_error(Delivery::NotSent));
            }
            self.queue_one(args) $($await_)*
        }

        /// The next reply owed to a request that was sent. Push frames that arrive first
        /// go to the push handler. An error reply is returned as a frame, not an error.
        pub $($async_)? fn receive(&mut self) -> Result<Frame<'_>, Error<T::Error>> {
            loop {
                match self.engine.next_reply(&mut self.push) {
                    Ok(Next::Reply(_)) => break,
                    Ok(Next::Read) => self.fill() $($await_)* ?,
                    Err(fault) => return Err(fault.into_error(Delivery::Unknown)),
                }
            }
            Ok(self.engine.reply())
        }

        /// Sends one request and returns its reply, an error reply included as its frame.
        /// Replies still owed to earlier, abandoned requests are read and dropped first,
        /// so this reply is always this request's.
        pub $($async_)? fn request_frame(&mut self, args: &[Arg<'_>]) -> Result<Frame<'_>, Error<T::Error>> {
            self.request_args(args) $($await_)*
        }

        /// [`request_frame`](Self::request_frame) for any [`CommandArgs`], such as a typed
        /// command builder from [`crate::cmd`].
        pub $($async_)? fn request_args<C: CommandArgs + ?Sized>(&mut self, args: &C) -> Result<Frame<'_>, Error<T::Error>> {
            let stale = self.begin()?;
            self.queue_one(args) $($await_)* ?;
            self.flush() $($await_)* ?;
            self.drain(stale) $($await_)* ?;
            self.receive() $($await_)*
        }

        /// Sends one request and returns its reply; an error reply becomes
        /// [`ErrorKind::Server`] (its text cut at [`SERVER_ERROR_TEXT`](crate::error::SERVER_ERROR_TEXT)
        /// bytes; [`request_frame`](Self::request_frame) keeps all of it).
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

        /// Sends every command in one write, then hands each reply to `on_reply` with
        /// the command's index, in order. An error reply is passed on as the frame it is
        /// (see [`Frame::is_error`]) and does not disturb the replies after it.
        pub $($async_)? fn pipeline(
            &mut self,
            commands: &[&[Arg<'_>]],
            mut on_reply: impl FnMut(usize, Frame<'_>),
        ) -> Result<(), Error<T::Error>> {
            let stale = self.begin()?;
            for command in commands {
                self.queue_one(command) $($await_)* ?;
            }
            self.flush() $($await_)* ?;
            self.drain(stale) $($await_)* ?;
            for index in 0..commands.len() {
                let reply = self.receive() $($await_)* ?;
                on_reply(index, reply);
            }
            Ok(())
        }

        /// Runs `commands` in a MULTI/EXEC transaction, in one write. On success each
        /// command's reply (an error reply as its frame) goes to `on_reply`. A watched key that changed gives
        /// [`TransactionOutcome::WatchConflict`]; a command the server refused to queue
        /// makes the whole transaction fail with its `EXECABORT` error.
        pub $($async_)? fn transaction(
            &mut self,
            commands: &[&[Arg<'_>]],
            mut on_reply: impl FnMut(usize, Frame<'_>),
        ) -> Result<TransactionOutcome, Error<T::Error>> {
            let stale = self.begin()?;
            self.queue_one(&[Arg::from("MULTI")]) $($await_)* ?;
            for command in commands {
                self.queue_one(command) $($await_)* ?;
            }
            self.queue_one(&[Arg::from("EXEC")]) $($await_)* ?;
            self.flush() $($await_)* ?;
            self.drain(stale) $($await_)* ?;
            // MULTI's +OK, then +QUEUED or an error for each command.
            for _ in 0..=commands.len() {
                self.receive() $($await_)* ?;
            }
            let exec = self.receive() $($await_)* ?;
            match exec {
                Frame::Array(replies) => {
                    for (index, reply) in replies.iter().enumerate() {
                        on_reply(index, reply);
                    }
                    Ok(TransactionOutcome::Committed)
                }
                Frame::NullArray | Frame::Null => Ok(TransactionOutcome::WatchConflict),
                other => Err(Error::new(
                    server_error(&other).map_or(ErrorKind::UnexpectedReply, ErrorKind::Server),
                    Delivery::Answered,
                )),
            }
        }

        /// Sends one request whose reply is a bulk string and writes the string into
        /// `sink` as it arrives, so a value far larger than the read buffer can be read.
        /// Returns the string's length, or `None` for a null reply. A reply that is not a
        /// bulk string is handled as by [`request`](Self::request) (it must then fit the
        /// read buffer). When the sink fails, the rest of the string is still read (so
        /// the connection stays usable) and [`ErrorKind::Sink`] is returned.
        pub $($async_)? fn request_streaming<S: SinkWrite>(
            &mut self,
            args: &[Arg<'_>],
            sink: &mut S,
        ) -> Result<Option<usize>, Error<T::Error>> {
            let stale = self.begin()?;
            self.queue_one(args) $($await_)* ?;
            self.flush() $($await_)* ?;
            self.drain(stale) $($await_)* ?;
            self.engine.release();
            // The header: `$len\r\n`, or any other reply.
            let len = loop {
                match self.engine.bulk_header() {
                    Ok(BulkHeader::Bulk(len)) => break len,
                    Ok(BulkHeader::More) => self.fill() $($await_)* ?,
                    Ok(BulkHeader::Other) => {
                        let reply = self.receive() $($await_)* ?;
                        return match reply {
                            Frame::BulkString(data) => {
                                // A small bulk string behind a push frame: it fits.
                                let failed = sink.write_all(data) $($await_)* .is_err();
                                if failed {
                                    Err(Error::new(ErrorKind::Sink, Delivery::Answered))
                                } else {
                                    Ok(Some(data.len()))
                                }
                            }
                            frame if frame.is_null() => Ok(None),
                            frame => Err(Error::new(
                                server_error(&frame).map_or(ErrorKind::UnexpectedReply, ErrorKind::Server),
                                Delivery::Answered,
                            )),
                        };
                    }
                    Err(fault) => return Err(fault.into_error(Delivery::Unknown)),
                }
            };
            let Some(len) = len else { return Ok(None) };
            let mut left = len;
            let mut sink_failed = false;
            while left > 0 {
                if self.engine.rx.data().is_empty() {
                    self.fill() $($await_)* ?;
                }
                let data = self.engine.rx.data();
                let take = data.len().min(left);
                if !sink_failed {
                    sink_failed = sink.write_all(&data[..take]) $($await_)* .is_err();
                }
                self.engine.rx.consume(take);
                left -= take;
            }
            while self.engine.rx.data().len() < 2 {
                self.fill() $($await_)* ?;
            }
            if let Err(fault) = self.engine.bulk_trailer() {
                return Err(fault.into_error(Delivery::Unknown));
            }
            if sink_failed {
                return Err(Error::new(ErrorKind::Sink, Delivery::Answered));
            }
            Ok(Some(len))
        }

        /// Writes everything queued by [`send`](Self::send) and flushes the transport.
        pub $($async_)? fn flush(&mut self) -> Result<(), Error<T::Error>> {
            let written = Self::write_all(&mut self.io, self.engine.tx.pending(), &mut self.engine.written) $($await_)*;
            if let Err(kind) = written {
                return Err(self.write_failed(kind));
            }
            self.engine.tx.clear();
            let flushed = self.io.flush() $($await_)*;
            flushed.map_err(|e| self.write_failed(ErrorKind::Io(e)))
        }

        /// Writes all of `bytes`, retrying on `Interrupted` and counting into `written`.
        $($async_)? fn write_all(io: &mut T, bytes: &[u8], written: &mut usize) -> Result<(), ErrorKind<T::Error>> {
            let mut at = 0;
            while at < bytes.len() {
                let result = io.write(&bytes[at..]) $($await_)*;
                match result {
                    Ok(0) => return Err(ErrorKind::Closed),
                    Ok(n) => {
                        at += n;
                        *written += n;
                    }
                    Err(e) if e.kind() == embedded_io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(ErrorKind::Io(e)),
                }
            }
            Ok(())
        }

        /// Reads and drops `stale` replies owed to abandoned requests.
        $($async_)? fn drain(&mut self, stale: usize) -> Result<(), Error<T::Error>> {
            for _ in 0..stale {
                self.receive() $($await_)* ?;
            }
            Ok(())
        }

        /// Queues `args`, flushing first when the buffer is full, and writing it
        /// directly when it is larger than the whole write buffer.
        $($async_)? fn queue_one<C: CommandArgs + ?Sized>(&mut self, args: &C) -> Result<(), Error<T::Error>> {
            let queued = self.engine.queue(args).map_err(|f| f.into_error(Delivery::NotSent))?;
            match queued {
                Queued::Yes => return Ok(()),
                Queued::FlushFirst => {
                    self.flush() $($await_)* ?;
                    let again = self.engine.queue(args).map_err(|f| f.into_error(Delivery::NotSent))?;
                    if again == Queued::Yes {
                        return Ok(());
                    }
                }
                Queued::TooLarge => self.flush() $($await_)* ?,
            }
            self.engine.owe_one();
            for segment in command_segments(args) {
                let written = Self::write_all(&mut self.io, &segment, &mut self.engine.written) $($await_)*;
                if let Err(kind) = written {
                    return Err(self.write_failed(kind));
                }
            }
            Ok(())
        }

        /// Reads once from the transport into the read buffer.
        $($async_)? fn fill(&mut self) -> Result<(), Error<T::Error>> {
            loop {
                let spare = self.engine.rx.spare();
                if spare.is_empty() {
                    self.engine.broken = true;
                    let needed = self.engine.rx.capacity() + 1;
                    return Err(Fault::TooLarge(needed).into_error(Delivery::Unknown));
                }
                let read = self.io.read(spare) $($await_)*;
                match read {
                    Ok(0) => {
                        self.engine.broken = true;
                        return Err(Error::new(ErrorKind::Closed, Delivery::Unknown));
                    }
                    Ok(n) => {
                        self.engine.rx.commit(n);
                        return Ok(());
                    }
                    Err(e) => match e.kind() {
                        embedded_io::ErrorKind::Interrupted => {}
                        // The stream is intact: what arrived stays buffered, and the next
                        // request drops this reply when it comes.
                        embedded_io::ErrorKind::TimedOut => {
                            return Err(Error::new(ErrorKind::Io(e), Delivery::Unknown));
                        }
                        _ => {
                            self.engine.broken = true;
                            return Err(Error::new(ErrorKind::Io(e), Delivery::Unknown));
                        }
                    },
                }
            }
        }
    };
}

pub(crate) use shell_methods;
