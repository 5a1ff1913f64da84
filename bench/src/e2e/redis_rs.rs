//! redis-rs 1.x, the way its users write it: the sync `Connection` and the Tokio
//! `MultiplexedConnection` with the typed `Commands` / `AsyncCommands` methods
//! (`set::<_, _, ()>`, `get::<_, Vec<u8>>`) and `redis::pipe()` for pipelines, all with
//! redis-rs's default settings. The passes are [`typed_passes!`](super::typed::typed_passes)'s.

use redis::RedisError;

/// The name of the sync rows.
pub(crate) const SYNC: &str = "redis-rs sync";
/// The name of the multiplexed rows.
pub(crate) const MULTIPLEXED: &str = "redis-rs multiplexed";

super::typed::typed_passes! {
    client: redis,
    error: RedisError,
    sync: SYNC,
    multiplexed: MULTIPLEXED,
    connection: redis::aio::MultiplexedConnection,
    connect_multiplexed: get_multiplexed_async_connection,
}
