//! The error replies a cluster router acts on, sorted by what they mean for routing.

use super::redirect::{Redirect, RedirectError};
use crate::error::ServerErrorKind;
use crate::resp::Frame;

/// An error reply that says something about where or when to send a request, as opposed
/// to an error that is the request's answer (`WRONGTYPE`, `ERR`, ...), which goes to the
/// caller as it is.
///
/// The server error kinds are [`ServerErrorKind`]'s; this sorts them by what a router does
/// about them, and parses the redirects.
///
/// ```
/// use ferrodis_core::cluster::{ClusterErrorReply, RedirectKind};
/// use ferrodis_core::ServerErrorKind;
///
/// let Ok(Some(ClusterErrorReply::Redirect(moved))) = ClusterErrorReply::parse(b"MOVED 3999 10.0.0.2:6379")
/// else { panic!() };
/// assert_eq!((moved.kind(), moved.slot()), (RedirectKind::Moved, 3999));
///
/// assert_eq!(
///     ClusterErrorReply::parse(b"TRYAGAIN Multiple keys request during rehashing of slot"),
///     Ok(Some(ClusterErrorReply::Unavailable(ServerErrorKind::TryAgain))),
/// );
/// assert_eq!(ClusterErrorReply::parse(b"WRONGTYPE Operation against a key"), Ok(None));
/// // A redirect that does not parse is an error, not "no cluster error".
/// assert!(ClusterErrorReply::parse(b"MOVED 3999").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ClusterErrorReply<'a> {
    /// `MOVED` or `ASK`: send the request to the node named (see [`Redirect`]).
    Redirect(Redirect<'a>),
    /// The node cannot serve the request now, and the same request may succeed later:
    /// [`TryAgain`](ServerErrorKind::TryAgain) (a multi-key request on a slot whose keys
    /// are split by a migration), [`ClusterDown`](ServerErrorKind::ClusterDown) (the
    /// cluster is failing, or the slot is served by no node: refresh the slot map),
    /// [`MasterDown`](ServerErrorKind::MasterDown) (a replica that lost its primary) or
    /// [`Loading`](ServerErrorKind::Loading) (the node is loading its data). Retry after
    /// a backoff, a bounded number of times.
    Unavailable(ServerErrorKind),
    /// `READONLY`: a write reached a replica, so the node taken for the slot's primary is
    /// not one any more (a failover happened): refresh the slot map and send to the new
    /// primary.
    NotPrimary,
    /// `CROSSSLOT`: the request's keys are in several slots. The request's fault: never
    /// retried.
    CrossSlot,
}

impl<'a> ClusterErrorReply<'a> {
    /// Sorts the text of an error reply (without the `-` or `!` marker): `Ok(None)` when it
    /// is not one of the errors above, and the parse error when it is a `MOVED` or `ASK`
    /// that does not parse.
    pub fn parse(text: &'a [u8]) -> Result<Option<Self>, RedirectError> {
        Ok(Some(match ServerErrorKind::of(text) {
            ServerErrorKind::Moved | ServerErrorKind::Ask => Self::Redirect(Redirect::parse(text)?),
            kind @ (ServerErrorKind::TryAgain
            | ServerErrorKind::ClusterDown
            | ServerErrorKind::MasterDown
            | ServerErrorKind::Loading) => Self::Unavailable(kind),
            ServerErrorKind::ReadOnly => Self::NotPrimary,
            ServerErrorKind::CrossSlot => Self::CrossSlot,
            _ => return Ok(None),
        }))
    }

