//! `cargo xtask demo`: installs redis-server when missing, starts a throwaway server on a
//! free loopback port in a temporary directory, runs `examples/quickstart` against it,
//! and stops the server, whatever happened.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::cmd::Cmd;
use crate::setup::{self, Needs};

/// A redis-server that is killed, and its directory removed, on drop.
struct Throwaway {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
        println!("demo: stopped the redis-server on port {}", self.port);
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free loopback port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn start_server() -> Result<Throwaway, String> {
    let port = free_port()?;
    let dir = std::env::temp_dir().join(format!("ferrodis-demo-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start redis-server: {e}"))?;
    let server = Throwaway { child, dir, port };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err(format!("redis-server did not listen on port {port} within 10 s"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    println!("demo: started a throwaway redis-server on 127.0.0.1:{port}");
    Ok(server)
}

/// Runs the demo; `Err` says what went wrong.
pub(crate) fn run() -> Result<(), String> {
    setup::ensure(&Needs { redis: true, lint_tools: false, targets: &[], fuzz: false })?;
    let server = start_server()?;
    let url = format!("redis://127.0.0.1:{}/", server.port);
    println!("demo: running examples/quickstart.rs with REDIS_URL={url}");
    let result = Cmd::cargo().args(["run", "--quiet", "--example", "quickstart"]).env("REDIS_URL", url).run();
    drop(server);
    result.map(|()| println!("demo: done. Next: `cargo xtask test` runs every check."))
}
