//! `cargo xtask`: ferrodis's own automation.
//!
//! The alias in `.cargo/config.toml` runs this binary from the workspace, so
//! `cargo xtask test` works on a fresh clone with nothing but rustup installed:
//!
//! - `cargo xtask test`: installs what is missing, then runs every check that `.ci/run` runs
//!   and ends with a one-screen summary ([`checks`]).
//! - `cargo xtask bench`: the codec, end-to-end, client-cost (callgrind) and pool
//!   benchmarks against the peer crates.
//! - `cargo xtask gen-commands`: regenerates the command table from real redis-server and
//!   valkey-server processes.
//! - `cargo xtask demo`: starts a throwaway redis-server and runs the quickstart against it.
//!
//! Besides std it uses ferrodis-core (the connection and command table `gen-commands`
//! needs) and ferrodis-test-support (the servers it starts, the same launcher as the
//! tests'). Every command runs from the repository root and inherits the environment (so
//! `CARGO_TARGET_DIR`, `RUSTFLAGS` and friends apply as usual).

mod checks;
mod cmd;
mod demo;
mod features;
mod firmware;
mod gen_commands;
mod server;
mod setup;
mod steps;
mod valkey;
mod valkey_pass;

use std::process::ExitCode;

use crate::cmd::Cmd;

/// What `cargo xtask help` prints.
const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  test     install what is missing, then run every check that .ci/run runs
           --skip a,b         skip steps: setup, fmt, clippy, test, nostd, features,
                              firmware, bench, fuzz
           --fuzz-seconds N   how long to fuzz each target (default 20)
  bench    run the codec, end-to-end, cost and pool benchmarks against the peer crates
           (release build): `codec`, `e2e`, `cost` (client instructions and allocations per
           request under valgrind's callgrind; needs `apt-get install -y valgrind`), then
           `pool` (pools from 16 threads and 256 tasks against r2d2, bb8, ConnectionManager)
           bench --quick       the four as quick smoke tests
           bench cost [...]    one of them, with its own options (`bench cost --quick`)
  gen-commands  regenerate core/src/cmd/generated.rs from the COMMAND replies of
           redis-server and valkey-server (the union, each entry with its servers)
           --check              compare with the checked-in table instead of writing it
  demo     start a throwaway redis-server and run the quickstart against it
  help     print this text
";

/// One parsed command line.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    /// `cargo xtask test`: every check, then the summary.
    Test(checks::Options),
    /// `cargo xtask bench [args...]`: the benchmark binary with these arguments.
    Bench(Vec<String>),
    /// `cargo xtask gen-commands [options]`: regenerate the command table.
    GenCommands(Vec<String>),
    /// `cargo xtask demo`: the quickstart against a throwaway server.
    Demo,
    /// `cargo xtask help` (or no command at all).
    Help,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args) {
        Ok(Command::Test(options)) => exit(checks::run(&options)),
        Ok(Command::Bench(args)) => exit(bench(&args)),
        Ok(Command::GenCommands(args)) => {
            exit(gen_commands::run(&args).map_err(|e| eprintln!("cargo xtask gen-commands: {e}")).is_ok())
        }
        Ok(Command::Demo) => exit(demo::run().map_err(|e| eprintln!("cargo xtask demo: {e}")).is_ok()),
        Ok(Command::Help) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("cargo xtask: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Turns "everything passed" into the process exit code.
fn exit(ok: bool) -> ExitCode {
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// Parses the arguments after `cargo xtask`.
fn parse(args: &[String]) -> Result<Command, String> {
    let Some((command, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    match command.as_str() {
        "test" => parse_test(rest).map(Command::Test),
        "bench" => Ok(Command::Bench(rest.to_vec())),
        "gen-commands" => Ok(Command::GenCommands(rest.to_vec())),
        "demo" if rest.is_empty() => Ok(Command::Demo),
        "demo" => Err(format!("demo takes no arguments, got {rest:?}")),
        "help" | "-h" | "--help" => Ok(Command::Help),
        other => Err(format!("unknown command `{other}`")),
    }
}

/// Parses the options of `cargo xtask test`.
fn parse_test(args: &[String]) -> Result<checks::Options, String> {
    let mut options = checks::Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_owned())),
            None => (arg.as_str(), None),
        };
        let mut value =
            || inline.clone().or_else(|| args.next().cloned()).ok_or(format!("{flag} needs a value"));
        match flag {
            "--skip" => {
                for name in value()?.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    if !checks::GROUPS.iter().any(|(group, _)| *group == name) {
                        let known: Vec<&str> = checks::GROUPS.iter().map(|(g, _)| *g).collect();
                        return Err(format!("cannot skip `{name}`: the steps are {}", known.join(", ")));
                    }
                    options.skip.push(name.to_owned());
                }
            }
            "--fuzz-seconds" => {
                let text = value()?;
                options.fuzz_seconds =
                    text.parse().ok().filter(|&n| n > 0).ok_or(format!(
                        "--fuzz-seconds wants a whole number of seconds above 0, got `{text}`"
                    ))?;
            }
            _ => return Err(format!("unknown option `{arg}` for `test`")),
        }
    }
    Ok(options)
}

