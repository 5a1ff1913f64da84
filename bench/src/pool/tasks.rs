//! The Tokio rows: [`super::TASKS`] tasks, each taking its stripe of the keys, through an
//! async pool (a checkout per request) or through clones of one reconnecting handle.

use std::sync::Arc;
use std::time::Duration;

use crate::e2e::workload::{Phases, Workload, join_tasks, timed_async, wrong_reply};

const FERRODIS_POOL: &str = "ferrodis AsyncConnectionPool";
const BB8: &str = "redis-rs multiplexed + bb8";
const FERRODIS_RECONNECTING: &str = "ferrodis ReconnectingConnection";
const CONNECTION_MANAGER: &str = "redis-rs ConnectionManager";

/// The SET phase, then the GET phase, each as [`super::TASKS`] tasks over clones of
/// `$client` (and of the workload `$w`): `$set` and `$get` are one request, with `$c` the
/// task's clone and `$i` the key's index; `$get` yields the value, which is checked.
macro_rules! task_phases {
    ($w:ident, $client:expr, $name:expr, |$c:ident, $i:ident| set: $set:expr, get: $get:expr $(,)?) => {{
        let client = $client;
        let set = timed_async(join_tasks(super::TASKS, |t| {
            #[allow(unused_mut)]
            let (mut $c, $w) = (client.clone(), $w.clone());
            async move {
                for $i in $w.stripe(t, super::TASKS) {
                    $set;
                }
                Ok(())
            }
        }))
        .await?;
        let get = timed_async(join_tasks(super::TASKS, |t| {
            #[allow(unused_mut)]
            let (mut $c, $w) = (client.clone(), $w.clone());
            async move {
                for $i in $w.stripe(t, super::TASKS) {
                    let value: Vec<u8> = $get;
                    if !$w.is_value($i, &value) {
                        return Err(wrong_reply($name, "GET", $i));
                    }
                }
                Ok(())
            }
        }))
        .await?;
        Ok(Phases { set, get })
    }};
}

/// ferrodis's `AsyncConnectionPool` through its typed `AsyncCommands` (a checkout per call).
pub(crate) async fn ferrodis_pool(url: String, w: Arc<Workload>) -> Result<Phases, String> {
    use ferrodis::AsyncCommands as _;
    fn f(e: &dyn std::fmt::Display) -> String {
        format!("{FERRODIS_POOL}: {e}")
    }
    let pool = ferrodis::AsyncConnectionPool::from_url(&url)
        .map_err(|e| f(&e))?
        .max_connections(super::POOL_SIZE)
        .wait(Duration::from_secs(5));
    task_phases!(w, pool, FERRODIS_POOL, |pool, i| set: {
        let () = pool.set(w.key(i), w.value(i)).await.map_err(|e| f(&e))?;
    }, get: pool.get(w.key(i)).await.map_err(|e| f(&e))?)
}

/// redis-rs's multiplexed connections in a bb8 pool, a checkout per request.
pub(crate) async fn bb8(url: String, w: Arc<Workload>) -> Result<Phases, String> {
    use redis::AsyncCommands as _;
    fn f(e: &dyn std::fmt::Display) -> String {
        format!("{BB8}: {e}")
    }
    let client = redis::Client::open(url).map_err(|e| f(&e))?;
    let pool = bb8::Pool::builder()
        .max_size(super::POOL_SIZE as u32)
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(5))
        .build(client)
        .await
        .map_err(|e| f(&e))?;
    task_phases!(w, pool, BB8, |pool, i| set: {
        let mut conn = pool.get().await.map_err(|e| f(&e))?;
        conn.set::<_, _, ()>(w.key(i), w.value(i)).await.map_err(|e| f(&e))?;
    }, get: {
        let mut conn = pool.get().await.map_err(|e| f(&e))?;
        conn.get(w.key(i)).await.map_err(|e| f(&e))?
    })
}

/// ferrodis's `ReconnectingConnection`, one handle cloned into every task.
pub(crate) async fn ferrodis_reconnecting(url: String, w: Arc<Workload>) -> Result<Phases, String> {
    use ferrodis::AsyncCommands as _;
    fn f(e: &dyn std::fmt::Display) -> String {
        format!("{FERRODIS_RECONNECTING}: {e}")
    }
    let config = ferrodis::ConnectionConfig::from_url(&url).map_err(|e| f(&e))?;
    let conn = ferrodis::ReconnectingConnection::new(config).await.map_err(|e| f(&e))?;
    task_phases!(w, conn, FERRODIS_RECONNECTING, |conn, i| set: {
        let () = conn.set(w.key(i), w.value(i)).await.map_err(|e| f(&e))?;
    }, get: conn.get(w.key(i)).await.map_err(|e| f(&e))?)
}

/// redis-rs's `ConnectionManager`, one cloned into every task.
pub(crate) async fn connection_manager(url: String, w: Arc<Workload>) -> Result<Phases, String> {
    use redis::AsyncCommands as _;
    fn f(e: &dyn std::fmt::Display) -> String {
        format!("{CONNECTION_MANAGER}: {e}")
    }
    let client = redis::Client::open(url).map_err(|e| f(&e))?;
    let conn = redis::aio::ConnectionManager::new(client).await.map_err(|e| f(&e))?;
    task_phases!(w, conn, CONNECTION_MANAGER, |conn, i| set: {
        conn.set::<_, _, ()>(w.key(i), w.value(i)).await.map_err(|e| f(&e))?;
    }, get: {
        conn.get(w.key(i)).await.map_err(|e| f(&e))?
    })
}
