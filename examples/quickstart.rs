//! The quickstart: strings, counters, hashes, a pipeline and a `WATCH`ed transaction on a
//! blocking connection, one line of output per step.
//!
//! ```text
//! REDIS_URL=redis://127.0.0.1:6379/ cargo run --example quickstart
//! ```
//!
//! It connects to `REDIS_URL` (default `redis://127.0.0.1:6379/`), touches only keys that
//! start with `quickstart:`, deletes them at the end, and exits non-zero on any error.

use std::collections::BTreeMap;
use std::process::ExitCode;

use ferrodis::{Client, Commands, pipe};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quickstart failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> ferrodis::Result<()> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned());
    let client = Client::open(&url)?;
    let mut conn = client.get_connection()?;
    // The address only: a URL may hold a password.
    println!("connected to {}", client.config().address);

    let () = conn.set("quickstart:greeting", "hello from ferrodis")?;
    let greeting: String = conn.get("quickstart:greeting")?;
    println!("SET/GET quickstart:greeting -> {greeting:?}");

    let visits: i64 = conn.incr("quickstart:visits", 1)?;
    println!("INCR quickstart:visits -> {visits}");

    let fields = [("name", "Ada Lovelace"), ("born", "1815"), ("language", "Analytical Engine")];
    let added: i64 = conn.hset_multiple("quickstart:user:1", &fields)?;
    let user: BTreeMap<String, String> = conn.hgetall("quickstart:user:1")?;
    println!("HSET quickstart:user:1 ({added} new fields), HGETALL -> {user:?}");

    // A pipeline: one write, one read, the ignored reply left out.
    let (count, listed): (i64, Vec<String>) = pipe()
        .rpush("quickstart:list", ["a", "b", "c"])
        .ignore()
        .llen("quickstart:list")
        .lrange("quickstart:list", 0, -1)
        .query(&mut conn)?;
    println!("pipeline RPUSH/LLEN/LRANGE -> {count} elements: {listed:?}");

    // A transfer in a WATCHed transaction: if either balance changes between the read
    // and EXEC, the closure runs again with fresh balances.
    let () = conn.mset(&[("quickstart:alice", 100), ("quickstart:bob", 20)])?;
    let (alice, bob): (i64, i64) =
        conn.transaction(["quickstart:alice", "quickstart:bob"], |conn, pipe| {
            let alice: i64 = conn.get("quickstart:alice")?;
            let amount = alice.min(30);
            pipe.decr("quickstart:alice", amount).incr("quickstart:bob", amount).query(conn)
        })?;
    println!("transaction: moved 30 from alice to bob -> alice {alice}, bob {bob}");

    let keys = ["greeting", "visits", "user:1", "list", "alice", "bob"].map(|k| format!("quickstart:{k}"));
    let deleted: i64 = conn.del(&keys)?;
    println!("DEL {deleted} quickstart keys; done");
    Ok(())
}
