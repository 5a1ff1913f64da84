//! Command-line parsing: a subcommand and its options, by hand (no argument-parser crate).

use std::path::PathBuf;
use std::time::Duration;

use crate::cost::rows::Row;

/// The help text.
pub(crate) const USAGE: &str = "\
usage: ferrodis-bench <command> [options]

commands:
  codec     RESP decoders, command encoders and key hash slots: ferrodis vs redis-protocol 6
            and redis-rs
  e2e       SET then GET against a local redis-server: ferrodis vs redis-rs, fred and
            redis-benchmark, at pipeline depth 1, 16, 128 and with 128 concurrent requests
  cost      the same requests under valgrind --tool=callgrind: client instructions and
            allocations per request, ferrodis (typed API and raw path) vs redis-rs and fred
  pool      pooled SET then GET, a checkout per request: ferrodis's pools from 16 threads
            and 256 Tokio tasks vs redis-rs over r2d2 and bb8, ferrodis's reconnecting
            connection vs redis-rs's ConnectionManager, redis-benchmark -c 50 as the limit
  cluster   SET then GET over a 6-node Redis Cluster: ferrodis's ClusterClient and
            AsyncClusterClient vs redis-rs's sync and async cluster connections, at depth 1,
            in pipelines of 128 and with 128 concurrent requests

codec options:
  --runs N          timed runs per implementation; medians are reported (default 7)
  --quick           small corpus and 2 runs: a smoke test that takes a few seconds
  --corpus-mib N    size of each decode corpus in MiB (default 8)
  --commands N      SET commands encoded per pass (default 1000000)
  --only TEXT       only the rows whose '<corpus> <implementation>' contains TEXT
                    (for profiling): --only 'RESP2 ferrodis', --only SET

e2e options:
  --requests N      SETs, then GETs, per pass (default 200000)
  --runs N          timed runs per row; medians are reported (default 5)
  --quick           2000 requests and 1 run: a smoke test that takes a few seconds
  --runtime R       the Tokio runtime of the async clients: `multi` (multi-thread, 2
                    workers; the default) or `current` (current-thread)
  --only TEXT       only the rows whose '<mode> <implementation>' contains TEXT
                    (for profiling): --only 'depth 1 ferrodis', --only '128 concurrent'

cost options:
  --requests N      N: each row runs N SETs then N GETs, then 2N of each, and reports
                    (count(2N) - count(N)) / 2N per request (default 2048)
  --quick           N = 256 and only ferrodis Tokio typed and redis-rs multiplexed at
                    depth 1, pipeline 128 and 128 concurrent: a smoke test of about 15 s
  --only TEXT       only the rows whose '<mode> <client>' contains TEXT:
                    --only 'Tokio typed', --only 'pipeline 128'
  --keep DIR        keep the callgrind output files in DIR (for callgrind_annotate)
  --runtime R       the Tokio runtime of the async clients: `current` (current-thread,
                    the default: callgrind runs one thread at a time) or `multi`

pool options:
  --requests N      SETs, then GETs, per pass (default 100000)
  --runs N          timed runs per row; medians are reported (default 5)
  --quick           2000 requests and 1 run: a smoke test that takes a few seconds
  --only TEXT       only the rows whose name contains TEXT: --only bb8

cluster options:
  --requests N      SETs, then GETs, per pass (default 20000)
  --runs N          timed runs per row; medians are reported (default 5)
  --quick           2000 requests and 1 run: a smoke test
  --only TEXT       only the rows whose '<mode> <client>' contains TEXT: --only 'pipeline 128'

  (`cost-worker` is the process `cost` runs under callgrind, not for direct use.)

  -h, --help        this text";

/// What the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    /// Print the usage and exit.
    Help,
    /// Run the codec benchmarks.
    Codec(CodecOptions),
    /// Run the end-to-end benchmarks.
    E2e(E2eOptions),
    /// Count client instructions and allocations per request under callgrind.
    Cost(CostOptions),
    /// Run the pool benchmarks.
    Pool(PoolOptions),
    /// Run the cluster benchmarks (the pool's settings, with their own defaults).
    Cluster(PoolOptions),
    /// Make one pass of one `cost` row (the process `cost` runs under callgrind).
    CostWorker(WorkerOptions),
}

