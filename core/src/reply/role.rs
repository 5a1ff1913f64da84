//! [`ServerRole`]: what a server says it is, in its reply to `ROLE`.

use crate::resp::Frame;

/// A server's role, from the first element of its `ROLE` reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ServerRole {
    /// `master`: a primary.
    Primary,
    /// `slave` (or `replica`): a replica.
    Replica,
    /// `sentinel`.
    Sentinel,
}

impl ServerRole {
    /// The role `reply` (to `ROLE`) names; `None` for a reply that is not a `ROLE` reply (an
    /// error reply from a server that refuses the command, say).
    ///
    /// ```
    /// use ferrodis_core::reply::ServerRole;
    /// use ferrodis_core::resp::{Decoded, decode};
    ///
    /// let Ok(Decoded::Complete { frame, .. }) = decode(b"*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n") else { panic!() };
    /// assert_eq!(ServerRole::of(&frame), Some(ServerRole::Primary));
    /// ```
    pub fn of(reply: &Frame<'_>) -> Option<Self> {
        let (Frame::Array(items) | Frame::Push(items)) = reply else { return None };
        let first = items.iter().next()?;
        let (Frame::BulkString(name) | Frame::SimpleString(name)) = first else { return None };
        match name {
            b"master" => Some(Self::Primary),
            b"slave" | b"replica" => Some(Self::Replica),
            b"sentinel" => Some(Self::Sentinel),
            _ => None,
        }
    }
}
