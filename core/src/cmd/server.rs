//! Server and connection: `PING`, `ECHO`, `INFO`, `SELECT`, `DBSIZE`, `FLUSHDB`,
//! `CLIENT ...`, `TIME`, `CONFIG GET` / `CONFIG SET`.

use super::args::{Part, by_parts, fixed};
use crate::reply::{Map, Okay};
use crate::resp::Arg;

/// Whether `FLUSHDB`, `FLUSHALL` and `SCRIPT FLUSH` free memory in the background.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FlushMode {
    /// `ASYNC`: in the background.
    Async,
    /// `SYNC`: before replying.
    Sync,
}

impl FlushMode {
    pub(crate) const fn word(mode: Option<FlushMode>) -> Option<&'static str> {
        match mode {
            Some(FlushMode::Async) => Some("ASYNC"),
            Some(FlushMode::Sync) => Some("SYNC"),
            None => None,
        }
    }
}

fixed! {
    /// `ECHO message`: the message.
    fn echo(message) -> Echo ["ECHO"] => &'r [u8];
    /// `SELECT index`: switches the connection to another database.
    fn select(index: u32) -> Select ["SELECT"] => Okay;
    /// `DBSIZE`: the number of keys in the database.
    fn dbsize() -> DbSize ["DBSIZE"] => u64;
    /// `TIME`: the server's clock as (Unix seconds, microseconds).
    fn time() -> Time ["TIME"] => (i64, i64);
    /// `CLIENT SETNAME name`: names the connection.
    fn client_setname(name) -> ClientSetName ["CLIENT", "SETNAME"] => Okay;
    /// `CLIENT GETNAME`: the connection's name, or `None`.
    fn client_getname() -> ClientGetName ["CLIENT", "GETNAME"] => Option<&'r [u8]>;
    /// `CLIENT ID`: the connection's id.
    fn client_id() -> ClientId ["CLIENT", "ID"] => u64;
    /// `CLIENT LIST`: one line of `key=value` fields per connection.
    fn client_list() -> ClientList ["CLIENT", "LIST"] => &'r str;
    /// `CLIENT INFO`: the `CLIENT LIST` line of this connection.
    fn client_info() -> ClientInfo ["CLIENT", "INFO"] => &'r str;
    /// `CONFIG GET pattern`: the parameters matching a glob pattern, with their values.
    ///
    /// ```
    /// use ferrodis_core::cmd;
    /// use ferrodis_core::resp::encode_args;
    ///
    /// let mut buf = [0u8; 64];
    /// let n = encode_args(&mut buf, &cmd::config_get("maxmemory*")).unwrap();
    /// assert_eq!(&buf[..n], b"*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$10\r\nmaxmemory*\r\n");
    /// // conn.run(&cmd::config_get("maxmemory"))?.get_as::<u64>("maxmemory")
    /// ```
    fn config_get(pattern) -> ConfigGet ["CONFIG", "GET"] => Map<'r>;
    /// `CONFIG SET parameter value`.
    fn config_set(parameter, value) -> ConfigSet ["CONFIG", "SET"] => Okay;
}

/// `PING [message]`; see [`ping`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ping<'a> {
    message: Option<Arg<'a>>,
}

/// `PING`: `PONG`, or the message given with [`Ping::message`].
///
/// ```
/// use ferrodis_core::cmd;
/// use ferrodis_core::resp::encode_args;
///
/// let mut buf = [0u8; 32];
/// let n = encode_args(&mut buf, &cmd::ping()).unwrap();
/// assert_eq!(&buf[..n], b"*1\r\n$4\r\nPING\r\n");
/// ```
pub fn ping<'a>() -> Ping<'a> {
    Ping { message: None }
}

impl<'a> Ping<'a> {
    /// Sends `message`, which the server echoes.
    #[must_use]
    pub fn message(mut self, message: impl Into<Arg<'a>>) -> Self {
        self.message = Some(message.into());
        self
    }