/// The benchmarks `cargo xtask bench` runs when no benchmark is named, in order.
const BENCHMARKS: [&str; 5] = ["codec", "e2e", "cost", "pool", "cluster"];

/// The benchmark binary's command lines for `cargo xtask bench <args>`: `args` itself when
/// it names a benchmark, otherwise each of [`BENCHMARKS`] with `args` as its options
/// (`--quick`, or nothing).
fn bench_runs(args: &[String]) -> Vec<Vec<String>> {
    match args.first() {
        Some(first) if !first.starts_with('-') => vec![args.to_vec()],
        _ => BENCHMARKS.iter().map(|name| [&[name.to_string()], args].concat()).collect(),
    }
}

/// `cargo xtask bench`: runs the benchmark binary in release mode, once per command line of
/// [`bench_runs`], stopping at the first that fails.
fn bench(args: &[String]) -> bool {
    bench_runs(args).into_iter().all(|args| {
        let cmd = Cmd::cargo().args(["run", "--release", "-p", "ferrodis-bench", "--"]).args(args);
        cmd.run().map_err(|message| eprintln!("cargo xtask bench: {message}")).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_test_options() {
        let expected = checks::Options { skip: vec!["fuzz".into(), "bench".into()], fuzz_seconds: 5 };
        assert_eq!(parse(&args("test --skip fuzz,bench --fuzz-seconds 5")), Ok(Command::Test(expected)));
        let expected = checks::Options { skip: vec!["fmt".into()], ..Default::default() };
        assert_eq!(parse(&args("test --skip=fmt")), Ok(Command::Test(expected)));
        assert_eq!(parse(&args("test")), Ok(Command::Test(checks::Options::default())));
    }

    #[test]
    fn rejects_bad_options() {
        assert!(parse(&args("test --skip nothing")).is_err());
        assert!(parse(&args("test --fuzz-seconds 0")).is_err());
        assert!(parse(&args("test --fuzz-seconds")).is_err());
        assert!(parse(&args("test --frobnicate")).is_err());
        assert!(parse(&args("launch")).is_err());
    }

    #[test]
    fn parses_other_commands() {
        assert_eq!(parse(&[]), Ok(Command::Help));
        assert_eq!(parse(&args("demo")), Ok(Command::Demo));
        assert_eq!(parse(&args("bench")), Ok(Command::Bench(vec![])));
        assert_eq!(parse(&args("bench codec --quick")), Ok(Command::Bench(args("codec --quick"))));
    }

    #[test]
    fn bench_command_lines() {
        assert_eq!(
            bench_runs(&[]),
            [args("codec"), args("e2e"), args("cost"), args("pool"), args("cluster")]
        );
        assert_eq!(
            bench_runs(&args("--quick")),
            [
                args("codec --quick"),
                args("e2e --quick"),
                args("cost --quick"),
                args("pool --quick"),
                args("cluster --quick")
            ]
        );
        assert_eq!(bench_runs(&args("cost --quick")), [args("cost --quick")]);
    }
}
