//! The `pool` subcommand: pooled `SET key:<i> <value>` then `GET key:<i>`, every reply
//! checked, from 16 threads through a blocking pool (ferrodis's `ConnectionPool` against
//! redis-rs over r2d2) and from 256 Tokio tasks through an async pool (ferrodis's
//! `AsyncConnectionPool` against redis-rs's multiplexed connections over bb8) and through
//! one reconnecting handle (ferrodis's `ReconnectingConnection` against redis-rs's
//! `ConnectionManager`). Each request checks a connection out and back in, as a web
//! handler does. `redis-benchmark -c 50` is the server's own limit.
//!
//! With two or more CPUs the server is pinned to the first and this process (clients and
//! `redis-benchmark`) to the second, so the server's limit is one core's and the clients
//! cannot take it from the server. Pools hold at most [`POOL_SIZE`] connections; the peers'
//! pools run without their default PING on every checkout (`test_on_check_out(false)`),
//! which would cost them a round trip per request: ferrodis's pools check a connection
//! only after it sat idle for `health_check_interval`.

mod blocking;
mod tasks;

use std::process::Command;
use std::sync::Arc;

use ferrodis_test_support::RedisServer;

use crate::cli::PoolOptions;
use crate::e2e::workload::{Phases, Workload};
use crate::e2e::{redis_benchmark, server_version};
use crate::measure::{interleaved_rates, select};
use crate::report::{Goal, Table, ratio, render_goals};

/// Threads of the blocking rows.
pub(crate) const THREADS: usize = 16;
/// Tasks of the Tokio rows.
pub(crate) const TASKS: usize = 256;
/// The largest number of connections each pool opens.
pub(crate) const POOL_SIZE: usize = 16;
/// `redis-benchmark`'s connections: the server's limit.
const BENCHMARK_CLIENTS: usize = 50;

/// ferrodis's pooled rows against their peer: at least this many times as fast.
const GOAL_VS_PEER: f64 = 1.2;
/// The faster pooled ferrodis row against `redis-benchmark -c 50`.
const GOAL_VS_REDIS_BENCHMARK: f64 = 0.8;

/// One row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    FerrodisPool,
    R2d2,
    FerrodisAsyncPool,
    Bb8,
    FerrodisReconnecting,
    ConnectionManager,
    RedisBenchmark,
}

impl Row {
    const ALL: [Row; 7] = [
        Row::FerrodisPool,
        Row::R2d2,
        Row::FerrodisAsyncPool,
        Row::Bb8,
        Row::FerrodisReconnecting,
        Row::ConnectionManager,
        Row::RedisBenchmark,
    ];

    fn name(self) -> &'static str {
        match self {
            Row::FerrodisPool => "ferrodis ConnectionPool",
            Row::R2d2 => "redis-rs + r2d2",
            Row::FerrodisAsyncPool => "ferrodis AsyncConnectionPool",
            Row::Bb8 => "redis-rs multiplexed + bb8",
            Row::FerrodisReconnecting => "ferrodis ReconnectingConnection",
            Row::ConnectionManager => "redis-rs ConnectionManager",
            Row::RedisBenchmark => "redis-benchmark -c 50",
        }
    }

    fn load(self) -> String {
        match self {
            Row::FerrodisPool | Row::R2d2 => format!("{THREADS} threads"),
            Row::RedisBenchmark => format!("{BENCHMARK_CLIENTS} connections"),
            _ => format!("{TASKS} tasks"),
        }
    }
}