    fn parts(&self) -> [Part<'_>; 2] {
        [Part::One(Arg::from("PING")), self.message.map_or(Part::Skip, Part::One)]
    }
}

/// `INFO [section]`; see [`info`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Info<'a> {
    section: Option<Arg<'a>>,
}

/// `INFO`: the server's report, as `# Section` headers and `field:value` lines.
pub fn info<'a>() -> Info<'a> {
    Info { section: None }
}

impl<'a> Info<'a> {
    /// Only one section (`server`, `memory`, `replication`, `all`, ...).
    #[must_use]
    pub fn section(mut self, section: impl Into<Arg<'a>>) -> Self {
        self.section = Some(section.into());
        self
    }

    fn parts(&self) -> [Part<'_>; 2] {
        [Part::One(Arg::from("INFO")), self.section.map_or(Part::Skip, Part::One)]
    }
}

/// `FLUSHDB` or `FLUSHALL` with `ASYNC` or `SYNC`; see [`flushdb`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flush {
    name: &'static str,
    mode: Option<FlushMode>,
}

/// `FLUSHDB [ASYNC | SYNC]`: deletes every key of the database.
pub fn flushdb() -> Flush {
    Flush { name: "FLUSHDB", mode: None }
}

/// `FLUSHALL [ASYNC | SYNC]`: deletes every key of every database.
pub fn flushall() -> Flush {
    Flush { name: "FLUSHALL", mode: None }
}

impl Flush {
    /// `ASYNC` or `SYNC`.
    #[must_use]
    pub fn mode(mut self, mode: FlushMode) -> Self {
        self.mode = Some(mode);
        self
    }

    fn parts(&self) -> [Part<'_>; 2] {
        [Part::One(Arg::from(self.name)), Part::word(FlushMode::word(self.mode))]
    }
}

/// `CLIENT KILL` with filters; see [`client_kill`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClientKill<'a> {
    id: Option<u64>,
    addr: Option<Arg<'a>>,
    laddr: Option<Arg<'a>>,
    user: Option<Arg<'a>>,
    skipme: Option<bool>,
}

/// `CLIENT KILL [ID id] [ADDR ip:port] [LADDR ip:port] [USER name] [SKIPME yes|no]`: how
/// many connections were closed. Give at least one filter.
pub fn client_kill<'a>() -> ClientKill<'a> {
    ClientKill { id: None, addr: None, laddr: None, user: None, skipme: None }
}

impl<'a> ClientKill<'a> {
    /// `ID id`: the connection with this id.
    #[must_use]
    pub fn id(mut self, id: u64) -> Self {
        self.id = Some(id);
        self
    }

    /// `ADDR ip:port`: the connection from this address.
    #[must_use]
    pub fn addr(mut self, addr: impl Into<Arg<'a>>) -> Self {
        self.addr = Some(addr.into());
        self
    }

    /// `LADDR ip:port`: the connections to this local address of the server.
    #[must_use]
    pub fn laddr(mut self, laddr: impl Into<Arg<'a>>) -> Self {
        self.laddr = Some(laddr.into());
        self
    }

    /// `USER name`: the connections of an ACL user.
    #[must_use]
    pub fn user(mut self, user: impl Into<Arg<'a>>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// `SKIPME yes|no`: whether to spare the calling connection (the server's default: yes).
    #[must_use]
    pub fn skipme(mut self, skip: bool) -> Self {
        self.skipme = Some(skip);
        self
    }

    fn parts(&self) -> [Part<'_>; 6] {
        [
            Part::Two(Arg::from("CLIENT"), Arg::from("KILL")),
            Part::opt("ID", self.id),
            Part::opt("ADDR", self.addr),
            Part::opt("LADDR", self.laddr),
            Part::opt("USER", self.user),
            Part::opt("SKIPME", self.skipme.map(|s| if s { "yes" } else { "no" })),
        ]
    }
}

by_parts! {
    impl['a] Ping<'a> => &'r [u8];
    impl['a] Info<'a> => &'r str;
    impl[] Flush => Okay;
    impl['a] ClientKill<'a> => u64;
}