/// Settings of the `codec` subcommand.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CodecOptions {
    /// Timed runs per implementation (the median is reported).
    pub(crate) runs: usize,
    /// Bytes of each decode corpus (at least; the last frame may overshoot).
    pub(crate) corpus_bytes: usize,
    /// Commands encoded per encoding pass.
    pub(crate) commands: usize,
    /// Shortest time one run lasts: a pass is repeated until this much time has passed.
    pub(crate) min_run_time: Duration,
    /// Whether this is the `--quick` smoke test (reported in the header).
    pub(crate) quick: bool,
    /// Only the implementations whose name contains this text.
    pub(crate) only: Option<String>,
}

impl CodecOptions {
    /// The full measurement: 7 runs of at least 250 ms each, 8 MiB corpora, 1 M commands.
    pub(crate) const FULL: CodecOptions = CodecOptions {
        runs: 7,
        corpus_bytes: 8 << 20,
        commands: 1_000_000,
        min_run_time: Duration::from_millis(250),
        quick: false,
        only: None,
    };

    /// The smoke test: 2 single-pass runs over 256 KiB corpora and 20 000 commands.
    pub(crate) const QUICK: CodecOptions = CodecOptions {
        runs: 2,
        corpus_bytes: 256 << 10,
        commands: 20_000,
        min_run_time: Duration::ZERO,
        quick: true,
        only: None,
    };
}

/// Settings of the `e2e` subcommand.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct E2eOptions {
    /// SETs, then GETs, per pass.
    pub(crate) requests: usize,
    /// Timed runs per row (the median is reported).
    pub(crate) runs: usize,
    /// Whether this is the `--quick` smoke test (reported in the header).
    pub(crate) quick: bool,
    /// The Tokio runtime every async client runs on.
    pub(crate) runtime: Flavour,
    /// Only the rows whose `<mode> <implementation>` contains this text.
    pub(crate) only: Option<String>,
}

impl E2eOptions {
    /// The full measurement: 200 000 requests per phase, 5 runs.
    pub(crate) const FULL: E2eOptions =
        E2eOptions { requests: 200_000, runs: 5, quick: false, runtime: Flavour::MultiThread, only: None };

    /// The smoke test: 2 000 requests per phase, 1 run.
    pub(crate) const QUICK: E2eOptions =
        E2eOptions { requests: 2_000, runs: 1, quick: true, runtime: Flavour::MultiThread, only: None };
}

/// Settings of the `pool` subcommand.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PoolOptions {
    /// SETs, then GETs, per pass.
    pub(crate) requests: usize,
    /// Timed runs per row (the median is reported).
    pub(crate) runs: usize,
    /// Whether this is the `--quick` smoke test (reported in the header).
    pub(crate) quick: bool,
    /// Only the rows whose name contains this text.
    pub(crate) only: Option<String>,
}

impl PoolOptions {
    /// The full measurement: 100 000 requests per phase, 5 runs.
    pub(crate) const FULL: PoolOptions = PoolOptions { requests: 100_000, runs: 5, quick: false, only: None };

    /// The smoke test: 2 000 requests per phase, 1 run.
    pub(crate) const QUICK: PoolOptions = PoolOptions { requests: 2_000, runs: 1, quick: true, only: None };

    /// The full cluster measurement: 20 000 requests per phase, 5 runs (a request at a
    /// time is a round trip each).
    pub(crate) const CLUSTER: PoolOptions =
        PoolOptions { requests: 20_000, runs: 5, quick: false, only: None };
}

