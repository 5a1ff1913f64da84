//! CPU time spent during a pass, by the client and by the server, so a row says what each
//! request cost in CPU as well as how fast it went: with client and server on the same
//! cores, and other people's work beside them, CPU per request is the steadier figure.
//!
//! The Rust clients run in this process, so their cost is this process's CPU time
//! (`CLOCK_PROCESS_CPUTIME_ID`: every thread, user and system, nanoseconds);
//! `redis-benchmark` is a child process, whose cost shows in this process's `cutime` +
//! `cstime` once it has been waited for. The server's is its `utime` + `stime`. Those three
//! come from `/proc/<pid>/stat`, in clock ticks (10 ms on most Linux systems).

use std::path::PathBuf;

use rustix::time::{ClockId, clock_gettime};

/// CPU seconds used so far.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Usage {
    /// By this process (all threads).
    pub(crate) own: f64,
    /// By this process's children that ended and were waited for.
    pub(crate) children: f64,
    /// By the server.
    pub(crate) server: f64,
}

impl std::ops::Sub for Usage {
    type Output = Usage;

    fn sub(self, earlier: Usage) -> Usage {
        Usage {
            own: self.own - earlier.own,
            children: self.children - earlier.children,
            server: self.server - earlier.server,
        }
    }
}

/// Reads [`Usage`] for this process and the server.
#[derive(Debug)]
pub(crate) struct Meter {
    /// `/proc/<server pid>/stat`.
    server_stat: PathBuf,
    /// Seconds per clock tick.
    tick: f64,
}

impl Meter {
    /// A meter for the server whose process id is `server_pid`.
    pub(crate) fn new(server_pid: u32) -> Self {
        let ticks = rustix::param::clock_ticks_per_second().max(1);
        Self { server_stat: PathBuf::from(format!("/proc/{server_pid}/stat")), tick: 1.0 / ticks as f64 }
    }

    /// The CPU time used so far; an error when `/proc` cannot be read.
    pub(crate) fn read(&self) -> Result<Usage, String> {
        let own = clock_gettime(ClockId::ProcessCPUTime);
        let mine = stat_fields("/proc/self/stat".as_ref())?;
        let server = stat_fields(&self.server_stat)?;
        Ok(Usage {
            own: own.tv_sec as f64 + own.tv_nsec as f64 * 1e-9,
            children: (mine.cutime + mine.cstime) as f64 * self.tick,
            server: (server.utime + server.stime) as f64 * self.tick,
        })
    }
}

/// The CPU fields of a `/proc/<pid>/stat` line, in clock ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stat {
    utime: u64,
    stime: u64,
    cutime: u64,
    cstime: u64,
}

/// Reads the CPU fields of the stat file at `path`.
fn stat_fields(path: &std::path::Path) -> Result<Stat, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_stat(&text).ok_or_else(|| format!("unexpected contents of {}: {text}", path.display()))
}

/// Fields 14 to 17 (`utime stime cutime cstime`) of a stat line. The command name, field
/// 2, is in parentheses and may hold spaces, so fields are counted from the last `)`.
fn parse_stat(text: &str) -> Option<Stat> {
    let after_name = &text[text.rfind(')')? + 1..];
    // Field 3 (the state) is the first after the name.
    let mut fields = after_name.split_whitespace().skip(14 - 3).map(|f| f.parse::<u64>().ok());
    Some(Stat {
        utime: fields.next()??,
        stime: fields.next()??,
        cutime: fields.next()??,
        cstime: fields.next()??,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines() {
        let line = "4242 (redis server) S 1 4242 4242 0 -1 4194560 1016 0 0 0 17 29 3 5 20 0 4 0 \
                    123 0 0 18446744073709551615";
        assert_eq!(parse_stat(line), Some(Stat { utime: 17, stime: 29, cutime: 3, cstime: 5 }));
        assert_eq!(parse_stat("4242 (x) S 1"), None);
        assert!(Meter::new(std::process::id()).read().is_ok_and(|u| u.own > 0.0));
    }
}
