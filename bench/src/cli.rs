//! Command-line parsing: a subcommand and its options, by hand (no argument-parser crate).

use std::time::Duration;

/// The help text.
pub(crate) const USAGE: &str = "\
usage: ferrodis-bench <command> [options]

commands:
  codec     RESP decoders and command encoders: ferrodis vs redis-protocol 6 and redis-rs

codec options:
  --runs N          timed runs per implementation; medians are reported (default 7)
  --quick           small corpus and 2 runs: a smoke test that takes a few seconds
  --corpus-mib N    size of each decode corpus in MiB (default 8)
  --commands N      SET commands encoded per pass (default 1000000)
  --only TEXT       only the rows whose '<corpus> <implementation>' contains TEXT
                    (for profiling): --only 'RESP2 ferrodis', --only SET
  -h, --help        this text";

/// What the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    /// Print the usage and exit.
    Help,
    /// Run the codec benchmarks.
    Codec(CodecOptions),
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

/// Parses the arguments after the program name.
pub(crate) fn parse(args: &[String]) -> Result<Command, String> {
    let Some((command, rest)) = args.split_first() else {
        return Err("no command given".into());
    };
    match command.as_str() {
        "-h" | "--help" | "help" => Ok(Command::Help),
        "codec" => parse_codec(rest),
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
    fn mistakes_are_errors() {
        for line in
            ["", "codex", "codec --runs", "codec --runs x", "codec --runs 0", "codec --fast", "codec --only"]
        {
            assert!(parse(&args(line)).is_err(), "{line:?}");
        }
        assert_eq!(parse(&args("--help")), Ok(Command::Help));
    }
}
