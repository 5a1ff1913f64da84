//! The implementations compared, and the results: medians per row, the table with
//! ferrodis's ratios and the goals of the issue.

use super::workload::{Mode, Phases};
use super::{ferrodis, fred, redis_benchmark, redis_rs};
use crate::measure::median;
use crate::report::{Goal, Table, ratio};

/// ferrodis (each flavour against its peers, and the faster one against the fastest peer)
/// must be at least this many times as fast as the best Rust peer at pipeline depths 1 and 16 ...
const GOAL_VS_PEERS: f64 = 1.0;
/// ... and this many times at depth 128.
const GOAL_VS_PEERS_DEEP: f64 = 1.3;
/// The faster ferrodis at depth 128 against `redis-benchmark -c 1 -P 128`.
const GOAL_VS_REDIS_BENCHMARK: f64 = 0.9;
/// ferrodis Tokio with 128 concurrent requests against redis-rs's multiplexed connection.
const GOAL_CONCURRENT_VS_REDIS_RS: f64 = 1.5;

/// The depth at which the stricter peer goal and the `redis-benchmark` goal apply.
const DEEP: usize = 128;

/// One client (or `redis-benchmark`) as measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Implementation {
    /// `ferrodis::Connection`.
    FerrodisBlocking,
    /// `ferrodis::MultiplexedConnection`.
    FerrodisTokio,
    /// redis-rs's sync `Connection`.
    RedisRsSync,
    /// redis-rs's `MultiplexedConnection`.
    RedisRsMultiplexed,
    /// fred's `Client`.
    Fred,
    /// `redis-benchmark -c 1`.
    RedisBenchmark,
}

impl Implementation {
    /// Every implementation, in the order of the rows.
    pub(crate) const ALL: [Implementation; 6] = [
        Implementation::FerrodisBlocking,
        Implementation::FerrodisTokio,
        Implementation::RedisRsSync,
        Implementation::RedisRsMultiplexed,
        Implementation::Fred,
        Implementation::RedisBenchmark,
    ];

    /// The Rust peers with a blocking connection.
    const BLOCKING_PEERS: [Implementation; 1] = [Implementation::RedisRsSync];
    /// The Rust peers on Tokio.
    const ASYNC_PEERS: [Implementation; 2] = [Implementation::RedisRsMultiplexed, Implementation::Fred];
    /// Every Rust peer.
    const PEERS: [Implementation; 3] =
        [Implementation::RedisRsSync, Implementation::RedisRsMultiplexed, Implementation::Fred];

    /// The row name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Implementation::FerrodisBlocking => ferrodis::BLOCKING,
            Implementation::FerrodisTokio => ferrodis::TOKIO,
            Implementation::RedisRsSync => redis_rs::SYNC,
            Implementation::RedisRsMultiplexed => redis_rs::MULTIPLEXED,
            Implementation::Fred => fred::NAME,
            Implementation::RedisBenchmark => redis_benchmark::NAME,
        }
    }

    /// Whether it has `mode`: concurrent requests need a multiplexed (async) connection.
    pub(crate) fn runs(self, mode: Mode) -> bool {
        match mode {
            Mode::Depth(_) => true,
            Mode::Concurrent(_) => matches!(
                self,
                Implementation::FerrodisTokio | Implementation::RedisRsMultiplexed | Implementation::Fred
            ),
        }
    }
}

/// What one pass measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Pass {
    /// The phase times.
    pub(crate) phases: Phases,
    /// CPU seconds the client spent over the whole pass (connecting included).
    pub(crate) client_cpu: f64,
    /// CPU seconds the server spent over the whole pass.
    pub(crate) server_cpu: f64,
}

/// Rates of one row, medians over the runs.
#[derive(Debug, Clone, Copy)]
struct Rates {
    set: f64,
    get: f64,
    /// Requests per second over both phases: `2N / (SET time + GET time)`.
    both: f64,
    /// Client CPU microseconds per request.
    client_us: f64,
    /// Server CPU microseconds per request.
    server_us: f64,
}

/// Every row's samples.
#[derive(Debug)]
pub(crate) struct Samples {
    rows: Vec<((Mode, Implementation), Rates)>,
}