/// Settings of the `cost` subcommand.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CostOptions {
    /// N: the SETs, then GETs, of each row's shorter run (the longer one makes 2N of each).
    pub(crate) requests: usize,
    /// Whether this is the `--quick` smoke test (fewer rows; reported in the header).
    pub(crate) quick: bool,
    /// Only the rows whose `<mode> <client>` contains this text.
    pub(crate) only: Option<String>,
    /// Where to keep the callgrind output files (a temporary folder, removed, when `None`).
    pub(crate) keep: Option<PathBuf>,
    /// The Tokio runtime the async clients run on.
    pub(crate) runtime: Flavour,
}

impl CostOptions {
    /// The full measurement: N = 2048 (16 pipelines of 128, 16 requests for each of 128
    /// concurrent tasks), every row.
    pub(crate) const FULL: CostOptions =
        CostOptions { requests: 2048, quick: false, only: None, keep: None, runtime: Flavour::CurrentThread };

    /// The smoke test: N = 256 and the rows of [`Row::quick`].
    pub(crate) const QUICK: CostOptions =
        CostOptions { requests: 256, quick: true, only: None, keep: None, runtime: Flavour::CurrentThread };
}

/// Settings of `cost-worker`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WorkerOptions {
    /// The client API and mode.
    pub(crate) row: Row,
    /// SETs, then GETs, to make.
    pub(crate) requests: usize,
    /// Keys to format (at least `requests`): the same in every run of a row.
    pub(crate) keys: usize,
    /// The server.
    pub(crate) url: String,
    /// The Tokio runtime of an async client.
    pub(crate) runtime: Flavour,
}

/// A Tokio runtime flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavour {
    /// Multi-thread with 2 workers.
    MultiThread,
    /// Current-thread.
    CurrentThread,
}

impl Flavour {
    /// How `--runtime` names it: `multi` or `current`.
    pub(crate) fn arg(self) -> &'static str {
        match self {
            Flavour::MultiThread => "multi",
            Flavour::CurrentThread => "current",
        }
    }
}

impl std::fmt::Display for Flavour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Flavour::MultiThread => "multi-thread runtime (2 workers)",
            Flavour::CurrentThread => "current-thread runtime",
        })
    }
}

/// Parses the arguments after the program name.
pub(crate) fn parse(args: &[String]) -> Result<Command, String> {
    let Some((command, rest)) = args.split_first() else {
        return Err("no command given".into());
    };
    match command.as_str() {
        "-h" | "--help" | "help" => Ok(Command::Help),
        "codec" => parse_codec(rest),
        "e2e" => parse_e2e(rest),
        "cost" => parse_cost(rest),
        "pool" => parse_pool(rest, PoolOptions::FULL).map(|o| o.map_or(Command::Help, Command::Pool)),
        "cluster" => {
            parse_pool(rest, PoolOptions::CLUSTER).map(|o| o.map_or(Command::Help, Command::Cluster))
        }
        "cost-worker" => parse_cost_worker(rest),
        other => Err(format!("unknown command `{other}`")),
    }
}

/// The arguments after an option, which takes its value from them.
type Rest<'a> = std::slice::Iter<'a, String>;

/// Parses the options of a subcommand: `quick` when `--quick` is among `args`, `full`
/// otherwise, so explicit values win over both presets whatever their order; every other
/// option goes to `option` with the arguments after it. `None` for `-h` / `--help`.
fn options<O>(
    args: &[String],
    full: O,
    quick: O,
    mut option: impl FnMut(&mut O, &str, &mut Rest<'_>) -> Result<(), String>,
) -> Result<Option<O>, String> {
    let mut options = if args.iter().any(|a| a == "--quick") { quick } else { full };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--quick" => {}
            "-h" | "--help" => return Ok(None),
            other => option(&mut options, other, &mut rest)?,
        }
    }
    Ok(Some(options))
}

/// The value after `--only`.
fn only(rest: &mut Rest<'_>) -> Result<Option<String>, String> {
    Ok(Some(rest.next().ok_or("--only needs a value")?.clone()))
}

/// The error for an option a subcommand does not have.
fn unknown(option: &str) -> Result<(), String> {
    Err(format!("unknown option `{option}`"))
}

