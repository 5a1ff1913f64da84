//! The `cluster` subcommand: `SET key:<i> <value>` then `GET key:<i>`, every reply
//! checked, over a 6-node Redis Cluster (3 primaries, 3 replicas) started by the test
//! support: ferrodis's `ClusterClient` and `AsyncClusterClient` against redis-rs's sync
//! and async cluster connections, one request at a time (depth 1), in cross-slot pipelines
//! of 128 and, on Tokio, with 128 requests in flight from 128 tasks.
//!
//! redis-rs's async cluster connection refuses a pipeline whose keys are in several slots,
//! so the async pipeline row has no peer. With two or more CPUs the servers are pinned to
//! the first and this process to the second.

mod blocking;
mod tasks;

use std::sync::Arc;

use ferrodis_test_support::RedisCluster;

use crate::cli::PoolOptions;
use crate::e2e::workload::{Phases, Workload};
use crate::measure::{interleaved_rates, select};
use crate::report::{Goal, Table, ratio, render_goals};

/// Requests in one pipeline, and in flight at once in the concurrent rows.
pub(crate) const DEPTH: usize = 128;

/// Each ferrodis row against its redis-rs peer: at least this many times as fast.
const GOAL_VS_PEER: f64 = 1.2;

/// One row: a client in a mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    FerrodisDepth1,
    RedisRsDepth1,
    FerrodisPipeline,
    RedisRsPipeline,
    FerrodisAsyncDepth1,
    RedisRsAsyncDepth1,
    FerrodisAsyncConcurrent,
    RedisRsAsyncConcurrent,
    FerrodisAsyncPipeline,
}

impl Row {
    const ALL: [Row; 9] = [
        Row::FerrodisDepth1,
        Row::RedisRsDepth1,
        Row::FerrodisPipeline,
        Row::RedisRsPipeline,
        Row::FerrodisAsyncDepth1,
        Row::RedisRsAsyncDepth1,
        Row::FerrodisAsyncConcurrent,
        Row::RedisRsAsyncConcurrent,
        Row::FerrodisAsyncPipeline,
    ];

    fn client(self) -> &'static str {
        match self {
            Row::FerrodisDepth1 | Row::FerrodisPipeline => "ferrodis ClusterClient",
            Row::RedisRsDepth1 | Row::RedisRsPipeline => "redis-rs cluster (sync)",
            Row::FerrodisAsyncDepth1 | Row::FerrodisAsyncConcurrent | Row::FerrodisAsyncPipeline => {
                "ferrodis AsyncClusterClient"
            }
            Row::RedisRsAsyncDepth1 | Row::RedisRsAsyncConcurrent => "redis-rs cluster_async",
        }
    }

    fn mode(self) -> String {
        match self {
            Row::FerrodisDepth1 | Row::RedisRsDepth1 | Row::FerrodisAsyncDepth1 | Row::RedisRsAsyncDepth1 => {
                "depth 1".into()
            }
            Row::FerrodisPipeline | Row::RedisRsPipeline | Row::FerrodisAsyncPipeline => {
                format!("pipeline {DEPTH}")
            }
            Row::FerrodisAsyncConcurrent | Row::RedisRsAsyncConcurrent => format!("{DEPTH} concurrent"),
        }
    }

    fn name(self) -> String {
        format!("{} {}", self.mode(), self.client())
    }

    /// The redis-rs row a ferrodis row is compared with.
    fn peer(self) -> Option<Row> {
        match self {
            Row::FerrodisDepth1 => Some(Row::RedisRsDepth1),
            Row::FerrodisPipeline => Some(Row::RedisRsPipeline),
            Row::FerrodisAsyncDepth1 => Some(Row::RedisRsAsyncDepth1),
            Row::FerrodisAsyncConcurrent => Some(Row::RedisRsAsyncConcurrent),
            _ => None,
        }
    }
}

