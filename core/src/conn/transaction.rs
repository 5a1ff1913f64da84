//! MULTI/EXEC as one batch: what each of its replies means, the same for every driver.

use crate::resp::{Aggregate, Frame};

/// How a MULTI/EXEC transaction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TransactionOutcome {
    /// EXEC ran the queued commands; their replies went to the reply callback.
    Committed,
    /// A watched key changed, so EXEC ran nothing (a null reply).
    WatchConflict,
}

/// One reply of a transaction sent as a batch: `MULTI`, the commands, then `EXEC`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TransactionReply<'a> {
    /// `MULTI`'s `+OK`, or a command's `+QUEUED`.
    Accepted,
    /// `MULTI` or a command was refused (this error reply); `EXEC` will fail too.
    Refused(Frame<'a>),
    /// `EXEC` ran the commands: their replies.
    Committed(Aggregate<'a>),
    /// `EXEC` ran nothing: a watched key changed.
    WatchConflict,
    /// `EXEC` failed with this error reply (`EXECABORT` after a refused command).
    Failed(Frame<'a>),
    /// A reply of the wrong shape.
    Unexpected,
}

/// What the reply at `index` of a transaction of `commands` commands means (index 0 is
/// `MULTI`'s, `commands + 1` is `EXEC`'s).
///
/// ```
/// use ferrodis_core::conn::{TransactionReply, transaction_reply};
/// use ferrodis_core::resp::Frame;
///
/// assert_eq!(transaction_reply(2, 0, Frame::SimpleString(b"OK")), TransactionReply::Accepted);
/// assert_eq!(transaction_reply(2, 1, Frame::SimpleString(b"QUEUED")), TransactionReply::Accepted);
/// assert_eq!(transaction_reply(2, 3, Frame::NullArray), TransactionReply::WatchConflict);
/// ```
pub fn transaction_reply(commands: usize, index: usize, frame: Frame<'_>) -> TransactionReply<'_> {
    if index <= commands {
        return match frame {
            Frame::SimpleString(b"OK") if index == 0 => TransactionReply::Accepted,
            Frame::SimpleString(b"QUEUED") if index > 0 => TransactionReply::Accepted,
            f if f.is_error() => TransactionReply::Refused(f),
            _ => TransactionReply::Unexpected,
        };
    }
    match frame {
        Frame::Array(replies) => TransactionReply::Committed(replies),
        Frame::NullArray | Frame::Null => TransactionReply::WatchConflict,
        f if f.is_error() => TransactionReply::Failed(f),
        _ => TransactionReply::Unexpected,
    }
}
