//! What goes into the engine besides bytes ([`Expect`]) and what comes out of it
//! ([`Event`], [`Failure`], [`Outcome`], [`QueueError`]).

use core::fmt;

use crate::error::{DecodeError, Delivery, EncodeError};
use crate::resp::Frame;

/// A queued request, as [`Engine::queue`](super::Engine::queue) numbers them: every event
/// about the request carries it. Tokens count up and are never reused on a connection,
/// not even after [`Engine::reset`](super::Engine::reset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Token(pub(super) u64);

impl Token {
    /// The token's number: 0 for the first request of a connection, then one up per
    /// request.
    pub const fn get(self) -> u64 {
        self.0
    }
}

/// What the caller wants done with a request's replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Expect {
    /// Each reply as an [`Event::Reply`] (or [`Event::TooLarge`] when it does not fit the
    /// read buffer).
    #[default]
    Replies,
    /// Fire and forget: the replies are read and dropped, then [`Event::Dropped`].
    Discard,
    /// A bulk string reply in pieces ([`Event::Chunk`]), however large; any other reply
    /// as an [`Event::Reply`]. For a single command.
    Stream,
}

/// What [`Engine::poll`](super::Engine::poll) reports. The frames and bytes borrow the
/// read buffer until the next call to the engine.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Event<'a> {
    /// A reply to `token`: the `index`th (from 0) of its replies, an error reply included
    /// as the frame it is. For a subscription command, each confirmation is one reply.
    Reply {
        /// The request.
        token: Token,
        /// Which of its replies (its commands, for a batch) this is.
        index: usize,
        /// Whether no more replies for `token` follow.
        last: bool,
        /// The reply.
        frame: Frame<'a>,
    },
    /// A reply to `token` that does not fit the read buffer was read and dropped; the
    /// connection stays usable. `needed` is the read buffer it takes.
    TooLarge {
        /// The request.
        token: Token,
        /// Which of its replies this is.
        index: usize,
        /// Whether no more replies for `token` follow.
        last: bool,
        /// The size of the reply, in bytes.
        needed: usize,
    },
    /// A piece of the bulk string reply to a request queued with [`Expect::Stream`].
    /// The first piece comes with the string's length; the last has `last` set (and is
    /// only handed out once the string's CRLF has been checked).
    Chunk {
        /// The request.
        token: Token,
        /// The string's length, in the first piece only.
        len: Option<usize>,
        /// The bytes.
        data: &'a [u8],
        /// Whether this ends the string (and the request).
        last: bool,
    },
    /// A push frame: a pub/sub message, an invalidation, or a subscription change the
    /// server made on its own (RESP3 `>`, and on RESP2 the pub/sub messages of a subscribed
    /// connection).
    Push(Frame<'a>),
    /// A line of `MONITOR` output (after a `MONITOR`, until a `RESET`).
    Monitor(&'a [u8]),
    /// The last reply to an abandoned or fire-and-forget request was read and dropped.
    Dropped {
        /// The request.
        token: Token,
    },
    /// A request that the server does not answer (`CLIENT REPLY OFF` or `SKIP`, and the
    /// commands they silence) was written, and every request before it answered.
    Unanswered {
        /// The request.
        token: Token,
    },
    /// The byte stream cannot be trusted any more; see [`Failure`]. Every request still
    /// outstanding fails: [`Engine::fail_all`](super::Engine::fail_all) says how.
    Failed(Failure),
}

/// The replies [`Engine::take_run`](super::Engine::take_run) took behind the current one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[must_use]
pub struct Run {
    /// How many it took.
    pub count: usize,
    /// Whether the last of them is the request's last reply (it is then done with).
    pub last: bool,
    /// Whether one of them is an error reply.
    pub has_error: bool,
}

/// What the next event is, without its frame or bytes ([`Engine::poll_head`](super::Engine::poll_head)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Head {
    /// [`Event::Reply`].
    Reply {
        /// The request.
        token: Token,
        /// Which of its replies this is.
        index: usize,
        /// Whether no more replies for `token` follow.
        last: bool,
    },
    /// [`Event::TooLarge`].
    TooLarge {
        /// The request.
        token: Token,
        /// Which of its replies this is.
        index: usize,
        /// Whether no more replies for `token` follow.
        last: bool,
        /// The size of the reply, in bytes.
        needed: usize,
    },
    /// [`Event::Chunk`].
    Chunk {
        /// The request.
        token: Token,
        /// Whether this ends the string.
        last: bool,
    },
    /// [`Event::Push`].
    Push,
    /// [`Event::Monitor`].
    Monitor,
    /// [`Event::Dropped`].
    Dropped {
        /// The request.
        token: Token,
    },
    /// [`Event::Unanswered`].
    Unanswered {
        /// The request.
        token: Token,
    },
    /// [`Event::Failed`].
    Failed(Failure),
}

