//! Subscriptions that survive a reconnect: the channels and patterns that
//! [`connect`](crate::connect) subscribes to after every handshake.

use ferrodis_core::conn::{Buffer, PushHandler};
use ferrodis_core::resp::{Arg, ArgSink, CommandArgs, Frame};
use ferrodis_core::{Delivery, Error, ErrorKind, ServerError};

use crate::{Connection, NetError};

/// Channels (`SUBSCRIBE`) and patterns (`PSUBSCRIBE`) to subscribe to on every connect.
///
/// Messages come as push frames on both protocols: from
/// [`receive`](ferrodis_core::conn::asynch::Connection::receive), or, while another
/// operation waits, at the push handler
/// ([`Connection::with_push_handler`](ferrodis_core::conn::asynch::Connection::with_push_handler)).
/// With RESP3 ([`Protocol::Resp3`](ferrodis_core::conn::Protocol::Resp3)) the connection
/// stays usable for commands; with RESP2 it is in subscribed mode afterwards, where the
/// server runs only subscription commands, `PING` and `RESET`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Subscriptions<'a> {
    /// Channel names, for `SUBSCRIBE`.
    pub channels: &'a [&'a str],
    /// Glob-style patterns, for `PSUBSCRIBE`.
    pub patterns: &'a [&'a str],
}

impl Subscriptions<'_> {
    /// No subscriptions.
    pub const NONE: Subscriptions<'static> = Subscriptions { channels: &[], patterns: &[] };

    /// Whether there is nothing to subscribe to.
    pub const fn is_empty(&self) -> bool {
        self.channels.is_empty() && self.patterns.is_empty()
    }

    /// `SUBSCRIBE channels...` and `PSUBSCRIBE patterns...`, the empty ones left out.
    fn commands(&self) -> impl Iterator<Item = Subscribe<'_>> {
        [
            Subscribe { command: "SUBSCRIBE", names: self.channels },
            Subscribe { command: "PSUBSCRIBE", names: self.patterns },
        ]
        .into_iter()
        .filter(|c| !c.names.is_empty())
    }
}

/// One `SUBSCRIBE` or `PSUBSCRIBE` with any number of names, encoded without a buffer.
#[derive(Debug, Clone, Copy)]
struct Subscribe<'a> {
    command: &'static str,
    names: &'a [&'a str],
}

impl Subscribe<'_> {
    /// The kind of the confirmation: `subscribe` or `psubscribe`.
    fn confirmation(&self) -> &'static [u8] {
        if self.command == "SUBSCRIBE" { b"subscribe" } else { b"psubscribe" }
    }
}

impl CommandArgs for Subscribe<'_> {
    fn arg_count(&self) -> usize {
        1 + self.names.len()
    }

    fn write_args(&self, out: &mut dyn ArgSink) {
        out.push(Arg::from(self.command));
        for name in self.names {
            out.push(Arg::from(*name));
        }
    }
}

/// Subscribes a freshly handshaken connection to `subscriptions`: a `SUBSCRIBE` with every
/// channel, then a `PSUBSCRIBE` with every pattern. The engine counts their confirmations
/// (push frames on RESP3, replies on RESP2), so the connection is in step afterwards
/// whatever the protocol.
pub(crate) async fn subscribe<R: Buffer, W: Buffer, P: PushHandler>(
    conn: &mut Connection<'_, R, W, P>,
    subscriptions: &Subscriptions<'_>,
) -> Result<(), Error<NetError>> {
    for command in subscriptions.commands() {
        let reply = conn.request_args(&command).await?;
        check_confirmation(&reply, command.confirmation())?;
    }
    Ok(())
}

/// Checks the last confirmation: `[kind, name, count]`, or an error reply.
fn check_confirmation(reply: &Frame<'_>, kind: &[u8]) -> Result<(), Error<NetError>> {
    let error = match reply {
        Frame::Array(items) | Frame::Push(items) => match items.iter().next() {
            Some(Frame::BulkString(k) | Frame::SimpleString(k)) if k == kind => return Ok(()),
            _ => ErrorKind::UnexpectedReply,
        },
        Frame::SimpleError(text) | Frame::BulkError(text) => ErrorKind::Server(ServerError::new(text)),
        _ => ErrorKind::UnexpectedReply,
    };
    Err(Error::new(error, Delivery::Answered))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrodis_core::resp::encode_args;

    fn encoded(subscriptions: &Subscriptions<'_>) -> [([u8; 64], usize); 2] {
        let mut out = [([0u8; 64], 0); 2];
        for (slot, command) in out.iter_mut().zip(subscriptions.commands()) {
            slot.1 = encode_args(&mut slot.0, &command).unwrap();
        }
        out
    }

    #[test]
    fn one_command_per_kind_with_every_name() {
        let subscriptions = Subscriptions { channels: &["a", "bc"], patterns: &["x*"] };
        let [(one, n1), (two, n2)] = encoded(&subscriptions);
        assert_eq!(&one[..n1], b"*3\r\n$9\r\nSUBSCRIBE\r\n$1\r\na\r\n$2\r\nbc\r\n");
        assert_eq!(&two[..n2], b"*2\r\n$10\r\nPSUBSCRIBE\r\n$2\r\nx*\r\n");
    }

    #[test]
    fn empty_kinds_are_left_out() {
        let subscriptions = Subscriptions { channels: &[], patterns: &["p"] };
        let mut commands = subscriptions.commands();
        assert_eq!(commands.next().map(|c| c.command), Some("PSUBSCRIBE"));
        assert!(commands.next().is_none());
        assert_eq!(Subscriptions::NONE.commands().count(), 0);
        assert!(Subscriptions::NONE.is_empty());
    }
}
