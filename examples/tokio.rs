//! The multiplexed Tokio connection: 8 tasks share one socket, each doing INCR, SET and
//! GET concurrently, then a pipeline reads everything back in one round trip.
//!
//! ```text
//! REDIS_URL=redis://127.0.0.1:6379/ cargo run --example tokio
//! ```
//!
//! It connects to `REDIS_URL` (default `redis://127.0.0.1:6379/`), touches only keys that
//! start with `tokio-example:`, deletes them at the end, and exits non-zero on any error.

use std::process::ExitCode;

use ferrodis::{AsyncCommands, Client, pipe};

const TASKS: usize = 8;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tokio example failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned());
    let client = Client::open(&url)?;
    let conn = client.get_multiplexed_connection().await?;
    // The address only: a URL may hold a password.
    println!("connected to {}", client.config().address);
    let () = conn.del("tokio-example:counter").await?;

    // Each task has its own clone of the connection; their requests share the socket.
    let tasks: Vec<_> = (0..TASKS)
        .map(|i| {
            let conn = conn.clone();
            tokio::spawn(async move {
                let count: i64 = conn.incr("tokio-example:counter", 1).await?;
                let key = format!("tokio-example:task:{i}");
                let () = conn.set(&key, format!("written by task {i}")).await?;
                let value: String = conn.get(&key).await?;
                Ok::<_, ferrodis::Error>((count, value))
            })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        let (count, value) = task.await??;
        println!("task {i}: INCR -> {count}, SET/GET -> {value:?}");
    }

    // One pipeline reads the counter and every task's key.
    let keys: Vec<String> = (0..TASKS).map(|i| format!("tokio-example:task:{i}")).collect();
    let (counter, values): (i64, Vec<String>) =
        pipe().get("tokio-example:counter").mget(&keys).query_async(&conn).await?;
    println!("pipeline GET/MGET -> counter {counter}, {} values", values.len());

    let deleted: i64 = conn.del(&keys).await?;
    let () = conn.del("tokio-example:counter").await?;
    println!("DEL {} tokio-example keys; done", deleted + 1);
    Ok(())
}