/// Runs the cluster benchmarks and prints the table and the goals.
pub(crate) fn run(options: &PoolOptions) -> Result<(), String> {
    let cluster = RedisCluster::start();
    let pids: Vec<u32> = cluster.nodes().iter().map(|n| n.pid()).collect();
    let pinned = crate::pool::pin(&pids);
    let runtime = crate::e2e::runtime(crate::cli::Flavour::MultiThread)?;
    let url = cluster.urls()[0].clone();
    println!(
        "ferrodis-bench cluster{}: {} SET then {} GET (keys key:<i>, 16-byte values) over 3 primaries \
         and 3 replicas, {} run(s); medians reported",
        if options.quick { " --quick" } else { "" },
        options.requests,
        options.requests,
        options.runs,
    );
    println!("servers: {} on 127.0.0.1; {pinned}", crate::e2e::server_version());
    if options.runs < 5 {
        println!("note: fewer than 5 runs; the figures are a smoke test, not a measurement");
    }
    let rows = select(&Row::ALL, options.only.as_deref(), Row::name)?;
    let workload = Arc::new(Workload::new(options.requests));
    let reset = || {
        for node in cluster.masters() {
            cluster.nodes()[node].redis_cli(&["FLUSHALL", "SYNC"]);
        }
        Ok(())
    };
    let run = |row| pass(row, &url, &runtime, &workload).map(|p| (p.set, p.get));
    let medians = interleaved_rates(&rows, options.runs, workload.len(), Row::name, reset, run)?;
    let rate = |row: Row| rows.iter().position(|&r| r == row).map_or(f64::NAN, |i| medians[i]);
    let mut table = Table::new(&["mode", "client", "k req/s", "vs redis-rs"], 2);
    for &row in &rows {
        let versus = match (row.peer(), row) {
            (Some(peer), _) => ratio(rate(row) / rate(peer)),
            (None, Row::FerrodisAsyncPipeline) => "(redis-rs refuses)".into(),
            (None, _) => String::new(),
        };
        table.row(vec![row.mode(), row.client().into(), format!("{:.1}", rate(row) / 1e3), versus]);
    }
    println!("{}", table.render());
    let goals: Vec<Goal> = rows
        .iter()
        .filter_map(|&row| {
            let peer = row.peer()?;
            Some(Goal {
                what: format!("{} vs {}", row.name(), peer.client()),
                target: GOAL_VS_PEER,
                measured: rate(row) / rate(peer),
            })
        })
        .collect();
    println!("{}", render_goals(&goals));
    Ok(())
}

/// One pass of `row` over `w`.
fn pass(row: Row, url: &str, runtime: &tokio::runtime::Runtime, w: &Arc<Workload>) -> Result<Phases, String> {
    let (url2, w2) = (url.to_string(), w.clone());
    match row {
        Row::FerrodisDepth1 => blocking::ferrodis(url, w, 1),
        Row::RedisRsDepth1 => blocking::redis_rs(url, w, 1),
        Row::FerrodisPipeline => blocking::ferrodis(url, w, DEPTH),
        Row::RedisRsPipeline => blocking::redis_rs(url, w, DEPTH),
        Row::FerrodisAsyncDepth1 => {
            crate::e2e::in_task(runtime, tasks::ferrodis(url2, w2, tasks::Mode::Depth1))
        }
        Row::RedisRsAsyncDepth1 => crate::e2e::in_task(runtime, tasks::redis_rs(url2, w2, false)),
        Row::FerrodisAsyncConcurrent => {
            crate::e2e::in_task(runtime, tasks::ferrodis(url2, w2, tasks::Mode::Concurrent))
        }
        Row::RedisRsAsyncConcurrent => crate::e2e::in_task(runtime, tasks::redis_rs(url2, w2, true)),
        Row::FerrodisAsyncPipeline => {
            crate::e2e::in_task(runtime, tasks::ferrodis(url2, w2, tasks::Mode::Pipeline))
        }
    }
}
