//! The `cost` subcommand: client instructions and allocations per request, counted by
//! `valgrind --tool=callgrind`, so the figures do not move with the machine's load as
//! wall-clock rates do.
//!
//! For every row (a client API in a mode, [`rows`]) this process runs itself twice under
//! callgrind as a `cost-worker` ([`worker`]) against one local redis-server: once with N
//! SETs then N GETs, once with 2N of each. Both runs format the same keys and make the
//! same runtime, connection and handshake, so the difference is 2N requests and nothing
//! else, and a request costs `(Ir(2N) - Ir(N)) / 2N` instructions ([`results`]); the
//! allocations per request come the same way from the calls into the allocator
//! ([`callgrind`]). Only the client is counted: the server runs outside valgrind, and
//! callgrind counts user-space instructions, not the kernel's side of the syscalls.

mod callgrind;
mod results;
pub(crate) mod rows;
pub(crate) mod worker;

use std::path::PathBuf;
use std::time::Instant;

use ferrodis_test_support::RedisServer;

use crate::cli::{CostOptions, Flavour};
use callgrind::{Callgrind, Counts};
use results::Cost;
use rows::Row;

/// Runs the rows `options` selects and prints the table and the budgets.
pub(crate) fn run(options: &CostOptions) -> Result<(), String> {
    let callgrind = Callgrind::find()?;
    let rows: Vec<Row> = if options.quick { Row::quick() } else { Row::all() }
        .into_iter()
        .filter(|row| options.only.as_deref().is_none_or(|only| row.label().contains(only)))
        .collect();
    if rows.is_empty() {
        return Err("--only matches no row".into());
    }
    let program = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let out = OutputDir::new(options.keep.clone())?;
    let server = RedisServer::start();
    let url = server.tcp_url();
    let mut admin = ferrodis::Client::open(&url)
        .and_then(|c| c.get_connection())
        .map_err(|e| format!("cannot connect to the server: {e}"))?;
    let n = options.requests;
    println!(
        "ferrodis-bench cost{}: client instructions and allocations per request under {}, \
         (Ir(2N) - Ir(N)) / 2N with N = {n} SET then {n} GET (keys key:<i>, 16-byte values), one connection per client",
        if options.quick { " --quick" } else { "" },
        callgrind.version(),
    );
    println!(
        "server: {} on 127.0.0.1:{} (outside valgrind, FLUSHALL before every run); async clients on a Tokio {} \
         (callgrind runs one thread at a time)",
        crate::e2e::server_version(),
        server.port(),
        options.runtime,
    );

    let started = Instant::now();
    let mut costs = Vec::with_capacity(rows.len());
    for (i, &row) in rows.iter().enumerate() {
        eprint!("\r  {}/{}: {}                              ", i + 1, rows.len(), row.label());
        let mut count = |requests: usize| -> Result<Counts, String> {
            admin
                .request_with(&["FLUSHALL".into(), "SYNC".into()], |_| ())
                .map_err(|e| format!("FLUSHALL failed: {e}"))?;
            let args = worker_args(row, requests, 2 * n, &url, options.runtime);
            let file = out.file(row, requests);
            callgrind.count(&program, &args, &file).map_err(|e| format!("{}: {e}", row.label()))
        };
        let short = count(n)?;
        let long = count(2 * n)?;
        costs.push(Cost::new(row, n, short, long));
    }
    eprintln!("\r{:80}", "");

    println!("{}", results::table(&costs));
    if let Some(budgets) = results::budgets(&costs) {
        println!("{budgets}");
    }
    println!(
        "{} rows, {} callgrind runs in {:.0} s{}",
        rows.len(),
        2 * rows.len(),
        started.elapsed().as_secs_f64(),
        options.keep.as_ref().map_or(String::new(), |dir| format!("; callgrind files in {}", dir.display())),
    );
    Ok(())
}

/// The `cost-worker` arguments of one run of `row`: `requests` SETs and GETs, with the
/// keys of the longest run (`keys`) formatted, async clients on a `runtime` runtime.
fn worker_args(row: Row, requests: usize, keys: usize, url: &str, runtime: Flavour) -> Vec<String> {
    let (requests, keys) = (requests.to_string(), keys.to_string());
    [
        "cost-worker",
        "--client",
        row.api.name(),
        "--mode",
        &row.mode.to_string(),
        "--requests",
        &requests,
        "--keys",
        &keys,
        "--url",
        url,
        "--runtime",
        runtime.arg(),
    ]
    .map(String::from)
    .to_vec()
}

/// Where the callgrind output files go: the folder `--keep` names, kept, or a temporary
/// one removed on drop.
#[derive(Debug)]
struct OutputDir {
    path: PathBuf,
    temporary: bool,
}

impl OutputDir {
    /// Creates `keep`, or a temporary folder when it is `None`.
    fn new(keep: Option<PathBuf>) -> Result<Self, String> {
        let temporary = keep.is_none();
        let path = keep.unwrap_or_else(|| {
            std::env::temp_dir().join(format!("ferrodis-bench-cost-{}", std::process::id()))
        });
        std::fs::create_dir_all(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(Self { path, temporary })
    }

    /// The output file of the run of `row` with `requests` requests per phase, such as
    /// `pipeline-16_ferrodis-Tokio-typed_2048.callgrind`.
    fn file(&self, row: Row, requests: usize) -> PathBuf {
        let name = format!("{}_{}_{requests}.callgrind", row.mode, row.api.name()).replace(' ', "-");
        self.path.join(name)
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::e2e::workload::Mode;
    use rows::ClientApi;

    #[test]
    fn worker_arguments_and_files() {
        let row = Row { api: ClientApi::FerrodisTokioTyped, mode: Mode::Depth(16) };
        let args = worker_args(row, 10, 20, "redis://127.0.0.1:1/", Flavour::MultiThread);
        assert_eq!(
            crate::cli::parse(&args),
            Ok(crate::cli::Command::CostWorker(crate::cli::WorkerOptions {
                row,
                requests: 10,
                keys: 20,
                url: "redis://127.0.0.1:1/".into(),
                runtime: Flavour::MultiThread,
            }))
        );
        let out = OutputDir::new(None).unwrap();
        let file = out.file(row, 10);
        assert!(file.ends_with("pipeline-16_ferrodis-Tokio-typed_10.callgrind"));
        let dir = file.parent().unwrap().to_path_buf();
        assert!(dir.is_dir());
        drop(out);
        assert!(!dir.exists());
    }
}
