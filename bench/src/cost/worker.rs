//! `cost-worker`: the process that `cost` runs under callgrind. It makes one e2e pass of
//! one row (connect, `requests` SETs, `requests` GETs, every reply checked) and prints
//! nothing unless it fails.
//!
//! Everything but the requests is the same whatever `requests` is: the worker always
//! formats `keys` keys and values (the longest run's), then uses the first `requests`; it
//! always starts the same runtime (a Tokio runtime for the async clients, current-thread
//! unless `cost --runtime multi` says otherwise; none for the blocking ones) and opens one connection with the client's handshake. So
//! the difference between two runs is the requests alone.

use std::sync::Arc;

use super::rows::{ClientApi, Row};
use crate::cli::{Flavour, WorkerOptions};
use crate::e2e::workload::{Mode, Phases, Workload};
use crate::e2e::{ferrodis, ferrodis_typed, fred, in_task, redis_rs, runtime};

/// Makes the pass that `options` describes.
pub(crate) fn run(options: &WorkerOptions) -> Result<(), String> {
    let mut workload = Workload::new(options.keys);
    workload.truncate(options.requests);
    pass(options.row, options.url.clone(), workload, options.runtime).map(|_| ())
}

/// One pass of `row` against the server at `url` over `w`, on a Tokio runtime of
/// `flavour` if the client is async.
fn pass(row: Row, url: String, w: Workload, flavour: Flavour) -> Result<Phases, String> {
    match (row.api, row.mode) {
        (ClientApi::FerrodisBlockingTyped, Mode::Depth(depth)) => ferrodis_typed::sync(&url, &w, depth),
        (ClientApi::FerrodisBlockingRaw, Mode::Depth(depth)) => ferrodis::blocking(&url, &w, depth),
        (ClientApi::RedisRsSync, Mode::Depth(depth)) => redis_rs::sync(&url, &w, depth),
        (ClientApi::FerrodisTokioTyped, mode) => {
            async_pass(flavour, ferrodis_typed::multiplexed(url, Arc::new(w), mode))
        }
        (ClientApi::FerrodisTokioRaw, mode) => async_pass(flavour, ferrodis::tokio(url, Arc::new(w), mode)),
        (ClientApi::RedisRsMultiplexed, mode) => {
            async_pass(flavour, redis_rs::multiplexed(url, Arc::new(w), mode))
        }
        (ClientApi::Fred, mode) => async_pass(flavour, fred::run(url, Arc::new(w), mode)),
        (api, mode) => Err(format!("{} has no {mode} mode", api.name())),
    }
}

/// Runs the async `pass` as a task on a new Tokio runtime of `flavour`.
fn async_pass(
    flavour: Flavour,
    pass: impl Future<Output = Result<Phases, String>> + Send + 'static,
) -> Result<Phases, String> {
    in_task(&runtime(flavour)?, pass)
}
