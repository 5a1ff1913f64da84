//! `cargo xtask demo`: installs redis-server when missing, starts a throwaway server on a
//! free loopback port in a temporary directory, runs `examples/quickstart` against it,
//! and stops the server, whatever happened.

use ferrodis_test_support::{RedisServer, ServerKind};

use crate::cmd::Cmd;
use crate::server;
use crate::setup::{self, Needs};

/// Runs the demo; `Err` says what went wrong.
pub(crate) fn run() -> Result<(), String> {
    setup::ensure(&Needs {
        redis: true,
        valkey: false,
        lint_tools: false,
        targets: &[],
        fuzz: false,
        firmware: false,
        cargo_hack: false,
        toolchains: &[],
    })?;
    let server = server::start(RedisServer::builder().server(ServerKind::Redis))?;
    let url = format!("{}/", server.tcp_url());
    println!("demo: started a throwaway redis-server on {}", server.addr());
    println!("demo: running examples/quickstart.rs with REDIS_URL={url}");
    let result = Cmd::cargo().args(["run", "--quiet", "--example", "quickstart"]).env("REDIS_URL", url).run();
    drop(server);
    println!("demo: stopped the redis-server");
    result.map(|()| println!("demo: done. Next: `cargo xtask test` runs every check."))
}
