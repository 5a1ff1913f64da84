//! Sentinel URLs: `redis+sentinel://` and `rediss+sentinel://`, the sentinels of a service
//! in one URL, borrowing from the input and allocating nothing.

use core::fmt;

use super::options::{Options, Query};
use super::text::{Secret, Text};
use super::{
    DEFAULT_HOST, Scheme, Split, UrlError, UrlPart, parse_port, path_db, split_host_port,
    write_scheme_and_userinfo,
};

/// The port of a sentinel that a sentinel URL names without one (Redis Sentinel's own
/// default).
pub const DEFAULT_SENTINEL_PORT: u16 = 26379;

/// A parsed `redis+sentinel://` or `rediss+sentinel://` URL: where the sentinels listen,
/// the name of the service they watch, and how to connect to its master. Borrows from the
/// input string.
///
/// ```text
/// redis+sentinel://[[username]:[password]@]host[:port][,host[:port]...]/service[/db][?options]
/// rediss+sentinel://...
/// ```
///
/// This is the form of the Python `redis-sentinel-url` package, which defined the
/// scheme, and of the clients that took it up (LangChain, RedisVL, Prefect); redis-py has
/// no sentinel URL. The rules, [`ConnectionUrl`](super::ConnectionUrl)'s unless said:
///
/// - The sentinels are a comma-separated list of `host[:port]` (an IPv6 host in
///   brackets, `[::1]:26380`); a port not given is [`DEFAULT_SENTINEL_PORT`]. A URL with
///   no host at all (`redis+sentinel:///mymaster`) names one sentinel at [`DEFAULT_HOST`];
///   in a list of several every entry names a host (`h1,,h2` is
///   [`UrlError::InvalidHost`]).
/// - The path is the service's name, then perhaps its database: `/mymaster` or
///   `/mymaster/2` (a trailing `/` allowed). Both are percent-decoded. The service is
///   required ([`UrlError::MissingService`]); the `db` query option wins over the path.
/// - The user name and password (the userinfo, else the `username` and `password`
///   options) are the master's. The sentinels' own are the `sentinel_username` and
///   `sentinel_password` options (redis-py's `sentinel_kwargs`), and
///   `min_other_sentinels` is redis-py's. The other options are the master
///   connection's, as in a `redis://` URL; the cluster options are refused.
/// - `rediss+sentinel://` means TLS to the sentinels and to the master, and allows the
///   `ssl_*` options.
///
/// `Debug` and `Display` never show either password.
///
/// ```
/// use ferrodis_core::url::{SentinelUrl, DEFAULT_SENTINEL_PORT};
///
/// let url = SentinelUrl::parse(
///     "redis+sentinel://:masterpw@s1:26380,s2,[::1]/mymaster/2?sentinel_password=sentpw&min_other_sentinels=1",
/// )?;
/// let sentinels: Vec<_> = url.sentinels().map(|(host, port)| (host.to_string(), port)).collect();
/// assert_eq!(sentinels, [("s1".into(), 26380), ("s2".into(), DEFAULT_SENTINEL_PORT), ("::1".into(), 26379)]);
/// assert_eq!(url.service(), "mymaster");
/// assert_eq!(url.db(), 2);
/// assert_eq!(url.password().unwrap().expose(), "masterpw");
/// assert_eq!(url.options().sentinel_password.unwrap().expose(), "sentpw");
/// assert_eq!(url.options().min_other_sentinels, Some(1));
/// assert_eq!(url.to_string(), "redis+sentinel://:***@s1:26380,s2:26379,[::1]:26379/mymaster/2");
/// # Ok::<(), ferrodis_core::UrlError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SentinelUrl<'a> {
    tls: bool,
    sentinels: Sentinels<'a>,
    service: Text<'a>,
    db: u32,
    username: Option<Text<'a>>,
    password: Option<Secret<'a>>,
    options: Options<'a>,
}

impl<'a> SentinelUrl<'a> {
    /// Parses a sentinel URL.
    ///
    /// # Errors
    ///
    /// A [`UrlError`] saying what is wrong ([`UrlError::NotSentinelScheme`] for a
    /// `redis://`, `rediss://` or `unix://` URL); it never holds a password.
    pub fn parse(input: &'a str) -> Result<Self, UrlError> {
        let split = Split::new(input)?;
        if !split.scheme.is_sentinel() {
            return Err(UrlError::NotSentinelScheme);
        }
        let sentinels = Sentinels::parse(split.hosts)?;

        let path = split.path.strip_prefix('/').unwrap_or(split.path);
        let (service, db) = path.split_once('/').unwrap_or((path, ""));
        if service.is_empty() {
            return Err(UrlError::MissingService);
        }
        let service = Text::component(service).ok_or(UrlError::InvalidEscape(UrlPart::Path))?;
        let path_db = path_db(db)?;

        let query = Query::parse(split.query, split.scheme)?;
        let (username, password) = split.credentials(&query);
        Ok(Self {
            tls: split.scheme.is_tls(),
            sentinels,
            service,
            db: query.db.or(path_db).unwrap_or(0),
            username,
            password,
            options: query.options,
        })
    }

