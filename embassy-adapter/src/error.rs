//! [`NetError`]: the transport error of an embassy-net connection, keeping embassy-net's
//! own error and mapping it to an [`embedded_io::ErrorKind`].

use core::fmt;

use embassy_net::{dns, tcp};

/// What went wrong on the network, below Redis. It is the transport error `E` of
/// [`ferrodis_core::Error<E>`], so it arrives as [`ErrorKind::Io`](ferrodis_core::ErrorKind::Io).
/// The embassy-net error is kept as it was (`Socket`, `Connect`, `Dns`), and
/// [`embedded_io::Error::kind`] maps it to a portable kind, as the table below shows.
///
/// The kind is what the core acts on: after a read that failed with
/// [`TimedOut`](NetError::TimedOut) (kind `TimedOut`) the connection stays usable and the
/// late reply is dropped when it comes; every other kind marks the connection broken.
///
/// | variant | `embedded_io::ErrorKind` |
/// |---|---|
/// | `Socket(ConnectionReset)` | `ConnectionReset` |
/// | `Connect(ConnectionReset)` (a RST answered the SYN) | `ConnectionRefused` |
/// | `Connect(TimedOut)`, `TimedOut` | `TimedOut` |
/// | `Connect(NoRoute)` | `NotConnected` |
/// | `Connect(InvalidState)` | `Other` |
/// | `Dns(InvalidName)`, `Dns(NameTooLong)` | `InvalidInput` |
/// | `Dns(Failed)` | `NotFound` |
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum NetError {
    /// A read, write or flush on the socket failed: the connection was reset (by a RST,
    /// or by the socket's keep-alive timeout).
    Socket(tcp::Error),
    /// The TCP connect failed.
    Connect(tcp::ConnectError),
    /// The server's host name could not be resolved.
    Dns(dns::Error),
    /// The server did not answer within the configured timeout (connect, DNS, or one
    /// read, write or flush of a request).
    TimedOut,
}

impl NetError {
    /// A static description of the error.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Socket(tcp::Error::ConnectionReset) => "connection reset",
            Self::Connect(tcp::ConnectError::ConnectionReset) => "connection refused",
            Self::Connect(tcp::ConnectError::TimedOut) => "connect timed out",
            Self::Connect(tcp::ConnectError::NoRoute) => "no route to the server",
            Self::Connect(tcp::ConnectError::InvalidState) => "socket already in use",
            Self::Dns(dns::Error::InvalidName) => "invalid host name",
            Self::Dns(dns::Error::NameTooLong) => "host name too long",
            Self::Dns(dns::Error::Failed) => "host name lookup failed",
            Self::TimedOut => "timed out",
        }
    }
}

impl From<tcp::Error> for NetError {
    fn from(e: tcp::Error) -> Self {
        Self::Socket(e)
    }
}

impl From<tcp::ConnectError> for NetError {
    fn from(e: tcp::ConnectError) -> Self {
        Self::Connect(e)
    }
}

impl From<dns::Error> for NetError {
    fn from(e: dns::Error) -> Self {
        Self::Dns(e)
    }
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for NetError {}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_io::{Error as _, ErrorKind as K};

    #[test]
    fn kinds_keep_their_meaning() {
        let table: [(NetError, K); 9] = [
            (tcp::Error::ConnectionReset.into(), K::ConnectionReset),
            (tcp::ConnectError::ConnectionReset.into(), K::ConnectionRefused),
            (tcp::ConnectError::TimedOut.into(), K::TimedOut),
            (tcp::ConnectError::NoRoute.into(), K::NotConnected),
            (tcp::ConnectError::InvalidState.into(), K::Other),
            (dns::Error::InvalidName.into(), K::InvalidInput),
            (dns::Error::NameTooLong.into(), K::InvalidInput),
            (dns::Error::Failed.into(), K::NotFound),
            (NetError::TimedOut, K::TimedOut),
        ];
        for (error, kind) in table {
            assert_eq!(error.kind(), kind, "{error}");
        }
    }
}
