//! The scans: `SCAN`, `HSCAN`, `SSCAN` and `ZSCAN` continued cursor after cursor, as an
//! [`Iterator`] on a blocking connection ([`ScanIter`]); `scan_stream.rs` makes them a
//! `Stream` on an async one.

use super::Commands;
use crate::error::Result;
use crate::value::{Cmd, FromValue, ToArgs, cmd};

/// One scan: the command and its key (`HSCAN key`), then the options after the cursor
/// (`MATCH pattern COUNT n`).
#[derive(Debug, Clone)]
pub(super) struct ScanCommand {
    name: &'static str,
    key: Vec<Vec<u8>>,
    tail: Vec<Vec<u8>>,
}

impl ScanCommand {
    /// `name` (with `key` for the scans of one key, `()` for `SCAN`) and `options`.
    pub(super) fn new(name: &'static str, key: impl ToArgs, options: impl ToArgs) -> Self {
        let (mut key_args, mut tail) = (Vec::new(), Vec::new());
        key.write_args(&mut key_args);
        options.write_args(&mut tail);
        ScanCommand { name, key: key_args, tail }
    }

    /// The command continuing at `cursor`.
    pub(super) fn at(&self, cursor: u64) -> Cmd {
        cmd(self.name).with_arg((&self.key, cursor, &self.tail))
    }
}

/// The elements of a scan on a blocking connection: each [`Commands`] scan method returns
/// one, with the first page fetched. A later page is fetched when the elements already
/// fetched run out; a failed fetch is yielded as an `Err` and ends the iteration.
/// Elements may repeat, as `SCAN` promises no more.
pub struct ScanIter<'a, C: Commands + ?Sized, RV> {
    conn: &'a mut C,
    command: ScanCommand,
    cursor: u64,
    batch: std::vec::IntoIter<RV>,
    /// Whether no more page is due: the cursor came back 0, or a fetch failed.
    finished: bool,
}

impl<'a, C: Commands + ?Sized, RV: FromValue> ScanIter<'a, C, RV> {
    /// Fetches the first page.
    pub(super) fn start(conn: &'a mut C, command: ScanCommand) -> Result<Self> {
        let mut iter = ScanIter { conn, command, cursor: 0, batch: Vec::new().into_iter(), finished: false };
        iter.fetch()?;
        Ok(iter)
    }

    /// Fetches the next page.
    fn fetch(&mut self) -> Result<()> {
        let reply: Result<(u64, Vec<RV>)> = self.conn.query(&self.command.at(self.cursor));
        let (cursor, batch) = reply.inspect_err(|_| self.finished = true)?;
        self.cursor = cursor;
        self.finished = cursor == 0;
        self.batch = batch.into_iter();
        Ok(())
    }
}

impl<C: Commands + ?Sized, RV: FromValue> Iterator for ScanIter<'_, C, RV> {
    type Item = Result<RV>;

    fn next(&mut self) -> Option<Result<RV>> {
        loop {
            if let Some(element) = self.batch.next() {
                return Some(Ok(element));
            }
            if self.finished {
                return None;
            }
            if let Err(e) = self.fetch() {
                return Some(Err(e));
            }
        }
    }
}

impl<C: Commands + ?Sized, RV> std::fmt::Debug for ScanIter<'_, C, RV> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanIter")
            .field("cursor", &self.cursor)
            .field("buffered", &self.batch.len())
            .field("finished", &self.finished)
            .finish()
    }
}
