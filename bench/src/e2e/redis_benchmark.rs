//! `redis-benchmark` (Debian's `redis-tools`), the server's own load generator in C, run
//! with one connection as the ceiling for a client on this machine (and with 50 as the
//! server's own limit, for the `pool` benchmark):
//! `redis-benchmark -c <clients> -n N -r N -P <depth> -t set,get -d 16 --csv -q`.
//!
//! `-r N` spreads its keys over `N` random names (`key:<12 digits>`), as the Rust clients
//! use `N` distinct keys; `-d 16` sends 16-byte values, as they do.

use std::path::PathBuf;
use std::process::Command;

use super::workload::Phases;

/// The name of the rows.
pub(crate) const NAME: &str = "redis-benchmark";

/// The path of `redis-benchmark`, or an error that says how to install it.
pub(crate) fn find() -> Result<PathBuf, String> {
    crate::program::find("redis-benchmark", "redis-tools")
}

/// Runs `requests` SETs then `requests` GETs at pipeline depth `depth` on `clients`
/// connections and returns the phase times derived from the requests/s it reports.
pub(crate) fn run(
    binary: &PathBuf,
    (host, port): (&str, u16),
    clients: usize,
    requests: usize,
    depth: usize,
) -> Result<Phases, String> {
    let (port, clients, n, depth) =
        (port.to_string(), clients.to_string(), requests.to_string(), depth.to_string());
    let output = Command::new(binary)
        .args(["-h", host, "-p", &port, "-c", &clients, "-n", &n, "-r", &n, "-P", &depth])
        .args(["-t", "set,get", "-d", "16", "--csv", "-q"])
        .output()
        .map_err(|e| format!("{NAME}: cannot run {}: {e}", binary.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "{NAME} failed ({}): {}{}",
            output.status,
            stdout.trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    parse(&stdout, requests)
}

/// The phase times of `requests` requests per test from `--csv` output such as
///
/// ```text
/// "test","rps","avg_latency_ms",...
/// "SET","571428.56","0.023",...
/// "GET","555555.56","0.022",...
/// ```
fn parse(csv: &str, requests: usize) -> Result<Phases, String> {
    let rate = |test: &str| {
        csv.lines()
            .find_map(|line| {
                let mut cells = line.split(',').map(|cell| cell.trim().trim_matches('"'));
                (cells.next() == Some(test)).then(|| cells.next()?.parse::<f64>().ok()).flatten()
            })
            .filter(|rps| *rps > 0.0)
            .ok_or_else(|| format!("{NAME}: no {test} rate in its output:\n{csv}"))
    };
    let n = requests as f64;
    Ok(Phases { set: n / rate("SET")?, get: n / rate("GET")? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_csv() {
        let csv = "\"test\",\"rps\",\"avg_latency_ms\"\n\"SET\",\"500000.00\",\"0.023\"\n\
                   \"GET\",\"250000.00\",\"0.022\"\n";
        assert_eq!(parse(csv, 1000), Ok(Phases { set: 0.002, get: 0.004 }));
        assert!(parse("\"SET\",\"1.0\"\n", 10).is_err());
        assert!(parse("", 10).is_err());
    }
}
