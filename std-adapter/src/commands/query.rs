//! [`CmdQuery`]: `cmd("SET").arg("k").arg(1).query(&mut conn)`, as in redis-rs.

#[cfg(feature = "tokio")]
use super::AsyncCommands;
use super::Commands;
use crate::error::Result;
use crate::value::{Cmd, FromValue};

/// Runs a [`Cmd`] on a connection, redis-rs's way round: the command first. The same as
/// [`Commands::query`] and [`AsyncCommands::query`]; `Cmd` is core's builder, so these
/// come as a trait (in the crate root, to import with the connection traits).
///
/// ```no_run
/// use ferrodis_std::{Client, CmdQuery, cmd};
///
/// let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
/// let () = cmd("SET").arg("k").arg(1).query(&mut conn)?;
/// let n: i64 = cmd("GET").with_arg("k").query(&mut conn)?;
/// # let _ = n;
/// # Ok::<(), ferrodis_std::Error>(())
/// ```
pub trait CmdQuery {
    /// Sends this command on `conn` and converts the reply to `T`.
    fn query<T: FromValue>(&self, conn: &mut impl Commands) -> Result<T>;

    /// Sends this command on the multiplexed `conn` and converts the reply to `T`, as
    /// redis-rs's `cmd(..).query_async(&mut conn).await`.
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    fn query_async<T: FromValue>(&self, conn: &impl AsyncCommands) -> impl Future<Output = Result<T>> + Send;
}

impl CmdQuery for Cmd {
    fn query<T: FromValue>(&self, conn: &mut impl Commands) -> Result<T> {
        conn.query(self)
    }

    #[cfg(feature = "tokio")]
    fn query_async<T: FromValue>(&self, conn: &impl AsyncCommands) -> impl Future<Output = Result<T>> + Send {
        conn.query(self)
    }
}
