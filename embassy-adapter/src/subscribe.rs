//! Subscriptions that survive a reconnect: the channels and patterns that
//! [`connect`](crate::connect) subscribes to after every handshake.

use embedded_io_async::Write as _;
use ferrodis_core::conn::{Buffer, Protocol, PushHandler};
use ferrodis_core::resp::{Arg, CommandArgs, Frame, command_segments};
use ferrodis_core::{Delivery, Error, ErrorKind, ServerError};

use crate::{Connection, NetError};

/// Channels (`SUBSCRIBE`) and patterns (`PSUBSCRIBE`) to subscribe to on every connect.
///
/// With RESP3 ([`Protocol::Resp3`]) the connection stays usable for commands: messages and
/// the subscription confirmations (`subscribe`, `psubscribe` push frames) go to the push
/// handler ([`Connection::with_push_handler`](ferrodis_core::conn::asynch::Connection::with_push_handler)).
/// With RESP2 the connection is in subscribed mode afterwards: read the messages with
/// [`receive`](ferrodis_core::conn::asynch::Connection::receive).
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

    fn arg(&self, index: usize) -> Arg<'_> {
        match index {
            0 => Arg::from(self.command),
            i => Arg::from(self.names.get(i - 1).copied().unwrap_or_default()),
        }
    }
}

/// Subscribes a freshly handshaken connection to `subscriptions`.
pub(crate) async fn subscribe<R: Buffer, W: Buffer, P: PushHandler>(
    conn: &mut Connection<'_, R, W, P>,
    subscriptions: &Subscriptions<'_>,
    protocol: Protocol,
) -> Result<(), Error<NetError>> {
    match protocol {
        Protocol::Resp2 => subscribe_resp2(conn, subscriptions).await,
        Protocol::Resp3 => subscribe_resp3(conn, subscriptions).await,
    }
}

/// RESP2: every name is confirmed by an array reply of its own, so one request per name
/// (all in one write) keeps the replies counted.
async fn subscribe_resp2<R: Buffer, W: Buffer, P: PushHandler>(
    conn: &mut Connection<'_, R, W, P>,
    subscriptions: &Subscriptions<'_>,
) -> Result<(), Error<NetError>> {
    for command in subscriptions.commands() {
        for name in command.names {
            conn.send(&[Arg::from(command.command), Arg::from(*name)]).await?;
        }
    }
    conn.flush().await?;
    for command in subscriptions.commands() {
        for _ in command.names {
            let reply = conn.receive().await?;
            check_confirmation(&reply, command.confirmation())?;
        }
    }
    Ok(())
}

/// RESP3: the confirmations are push frames, not replies, so the commands go straight to
/// the socket (no reply is owed for them) and a `PING` behind them marks the end: its
/// `PONG` comes after every confirmation.
async fn subscribe_resp3<R: Buffer, W: Buffer, P: PushHandler>(
    conn: &mut Connection<'_, R, W, P>,
    subscriptions: &Subscriptions<'_>,
) -> Result<(), Error<NetError>> {
    for command in subscriptions.commands() {
        for segment in command_segments(&command) {
            if let Err(e) = conn.get_mut().write_all(&segment).await {
                conn.get_mut().abort();
                return Err(Error::new(ErrorKind::Io(e), Delivery::Unknown));
            }
        }
    }
    let reply = conn.request_frame(&[Arg::from("PING")]).await?;
    match reply {
        Frame::SimpleString(b"PONG") => Ok(()),
        other => {
            // A refused subscription answers with an error instead of a push frame, so the
            // PONG is still on its way and would be taken for the next request's reply.
            let kind = match other {
                Frame::SimpleError(text) | Frame::BulkError(text) => {
                    ErrorKind::Server(ServerError::new(text))
                }
                _ => ErrorKind::UnexpectedReply,
            };
            conn.get_mut().abort();
            Err(Error::new(kind, Delivery::Answered))
        }
    }
}

/// Checks a RESP2 confirmation: `[kind, name, count]`, or an error reply.
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
