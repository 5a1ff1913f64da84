//! The `e2e` subcommand: N `SET key:<i> <16-byte value>` then N `GET key:<i>` against one
//! local redis-server, through one connection of each client, at pipeline depth 1, 16 and
//! 128 and with 128 concurrent requests on one multiplexed connection; `redis-benchmark -c 1`
//! at the same depths gives the ceiling. Passes run interleaved, round by round, and the
//! medians are printed with ferrodis's ratios and the goals.
//!
//! Client and server share the machine's cores, so what a client spends in CPU per request
//! decides its rate: this measures a client's per-request cost end to end (encode, syscalls,
//! task wake-ups, decode, conversions), not the network.

mod cpu;
pub(crate) mod ferrodis;
pub(crate) mod ferrodis_typed;
pub(crate) mod fred;
pub(crate) mod redis_benchmark;
pub(crate) mod redis_rs;
mod results;
mod typed;
pub(crate) mod workload;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use ferrodis_test_support::RedisServer;

use crate::cli::{E2eOptions, Flavour};
use results::{Implementation, Pass, Samples};
use workload::{Mode, Workload};

/// Keys in the warm-up pass each implementation makes before the timed rounds.
const WARM_UP_KEYS: usize = 10_000;

/// Runs the end-to-end benchmarks and prints the tables.
pub(crate) fn run(options: &E2eOptions) -> Result<(), String> {
    let redis_benchmark = redis_benchmark::find()?;
    let runtime = runtime(options.runtime)?;
    let server = RedisServer::start();
    let mut bench = Bench::new(&server, runtime, redis_benchmark)?;

    let entries: Vec<(Mode, Implementation)> = Mode::ALL
        .into_iter()
        .flat_map(|mode| Implementation::ALL.into_iter().map(move |imp| (mode, imp)))
        .filter(|&(mode, imp)| imp.runs(mode) && selected(options, mode, imp))
        .collect();
    if entries.is_empty() {
        return Err("--only matches no row".into());
    }
    println!(
        "ferrodis-bench e2e{}: {} SET then {} GET (keys key:<i>, 16-byte values), one connection per client, \
         {} run(s); medians reported",
        if options.quick { " --quick" } else { "" },
        options.requests,
        options.requests,
        options.runs,
    );
    println!(
        "server: {} on 127.0.0.1:{} (no persistence, FLUSHALL before every pass); async clients on a Tokio {}; \
         {} CPU(s) shared by clients and server",
        server_version(),
        server.port(),
        options.runtime,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    if options.runs < 5 {
        println!("note: fewer than 5 runs; the figures are a smoke test, not a measurement");
    }

    // The warm-up doubles as a check that every client gets the right replies.
    let warm_up = Arc::new(Workload::new(options.requests.min(WARM_UP_KEYS)));
    for (i, &(mode, imp)) in entries.iter().enumerate() {
        eprint!("\r  warm-up {}/{}            ", i + 1, entries.len());
        bench.pass(imp, mode, &warm_up)?;
    }
    let workload = Arc::new(Workload::new(options.requests));
    let mut samples: Vec<Vec<Pass>> = vec![Vec::with_capacity(options.runs); entries.len()];
    for round in 0..options.runs {
        for i in round_order(&entries, round) {
            let (mode, imp) = entries[i];
            eprint!("\r  run {}/{}: {mode}, {}                    ", round + 1, options.runs, imp.name());
            samples[i].push(bench.pass(imp, mode, &workload)?);
        }
    }
    eprintln!("\r{:60}", "");

    let samples = Samples::new(options.requests, entries.into_iter().zip(samples).collect());
    println!("{}", samples.table());
    println!("{}", crate::report::render_goals(&samples.goals()));
    Ok(())
}

/// The order of the passes in round `round`: mode after mode, and within a mode the
/// implementations rotated by one place each round, so that none always runs first after
/// the change of mode, or always right after the same neighbour.
fn round_order(entries: &[(Mode, Implementation)], round: usize) -> Vec<usize> {
    let mut order = Vec::with_capacity(entries.len());
    let mut start = 0;
    while start < entries.len() {
        let mode = entries[start].0;
        let len = entries[start..].iter().take_while(|(m, _)| *m == mode).count();
        order.extend((0..len).map(|k| start + (k + round) % len));
        start += len;
    }
    order
}

/// Whether `--only` lets the row `<mode> <implementation>` run.
fn selected(options: &E2eOptions, mode: Mode, imp: Implementation) -> bool {
    options.only.as_deref().is_none_or(|only| format!("{mode} {}", imp.name()).contains(only))
}

/// `redis-server --version`'s `v=...`, or `redis-server` when it cannot be read.
pub(crate) fn server_version() -> String {
    std::process::Command::new("redis-server")
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| {
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.split_whitespace().find_map(|w| w.strip_prefix("v=").map(|v| format!("redis-server {v}")))
        })
        .unwrap_or_else(|| "redis-server".into())
}

