//! One Redis process (server or sentinel): spawn it, wait until it answers, signal it, kill it.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::binary::{Program, require_binary};

/// How long a process may take to answer `PING` after it was spawned.
pub(crate) const START_DEADLINE: Duration = Duration::from_secs(10);
/// How long a process may take to exit after `SIGTERM` before it gets `SIGKILL`.
const TERM_DEADLINE: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(10);

/// A running Redis process whose logs live in `dir`.
#[derive(Debug)]
pub(crate) struct Process {
    program: Program,
    config: PathBuf,
    dir: PathBuf,
    port: u16,
    child: Child,
    /// Where the logs stood when `child` was spawned: what it wrote since is after this.
    log_mark: LogMark,
}

/// The log files in a process's directory: the log file, then stdout and stderr.
const LOG_FILES: [&str; 2] = ["redis.log", "stdout.log"];

/// The lengths of the [`LOG_FILES`] at one moment.
#[derive(Clone, Copy, Debug, Default)]
struct LogMark([u64; 2]);

/// Logged by servers and sentinels once they listen on every port (before they serve).
const LISTENING_MARK: &str = "Running mode=";

/// Why a process did not come up.
pub(crate) struct StartFailure {
    /// What happened, for the panic message.
    pub(crate) reason: String,
    /// The process's log and output.
    pub(crate) log: String,
}

impl StartFailure {
    /// The process could not bind one of its ports: another process took it first.
    pub(crate) fn port_taken(&self) -> bool {
        self.log.contains("Address already in use")
    }

    /// Panics with the reason and the log.
    pub(crate) fn panic(&self, what: &str) -> ! {
        panic!("{what} did not start: {}\n--- its log ---\n{}", self.reason, self.log)
    }
}

impl Process {
    /// Spawns `program` with `config` and waits until `127.0.0.1:port` answers `PING`.
    ///
    /// The process's log file must be `dir/redis.log` (set in `config`); its stdout and
    /// stderr go to `dir/stdout.log`.
    pub(crate) fn start(
        program: Program,
        config: PathBuf,
        dir: &Path,
        port: u16,
    ) -> Result<Process, StartFailure> {
        let log_mark = LogMark::now(dir);
        let child = spawn(&program, &config, dir);
        let mut process = Process { program, config, dir: dir.to_path_buf(), port, child, log_mark };
        process.wait_ready()?;
        Ok(process)
    }

    /// Starts the same process again (same binary, config, ports and directory) after it
    /// exited, retrying for a few seconds while its port is still taken.
    pub(crate) fn respawn(&mut self) -> Result<(), StartFailure> {
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            self.log_mark = LogMark::now(&self.dir);
            self.child = spawn(&self.program, &self.config, &self.dir);
            match self.wait_ready() {
                Err(failure) if failure.port_taken() && Instant::now() < deadline => {
                    self.kill();
                    thread::sleep(Duration::from_millis(100));
                }
                result => return result,
            }
        }
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process has not exited yet.
    pub(crate) fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The last lines of the log file and of stdout/stderr, for failure messages.
    pub(crate) fn log(&self) -> String {
        read_logs(&self.dir, LogMark::default())
    }

    /// Sends `signal` (a name such as `STOP`) with `kill(1)`.
    pub(crate) fn signal(&self, signal: &str) {
        let kill = require_binary("kill", "procps");
        let status = Command::new(kill)
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .unwrap_or_else(|err| panic!("cannot run kill -{signal}: {err}"));
        assert!(status.success(), "kill -{signal} {} failed: {status}", self.pid());
    }

