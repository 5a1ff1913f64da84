//! [`ScanStream`]: a scan on an async connection, as a [`Stream`](futures_core::Stream).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::AsyncCommands;
use super::scan::ScanCommand;
use crate::error::Result;
use crate::value::FromValue;

/// A page being fetched: its future, boxed so the stream has one type.
type Page<'a, RV> = Pin<Box<dyn Future<Output = Result<(u64, Vec<RV>)>> + Send + 'a>>;

/// The elements of a scan on an async connection, as a
/// [`Stream`](futures_core::Stream) (use it with `futures::StreamExt` or
/// `tokio_stream::StreamExt`, or call [`ScanStream::next_item`]). Nothing is sent until it
/// is first polled; a page is fetched when the elements already fetched run out, so the
/// whole keyspace is never held at once. A failed fetch is yielded as an `Err` and ends
/// the stream. Elements may repeat, as `SCAN` promises no more.
pub struct ScanStream<'a, C: AsyncCommands + ?Sized, RV> {
    conn: &'a C,
    command: Arc<ScanCommand>,
    /// The cursor of the next page, `None` when no page is due any more.
    cursor: Option<u64>,
    pending: Option<Page<'a, RV>>,
    batch: std::vec::IntoIter<RV>,
}

impl<'a, C: AsyncCommands + ?Sized, RV: FromValue + Send + 'a> ScanStream<'a, C, RV> {
    /// A scan on `conn`, from the first page.
    pub(super) fn new(conn: &'a C, command: ScanCommand) -> Self {
        ScanStream {
            conn,
            command: Arc::new(command),
            cursor: Some(0),
            pending: None,
            batch: Vec::new().into_iter(),
        }
    }

    /// The next element, `None` after the last: the stream's `next`, without a
    /// `StreamExt` import.
    pub async fn next_item(&mut self) -> Option<Result<RV>> {
        std::future::poll_fn(|cx| self.poll_element(cx)).await
    }

    fn poll_element(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<RV>>> {
        loop {
            if let Some(element) = self.batch.next() {
                return Poll::Ready(Some(Ok(element)));
            }
            if self.pending.is_none() {
                let Some(cursor) = self.cursor else { return Poll::Ready(None) };
                let (conn, command) = (self.conn, Arc::clone(&self.command));
                self.pending = Some(Box::pin(async move { conn.query(&command.at(cursor)).await }));
            }
            let Some(page) = self.pending.as_mut() else { continue };
            let reply = std::task::ready!(page.as_mut().poll(cx));
            self.pending = None;
            match reply {
                Ok((cursor, batch)) => {
                    self.cursor = (cursor != 0).then_some(cursor);
                    self.batch = batch.into_iter();
                }
                Err(e) => {
                    self.cursor = None;
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
    }
}

impl<'a, C: AsyncCommands + ?Sized, RV: FromValue + Send + 'a> futures_core::Stream
    for ScanStream<'a, C, RV>
{
    type Item = Result<RV>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<RV>>> {
        self.get_mut().poll_element(cx)
    }
}

// Nothing in a `ScanStream` is pinned in place: the page in flight is boxed.
impl<C: AsyncCommands + ?Sized, RV> Unpin for ScanStream<'_, C, RV> {}

impl<C: AsyncCommands + ?Sized, RV> std::fmt::Debug for ScanStream<'_, C, RV> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanStream")
            .field("cursor", &self.cursor)
            .field("fetching", &self.pending.is_some())
            .field("buffered", &self.batch.len())
            .finish()
    }
}