    /// [`ClusterErrorReply::parse`] for a reply frame: `Ok(None)` for a frame that is not
    /// an error reply.
    ///
    /// ```
    /// use ferrodis_core::cluster::ClusterErrorReply;
    /// use ferrodis_core::resp::Frame;
    ///
    /// assert_eq!(ClusterErrorReply::of_frame(&Frame::SimpleError(b"READONLY You can't write")),
    ///            Ok(Some(ClusterErrorReply::NotPrimary)));
    /// assert_eq!(ClusterErrorReply::of_frame(&Frame::SimpleString(b"OK")), Ok(None));
    /// ```
    pub fn of_frame(frame: &Frame<'a>) -> Result<Option<Self>, RedirectError> {
        match *frame {
            Frame::SimpleError(text) | Frame::BulkError(text) => Self::parse(text),
            _ => Ok(None),
        }
    }

    /// The server error kind it came from.
    pub const fn kind(&self) -> ServerErrorKind {
        match self {
            Self::Redirect(redirect) => match redirect.kind() {
                super::RedirectKind::Moved => ServerErrorKind::Moved,
                super::RedirectKind::Ask => ServerErrorKind::Ask,
            },
            Self::Unavailable(kind) => *kind,
            Self::NotPrimary => ServerErrorKind::ReadOnly,
            Self::CrossSlot => ServerErrorKind::CrossSlot,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ServerErrorKind as K;

    #[test]
    fn every_cluster_error_the_servers_send() {
        // The texts as Redis 7.0 and Valkey send them.
        let cases: &[(&[u8], Option<ClusterErrorReply<'_>>)] = &[
            (
                b"TRYAGAIN Multiple keys request during rehashing of slot",
                Some(ClusterErrorReply::Unavailable(K::TryAgain)),
            ),
            (b"CLUSTERDOWN The cluster is down", Some(ClusterErrorReply::Unavailable(K::ClusterDown))),
            (b"CLUSTERDOWN Hash slot not served", Some(ClusterErrorReply::Unavailable(K::ClusterDown))),
            (
                b"MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
                Some(ClusterErrorReply::Unavailable(K::MasterDown)),
            ),
            (
                b"LOADING Redis is loading the dataset in memory",
                Some(ClusterErrorReply::Unavailable(K::Loading)),
            ),
            (b"READONLY You can't write against a read only replica.", Some(ClusterErrorReply::NotPrimary)),
            (b"CROSSSLOT Keys in request don't hash to the same slot", Some(ClusterErrorReply::CrossSlot)),
            (b"ERR unknown command 'FOO'", None),
            (b"WRONGTYPE Operation against a key holding the wrong kind of value", None),
            (b"NOSCRIPT No matching script", None),
            (b"", None),
        ];
        for &(text, expected) in cases {
            let sorted = ClusterErrorReply::parse(text).unwrap();
            assert_eq!(sorted, expected, "{}", text.escape_ascii());
            if let Some(sorted) = sorted {
                assert_eq!(sorted.kind(), ServerErrorKind::of(text));
            }
        }
    }

    #[test]
    fn redirects_are_parsed_and_keep_their_kind() {
        for (text, kind) in [(&b"MOVED 1 h:2"[..], K::Moved), (b"ASK 1 h:2", K::Ask)] {
            let Ok(Some(sorted @ ClusterErrorReply::Redirect(redirect))) = ClusterErrorReply::parse(text)
            else {
                panic!("{}", text.escape_ascii())
            };
            assert_eq!((redirect.slot(), redirect.host(), redirect.port()), (1, Some("h"), 2));
            assert_eq!(sorted.kind(), kind);
        }
        assert_eq!(ClusterErrorReply::parse(b"ASK x h:2"), Err(RedirectError::InvalidSlot));
        assert_eq!(ClusterErrorReply::parse(b"MOVED"), Err(RedirectError::InvalidSlot));
    }

    #[test]
    fn frames() {
        assert_eq!(
            ClusterErrorReply::of_frame(&Frame::BulkError(b"CROSSSLOT Keys in request")),
            Ok(Some(ClusterErrorReply::CrossSlot))
        );
        assert_eq!(ClusterErrorReply::of_frame(&Frame::BulkString(b"MOVED 1 h:2")), Ok(None));
        assert_eq!(ClusterErrorReply::of_frame(&Frame::Null), Ok(None));
    }
}
