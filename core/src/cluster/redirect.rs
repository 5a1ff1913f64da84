//! `MOVED` and `ASK` redirects, parsed from the error reply's text into a slot and the
//! address of the node to ask, borrowing from the text.

use core::fmt;

use super::slot::SLOT_COUNT;
use crate::error::ServerError;

/// Which of the two redirects a node answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RedirectKind {
    /// `MOVED`: the slot belongs to the other node now; send this and every later request
    /// for the slot there (and update the slot map).
    Moved,
    /// `ASK`: the slot is being migrated and this key is on the other node already; send
    /// `ASKING` and then this one request there, and keep the slot map as it is.
    Ask,
}

/// A `MOVED <slot> <host>:<port>` or `ASK <slot> <host>:<port>` error reply, parsed.
///
/// The host borrows from the reply's text, so it is never cut short however long it is
/// (the hostname endpoints of managed clusters are long). Redis writes an IPv6 address
/// without brackets (`MOVED 1 ::1:6379`): the port is what follows the last `:`. An empty
/// host (`MOVED 3999 :6381`, sent by a node that does not know its own address) means the
/// node that sent the redirect, on the port given: [`Redirect::host`] is then `None`.
///
/// ```
/// use ferrodis_core::cluster::{Redirect, RedirectKind};
///
/// let moved = Redirect::parse(b"MOVED 3999 127.0.0.1:6381").unwrap();
/// assert_eq!(moved.kind(), RedirectKind::Moved);
/// assert_eq!((moved.slot(), moved.host(), moved.port()), (3999, Some("127.0.0.1"), 6381));
///
/// let ask = Redirect::parse(b"ASK 1 ::1:6379").unwrap();
/// assert_eq!((ask.kind(), ask.host(), ask.port()), (RedirectKind::Ask, Some("::1"), 6379));
///
/// // The node that answered, on another port.
/// assert_eq!(Redirect::parse(b"MOVED 3999 :6381").unwrap().host(), None);
/// assert!(Redirect::parse(b"MOVED 16384 127.0.0.1:6381").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Redirect<'a> {
    kind: RedirectKind,
    slot: u16,
    host: Option<&'a str>,
    port: u16,
}

impl<'a> Redirect<'a> {
    /// Parses the text of an error reply (without the `-` or `!` marker, as
    /// [`Frame::SimpleError`](crate::resp::Frame::SimpleError) holds it): exactly three
    /// words separated by single spaces, the code `MOVED` or `ASK`, a slot in
    /// `0..16384` and `host:port`. Anything else is an error, never a panic.
    pub fn parse(text: &'a [u8]) -> Result<Self, RedirectError> {
        let mut words = text.split(|&b| b == b' ');
        let kind = match words.next() {
            Some(b"MOVED") => RedirectKind::Moved,
            Some(b"ASK") => RedirectKind::Ask,
            _ => return Err(RedirectError::NotARedirect),
        };
        let slot = words
            .next()
            .and_then(decimal)
            .filter(|&slot| slot < u32::from(SLOT_COUNT))
            .ok_or(RedirectError::InvalidSlot)?;
        let address = words.next().ok_or(RedirectError::MissingAddress)?;
        if words.next().is_some() {
            return Err(RedirectError::TrailingText);
        }
        let colon = address.iter().rposition(|&b| b == b':').ok_or(RedirectError::MissingPort)?;
        let port = decimal(&address[colon + 1..])
            .and_then(|port| u16::try_from(port).ok())
            .filter(|&port| port != 0)
            .ok_or(RedirectError::InvalidPort)?;
        let host = host(&address[..colon])?;
        // In range: checked against SLOT_COUNT above.
        Ok(Redirect { kind, slot: slot as u16, host, port })
    }

    /// Parses the text of a [`ServerError`]; [`RedirectError::Truncated`] when the error
    /// kept only the start of a longer text (without the `alloc` feature, see
    /// [`ServerError::is_truncated`]): parse the reply frame's own text instead.
    ///
    /// ```
    /// use ferrodis_core::cluster::Redirect;
    /// use ferrodis_core::ServerError;
    ///
    /// let error = ServerError::new(b"ASK 12182 10.0.0.7:7001");
    /// assert_eq!(Redirect::from_server_error(&error).unwrap().slot(), 12182);
    /// ```
    pub fn from_server_error(error: &'a ServerError) -> Result<Self, RedirectError> {
        if error.is_truncated() {
            return Err(RedirectError::Truncated);
        }
        Self::parse(error.text())
    }

    /// `MOVED` or `ASK`.
    pub const fn kind(&self) -> RedirectKind {
        self.kind
    }

