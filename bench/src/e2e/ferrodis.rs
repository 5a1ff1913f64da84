//! ferrodis, blocking ([`ferrodis::Connection`]) and Tokio
//! ([`ferrodis::MultiplexedConnection`]), through its fastest public API: `request_with`
//! and `pipeline_with`, which take the arguments as borrowed [`Arg`]s and hand the reply
//! frame, borrowed from the read buffer, to a closure. (The typed `Commands::set` /
//! `get::<_, Vec<u8>>` and `pipe()` build an owned `Cmd` per command and convert the reply
//! into an owned value; they are the slower way.)

use std::sync::Arc;

use ferrodis::{Arg, Client, Frame};

use super::workload::{Mode, Phases, Workload, timed, timed_async, wrong_reply};

/// The name of the blocking rows.
pub(crate) const BLOCKING: &str = "ferrodis blocking";
/// The name of the Tokio rows.
pub(crate) const TOKIO: &str = "ferrodis Tokio";

/// `SET key value` as arguments.
#[inline]
fn set_args(w: &Workload, i: usize) -> [Arg<'_>; 3] {
    [Arg::Bytes(b"SET"), Arg::Bytes(w.key(i)), Arg::Bytes(w.value(i))]
}

/// `GET key` as arguments.
#[inline]
fn get_args(w: &Workload, i: usize) -> [Arg<'_>; 2] {
    [Arg::Bytes(b"GET"), Arg::Bytes(w.key(i))]
}

/// Whether `frame` is SET's `OK`.
#[inline]
fn is_ok(frame: &Frame<'_>) -> bool {
    matches!(frame, Frame::SimpleString(b"OK"))
}

/// Whether `frame` is the value of key `i`.
#[inline]
fn is_value(w: &Workload, i: usize, frame: &Frame<'_>) -> bool {
    matches!(frame, Frame::BulkString(v) if w.is_value(i, v))
}

