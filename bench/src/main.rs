//! `ferrodis-bench`: side-by-side benchmarks of ferrodis against its peer crates.
//!
//! ```text
//! cargo run --release -p ferrodis-bench -- codec [--runs N] [--quick]
//! cargo run --release -p ferrodis-bench -- e2e [--requests N] [--runs N] [--quick]
//! cargo run --release -p ferrodis-bench -- cost [--requests N] [--quick] [--keep DIR]
//! cargo run --release -p ferrodis-bench -- pool [--requests N] [--runs N] [--quick]
//! cargo run --release -p ferrodis-bench -- cluster [--requests N] [--runs N] [--quick]
//! ```
//!
//! Each subcommand is one family of benchmarks:
//!
//! - `codec`: RESP decoding, command encoding and key hash slots, in memory, against
//!   redis-protocol 6 and redis-rs on the same deterministic corpora ([`codec`],
//!   [`keyslot`]).
//! - `e2e`: SET then GET against a local redis-server, one connection per client, at
//!   pipeline depths 1, 16 and 128 and with 128 concurrent requests, against redis-rs,
//!   fred and `redis-benchmark` ([`e2e`]).
//! - `cost`: the `e2e` requests under `valgrind --tool=callgrind`: client instructions and
//!   allocations per request, steady on a loaded machine, for ferrodis's typed API and raw
//!   path against redis-rs and fred ([`cost`]).
//! - `pool`: pooled SET then GET from 16 threads and 256 Tokio tasks, a checkout per
//!   request, against redis-rs over r2d2 and bb8 and its `ConnectionManager`, with
//!   `redis-benchmark -c 50` as the server's limit ([`pool`]).
//! - `cluster`: SET then GET over a 6-node Redis Cluster, one at a time, in cross-slot
//!   pipelines of 128 and from 128 Tokio tasks, against redis-rs's sync and async cluster
//!   connections ([`cluster`]).
//!
//! Results are printed as one table with ferrodis's ratio to each peer (medians over
//! several runs for the timed ones), so one invocation answers "how do we compare on this
//! machine today".

mod cli;
mod cluster;
mod codec;
mod corpus;
mod cost;
mod decode;
mod e2e;
mod encode;
mod keyslot;
mod measure;
mod pool;
mod program;
mod report;
mod rng;

use std::process::ExitCode;

use cli::Command;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cli::parse(&args) {
        Ok(Command::Codec(options)) => finish(codec::run(&options)),
        Ok(Command::E2e(options)) => finish(e2e::run(&options)),
        Ok(Command::Cost(options)) => finish(cost::run(&options)),
        Ok(Command::Pool(options)) => finish(pool::run(&options)),
        Ok(Command::Cluster(options)) => finish(cluster::run(&options)),
        Ok(Command::CostWorker(options)) => finish(cost::worker::run(&options)),
        Ok(Command::Help) => {
            println!("{}", cli::USAGE);
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{}", cli::USAGE);
            ExitCode::from(2)
        }
    }
}

/// The exit code of a finished subcommand, its error printed.
fn finish(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