    /// The slot, in `0..16384`.
    pub const fn slot(&self) -> u16 {
        self.slot
    }

    /// The host to send to, as written (a name, an IPv4 or an IPv6 address without
    /// brackets); `None` for the node that sent the redirect.
    pub const fn host(&self) -> Option<&'a str> {
        self.host
    }

    /// The port to send to.
    pub const fn port(&self) -> u16 {
        self.port
    }
}

/// The host part of an address: `None` when empty; brackets around an IPv6 address, which
/// Redis does not write but a proxy might, are taken off.
fn host(text: &[u8]) -> Result<Option<&str>, RedirectError> {
    let text = match text {
        [b'[', inner @ .., b']'] => inner,
        _ => text,
    };
    if text.is_empty() {
        return Ok(None);
    }
    if text.iter().any(|&b| b.is_ascii_control() || b == b'[' || b == b']') {
        return Err(RedirectError::InvalidHost);
    }
    core::str::from_utf8(text).map(Some).map_err(|_| RedirectError::InvalidHost)
}

/// A decimal number of 1 to 5 ASCII digits (no sign, no spaces).
fn decimal(text: &[u8]) -> Option<u32> {
    if text.is_empty() || text.len() > 5 {
        return None;
    }
    text.iter().try_fold(0u32, |n, &b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
}

/// Why an error reply's text is not a redirect.
///
/// ```
/// use ferrodis_core::cluster::{Redirect, RedirectError};
///
/// assert_eq!(Redirect::parse(b"ERR no"), Err(RedirectError::NotARedirect));
/// assert_eq!(Redirect::parse(b"MOVED 20000 h:1"), Err(RedirectError::InvalidSlot));
/// assert_eq!(Redirect::parse(b"ASK 1 10.0.0.1"), Err(RedirectError::MissingPort));
/// assert_eq!(RedirectError::InvalidPort.to_string(), "redirect port is not in 1..=65535");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RedirectError {
    /// The code is neither `MOVED` nor `ASK`.
    NotARedirect,
    /// The slot is missing, not a decimal number, or not below 16384.
    InvalidSlot,
    /// There is no address after the slot.
    MissingAddress,
    /// The address has no `:port`.
    MissingPort,
    /// The port is not a decimal number in `1..=65535`.
    InvalidPort,
    /// The host is not UTF-8, or holds control characters or stray brackets.
    InvalidHost,
    /// More text follows the address.
    TrailingText,
    /// The [`ServerError`] kept only the start of the text.
    Truncated,
}

