//! ferrodis through its typed, redis-rs-style API, the way most of its users will write
//! it: `Commands::set` / `get::<_, Vec<u8>>` on the blocking [`ferrodis::Connection`],
//! `AsyncCommands` on the Tokio [`ferrodis::MultiplexedConnection`], and `ferrodis::pipe()`
//! for pipelines. Each command is built as an owned `Cmd` and each reply converted into an
//! owned value, so this is the costlier way next to [`super::ferrodis`]'s `request_with` /
//! `pipeline_with`. The passes are [`typed_passes!`](super::typed::typed_passes)'s, the
//! same code as redis-rs's.

/// The name of the blocking rows.
pub(crate) const BLOCKING: &str = "ferrodis blocking typed";
/// The name of the Tokio rows.
pub(crate) const TOKIO: &str = "ferrodis Tokio typed";

super::typed::typed_passes! {
    client: ferrodis,
    error: ferrodis::Error,
    sync: BLOCKING,
    multiplexed: TOKIO,
    connection: ferrodis::MultiplexedConnection,
    connect_multiplexed: get_multiplexed_connection,
}
