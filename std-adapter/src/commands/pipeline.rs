//! [`Pipeline`]: commands sent together, optionally in MULTI/EXEC, with the replies
//! converted to one Rust type.

#[cfg(feature = "tokio")]
use std::future::Future;
use std::num::NonZeroUsize;

use ferrodis_core::error::Delivery;
use ferrodis_core::resp::Frame;

use super::queued::{Queued, QueuedCommand};
use super::{Direction, Expiry, SetOptions, StreamMaxlen, StreamReadOptions, build, list};
use crate::TransactionOutcome;
use crate::connection::Connection;
#[cfg(feature = "tokio")]
use crate::connection::server_error;
use crate::error::{Error, ErrorKind, Result, ServerError};
#[cfg(feature = "tokio")]
use crate::multiplexed::{MultiplexedConnection, each_reply};
use crate::value::{Cmd, FromValue, ToArgs, Value};

/// Commands sent in one write, their replies read back together: redis-rs's
/// `redis::pipe()` and redis-py's `pipeline(transaction=...)`.
///
/// Queue commands with the typed methods (the same as [`Commands`](super::Commands)'s,
/// returning `&mut Self`), with [`cmd`](Self::cmd) and [`arg`](Self::arg), or with
/// [`add_command`](Self::add_command); leave a reply out with [`ignore`](Self::ignore);
/// wrap the whole pipeline in MULTI/EXEC with [`atomic`](Self::atomic). Then
/// [`query`](Self::query) (blocking) or [`query_async`](Self::query_async) sends it and
/// converts the replies that are not ignored, as an array, to the type asked for: a tuple,
/// a `Vec`, `()`, or [`Value`].
///
/// Any error reply makes the query fail with the first one, as a
/// [`ErrorKind::Server`] (redis-py's `raise_on_error=True`), even when its command's reply
/// is ignored; the commands after it still ran. When a key `WATCH`ed before an atomic
/// pipeline changed, EXEC runs nothing and the result is converted from nil, as in
/// redis-rs: ask for an `Option<...>` to get `None`.
///
/// A pipeline is not consumed by a query: the same one can be sent again.
///
/// ```no_run
/// use ferrodis_std::{Client, pipe};
///
/// let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
/// let (n, text): (i64, String) = pipe()
///     .set("counter", 41).ignore()
///     .incr("counter", 1)
///     .cmd("GET").arg("counter")
///     .query(&mut conn)?;
/// assert_eq!((n, text.as_str()), (42, "42"));
///
/// // MULTI/EXEC:
/// let (total,): (i64,) = pipe().atomic().incr("a", 1).ignore().incr("a", 1).query(&mut conn)?;
/// # Ok::<(), ferrodis_std::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Pipeline {
    commands: Queued,
    atomic: bool,
    /// The slot every keyed command must hash to: set on the pipeline a cluster's `WATCH`ed
    /// transaction hands out, whose commands run on that slot's primary.
    slot: Option<u16>,
}

/// An empty pipeline, as redis-rs's `redis::pipe()`; the same as [`Pipeline::new`].
pub fn pipe() -> Pipeline {
    Pipeline::new()
}