impl RedirectError {
    /// A static description of the error, usable without formatting machinery.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::NotARedirect => "not a MOVED or ASK error",
            Self::InvalidSlot => "redirect without a slot in 0..16384",
            Self::MissingAddress => "redirect without an address",
            Self::MissingPort => "redirect address without a port",
            Self::InvalidPort => "redirect port is not in 1..=65535",
            Self::InvalidHost => "redirect host is not a valid host",
            Self::TrailingText => "text after the redirect address",
            Self::Truncated => "redirect text was truncated",
        }
    }
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for RedirectError {}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use std::string::String;
    use std::vec::Vec;

    use super::*;
    use RedirectError::*;
    use RedirectKind::*;

    #[test]
    fn well_formed_redirects() {
        let long = "a-long-hostname-of-a-managed-cache-node-0001-001.shard-0001.use1.cache.example.test";
        let long_moved = std::format!("MOVED 16383 {long}:6379");
        type Case<'a> = (&'a [u8], RedirectKind, u16, Option<&'a str>, u16);
        let cases: &[Case<'_>] = &[
            (b"MOVED 3999 127.0.0.1:6381", Moved, 3999, Some("127.0.0.1"), 6381),
            (b"ASK 3999 127.0.0.1:6381", Ask, 3999, Some("127.0.0.1"), 6381),
            (b"MOVED 3999 :6381", Moved, 3999, None, 6381),
            (b"MOVED 1 ::1:6379", Moved, 1, Some("::1"), 6379),
            (b"ASK 0 fe80::1:2:3:65535", Ask, 0, Some("fe80::1:2:3"), 65535),
            (b"MOVED 7 [::1]:6379", Moved, 7, Some("::1"), 6379),
            (b"MOVED 7 []:6379", Moved, 7, None, 6379),
            (b"MOVED 0 redis-node-0.redis.svc:1", Moved, 0, Some("redis-node-0.redis.svc"), 1),
            (b"MOVED 00012 h:06379", Moved, 12, Some("h"), 6379),
            (long_moved.as_bytes(), Moved, 16383, Some(long), 6379),
        ];
        for &(text, kind, slot, host, port) in cases {
            let redirect = Redirect::parse(text).unwrap_or_else(|e| panic!("{}: {e}", text.escape_ascii()));
            assert_eq!(
                (redirect.kind(), redirect.slot(), redirect.host(), redirect.port()),
                (kind, slot, host, port),
                "{}",
                text.escape_ascii()
            );
        }
    }

    #[test]
    fn malformed_redirects_are_errors() {
        let cases: &[(&[u8], RedirectError)] = &[
            (b"", NotARedirect),
            (b"ERR unknown command", NotARedirect),
            (b"moved 1 h:1", NotARedirect),
            (b"MOVEDX 1 h:1", NotARedirect),
            (b"MOVED", InvalidSlot),
            (b"MOVED ", InvalidSlot),
            (b"MOVED 16384 h:1", InvalidSlot),
            (b"MOVED 99999 h:1", InvalidSlot),
            (b"MOVED 123456 h:1", InvalidSlot),
            (b"MOVED -1 h:1", InvalidSlot),
            (b"MOVED +1 h:1", InvalidSlot),
            (b"MOVED 1a h:1", InvalidSlot),
            (b"MOVED  1 h:1", InvalidSlot),
            (b"MOVED 1", MissingAddress),
            (b"MOVED 1 h:1 extra", TrailingText),
            (b"MOVED 1 h:1 ", TrailingText),
            (b"MOVED 1 127.0.0.1", MissingPort),
            (b"MOVED 1 ", MissingPort),
            (b"MOVED 1 h:", InvalidPort),
            (b"MOVED 1 h:0", InvalidPort),
            (b"MOVED 1 h:65536", InvalidPort),
            (b"MOVED 1 h:6379x", InvalidPort),
            (b"MOVED 1 h:-1", InvalidPort),
            (b"MOVED 1 h\xff:1", InvalidHost),
            (b"MOVED 1 h\r:1", InvalidHost),
            (b"MOVED 1 [::1:1", InvalidHost),
            (b"MOVED 1 ::1]:1", InvalidHost),
        ];
        for &(text, error) in cases {
            assert_eq!(Redirect::parse(text), Err(error), "{}", text.escape_ascii());
        }
    }

    #[test]
    fn from_a_server_error() {
        let error = ServerError::new(b"MOVED 866 10.0.0.1:7000");
        assert_eq!(
            Redirect::from_server_error(&error),
            Ok(Redirect { kind: Moved, slot: 866, host: Some("10.0.0.1"), port: 7000 })
        );
        assert_eq!(Redirect::from_server_error(&ServerError::new(b"ERR no")), Err(NotARedirect));

        let mut long = String::from("MOVED 1 ");
        long.extend(core::iter::repeat_n('h', 300));
        long.push_str(":6379");
        let error = ServerError::new(long.as_bytes());
        let parsed = Redirect::from_server_error(&error);
        if error.is_truncated() {
            assert_eq!(parsed, Err(Truncated));
        } else {
            assert_eq!(parsed.unwrap().host().map(str::len), Some(300));
        }
        // The frame's own text is never cut.
        assert_eq!(Redirect::parse(long.as_bytes()).unwrap().host().map(str::len), Some(300));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

        /// Never a panic, and what parses says what the text says.
        #[test]
        fn any_text_parses_or_errs(
            text in proptest::collection::vec(
                prop_oneof![Just(b' '), Just(b':'), Just(b'1'), Just(b'M'), any::<u8>()], 0..40),
            prefix in prop_oneof![Just(&b"MOVED "[..]), Just(&b"ASK "[..]), Just(&b""[..])],
        ) {
            let mut full = Vec::from(prefix);
            full.extend_from_slice(&text);
            if let Ok(redirect) = Redirect::parse(&full) {
                prop_assert!(redirect.slot() < SLOT_COUNT);
                prop_assert!(redirect.port() != 0);
                let port = std::format!("{}", redirect.port());
                prop_assert!(full.ends_with(port.as_bytes()));
            }
        }

        #[test]
        fn round_trips(slot in 0u16..16384, port in 1u16.., host in "[a-z0-9.:-]{0,80}", ask: bool) {
            let code = if ask { "ASK" } else { "MOVED" };
            let text = std::format!("{code} {slot} {host}:{port}");
            let redirect = Redirect::parse(text.as_bytes()).unwrap();
            prop_assert_eq!(redirect.slot(), slot);
            prop_assert_eq!(redirect.port(), port);
            prop_assert_eq!(redirect.host(), (!host.is_empty()).then_some(host.as_str()));
            prop_assert_eq!(redirect.kind(), if ask { Ask } else { Moved });
        }
    }
}