/// One pass of the blocking client at pipeline depth `depth` on a new connection.
pub(crate) fn blocking(url: &str, w: &Workload, depth: usize) -> Result<Phases, String> {
    let fail = |e: ferrodis::Error| format!("{BLOCKING}: {e}");
    let mut conn = Client::open(url).and_then(|c| c.get_connection()).map_err(fail)?;
    let n = w.len();
    if depth == 1 {
        let set = timed(|| {
            for i in 0..n {
                if !conn.request_with(&set_args(w, i), |f| is_ok(&f)).map_err(fail)? {
                    return Err(wrong_reply(BLOCKING, "SET", i));
                }
            }
            Ok(())
        })?;
        let get = timed(|| {
            for i in 0..n {
                if !conn.request_with(&get_args(w, i), |f| is_value(w, i, &f)).map_err(fail)? {
                    return Err(wrong_reply(BLOCKING, "GET", i));
                }
            }
            Ok(())
        })?;
        return Ok(Phases { set, get });
    }
    let set = timed(|| {
        for batch in w.batches(depth) {
            let args: Vec<[Arg<'_>; 3]> = batch.clone().map(|i| set_args(w, i)).collect();
            let commands: Vec<&[Arg<'_>]> = args.iter().map(|a| &a[..]).collect();
            let mut wrong = None;
            conn.pipeline_with(&commands, |j, f| {
                if !is_ok(&f) {
                    wrong.get_or_insert(batch.start + j);
                }
            })
            .map_err(fail)?;
            if let Some(i) = wrong {
                return Err(wrong_reply(BLOCKING, "SET", i));
            }
        }
        Ok(())
    })?;
    let get = timed(|| {
        for batch in w.batches(depth) {
            let args: Vec<[Arg<'_>; 2]> = batch.clone().map(|i| get_args(w, i)).collect();
            let commands: Vec<&[Arg<'_>]> = args.iter().map(|a| &a[..]).collect();
            let mut wrong = None;
            conn.pipeline_with(&commands, |j, f| {
                if !is_value(w, batch.start + j, &f) {
                    wrong.get_or_insert(batch.start + j);
                }
            })
            .map_err(fail)?;
            if let Some(i) = wrong {
                return Err(wrong_reply(BLOCKING, "GET", i));
            }
        }
        Ok(())
    })?;
    Ok(Phases { set, get })
}

/// One pass of the multiplexed Tokio connection in `mode` on a new connection; runs inside
/// a Tokio task.
pub(crate) async fn tokio(url: String, w: Arc<Workload>, mode: Mode) -> Result<Phases, String> {
    let fail = |e: ferrodis::Error| format!("{TOKIO}: {e}");
    let conn = Client::open(&url).map_err(fail)?.get_multiplexed_connection().await.map_err(fail)?;
    let n = w.len();
    match mode {
        Mode::Depth(1) => {
            let set = timed_async(async {
                for i in 0..n {
                    if !conn.request_with(&set_args(&w, i), |f| is_ok(&f)).await.map_err(fail)? {
                        return Err(wrong_reply(TOKIO, "SET", i));
                    }
                }
                Ok(())
            })
            .await?;
            let get = timed_async(async {
                for i in 0..n {
                    if !conn.request_with(&get_args(&w, i), |f| is_value(&w, i, &f)).await.map_err(fail)? {
                        return Err(wrong_reply(TOKIO, "GET", i));
                    }
                }
                Ok(())
            })
            .await?;
            Ok(Phases { set, get })
        }
        Mode::Depth(depth) => {
            let set = timed_async(async {
                for batch in w.batches(depth) {
                    let args: Vec<[Arg<'_>; 3]> = batch.clone().map(|i| set_args(&w, i)).collect();
                    let commands: Vec<&[Arg<'_>]> = args.iter().map(|a| &a[..]).collect();
                    let mut wrong = None;
                    conn.pipeline_with(&commands, |j, f| {
                        if !is_ok(&f) {
                            wrong.get_or_insert(batch.start + j);
                        }
                    })
                    .await
                    .map_err(fail)?;
                    if let Some(i) = wrong {
                        return Err(wrong_reply(TOKIO, "SET", i));
                    }
                }
                Ok(())
            })
            .await?;
            let get = timed_async(async {
                for batch in w.batches(depth) {
                    let args: Vec<[Arg<'_>; 2]> = batch.clone().map(|i| get_args(&w, i)).collect();
                    let commands: Vec<&[Arg<'_>]> = args.iter().map(|a| &a[..]).collect();
                    let mut wrong = None;
                    conn.pipeline_with(&commands, |j, f| {
                        if !is_value(&w, batch.start + j, &f) {
                            wrong.get_or_insert(batch.start + j);
                        }
                    })
                    .await
                    .map_err(fail)?;
                    if let Some(i) = wrong {
                        return Err(wrong_reply(TOKIO, "GET", i));
                    }
                }
                Ok(())
            })
            .await?;
            Ok(Phases { set, get })
        }
        Mode::Concurrent(tasks) => {
            let set = timed_async(super::workload::join_tasks(tasks, |task| {
                let (conn, w) = (conn.clone(), w.clone());
                async move {
                    for i in w.stripe(task, tasks) {
                        if !conn.request_with(&set_args(&w, i), |f| is_ok(&f)).await.map_err(fail)? {
                            return Err(wrong_reply(TOKIO, "SET", i));
                        }
                    }
                    Ok(())
                }
            }))
            .await?;
            let get = timed_async(super::workload::join_tasks(tasks, |task| {
                let (conn, w) = (conn.clone(), w.clone());
                async move {
                    for i in w.stripe(task, tasks) {
                        if !conn
                            .request_with(&get_args(&w, i), |f| is_value(&w, i, &f))
                            .await
                            .map_err(fail)?
                        {
                            return Err(wrong_reply(TOKIO, "GET", i));
                        }
                    }
                    Ok(())
                }
            }))
            .await?;
            Ok(Phases { set, get })
        }
    }
}