impl Samples {
    /// The medians of `samples` (phase times of passes of `requests` requests each).
    pub(crate) fn new(requests: usize, samples: Vec<((Mode, Implementation), Vec<Pass>)>) -> Self {
        let n = requests as f64;
        let rows = samples
            .into_iter()
            .map(|(key, passes)| {
                let med = |f: &dyn Fn(&Pass) -> f64| median(&passes.iter().map(f).collect::<Vec<_>>());
                let rates = Rates {
                    set: med(&|p| n / p.phases.set),
                    get: med(&|p| n / p.phases.get),
                    both: med(&|p| 2.0 * n / (p.phases.set + p.phases.get)),
                    client_us: med(&|p| p.client_cpu * 1e6 / (2.0 * n)),
                    server_us: med(&|p| p.server_cpu * 1e6 / (2.0 * n)),
                };
                (key, rates)
            })
            .collect();
        Self { rows }
    }

    /// The requests/s (both phases) of `imp` in `mode`, if measured.
    fn rate(&self, mode: Mode, imp: Implementation) -> Option<f64> {
        self.rows.iter().find(|(key, _)| *key == (mode, imp)).map(|(_, r)| r.both)
    }

    /// The fastest of `imps` in `mode`, with its rate.
    fn best(&self, mode: Mode, imps: &[Implementation]) -> Option<(Implementation, f64)> {
        imps.iter().filter_map(|&imp| Some((imp, self.rate(mode, imp)?))).max_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The `redis-benchmark` row a mode is compared with: the same depth, or the deepest
    /// pipeline for concurrent requests (128 requests in flight either way).
    fn ceiling(&self, mode: Mode) -> Option<f64> {
        match mode {
            Mode::Depth(_) => self.rate(mode, Implementation::RedisBenchmark),
            Mode::Concurrent(n) => self.rate(Mode::Depth(n), Implementation::RedisBenchmark),
        }
    }

    /// The table: rates per row and the ratios.
    pub(crate) fn table(&self) -> String {
        let mut table = Table::new(
            &[
                "mode",
                "implementation",
                "SET/s",
                "GET/s",
                "req/s",
                "client CPU us/req",
                "server CPU us/req",
                "this / redis-benchmark",
                "ferrodis blocking / this",
                "ferrodis Tokio / this",
            ],
            2,
        );
        let mut last_mode = None;
        for &((mode, imp), rates) in &self.rows {
            if last_mode != Some(mode) {
                table.gap();
                last_mode = Some(mode);
            }
            let versus = |reference: Implementation| match self.rate(mode, reference) {
                Some(r) if reference != imp && imp != Implementation::RedisBenchmark => ratio(r / rates.both),
                _ => "-".to_string(),
            };
            table.row(vec![
                mode.to_string(),
                imp.name().to_string(),
                thousands(rates.set),
                thousands(rates.get),
                thousands(rates.both),
                format!("{:.2}", rates.client_us),
                format!("{:.2}", rates.server_us),
                match self.ceiling(mode) {
                    Some(c) if imp != Implementation::RedisBenchmark => ratio(rates.both / c),
                    _ => "-".to_string(),
                },
                versus(Implementation::FerrodisBlocking),
                versus(Implementation::FerrodisTokio),
            ]);
        }
        format!(
            "req/s = 2N / (SET time + GET time), k = 1000 requests/s; CPU us/req = CPU microseconds per \
             request over the whole pass (client: this process, or redis-benchmark's own; server: \
             redis-server's, counted in clock ticks); \"128 concurrent\" is compared with redis-benchmark \
             -P 128\n{}",
            table.render()
        )
    }

    /// The goals that this run measured.
    pub(crate) fn goals(&self) -> Vec<Goal> {
        let mut goals = Vec::new();
        let mut push = |what: String, target: f64, ours: Option<f64>, theirs: Option<f64>| {
            if let (Some(ours), Some(theirs)) = (ours, theirs) {
                goals.push(Goal { what, target, measured: ours / theirs });
            }
        };
        let ferrodis = [Implementation::FerrodisBlocking, Implementation::FerrodisTokio];
        for mode in Mode::ALL {
            let Mode::Depth(depth) = mode else { continue };
            let target = if depth == DEEP { GOAL_VS_PEERS_DEEP } else { GOAL_VS_PEERS };
            let versus = |imps: &[Implementation], what: &str| {
                let best = self.best(mode, imps);
                (best.map(|(imp, _)| format!("{what} ({})", imp.name())), best.map(|(_, r)| r))
            };
            let (name, rate) = versus(&Implementation::BLOCKING_PEERS, "blocking peer");
            push(
                format!("{mode}: ferrodis blocking vs {}", name.unwrap_or_default()),
                target,
                self.rate(mode, Implementation::FerrodisBlocking),
                rate,
            );
            let (name, rate) = versus(&Implementation::ASYNC_PEERS, "best async peer");
            push(
                format!("{mode}: ferrodis Tokio vs {}", name.unwrap_or_default()),
                target,
                self.rate(mode, Implementation::FerrodisTokio),
                rate,
            );
            let (name, rate) = versus(&Implementation::PEERS, "best Rust peer");
            let ours = self.best(mode, &ferrodis);
            push(
                format!(
                    "{mode}: best ferrodis ({}) vs {}",
                    ours.map_or("", |(imp, _)| imp.name()),
                    name.unwrap_or_default()
                ),
                target,
                ours.map(|(_, r)| r),
                rate,
            );
        }
        let deep = Mode::Depth(DEEP);
        push(
            format!("{deep}: best ferrodis vs redis-benchmark -c 1 -P {DEEP}"),
            GOAL_VS_REDIS_BENCHMARK,
            self.best(deep, &ferrodis).map(|(_, r)| r),
            self.rate(deep, Implementation::RedisBenchmark),
        );
        let concurrent = Mode::Concurrent(DEEP);
        push(
            format!("{concurrent}: ferrodis Tokio vs redis-rs multiplexed"),
            GOAL_CONCURRENT_VS_REDIS_RS,
            self.rate(concurrent, Implementation::FerrodisTokio),
            self.rate(concurrent, Implementation::RedisRsMultiplexed),
        );
        goals
    }
}

/// A rate such as 41_234 as `41.2 k`.
fn thousands(per_second: f64) -> String {
    format!("{:.1} k", per_second / 1e3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_ratios_and_goals() {
        let row = |mode, imp, set: f64, get: f64| {
            ((mode, imp), vec![Pass { phases: Phases { set, get }, client_cpu: 0.002, server_cpu: 0.001 }])
        };
        let d128 = Mode::Depth(DEEP);
        let samples = Samples::new(
            1000,
            vec![
                row(d128, Implementation::FerrodisBlocking, 0.001, 0.001),
                row(d128, Implementation::RedisRsSync, 0.002, 0.002),
                row(d128, Implementation::RedisBenchmark, 0.0005, 0.0015),
            ],
        );
        assert_eq!(samples.rate(d128, Implementation::FerrodisBlocking), Some(1e6));
        assert_eq!(samples.rate(d128, Implementation::RedisBenchmark), Some(1e6));
        let goals = samples.goals();
        let names: Vec<&str> = goals.iter().map(|g| g.what.as_str()).collect();
        assert_eq!(
            names,
            [
                "pipeline 128: ferrodis blocking vs blocking peer (redis-rs sync)",
                "pipeline 128: best ferrodis (ferrodis blocking) vs best Rust peer (redis-rs sync)",
                "pipeline 128: best ferrodis vs redis-benchmark -c 1 -P 128",
            ]
        );
        assert_eq!(goals.iter().map(|g| g.measured).collect::<Vec<_>>(), [2.0, 2.0, 1.0]);
        assert!(goals[0].met() && goals[2].met());
        let table = samples.table();
        assert!(table.contains("1000.0 k"), "{table}");
        let cells: Vec<&str> = table
            .lines()
            .find(|l| l.starts_with("pipeline 128  ferrodis blocking"))
            .unwrap()
            .split_whitespace()
            .collect();
        assert_eq!(cells[cells.len() - 5..], ["1.00", "0.50", "1.00x", "-", "-"], "{table}");
    }
}
