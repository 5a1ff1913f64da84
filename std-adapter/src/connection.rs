//! The blocking connection: one socket, requests answered in order.

use std::time::{Duration, Instant};

use ferrodis_core::cmd::{BlockTime, Command, batch_block_time, block_time, response_limit};
use ferrodis_core::conn::{Credentials, Handshake, TransactionOutcome, Written, blocking};
use ferrodis_core::error::Delivery;
use ferrodis_core::resp::{Arg, CommandArgs, Frame};

use crate::command_table::CommandTable;
use crate::config::ConnectionConfig;
use crate::error::{Error, ErrorKind, Result, ServerError};
use crate::random::random_word;
use crate::trace::{self, enter_span, event};
use crate::transport::Stream;
use ferrodis_core::conn::GrowableBuffer;
use ferrodis_core::retry::Decision;

/// A blocking connection to one Redis server.
///
/// ```no_run
/// use ferrodis_std::Client;
///
/// let client = Client::open("redis://127.0.0.1:6379/0")?;
/// let mut conn = client.get_connection()?;
/// conn.request_with(&["SET".into(), "k".into(), "v".into()], |_| ())?;
/// let value = conn.request_with(&["GET".into(), "k".into()], |reply| format!("{reply:?}"))?;
/// assert_eq!(value, r#"BulkString("v")"#);
/// # Ok::<(), ferrodis_std::Error>(())
/// ```
pub struct Connection {
    inner: blocking::Connection<Stream, GrowableBuffer, GrowableBuffer>,
    config: ConnectionConfig,
    /// The socket's read and write limit now: the socket timeout, or longer while a
    /// blocking command waits ([`response_limit`]).
    limit_now: Option<Duration>,
    /// Loaded at connect time when the configuration asks for it.
    command_table: Option<CommandTable>,
    /// The resolver to tell of a `READONLY` reply ([`crate::resolver::followed`]).
    followed: Option<crate::AddressResolver>,
}

/// The largest the write buffer grows to, so a large command goes out in one write; a
/// larger one goes out in writes of this size.
pub(crate) const MAX_WRITE_BUFFER: usize = 4 << 20;

/// The credentials a connection opened now authenticates with: the provider's, asked now,
/// or the configuration's own.
pub(crate) fn credentials_of(config: &ConnectionConfig) -> Result<Option<crate::Credentials>> {
    match &config.credential_provider {
        Some(provider) => provider
            .credentials()
            .map(Some)
            .map_err(|e| Error::new(ErrorKind::Credentials(e), Delivery::NotSent)),
        None => Ok(config
            .password
            .clone()
            .map(|password| crate::Credentials { username: config.username.clone(), password })),
    }
}

/// The core handshake described by `config`, authenticating with `credentials`.
pub(crate) fn handshake_of<'a>(
    config: &'a ConnectionConfig,
    credentials: Option<&'a crate::Credentials>,
) -> Handshake<'a> {
    Handshake {
        protocol: config.protocol,
        credentials: credentials.map(|c| Credentials {
            username: c.username.as_deref(),
            password: c.password.expose().as_bytes(),
        }),
        client_name: config.client_name.as_deref(),
        db: config.db,
        lib_name: config.lib_name.as_deref(),
        lib_version: config.lib_version.as_deref(),
        readonly: config.readonly,
    }
}

/// The error reply in `frame`, as an [`Error`].
pub(crate) fn server_error(frame: &Frame<'_>) -> Option<Error> {
    match frame {
        Frame::SimpleError(text) | Frame::BulkError(text) => {
            Some(Error::new(ErrorKind::Server(ServerError::new(text)), Delivery::Answered))
        }
        _ => None,
    }
}

/// Where `config`'s resolver says to connect now, if it has one. Its failure (no sentinel
/// named a master, say) is the connect's: nothing was sent.
fn resolve(config: &ConnectionConfig) -> Result<Option<crate::Resolved>> {
    let resolved = config.resolver.as_ref().map(crate::AddressResolver::resolve).transpose();
    resolved.map_err(|e| Error::new(e.into_kind(), Delivery::NotSent))
}

impl Connection {
    /// Connects and runs the handshake, all within `config.connect_timeout`. With a
    /// [`resolver`](ConnectionConfig::resolver), a server that turns out to have another
    /// role than the one resolved for is left and the resolver asked again, up to 3 times
    /// in all (the next replica in turn, or a sentinel's newer view).
    pub fn open(config: &ConnectionConfig) -> Result<Connection> {
        let mut attempts = 1;
        loop {
            match Self::open_once(config) {
                Err(e) if crate::resolver::may_resolve_again(&e, attempts) => attempts += 1,
                opened => return opened,
            }
        }
    }