/// The server, the runtime the async clients run on, and how to reach both.
struct Bench<'s> {
    server: &'s RedisServer,
    url: String,
    /// A connection for `FLUSHALL` between passes.
    admin: ::ferrodis::Connection,
    runtime: tokio::runtime::Runtime,
    redis_benchmark: PathBuf,
    meter: cpu::Meter,
}

impl<'s> Bench<'s> {
    fn new(
        server: &'s RedisServer,
        runtime: tokio::runtime::Runtime,
        redis_benchmark: PathBuf,
    ) -> Result<Self, String> {
        let url = server.tcp_url();
        let admin = ::ferrodis::Client::open(&url)
            .and_then(|c| c.get_connection())
            .map_err(|e| format!("cannot connect to the server: {e}"))?;
        let meter = cpu::Meter::new(server.pid());
        Ok(Self { server, url, admin, runtime, redis_benchmark, meter })
    }

    /// Empties the server, then runs one pass of `imp` in `mode` over `w`: its phase
    /// times and the CPU time the client and the server spent on it.
    fn pass(&mut self, imp: Implementation, mode: Mode, w: &Arc<Workload>) -> Result<Pass, String> {
        self.admin
            .request_with(&["FLUSHALL".into(), "SYNC".into()], |_| ())
            .map_err(|e| format!("FLUSHALL failed: {e}"))?;
        let before = self.meter.read()?;
        let phases = self.phases(imp, mode, w)?;
        let used = self.meter.read()? - before;
        let client_cpu = if imp == Implementation::RedisBenchmark { used.children } else { used.own };
        Ok(Pass { phases, client_cpu, server_cpu: used.server })
    }

    /// Runs one pass of `imp` in `mode` over `w` and times its phases.
    fn phases(&self, imp: Implementation, mode: Mode, w: &Arc<Workload>) -> Result<workload::Phases, String> {
        let (url, w2) = (self.url.clone(), w.clone());
        match (imp, mode) {
            (Implementation::FerrodisBlocking, Mode::Depth(depth)) => ferrodis::blocking(&self.url, w, depth),
            (Implementation::RedisRsSync, Mode::Depth(depth)) => redis_rs::sync(&self.url, w, depth),
            (Implementation::RedisBenchmark, Mode::Depth(depth)) => redis_benchmark::run(
                &self.redis_benchmark,
                (self.server.host(), self.server.port()),
                1,
                w.len(),
                depth,
            ),
            (Implementation::FerrodisTokio, mode) => in_task(&self.runtime, ferrodis::tokio(url, w2, mode)),
            (Implementation::RedisRsMultiplexed, mode) => {
                in_task(&self.runtime, redis_rs::multiplexed(url, w2, mode))
            }
            (Implementation::Fred, mode) => in_task(&self.runtime, fred::run(url, w2, mode)),
            (imp, mode) => Err(format!("{} has no {mode} mode", imp.name())),
        }
    }
}

/// A Tokio runtime of `flavour`, with I/O and time enabled.
pub(crate) fn runtime(flavour: Flavour) -> Result<tokio::runtime::Runtime, String> {
    match flavour {
        Flavour::MultiThread => {
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()
        }
        Flavour::CurrentThread => tokio::runtime::Builder::new_current_thread().enable_all().build(),
    }
    .map_err(|e| format!("cannot start the Tokio runtime: {e}"))
}

/// Runs `pass` as a task on `runtime` (as application code runs, rather than on the
/// thread that blocks on the runtime) and waits for it.
pub(crate) fn in_task<F>(runtime: &tokio::runtime::Runtime, pass: F) -> Result<workload::Phases, String>
where
    F: Future<Output = Result<workload::Phases, String>> + Send + 'static,
{
    runtime.block_on(async { tokio::spawn(pass).await.map_err(|e| format!("a pass failed: {e}"))? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_rotate_within_each_mode() {
        use Implementation::*;
        let (a, b) = (Mode::Depth(1), Mode::Concurrent(128));
        let entries = [(a, FerrodisBlocking), (a, FerrodisTokio), (a, Fred), (b, FerrodisTokio), (b, Fred)];
        assert_eq!(round_order(&entries, 0), [0, 1, 2, 3, 4]);
        assert_eq!(round_order(&entries, 1), [1, 2, 0, 4, 3]);
        assert_eq!(round_order(&entries, 2), [2, 0, 1, 3, 4]);
    }
}