/// Why a connection's byte stream cannot be trusted any more.
///
/// Exhaustive on purpose: drivers map every variant to their own error, so a new one
/// cannot be lost on the way; adding one is a breaking change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Failure {
    /// The server sent bytes that are not valid RESP, or break the decoder's limits.
    Decode(DecodeError),
    /// A reply came that no request was owed.
    Unexpected,
    /// A reply that cannot be read in pieces (a single line) does not fit the read buffer.
    TooLarge {
        /// Bytes of read buffer it takes at least.
        needed: usize,
    },
    /// A write was handed out ([`Engine::transmit`](super::Engine::transmit)) and never
    /// confirmed ([`Engine::sent`](super::Engine::sent)): it may have been cut short, so
    /// where the next request would start is unknown.
    WriteAbandoned,
    /// The driver said the transport failed ([`Engine::fail_all`](super::Engine::fail_all)).
    Transport,
}

impl Failure {
    /// A static description.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Failure::Decode(e) => e.as_str(),
            Failure::Unexpected => "a reply came that no request was owed",
            Failure::TooLarge { .. } => "a reply line does not fit the read buffer",
            Failure::WriteAbandoned => "a write was abandoned midway",
            Failure::Transport => "the transport failed",
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Decode(e) => write!(f, "protocol error: {e}"),
            Failure::TooLarge { needed } => write!(f, "{}: {needed} bytes needed", self.as_str()),
            _ => f.write_str(self.as_str()),
        }
    }
}

/// What became of a request that [`Engine::fail_all`](super::Engine::fail_all) or
/// [`Engine::cancel`](super::Engine::cancel) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Outcome {
    /// Whether any of its bytes may have reached the server: [`Delivery::NotSent`] when
    /// none did (sending it again is safe), [`Delivery::Unknown`] when some did,
    /// [`Delivery::Answered`] when every reply it was owed had come.
    pub delivery: Delivery,
    /// How many of its replies had been handed out (for a batch: its first `answered`
    /// commands were answered).
    pub answered: usize,
}

/// Why a request could not be queued. Nothing of it was queued or sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum QueueError {
    /// The connection failed (see [`Event::Failed`]) and must be [`reset`](super::Engine::reset)
    /// with a fresh transport.
    Broken,
    /// The request storage ([`SlotBuffer`](super::SlotBuffer)) is full: read replies first.
    NoSlot,
    /// The write buffer cannot take the command now: transmit what is queued first.
    NoRoom,
    /// [`batch_push`](super::Engine::batch_push) without an open batch.
    NoBatch,
    /// A command larger than the write buffer is being written in pieces; finish it
    /// ([`Engine::continue_command`](super::Engine::continue_command)) first.
    Busy,
    /// The command cannot be encoded.
    Encode(EncodeError),
    /// The command cannot go this way; the text says which way it can.
    Refused(Refusal),
}

impl fmt::Display for QueueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueueError::Broken => f.write_str("the connection failed earlier and must be reset"),
            QueueError::NoSlot => f.write_str("too many requests outstanding: read replies first"),
            QueueError::NoRoom => f.write_str("the write buffer is full: transmit first"),
            QueueError::NoBatch => f.write_str("no batch is open"),
            QueueError::Busy => f.write_str("a large command is being written: finish it first"),
            QueueError::Encode(e) => write!(f, "cannot encode the command: {e}"),
            QueueError::Refused(r) => fmt::Display::fmt(r, f),
        }
    }
}

impl From<EncodeError> for QueueError {
    fn from(e: EncodeError) -> Self {
        QueueError::Encode(e)
    }
}

/// Why a command was refused before anything was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Refusal {
    /// A command that changes what later commands are answered with (`SUBSCRIBE` and the
    /// other pub/sub subscription commands, `MONITOR`, `CLIENT REPLY`, `RESET`, `HELLO`)
    /// inside a pipeline or transaction, where each command must get one reply.
    NotInBatch,
    /// Such a command after `MULTI`: it would be queued by the server and change the
    /// replies when `EXEC` runs it.
    InTransaction,
    /// A subscription or `MONITOR` while `CLIENT REPLY` is `OFF` or `SKIP`: its
    /// confirmations would never come.
    RepliesOff,
    /// `SYNC` or `PSYNC`, which turn the connection into a replication stream.
    Replication,
    /// A command that changes the state of the whole connection (subscriptions,
    /// `MONITOR`, `CLIENT REPLY`, `MULTI`, `WATCH`, `SELECT`, `RESET`, ...) on a connection
    /// shared by several callers ([`Engine::set_shared`](super::Engine::set_shared)).
    Shared,
}

impl Refusal {
    /// A static description that says what to use instead.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Refusal::NotInBatch => {
                "subscriptions, MONITOR, CLIENT REPLY, RESET and HELLO cannot go in a pipeline or \
                 transaction: send them on their own"
            }
            Refusal::InTransaction => {
                "subscriptions, MONITOR, CLIENT REPLY and HELLO cannot go inside MULTI: send EXEC or \
                 DISCARD first"
            }
            Refusal::RepliesOff => "subscriptions and MONITOR need replies: send CLIENT REPLY ON first",
            Refusal::Replication => "SYNC and PSYNC turn the connection into a replication stream",
            Refusal::Shared => {
                "this command changes the state of the whole connection, which other callers share: \
                 use a dedicated connection (the pub/sub API for subscriptions)"
            }
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for Refusal {}