/// Runs the pool benchmarks and prints the table and the goals.
pub(crate) fn run(options: &PoolOptions) -> Result<(), String> {
    let redis_benchmark = redis_benchmark::find()?;
    let server = RedisServer::start();
    let pinned = pin(&[server.pid()]);
    let runtime = crate::e2e::runtime(crate::cli::Flavour::MultiThread)?;
    let url = server.tcp_url();
    println!(
        "ferrodis-bench pool{}: {} SET then {} GET (keys key:<i>, 16-byte values), a checkout per request, \
         pools of at most {POOL_SIZE} connections, {} run(s); medians reported",
        if options.quick { " --quick" } else { "" },
        options.requests,
        options.requests,
        options.runs,
    );
    println!("server: {} on 127.0.0.1:{}; {pinned}", server_version(), server.port());
    if options.runs < 5 {
        println!("note: fewer than 5 runs; the figures are a smoke test, not a measurement");
    }
    let mut admin = ferrodis::Client::open(&url)
        .and_then(|c| c.get_connection())
        .map_err(|e| format!("cannot connect to the server: {e}"))?;
    let rows = select(&Row::ALL, options.only.as_deref(), Row::name)?;
    let workload = Arc::new(Workload::new(options.requests));
    let reset = || {
        admin
            .request_with(&["FLUSHALL".into(), "SYNC".into()], |_| ())
            .map_err(|e| format!("FLUSHALL failed: {e}"))
    };
    let run = |row| pass(row, &url, &server, &runtime, &redis_benchmark, &workload).map(|p| (p.set, p.get));
    let medians = interleaved_rates(&rows, options.runs, workload.len(), Row::name, reset, run)?;
    let rate = |row: Row| rows.iter().position(|&r| r == row).map_or(f64::NAN, |i| medians[i]);
    let mut table = Table::new(&["client", "load", "k req/s", "vs peer", "vs redis-benchmark"], 2);
    let peer = |row: Row| match row {
        Row::FerrodisPool => Some(Row::R2d2),
        Row::FerrodisAsyncPool => Some(Row::Bb8),
        Row::FerrodisReconnecting => Some(Row::ConnectionManager),
        _ => None,
    };
    for &row in &rows {
        table.row(vec![
            row.name().into(),
            row.load(),
            format!("{:.1}", rate(row) / 1e3),
            peer(row).map_or(String::new(), |p| ratio(rate(row) / rate(p))),
            ratio(rate(row) / rate(Row::RedisBenchmark)),
        ]);
    }
    println!("{}", table.render());
    let mut goals: Vec<Goal> = [Row::FerrodisPool, Row::FerrodisAsyncPool, Row::FerrodisReconnecting]
        .into_iter()
        .filter_map(|row| {
            let p = peer(row)?;
            Some(Goal {
                what: format!("{} vs {}", row.name(), p.name()),
                target: GOAL_VS_PEER,
                measured: rate(row) / rate(p),
            })
        })
        .collect();
    let best = rate(Row::FerrodisPool).max(rate(Row::FerrodisAsyncPool));
    goals.push(Goal {
        what: "faster ferrodis pool vs redis-benchmark -c 50".into(),
        target: GOAL_VS_REDIS_BENCHMARK,
        measured: best / rate(Row::RedisBenchmark),
    });
    println!("{}", render_goals(&goals));
    Ok(())
}

/// One pass of `row` over `w`.
fn pass(
    row: Row,
    url: &str,
    server: &RedisServer,
    runtime: &tokio::runtime::Runtime,
    redis_benchmark: &std::path::PathBuf,
    w: &Arc<Workload>,
) -> Result<Phases, String> {
    let (url2, w2) = (url.to_string(), w.clone());
    match row {
        Row::FerrodisPool => blocking::ferrodis(url, w),
        Row::R2d2 => blocking::r2d2(url, w),
        Row::FerrodisAsyncPool => crate::e2e::in_task(runtime, tasks::ferrodis_pool(url2, w2)),
        Row::Bb8 => crate::e2e::in_task(runtime, tasks::bb8(url2, w2)),
        Row::FerrodisReconnecting => crate::e2e::in_task(runtime, tasks::ferrodis_reconnecting(url2, w2)),
        Row::ConnectionManager => crate::e2e::in_task(runtime, tasks::connection_manager(url2, w2)),
        Row::RedisBenchmark => redis_benchmark::run(
            redis_benchmark,
            (server.host(), server.port()),
            BENCHMARK_CLIENTS,
            w.len(),
            1,
        ),
    }
}

/// Pins the servers to CPU 0 and this process, with the threads it starts from now on, to
/// CPU 1 (`taskset`); says what it did.
pub(crate) fn pin(server_pids: &[u32]) -> String {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cpus < 2 {
        return format!("{cpus} CPU: clients and server share it");
    }
    let taskset =
        |args: &[&str]| Command::new("taskset").args(args).output().is_ok_and(|o| o.status.success());
    let server = server_pids.iter().all(|pid| taskset(&["-a", "-p", "-c", "0", &pid.to_string()]));
    let own = taskset(&["-a", "-p", "-c", "1", &std::process::id().to_string()]);
    match (server, own) {
        (true, true) => {
            format!("servers pinned to CPU 0, this process (clients, redis-benchmark) to CPU 1 of {cpus}")
        }
        _ => format!("taskset failed: clients and server share {cpus} CPUs unpinned"),
    }
}
