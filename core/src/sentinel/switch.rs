//! [`SwitchMaster`]: a sentinel's `+switch-master` event, which names a failover's new
//! master.

use crate::resp::Frame;

/// The channel a sentinel publishes a master switch on.
pub const SWITCH_MASTER_CHANNEL: &str = "+switch-master";

/// A `+switch-master` event: `<service> <old host> <old port> <new host> <new port>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SwitchMaster<'a> {
    /// The service.
    pub service: &'a str,
    /// The master before.
    pub old: (&'a str, u16),
    /// The master now.
    pub new: (&'a str, u16),
}

impl<'a> SwitchMaster<'a> {
    /// The event in a message's payload; `None` when it is not one.
    ///
    /// ```
    /// use ferrodis_core::sentinel::SwitchMaster;
    ///
    /// let event = SwitchMaster::parse(b"mymaster 10.0.0.1 6379 10.0.0.2 6380").unwrap();
    /// assert_eq!((event.service, event.old, event.new), ("mymaster", ("10.0.0.1", 6379), ("10.0.0.2", 6380)));
    /// assert_eq!(SwitchMaster::parse(b"mymaster 10.0.0.1"), None);
    /// ```
    pub fn parse(payload: &'a [u8]) -> Option<Self> {
        let text = core::str::from_utf8(payload).ok()?;
        let mut words = text.split(' ');
        let mut next = || words.next().filter(|w| !w.is_empty());
        let service = next()?;
        let old = (next()?, next()?.parse().ok()?);
        let new = (next()?, next()?.parse().ok()?);
        if next().is_some() {
            return None;
        }
        Some(Self { service, old, new })
    }

    /// The event a pub/sub message frame carries (`message` on
    /// [`SWITCH_MASTER_CHANNEL`], RESP2 array or RESP3 push, or `pmessage` with its
    /// pattern); `None` for any other frame.
    pub fn of_message(frame: &Frame<'a>) -> Option<Self> {
        let (Frame::Array(items) | Frame::Push(items)) = frame else { return None };
        let mut items = items.iter();
        let text = |f: Option<Frame<'a>>| match f {
            Some(Frame::BulkString(t) | Frame::SimpleString(t)) => Some(t),
            _ => None,
        };
        let kind = text(items.next())?;
        if kind == b"pmessage" {
            text(items.next())?;
        } else if kind != b"message" {
            return None;
        }
        if text(items.next())? != SWITCH_MASTER_CHANNEL.as_bytes() {
            return None;
        }
        Self::parse(text(items.next())?)
    }
}