/// Expands the list into [`Pipeline`] methods that queue the command.
macro_rules! pipeline_methods {
    ($(
        $(#[$attr:meta])*
        fn $name:ident $(<$($gen:ident: $bound:path),* $(,)?>)? ($($arg:ident: $ty:ty),* $(,)?) $body:block
    )*) => {$(
        $(#[$attr])*
        pub fn $name $(<$($gen: $bound),*>)? (&mut self, $($arg: $ty),*) -> &mut Self {
            // Written straight into the pipeline's buffer, with no `Cmd` in between.
            self.commands.push(&build::$name($($arg),*));
            self
        }
    )*};
}

impl Pipeline {
    /// An empty, non-atomic pipeline.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the pipeline a transaction: MULTI before the commands and EXEC after, so they
    /// run together with nothing from other clients in between.
    pub fn atomic(&mut self) -> &mut Self {
        self.atomic = true;
        self
    }

    /// Whether [`atomic`](Self::atomic) was called.
    pub fn is_atomic(&self) -> bool {
        self.atomic
    }

    /// Starts a command named `name`; [`arg`](Self::arg) adds its arguments.
    pub fn cmd(&mut self, name: &str) -> &mut Self {
        self.commands.push(&name);
        self
    }

    /// Adds the arguments of `arg` to the last command (or, in an empty pipeline, starts a
    /// command whose name is `arg`).
    pub fn arg<T: ToArgs>(&mut self, arg: T) -> &mut Self {
        self.commands.append_to_last(&arg);
        self
    }

    /// Queues `cmd`, a command built with [`cmd`](crate::cmd).
    pub fn add_command(&mut self, cmd: Cmd) -> &mut Self {
        self.commands.push_cmd(&cmd);
        self
    }

    /// Leaves the last command's reply out of the results (it is still checked for an
    /// error).
    pub fn ignore(&mut self) -> &mut Self {
        self.commands.ignore_last();
        self
    }

    /// The number of queued commands.
    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// Whether no command is queued.
    pub fn is_empty(&self) -> bool {
        self.commands.len() == 0
    }

    /// Removes every queued command (the pipeline stays atomic if it was).
    pub fn clear(&mut self) {
        self.commands.clear();
    }

    list::for_each_command!(pipeline_methods);

    /// Sends the pipeline in one write on a blocking connection and converts the replies
    /// that are not ignored, as an array, to `T`. See [`Pipeline`] for errors and
    /// `WATCH` conflicts.
    ///
    /// On a [`ClusterClient`](crate::ClusterClient) each node's commands go to it in one
    /// write and the replies come back in the pipeline's order, each command following its
    /// own redirects; an atomic pipeline needs its keys in one slot and runs on that slot's
    /// primary.
    pub fn query<T: FromValue>(&self, conn: &mut impl PipelineConnection) -> Result<T> {
        into_result(conn.run_pipeline(self)?)
    }

    /// [`query`](Self::query) on the multiplexed connection (or a pooled one). An atomic
    /// pipeline goes out as one batch, MULTI to EXEC, so other tasks' requests cannot land
    /// inside it.
    ///
    /// On an [`AsyncClusterClient`](crate::AsyncClusterClient) each node's commands go to
    /// it in one batch, every node's at once, and the replies come back in the pipeline's
    /// order, each command following its own redirects; an atomic pipeline needs its keys
    /// in one slot and runs on that slot's primary.
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub async fn query_async<T: FromValue>(&self, conn: &impl AsyncPipelineConnection) -> Result<T> {
        conn.query_pipeline(self).await
    }

    /// [`query_async`](Self::query_async) on one multiplexed connection.
    #[cfg(feature = "tokio")]
    async fn query_multiplexed<T: FromValue>(&self, conn: &MultiplexedConnection) -> Result<T> {
        if self.atomic || self.commands.any_ignored() {
            return into_result(self.execute_async(conn).await?);
        }
        // Every reply is kept: they convert straight from the frames received, as one
        // array, with no owned values in between.
        let raw = conn.batch(&self.commands.commands(), None).await?;
        if let Some(array) = raw.as_array() {
            if raw.may_hold_error()
                && let Some(items) = array.as_aggregate()
                && let Some(error) = items.iter().find_map(|f| server_error(&f))
            {
                return Err(error);
            }
            return T::from_frame(&array).map_err(Error::from);
        }
        let mut replies = Replies::new(&self.commands);
        each_reply(&raw, |index, frame| replies.take(index, &frame))?;
        into_result(replies.finish().map(Some)?)
    }

    /// Pins the pipeline to `slot`: it is refused, nothing sent, when a command's keys
    /// hash elsewhere (see [`ClusterClient::transaction`](crate::ClusterClient::transaction)).
    pub(crate) fn pin_slot(&mut self, slot: u16) {
        self.slot = Some(slot);
    }

    /// Sends the pipeline: the replies not ignored, or `None` on a `WATCH` conflict.
    pub(super) fn execute(&self, conn: &mut Connection) -> Result<Option<Vec<Value>>> {
        let queued = self.commands.commands();
        if let Some(slot) = self.slot {
            crate::cluster::check_slot(&queued, slot)?;
        }
        // The blocking shell takes references (the one form core's drivers are built for).
        let commands: Vec<&QueuedCommand<'_>> = queued.iter().collect();
        let mut replies = Replies::new(&self.commands);
        if !self.atomic {
            conn.pipeline_args(&commands, |index, frame| replies.take(index, &frame))?;
            return replies.finish().map(Some);
        }
        match conn.transaction_args(&commands, |index, frame| replies.take(index, &frame))? {
            TransactionOutcome::Committed => replies.finish().map(Some),
            TransactionOutcome::WatchConflict => Ok(None),
        }
    }

    /// [`execute`](Self::execute) on the multiplexed connection.
    #[cfg(feature = "tokio")]
    async fn execute_async(&self, conn: &MultiplexedConnection) -> Result<Option<Vec<Value>>> {
        let commands = self.commands.commands();
        let mut replies = Replies::new(&self.commands);
        if !self.atomic {
            let raw = conn.batch(&commands, None).await?;
            each_reply(&raw, |index, frame| replies.take(index, &frame))?;
            return replies.finish().map(Some);
        }
        match conn.transaction_args(&commands, |index, frame| replies.take(index, &frame)).await? {
            TransactionOutcome::Committed => replies.finish().map(Some),
            TransactionOutcome::WatchConflict => Ok(None),
        }
    }
}

/// The replies of a pipeline as a `T`: an array of those not ignored, or nil after a
/// `WATCH` conflict.
fn into_result<T: FromValue>(replies: Option<Vec<Value>>) -> Result<T> {
    let value = replies.map_or(Value::Nil, Value::Array);
    T::from_value(value).map_err(Error::from)
}

/// What a [`Pipeline`] runs on with [`Pipeline::query`]: a blocking [`Connection`] (or a
/// pooled one), or a [`ClusterClient`](crate::ClusterClient). Sealed: implemented here only.
pub trait PipelineConnection: sealed::Sealed {
    /// Runs `pipe`: the replies not ignored, or `None` on a `WATCH` conflict.
    #[doc(hidden)]
    fn run_pipeline(&mut self, pipe: &Pipeline) -> Result<Option<Vec<Value>>>;
}

/// What a [`Pipeline`] runs on with [`Pipeline::query_async`]: a
/// [`MultiplexedConnection`] (or a pooled one), or an
/// [`AsyncClusterClient`](crate::AsyncClusterClient). Sealed: implemented here only.
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub trait AsyncPipelineConnection: sealed::Sealed + Sync {
    /// Runs `pipe` and converts the replies not ignored, as an array, to `T`.
    #[doc(hidden)]
    fn query_pipeline<T: FromValue>(&self, pipe: &Pipeline) -> impl Future<Output = Result<T>> + Send;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::Connection {}
    impl Sealed for crate::PooledConnection {}
    impl Sealed for crate::ClusterClient {}
    #[cfg(feature = "tokio")]
    impl Sealed for crate::MultiplexedConnection {}
    #[cfg(feature = "tokio")]
    impl Sealed for crate::AsyncPooledConnection {}
    #[cfg(feature = "tokio")]
    impl Sealed for crate::AsyncClusterClient {}
}

#[cfg(feature = "tokio")]
impl AsyncPipelineConnection for MultiplexedConnection {
    fn query_pipeline<T: FromValue>(&self, pipe: &Pipeline) -> impl Future<Output = Result<T>> + Send {
        pipe.query_multiplexed(self)
    }
}

#[cfg(feature = "tokio")]
impl AsyncPipelineConnection for crate::AsyncPooledConnection {
    fn query_pipeline<T: FromValue>(&self, pipe: &Pipeline) -> impl Future<Output = Result<T>> + Send {
        pipe.query_multiplexed(self)
    }
}

#[cfg(feature = "tokio")]
impl AsyncPipelineConnection for crate::AsyncClusterClient {
    async fn query_pipeline<T: FromValue>(&self, pipe: &Pipeline) -> Result<T> {
        let commands = pipe.commands.commands();
        if pipe.atomic {
            let conn = self.transaction_connection(&commands).await?;
            return into_result(pipe.execute_async(&conn).await?);
        }
        into_result(cluster_replies(pipe, self.pipeline_values(&commands).await?)?)
    }
}

impl PipelineConnection for Connection {
    fn run_pipeline(&mut self, pipe: &Pipeline) -> Result<Option<Vec<Value>>> {
        pipe.execute(self)
    }
}

impl PipelineConnection for crate::PooledConnection {
    fn run_pipeline(&mut self, pipe: &Pipeline) -> Result<Option<Vec<Value>>> {
        pipe.execute(self)
    }
}

impl PipelineConnection for crate::ClusterClient {
    fn run_pipeline(&mut self, pipe: &Pipeline) -> Result<Option<Vec<Value>>> {
        let commands = pipe.commands.commands();
        if pipe.atomic {
            return pipe.execute(self.transaction_connection(&commands)?);
        }
        let values = self.pipeline_values(&commands)?;
        cluster_replies(pipe, values)
    }
}

/// A cluster pipeline's replies, in its order: those not ignored, or the first error
/// reply.
fn cluster_replies(pipe: &Pipeline, values: Vec<Value>) -> Result<Option<Vec<Value>>> {
    let mut kept = Vec::with_capacity(values.len());
    let mut first_error = None;
    for (index, value) in values.into_iter().enumerate() {
        match value {
            Value::ServerError(e) => {
                first_error.get_or_insert(e);
            }
            value if !pipe.commands.is_ignored(index) => kept.push(value),
            _ => {}
        }
    }
    match first_error {
        Some(e) => Err(Error::new(ErrorKind::Server(e), Delivery::Answered)),
        None => Ok(Some(kept)),
    }
}

/// Collects a pipeline's replies: owned copies of those not ignored, and the first error.
struct Replies<'p> {
    commands: &'p Queued,
    values: Vec<Value>,
    error: Option<ServerError>,
}

impl<'p> Replies<'p> {
    fn new(commands: &'p Queued) -> Self {
        let kept = (0..commands.len()).filter(|&i| !commands.is_ignored(i)).count();
        Self { commands, values: Vec::with_capacity(kept), error: None }
    }

    /// Takes the reply to command `index`.
    fn take(&mut self, index: usize, frame: &Frame<'_>) {
        if let Frame::SimpleError(text) | Frame::BulkError(text) = *frame {
            self.error.get_or_insert_with(|| ServerError::new(text));
            return;
        }
        if index < self.commands.len() && !self.commands.is_ignored(index) {
            self.values.push(Value::from_frame(frame));
        }
    }

    /// The replies not ignored, or the first error reply.
    fn finish(self) -> Result<Vec<Value>> {
        match self.error {
            Some(e) => Err(Error::new(ErrorKind::Server(e), Delivery::Answered)),
            None => Ok(self.values),
        }
    }
}
