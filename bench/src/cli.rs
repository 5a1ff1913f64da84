//! Command-line parsing: a subcommand and its options, by hand (no argument-parser crate).

use std::time::Duration;

/// The help text.
pub(crate) const USAGE: &str = "\
usage: ferrodis-bench <command> [options]

commands:
  codec     RESP decoders and command encoders: ferrodis vs redis-protocol 6 and redis-rs
  e2e       SET then GET against a local redis-server: ferrodis vs redis-rs, fred and
            redis-benchmark, at pipeline depth 1, 16, 128 and with 128 concurrent requests

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

/// A Tokio runtime flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavour {
    /// Multi-thread with 2 workers.
    MultiThread,
    /// Current-thread.
    CurrentThread,
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
        other => Err(format!("unknown command `{other}`")),
    }
}

/// Parses the options of `codec`. `--quick` picks the small defaults; explicit values win
/// over both presets, whatever their order.
fn parse_codec(args: &[String]) -> Result<Command, String> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut options = if quick { CodecOptions::QUICK } else { CodecOptions::FULL };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => {}
            "-h" | "--help" => return Ok(Command::Help),
            "--runs" => options.runs = number(arg, args.next())?,
            "--corpus-mib" => options.corpus_bytes = number::<usize>(arg, args.next())? << 20,
            "--commands" => options.commands = number(arg, args.next())?,
            "--only" => options.only = Some(args.next().ok_or("--only needs a value")?.clone()),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    if options.runs == 0 || options.corpus_bytes == 0 || options.commands == 0 {
        return Err("--runs, --corpus-mib and --commands must be at least 1".into());
    }
    Ok(Command::Codec(options))
}

/// Parses the options of `e2e`, like [`parse_codec`]'s.
fn parse_e2e(args: &[String]) -> Result<Command, String> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut options = if quick { E2eOptions::QUICK } else { E2eOptions::FULL };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => {}
            "-h" | "--help" => return Ok(Command::Help),
            "--runs" => options.runs = number(arg, args.next())?,
            "--requests" => options.requests = number(arg, args.next())?,
            "--runtime" => {
                options.runtime = match args.next().map(String::as_str) {
                    Some("multi") => Flavour::MultiThread,
                    Some("current") => Flavour::CurrentThread,
                    _ => return Err("--runtime needs `multi` or `current`".into()),
                }
            }
            "--only" => options.only = Some(args.next().ok_or("--only needs a value")?.clone()),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    if options.runs == 0 || options.requests == 0 {
        return Err("--runs and --requests must be at least 1".into());
    }
    Ok(Command::E2e(options))
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
    fn mistakes_are_errors() {
        for line in
            ["", "codex", "codec --runs", "codec --runs x", "codec --runs 0", "codec --fast", "codec --only"]
        {
            assert!(parse(&args(line)).is_err(), "{line:?}");
        }
        assert_eq!(parse(&args("--help")), Ok(Command::Help));
    }
}
