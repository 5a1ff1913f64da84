//! The blocking rows: [`super::THREADS`] threads, each taking its stripe of the keys and
//! checking a connection out of the shared pool for every request.

use std::time::Duration;

use crate::e2e::workload::{Phases, Workload, timed, wrong_reply};

/// The name errors start with.
const FERRODIS: &str = "ferrodis ConnectionPool";
const R2D2: &str = "redis-rs + r2d2";

/// Runs `phase(thread)` on every thread at once and waits for all; the first error wins.
fn on_threads(phase: impl Fn(usize) -> Result<(), String> + Sync) -> Result<(), String> {
    let phase = &phase;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..super::THREADS).map(|t| scope.spawn(move || phase(t))).collect();
        handles.into_iter().try_for_each(|h| h.join().map_err(|_| "a thread panicked".to_string())?)
    })
}

/// ferrodis's `ConnectionPool` through its typed `Commands`, as a user writes it.
pub(crate) fn ferrodis(url: &str, w: &Workload) -> Result<Phases, String> {
    use ferrodis::Commands as _;
    let fail = |e: ferrodis::Error| format!("{FERRODIS}: {e}");
    let pool = ferrodis::ConnectionPool::from_url(url)
        .map_err(fail)?
        .max_connections(super::POOL_SIZE)
        .wait(Duration::from_secs(5));
    let set = timed(|| {
        on_threads(|t| {
            for i in w.stripe(t, super::THREADS) {
                let () = pool.get_connection().map_err(fail)?.set(w.key(i), w.value(i)).map_err(fail)?;
            }
            Ok(())
        })
    })?;
    let get = timed(|| {
        on_threads(|t| {
            for i in w.stripe(t, super::THREADS) {
                let value: Vec<u8> = pool.get_connection().map_err(fail)?.get(w.key(i)).map_err(fail)?;
                if !w.is_value(i, &value) {
                    return Err(wrong_reply(FERRODIS, "GET", i));
                }
            }
            Ok(())
        })
    })?;
    Ok(Phases { set, get })
}

/// redis-rs's `Client` as an r2d2 connection manager.
pub(crate) fn r2d2(url: &str, w: &Workload) -> Result<Phases, String> {
    use redis::Commands as _;
    let fail = |e: &dyn std::fmt::Display| format!("{R2D2}: {e}");
    let client = redis::Client::open(url).map_err(|e| fail(&e))?;
    let pool = r2d2::Pool::builder()
        .max_size(super::POOL_SIZE as u32)
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(5))
        .build(client)
        .map_err(|e| fail(&e))?;
    let set = timed(|| {
        on_threads(|t| {
            for i in w.stripe(t, super::THREADS) {
                pool.get()
                    .map_err(|e| fail(&e))?
                    .set::<_, _, ()>(w.key(i), w.value(i))
                    .map_err(|e| fail(&e))?;
            }
            Ok(())
        })
    })?;
    let get = timed(|| {
        on_threads(|t| {
            for i in w.stripe(t, super::THREADS) {
                let value: Vec<u8> = pool.get().map_err(|e| fail(&e))?.get(w.key(i)).map_err(|e| fail(&e))?;
                if !w.is_value(i, &value) {
                    return Err(wrong_reply(R2D2, "GET", i));
                }
            }
            Ok(())
        })
    })?;
    Ok(Phases { set, get })
}