    /// Kills the process with `SIGKILL` and reaps it. Does nothing if it already exited.
    pub(crate) fn kill(&mut self) {
        if self.is_running() {
            // SIGKILL also ends a process stopped with SIGSTOP.
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }

    /// Asks the process to exit with `SIGTERM` (it saves its data first if configured to),
    /// waits for it, and kills it if it takes too long.
    pub(crate) fn terminate(&mut self) {
        if !self.is_running() {
            return;
        }
        self.signal("CONT");
        self.signal("TERM");
        let deadline = Instant::now() + TERM_DEADLINE;
        while self.is_running() && Instant::now() < deadline {
            thread::sleep(POLL);
        }
        self.kill();
    }

    fn wait_ready(&mut self) -> Result<(), StartFailure> {
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(self.failure(format!("it exited early ({status})")));
            }
            if self.listening() && answers_ping(self.port) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                self.kill();
                let reason = format!("no PING reply on 127.0.0.1:{} within {START_DEADLINE:?}", self.port);
                return Err(self.failure(reason));
            }
            thread::sleep(POLL);
        }
    }

    /// Whether this run of the process logged that it listens on all its ports: a `PING` reply
    /// before that could come from another process that holds the port.
    fn listening(&self) -> bool {
        read_since(&self.dir.join(LOG_FILES[0]), self.log_mark.0[0]).contains(LISTENING_MARK)
    }

    fn failure(&self, reason: String) -> StartFailure {
        let program = &self.program;
        let args = program.args.iter().map(|arg| format!(" {arg}")).collect::<String>();
        let reason = format!("`{} {}{args}`: {reason}", program.binary.display(), self.config.display());
        StartFailure { reason, log: read_logs(&self.dir, self.log_mark) }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn(program: &Program, config: &Path, dir: &Path) -> Child {
    let out_path = dir.join("stdout.log");
    let out = File::options()
        .create(true)
        .append(true)
        .open(&out_path)
        .unwrap_or_else(|err| panic!("cannot open {}: {err}", out_path.display()));
    let err = out.try_clone().unwrap_or_else(|err| panic!("cannot clone a file handle: {err}"));
    Command::new(&program.binary)
        .arg(config)
        .args(&program.args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|err| panic!("cannot spawn {}: {err}", program.binary.display()))
}

/// Whether `127.0.0.1:port` replies to an inline `PING` as a ready server does:
/// `+PONG`, or `-NOAUTH` when a password is required. (`-LOADING` is not ready.)
fn answers_ping(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    if stream.set_read_timeout(Some(Duration::from_millis(500))).is_err()
        || stream.write_all(b"PING\r\n").is_err()
    {
        return false;
    }
    let mut line = String::new();
    if BufReader::new(stream).read_line(&mut line).is_err() {
        return false;
    }
    line.starts_with("+PONG") || line.starts_with("-NOAUTH")
}

impl LogMark {
    fn now(dir: &Path) -> LogMark {
        LogMark(LOG_FILES.map(|name| fs::metadata(dir.join(name)).map_or(0, |meta| meta.len())))
    }
}

/// The last lines of each of the [`LOG_FILES`] in `dir`, written after `mark`.
fn read_logs(dir: &Path, mark: LogMark) -> String {
    let mut text = String::new();
    for (name, offset) in LOG_FILES.into_iter().zip(mark.0) {
        let path = dir.join(name);
        let content = read_since(&path, offset);
        let lines: Vec<&str> = content.lines().collect();
        let tail = &lines[lines.len().saturating_sub(60)..];
        text.push_str(&format!("== {} (last {} lines)\n{}\n", path.display(), tail.len(), tail.join("\n")));
    }
    text
}

/// The text of the file at `path` after its first `offset` bytes.
fn read_since(path: &Path, offset: u64) -> String {
    match fs::read(path) {
        Ok(bytes) => {
            let start = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
            String::from_utf8_lossy(&bytes[start..]).into_owned()
        }
        Err(err) => format!("(cannot read it: {err})"),
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;
    use crate::ServerKind;

    #[test]
    fn a_taken_port_is_reported_as_such() {
        for kind in ServerKind::ALL {
            a_taken_port_is_reported_as_such_by(kind);
        }
    }

    fn a_taken_port_is_reported_as_such_by(kind: ServerKind) {
        let dir = tempfile::tempdir().expect("a temp dir");
        let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a port");
        let port = taken.local_addr().expect("an address").port();
        let config = dir.path().join("redis.conf");
        let log = dir.path().join("redis.log");
        let text = format!("port {port}\nbind 127.0.0.1\nsave \"\"\nlogfile \"{}\"\n", log.display());
        fs::write(&config, text).expect("a config file");
        let Err(failure) = Process::start(kind.server(), config, dir.path(), port) else {
            panic!("{kind} started on a taken port");
        };
        assert!(failure.port_taken(), "{}", failure.log);
        assert!(failure.reason.contains("exited early"), "{}", failure.reason);
    }
}