/// Parses the options of `codec`.
fn parse_codec(args: &[String]) -> Result<Command, String> {
    let parsed = options(args, CodecOptions::FULL, CodecOptions::QUICK, |options, arg, rest| {
        match arg {
            "--runs" => options.runs = number(arg, rest.next())?,
            "--corpus-mib" => options.corpus_bytes = number::<usize>(arg, rest.next())? << 20,
            "--commands" => options.commands = number(arg, rest.next())?,
            "--only" => options.only = only(rest)?,
            other => return unknown(other),
        }
        Ok(())
    })?;
    let Some(options) = parsed else { return Ok(Command::Help) };
    if options.runs == 0 || options.corpus_bytes == 0 || options.commands == 0 {
        return Err("--runs, --corpus-mib and --commands must be at least 1".into());
    }
    Ok(Command::Codec(options))
}

/// Parses the options of `e2e`.
fn parse_e2e(args: &[String]) -> Result<Command, String> {
    let parsed = options(args, E2eOptions::FULL, E2eOptions::QUICK, |options, arg, rest| {
        match arg {
            "--runs" => options.runs = number(arg, rest.next())?,
            "--requests" => options.requests = number(arg, rest.next())?,
            "--runtime" => options.runtime = flavour(rest.next())?,
            "--only" => options.only = only(rest)?,
            other => return unknown(other),
        }
        Ok(())
    })?;
    let Some(options) = parsed else { return Ok(Command::Help) };
    if options.runs == 0 || options.requests == 0 {
        return Err("--runs and --requests must be at least 1".into());
    }
    Ok(Command::E2e(options))
}

/// Parses the options of `pool` (and `cluster`, whose full run is `full`); `None` for help.
fn parse_pool(args: &[String], full: PoolOptions) -> Result<Option<PoolOptions>, String> {
    let parsed = options(args, full, PoolOptions::QUICK, |options, arg, rest| {
        match arg {
            "--runs" => options.runs = number(arg, rest.next())?,
            "--requests" => options.requests = number(arg, rest.next())?,
            "--only" => options.only = only(rest)?,
            other => return unknown(other),
        }
        Ok(())
    })?;
    let Some(options) = parsed else { return Ok(None) };
    if options.runs == 0 || options.requests == 0 {
        return Err("--runs and --requests must be at least 1".into());
    }
    Ok(Some(options))
}

/// Parses the options of `cost`.
fn parse_cost(args: &[String]) -> Result<Command, String> {
    let parsed = options(args, CostOptions::FULL, CostOptions::QUICK, |options, arg, rest| {
        match arg {
            "--requests" => options.requests = number(arg, rest.next())?,
            "--runtime" => options.runtime = flavour(rest.next())?,
            "--keep" => options.keep = Some(rest.next().ok_or("--keep needs a folder")?.into()),
            "--only" => options.only = only(rest)?,
            other => return unknown(other),
        }
        Ok(())
    })?;
    let Some(options) = parsed else { return Ok(Command::Help) };
    if options.requests == 0 {
        return Err("--requests must be at least 1".into());
    }
    Ok(Command::Cost(options))
}

/// Parses the options of `cost-worker`, every one required.
fn parse_cost_worker(args: &[String]) -> Result<Command, String> {
    let value = |name: &str| -> Result<&String, String> {
        let at = args.iter().position(|a| a == name).ok_or(format!("cost-worker needs {name}"))?;
        args.get(at + 1).ok_or(format!("{name} needs a value"))
    };
    let row = Row::parse(value("--client")?, value("--mode")?)?;
    let requests = number("--requests", Some(value("--requests")?))?;
    let keys = number("--keys", Some(value("--keys")?))?;
    if keys < requests {
        return Err("cost-worker: --keys must be at least --requests".into());
    }
    let runtime = flavour(Some(value("--runtime")?))?;
    Ok(Command::CostWorker(WorkerOptions { row, requests, keys, url: value("--url")?.clone(), runtime }))
}