    /// The scheme: [`Scheme::RedisSentinel`] or [`Scheme::RedissSentinel`].
    pub const fn scheme(&self) -> Scheme {
        if self.tls { Scheme::RedissSentinel } else { Scheme::RedisSentinel }
    }

    /// Whether the sentinels and the master are reached over TLS (`rediss+sentinel://`).
    pub const fn is_tls(&self) -> bool {
        self.tls
    }

    /// The sentinels, in the URL's order: each host (an IPv6 address without its
    /// brackets) and port. Never empty.
    pub const fn sentinels(&self) -> Sentinels<'a> {
        self.sentinels
    }

    /// The name the sentinels know the service by (`mymaster`).
    pub const fn service(&self) -> Text<'a> {
        self.service
    }

    /// The master's database to `SELECT`: the `db` option, else the path's, else 0.
    pub const fn db(&self) -> u32 {
        self.db
    }

    /// The master's user name, from the userinfo or else the `username` option.
    pub const fn username(&self) -> Option<Text<'a>> {
        self.username
    }

    /// The master's password, from the userinfo or else the `password` option.
    pub const fn password(&self) -> Option<Secret<'a>> {
        self.password
    }

    /// The query options: the master connection's, and the sentinel options
    /// (`sentinel_username`, `sentinel_password`, `min_other_sentinels`).
    pub const fn options(&self) -> &Options<'a> {
        &self.options
    }
}

impl<'a> TryFrom<&'a str> for SentinelUrl<'a> {
    type Error = UrlError;

    fn try_from(input: &'a str) -> Result<Self, UrlError> {
        Self::parse(input)
    }
}

/// The URL without its options and with the password as `***`, such as
/// `redis+sentinel://app:***@s1:26379,s2:26379/mymaster/0`; fit for logs.
impl fmt::Display for SentinelUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_scheme_and_userinfo(f, self.scheme(), self.username, self.password.is_some())?;
        for (i, (host, port)) in self.sentinels.enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if host.raw().contains(':') {
                write!(f, "[{}]:{port}", host.raw())?;
            } else {
                write!(f, "{}:{port}", host.raw())?;
            }
        }
        write!(f, "/{}/{}", self.service.raw(), self.db)
    }
}

/// The sentinels of a [`SentinelUrl`], each as its host (an IPv6 address without its
/// brackets) and port; from [`SentinelUrl::sentinels`].
///
/// The list was checked when the URL was parsed, so iterating cannot fail; nothing is
/// stored but the list's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Sentinels<'a> {
    /// The entries not yet yielded, comma-separated, as written.
    rest: &'a str,
    /// How many entries `rest` holds.
    remaining: usize,
    /// Whether the list has more than one entry (then none may have an empty host).
    several: bool,
}

impl<'a> Sentinels<'a> {
    /// Checks every entry of `hosts`, the comma-separated list.
    fn parse(hosts: &'a str) -> Result<Self, UrlError> {
        let several = hosts.contains(',');
        let mut remaining = 0;
        for entry in hosts.split(',') {
            entry_of(entry, several)?;
            remaining += 1;
        }
        Ok(Self { rest: hosts, remaining, several })
    }
}

impl<'a> Iterator for Sentinels<'a> {
    type Item = (Text<'a>, u16);

    fn next(&mut self) -> Option<(Text<'a>, u16)> {
        while self.remaining > 0 {
            let (entry, rest) = self.rest.split_once(',').unwrap_or((self.rest, ""));
            self.rest = rest;
            self.remaining -= 1;
            // Checked when parsed: every entry is well formed, so none is skipped.
            if let Ok(sentinel) = entry_of(entry, self.several) {
                return Some(sentinel);
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for Sentinels<'_> {}

impl core::iter::FusedIterator for Sentinels<'_> {}

/// One entry of a sentinel list, `host[:port]` or `[ipv6][:port]`; with `several`, an
/// empty host is an error rather than [`DEFAULT_HOST`].
fn entry_of(entry: &str, several: bool) -> Result<(Text<'_>, u16), UrlError> {
    let (host, port) = split_host_port(entry)?;
    let host = Text::component(host).ok_or(UrlError::InvalidEscape(UrlPart::Host))?;
    let host = match (host.is_empty(), several) {
        (false, _) => host,
        (true, false) => Text::plain(DEFAULT_HOST),
        (true, true) => return Err(UrlError::InvalidHost),
    };
    let port = match port {
        None | Some("") => DEFAULT_SENTINEL_PORT,
        Some(port) => parse_port(port)?,
    };
    Ok((host, port))
}