    /// [`open`](Self::open), resolving once.
    fn open_once(config: &ConnectionConfig) -> Result<Connection> {
        let resolved = resolve(config)?;
        let (config, role) = match resolved {
            Some(resolved) => (
                std::borrow::Cow::Owned(ConnectionConfig { address: resolved.address, ..config.clone() }),
                resolved.role,
            ),
            None => (std::borrow::Cow::Borrowed(config), None),
        };
        let config = config.as_ref();
        enter_span!("connect", kind = "blocking", address = %config.address, tls = config.tls.is_some());
        let started = Instant::now();
        let stream = Stream::connect(config)?;
        let read_buf = GrowableBuffer::new(config.read_buffer_size, config.max_reply_size);
        let write_buf =
            GrowableBuffer::new(config.write_buffer_size, config.write_buffer_size.max(MAX_WRITE_BUFFER));
        let mut conn = Connection {
            inner: blocking::Connection::new(stream, read_buf, write_buf),
            config: config.clone(),
            limit_now: config.socket_timeout,
            command_table: None,
            followed: crate::resolver::followed(config.resolver.as_ref(), role),
        };
        conn.handshake(started)?;
        if let Some(role) = role {
            crate::resolver::check_role(&mut conn, role)?;
        }
        conn.load_command_table()?;
        conn.run_on_connect()?;
        Ok(conn)
    }

    /// The configuration's on-connect hook, if any.
    fn run_on_connect(&mut self) -> Result<()> {
        match self.config.on_connect.clone() {
            Some(hook) => {
                hook.run(self).inspect_err(|e| trace::failed("on-connect hook", e))?;
                // What the hook set up is the session a pool hands on.
                self.inner.settle_session();
                Ok(())
            }
            None => Ok(()),
        }
    }

    fn handshake(&mut self, started: Instant) -> Result<()> {
        let left =
            self.config.connect_timeout.saturating_sub(started.elapsed()).max(Duration::from_millis(1));
        enter_span!(
            "handshake",
            protocol = ?self.config.protocol,
            db = self.config.db,
            auth = trace::auth_of(&self.config)
        );
        self.inner.get_ref().set_timeout(Some(left))?;
        let credentials = credentials_of(&self.config)?;
        if let Err(e) = self.inner.handshake(&handshake_of(&self.config, credentials.as_ref())) {
            let e = Error::from(e);
            trace::failed("handshake", &e);
            return Err(e);
        }
        self.inner.get_ref().set_timeout(self.config.socket_timeout)?;
        self.limit_now = self.config.socket_timeout;
        event!(debug, elapsed = ?started.elapsed(), "handshake done");
        Ok(())
    }

    /// Waits up to the socket timeout for a push frame (a message, after a `SUBSCRIBE` on
    /// this connection) and hands it to `f`: `Ok(false)` when nothing came in time, which
    /// leaves the connection usable.
    pub(crate) fn receive_push(&mut self, f: impl FnOnce(Frame<'_>)) -> Result<bool> {
        let e = match self.inner.receive() {
            Ok(ferrodis_core::conn::Received::Push(frame)) => {
                f(frame);
                return Ok(true);
            }
            Ok(_) => return Ok(true),
            Err(e) => e,
        };
        let timed_out =
            matches!(e.kind(), ferrodis_core::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::TimedOut);
        if timed_out && !self.inner.is_broken() {
            return Ok(false);
        }
        Err(self.fail(e))
    }

    /// Replaces a broken connection with a fresh one (same configuration, handshake
    /// included).
    pub fn reconnect(&mut self) -> Result<()> {
        let resolved = resolve(&self.config)?;
        let role = resolved.and_then(|resolved| {
            self.config.address = resolved.address;
            resolved.role
        });
        self.followed = crate::resolver::followed(self.config.resolver.as_ref(), role);
        enter_span!(
            "reconnect",
            kind = "blocking",
            address = %self.config.address,
            tls = self.config.tls.is_some()
        );
        event!(info, was_broken = self.inner.is_broken(), "reconnecting");
        let started = Instant::now();
        let stream = Stream::connect(&self.config)?;
        self.inner.replace_transport(stream);
        self.handshake(started)?;
        if let Some(role) = role {
            crate::resolver::check_role(self, role)?;
        }
        self.load_command_table()?;
        self.run_on_connect()
    }

    /// Loads the server's commands into [`Connection::command_table`] when the
    /// configuration asks for it ([`ConnectionConfig::load_command_table`]).
    fn load_command_table(&mut self) -> Result<()> {
        if self.config.load_command_table {
            self.command_table = Some(CommandTable::load(self)?);
        }
        Ok(())
    }

    /// The commands of the server, core's static table with those it lacks, when the
    /// configuration asked for them at connect time
    /// ([`ClientBuilder::load_command_table`](crate::ClientBuilder::load_command_table));
    /// `None` otherwise.
    pub fn command_table(&self) -> Option<&CommandTable> {
        self.command_table.as_ref()
    }

    /// Whether an earlier failure left the connection unusable (see
    /// [`reconnect`](Self::reconnect)).
    pub fn is_broken(&self) -> bool {
        self.inner.is_broken()
    }

    /// Whether a command since the handshake may have changed the session the
    /// configuration describes (`SELECT`, `AUTH`, `WATCH`, `CLIENT SETNAME`, `CLIENT
    /// TRACKING`, subscriptions, ...), so the connection is no longer what a new one
    /// would be. A [`ConnectionPool`](crate::ConnectionPool) closes such a connection
    /// instead of handing it to its next user.
    pub fn session_changed(&self) -> bool {
        self.inner.session_changed()
    }

    /// The configuration this connection was opened with.
    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }

    /// Changes the limit on each socket read and write (`None`: wait forever); a
    /// blocking command's own timeout still adds to it
    /// ([`ConnectionConfig::socket_timeout`]).
    pub fn set_socket_timeout(&mut self, timeout: Option<Duration>) -> Result<()> {
        self.config.socket_timeout = timeout;
        self.limit_now = timeout;
        Ok(self.inner.get_ref().set_timeout(timeout)?)
    }

    /// Sets the socket's limit for a request that may block for `block`: the socket
    /// timeout, with a blocking command's own wait on top. A syscall only when the limit
    /// changes: around blocking commands, never between ordinary ones.
    fn limit_for(&mut self, block: Option<BlockTime>) -> Result<()> {
        let limit = response_limit(self.config.socket_timeout, block);
        if limit != self.limit_now {
            self.inner.get_ref().set_timeout(limit)?;
            self.limit_now = limit;
        }
        Ok(())
    }

    /// Turns a core error into ours, closing the socket when the connection broke: a
    /// connection that saw garbage is never used again.
    fn fail(&mut self, e: ferrodis_core::Error<std::io::Error>) -> Error {
        if self.inner.is_broken() {
            self.inner.get_ref().shutdown();
        }
        Error::from(e)
    }

    /// Sends a typed command from core's builders ([`ferrodis_core::cmd`]: `cmd::set(k,
    /// v).ex(60)`, `cmd::get(k)`, `cmd::xadd(..)`, or [`ferrodis_core::cmd::Cmd`] for any
    /// other) and returns its reply as the builder's own reply type, borrowing from the
    /// read buffer: the same call as on firmware. An error reply is
    /// [`ErrorKind::Server`] with its whole text; a reply that does not convert is
    /// [`ErrorKind::Reply`].
    ///
    /// ```no_run
    /// use ferrodis_std::Client;
    /// use ferrodis_std::core::cmd::{self, Command};
    ///
    /// let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
    /// conn.run(&cmd::set("greeting", "hello").ex(60))?;
    /// let greeting: Option<&str> = conn.run(&cmd::get("greeting").returning::<Option<&str>>())?;
    /// assert_eq!(greeting, Some("hello"));
    /// # Ok::<(), ferrodis_std::Error>(())
    /// ```
    pub fn run<C: Command>(&mut self, command: &C) -> Result<C::Reply<'_>> {
        // A connection that failed earlier is closed here: the borrow the reply keeps
        // leaves no room to close it on the way out.
        if self.inner.is_broken() {
            self.inner.get_ref().shutdown();
        }
        self.limit_for(block_time(command))?;
        self.inner.run(command).map_err(Error::from)
    }

    /// Sends one request (any [`CommandArgs`]: an argument array, a [`Cmd`](crate::Cmd), a
    /// typed builder) and hands its reply frame to `f`; an error reply becomes
    /// [`ErrorKind::Server`] with the server's whole message.
    pub fn request_with<C: CommandArgs + ?Sized, R>(
        &mut self,
        args: &C,
        f: impl FnOnce(Frame<'_>) -> R,
    ) -> Result<R> {
        let mut f = Some(f);
        let mut retry = None;
        let block = block_time(args);
        loop {
            self.limit_for(block)?;
            let e = match self.inner.request_args(args) {
                Ok(frame) => match server_error(&frame) {
                    Some(e) => {
                        crate::resolver::on_error(self.followed.as_ref(), &e);
                        e
                    }
                    None => return Ok(f.take().map(|f| f(frame)).expect("called once: it returns")),
                },
                Err(e) => self.fail(e),
            };
            if self.config.retry.retries() == 0 {
                return Err(e);
            }
            let retry =
                retry.get_or_insert_with(|| (Instant::now(), self.config.retry.begin(Duration::ZERO)));
            match retry.1.on_failure(e.retry_class(), e.delivery(), retry.0.elapsed(), random_word()) {
                Decision::RetryAfter(delay) => {
                    event!(debug, error = %e, ?delay, "retrying");
                    std::thread::sleep(delay);
                    if self.inner.is_broken() {
                        // A failed reconnect is the next attempt's failure: the request
                        // is not sent on a broken connection.
                        let _ = self.reconnect();
                    }
                }
                Decision::GiveUp(_) => return Err(e),
            }
        }
    }

    /// Sends all `commands` in one write and hands each reply (error replies as frames)
    /// to `on_reply` in order.
    pub fn pipeline_with(
        &mut self,
        commands: &[&[Arg<'_>]],
        on_reply: impl FnMut(usize, Frame<'_>),
    ) -> Result<()> {
        self.pipeline_args(commands, on_reply)
    }

    /// [`pipeline_with`](Self::pipeline_with) for any [`CommandArgs`].
    pub(crate) fn pipeline_args<C: CommandArgs + ?Sized>(
        &mut self,
        commands: &[&C],
        on_reply: impl FnMut(usize, Frame<'_>),
    ) -> Result<()> {
        match self.pipeline_write(commands)? {
            Some(written) => self.pipeline_replies(written, on_reply),
            None => Ok(()),
        }
    }

    /// The first half of [`pipeline_args`](Self::pipeline_args): the commands written,
    /// no reply read, so that the cluster client can write every node's part before it
    /// waits for any. `None` for no commands.
    pub(crate) fn pipeline_write<C: CommandArgs + ?Sized>(
        &mut self,
        commands: &[&C],
    ) -> Result<Option<Written>> {
        self.limit_for(batch_block_time(commands.iter().copied()))?;
        self.inner.pipeline_write(commands).map_err(|e| self.fail(e))
    }

    /// The second half: the replies to what [`pipeline_write`](Self::pipeline_write)
    /// wrote, in order.
    pub(crate) fn pipeline_replies(
        &mut self,
        written: Written,
        on_reply: impl FnMut(usize, Frame<'_>),
    ) -> Result<()> {
        self.inner.pipeline_replies(written, on_reply).map_err(|e| self.fail(e))
    }

    /// Runs `commands` in MULTI/EXEC and hands each reply to `on_reply`.
    pub fn transaction_with(
        &mut self,
        commands: &[&[Arg<'_>]],
        on_reply: impl FnMut(usize, Frame<'_>),
    ) -> Result<TransactionOutcome> {
        self.transaction_args(commands, on_reply)
    }

    /// [`transaction_with`](Self::transaction_with) for any [`CommandArgs`].
    pub(crate) fn transaction_args<C: CommandArgs + ?Sized>(
        &mut self,
        commands: &[&C],
        on_reply: impl FnMut(usize, Frame<'_>),
    ) -> Result<TransactionOutcome> {
        // Inside MULTI a blocking command does not block.
        self.limit_for(None)?;
        self.inner.transaction(commands, on_reply).map_err(|e| self.fail(e))
    }

    /// Sends one request whose reply is a bulk string and copies the string into
    /// `sink` as it arrives, whatever its size; `None` for a null reply.
    pub fn request_streaming<C: CommandArgs + ?Sized>(
        &mut self,
        args: &C,
        sink: &mut impl std::io::Write,
    ) -> Result<Option<usize>> {
        self.limit_for(block_time(args))?;
        let mut sink = embedded_io_adapters_lite::FromStd(sink);
        self.inner.request_streaming(args, &mut sink).map_err(|e| self.fail(e))
    }
}

/// `std::io::Write` as an `embedded_io::Write`, for streaming sinks.
mod embedded_io_adapters_lite {
    /// Wraps a `std::io::Write`.
    pub(crate) struct FromStd<'w, W: ?Sized>(pub(crate) &'w mut W);

    impl<W: std::io::Write + ?Sized> embedded_io::ErrorType for FromStd<'_, W> {
        type Error = std::io::Error;
    }

    impl<W: std::io::Write + ?Sized> embedded_io::Write for FromStd<'_, W> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.write(buf)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            self.0.flush()
        }
    }
}