/// The runtime flavour after `--runtime`: `multi` or `current`.
fn flavour(value: Option<&String>) -> Result<Flavour, String> {
    [Flavour::MultiThread, Flavour::CurrentThread]
        .into_iter()
        .find(|f| value.is_some_and(|v| v == f.arg()))
        .ok_or("--runtime needs `multi` or `current`".into())
}

/// The positive number after `option`.
fn number<T: std::str::FromStr>(option: &str, value: Option<&String>) -> Result<T, String> {
    let value = value.ok_or_else(|| format!("{option} needs a value"))?;
    value.parse().map_err(|_| format!("{option}: `{value}` is not a number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn presets_and_overrides() {
        assert_eq!(parse(&args("codec")), Ok(Command::Codec(CodecOptions::FULL)));
        assert_eq!(parse(&args("codec --quick")), Ok(Command::Codec(CodecOptions::QUICK)));
        let Ok(Command::Codec(options)) = parse(&args("codec --runs 9 --quick")) else { panic!() };
        assert_eq!((options.runs, options.quick), (9, true));
        let Ok(Command::Codec(options)) = parse(&args("codec --corpus-mib 2 --commands 5")) else { panic!() };
        assert_eq!((options.corpus_bytes, options.commands), (2 << 20, 5));
        let Ok(Command::Codec(options)) = parse(&args("codec --only ferrodis")) else { panic!() };
        assert_eq!(options.only.as_deref(), Some("ferrodis"));
    }

    #[test]
    fn e2e_presets_and_overrides() {
        assert_eq!(parse(&args("e2e")), Ok(Command::E2e(E2eOptions::FULL)));
        assert_eq!(parse(&args("e2e --quick")), Ok(Command::E2e(E2eOptions::QUICK)));
        let Ok(Command::E2e(options)) = parse(&args("e2e --requests 50 --quick --runs 3 --runtime current"))
        else {
            panic!()
        };
        assert_eq!((options.requests, options.runs, options.runtime), (50, 3, Flavour::CurrentThread));
        for line in ["e2e --requests 0", "e2e --runtime", "e2e --runtime fast", "e2e --corpus-mib 2"] {
            assert!(parse(&args(line)).is_err(), "{line:?}");
        }
    }

    #[test]
    fn cost_presets_and_overrides() {
        assert_eq!(parse(&args("cost")), Ok(Command::Cost(CostOptions::FULL)));
        assert_eq!(parse(&args("pool")), Ok(Command::Pool(PoolOptions::FULL)));
        assert_eq!(parse(&args("cluster")), Ok(Command::Cluster(PoolOptions::CLUSTER)));
        assert_eq!(parse(&args("cluster --quick")), Ok(Command::Cluster(PoolOptions::QUICK)));
        assert_eq!(
            parse(&args("pool --quick --only bb8")),
            Ok(Command::Pool(PoolOptions { only: Some("bb8".into()), ..PoolOptions::QUICK }))
        );
        assert_eq!(parse(&args("cost --quick")), Ok(Command::Cost(CostOptions::QUICK)));
        let Ok(Command::Cost(options)) =
            parse(&args("cost --requests 64 --quick --only fred --keep /tmp/cg --runtime multi"))
        else {
            panic!()
        };
        assert_eq!((options.requests, options.runtime), (64, Flavour::MultiThread));
        assert_eq!((options.only.as_deref(), options.keep), (Some("fred"), Some(PathBuf::from("/tmp/cg"))));
        for line in ["cost --requests 0", "cost --keep", "cost --runs 3", "cost-worker --requests 5"] {
            assert!(parse(&args(line)).is_err(), "{line:?}");
        }
    }

    #[test]
    fn mistakes_are_errors() {
        for line in
            ["", "codex", "codec --runs", "codec --runs x", "codec --runs 0", "codec --fast", "codec --only"]
        {
            assert!(parse(&args(line)).is_err(), "{line:?}");
        }
        assert_eq!(parse(&args("--help")), Ok(Command::Help));
    }
}
