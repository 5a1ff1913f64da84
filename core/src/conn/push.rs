//! Where push frames go while an operation waits for its own replies.

use crate::resp::Frame;

/// Where push frames (pub/sub messages, invalidations, subscription changes the server
/// made itself) and `MONITOR` lines go while a connection waits for a reply. Closures
/// taking a [`Frame`] are push handlers; [`DropPushes`] drops them.
///
/// Push frames arrive as [`Frame::Push`] (on RESP2 too: the messages of a subscribed
/// connection are handed over as push frames), `MONITOR` lines as [`Frame::SimpleString`].
pub trait PushHandler {
    /// Receives one push frame; it borrows the read buffer only for this call.
    fn on_push(&mut self, frame: Frame<'_>);
}

impl<F: FnMut(Frame<'_>)> PushHandler for F {
    fn on_push(&mut self, frame: Frame<'_>) {
        self(frame)
    }
}

/// The default push handler: push frames are read and dropped.
#[derive(Debug, Clone, Copy, Default)]
pub struct DropPushes;

impl PushHandler for DropPushes {
    fn on_push(&mut self, _frame: Frame<'_>) {}
}
