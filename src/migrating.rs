//! Coming from redis-rs or redis-py: the everyday calls, theirs and ours.
//!
//! The README's two tables name the calls side by side; each ferrodis call is compiled here,
//! one example per row (they connect to `127.0.0.1:6379`, so they are built, not run).
//! What ferrodis does not have yet (pub/sub sessions, the lock, cluster, sentinel, pools)
//! has no row.
//!
//! # Open a client and get a connection
//!
//! redis-rs `redis::Client::open(url)?.get_connection()?`,
//! `client.get_multiplexed_async_connection().await?`; redis-py `redis.Redis.from_url(url)`,
//! `redis.asyncio.Redis(...)`.
//!
//! ```no_run
//! # async fn demo() -> ferrodis::Result<()> {
//! use ferrodis::{Client, Protocol};
//!
//! let client = Client::open("redis://:secret@127.0.0.1:6379/0?protocol=3")?;
//! let mut conn = client.get_connection()?; // blocking
//! let shared = client.get_multiplexed_connection().await?; // Tokio, cloneable
//! // Or every `Redis(...)` parameter as a builder:
//! let client = Client::builder().host("127.0.0.1").password("secret").protocol(Protocol::Resp3).build();
//! # let _ = (conn, shared, client); Ok(()) }
//! ```
//!
//! # Typed get and set
//!
//! redis-rs `con.set("k", 1)?`, `let v: i64 = con.get("k")?`; redis-py `r.set("k", 1)`,
//! `int(r.get("k"))`.
//!
//! ```no_run
//! use ferrodis::{Client, Commands, ExistenceCheck, SetExpiry, SetOptions};
//!
//! let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
//! let () = conn.set("k", 1)?;
//! let v: i64 = conn.get("k")?;
//! let missing: Option<String> = conn.get("nope")?;
//! // redis-py `r.set("k", "v", ex=60, nx=True)`:
//! let options = SetOptions::default().conditional_set(ExistenceCheck::NX).with_expiration(SetExpiry::EX(60));
//! let set: Option<String> = conn.set_options("k2", "v", options)?;
//! # let _ = (v, missing, set); Ok::<(), ferrodis::Error>(())
//! ```
//!
//! # Pipeline
//!
//! redis-rs `redis::pipe().set("a", 1).ignore().get("a").query(&mut con)?`; redis-py
//! `r.pipeline(transaction=False)` then `.execute()`.
//!
//! ```no_run
//! use ferrodis::{Client, pipe};
//!
//! let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
//! let (a, b): (i64, i64) = pipe().set("a", 1).ignore().get("a").incr("b", 2).query(&mut conn)?;
//! # let _ = (a, b); Ok::<(), ferrodis::Error>(())
//! ```
//!
//! # Transaction
//!
//! redis-rs `redis::transaction(&mut con, &["k"], |con, pipe| ...)`, `pipe().atomic()`;
//! redis-py `r.transaction(func, "k")`, `r.pipeline()` (MULTI/EXEC by default).
//!
//! ```no_run
//! use ferrodis::{Client, Commands, pipe};
//!
//! let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
//! let (n,): (i64,) = conn.transaction("k", |conn, pipe| {
//!     let now: i64 = conn.get::<_, Option<i64>>("k")?.unwrap_or(0);
//!     pipe.set("k", now + 1).ignore().get("k").query(conn)
//! })?;
//! let (x,): (i64,) = pipe().atomic().incr("x", 1).query(&mut conn)?;
//! # let _ = (n, x); Ok::<(), ferrodis::Error>(())
//! ```
//!
//! # Any command, and module commands (redis-py's `load_external_module`)
//!
//! redis-rs `redis::cmd("JSON.SET").arg(..).query(&mut con)?`; redis-py
//! `r.execute_command("JSON.SET", ...)`, or `r.load_external_module("json", ...)` to add
//! methods. Here a module's commands are an extension trait over [`Commands::query`] and
//! [`cmd`], written once and given to every connection:
//!
//! ```no_run
//! use ferrodis::{Client, CmdQuery, Commands, Result, ToArgs, cmd};
//!
//! /// RedisJSON's commands, as methods.
//! trait JsonCommands: Commands {
//!     /// `JSON.SET key path value`.
//!     fn json_set<K: ToArgs, V: ToArgs>(&mut self, key: K, path: &str, value: V) -> Result<()> {
//!         self.query(&cmd("JSON.SET").with_arg((key, path, value)))
//!     }
//!
//!     /// `JSON.GET key path`.
//!     fn json_get<K: ToArgs>(&mut self, key: K, path: &str) -> Result<Option<String>> {
//!         self.query(&cmd("JSON.GET").with_arg((key, path)))
//!     }
//! }
//!
//! impl<C: Commands> JsonCommands for C {}
//!
//! let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
//! conn.json_set("doc", "$", r#"{"a":1}"#)?;
//! let doc = conn.json_get("doc", "$.a")?;
//! let raw: i64 = cmd("OBJECT").arg("FREQ").arg("doc").query(&mut conn)?;
//! # let _ = (doc, raw); Ok::<(), ferrodis::Error>(())
//! ```
//!
//! # A reply conversion of your own (redis-py's `set_response_callback`)
//!
//! redis-rs `impl FromRedisValue for T`; redis-py `r.set_response_callback("CMD", fn)`.
//! Here the conversion belongs to the type asked for, so it applies wherever that type is
//! asked for:
//!
//! ```no_run
//! use ferrodis::{Client, Commands, ConversionError, FromValue, Value};
//!
//! /// `TIME` as milliseconds since the epoch.
//! struct Millis(u64);
//!
//! impl FromValue for Millis {
//!     fn from_value(value: Value) -> Result<Self, ConversionError> {
//!         let (seconds, micros) = <(u64, u64)>::from_value(value)?;
//!         Ok(Millis(seconds * 1000 + micros / 1000))
//!     }
//! }
//!
//! let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
//! let Millis(now) = conn.time()?;
//! # let _ = now; Ok::<(), ferrodis::Error>(())
//! ```
//!
//! # A connection pool
//!
//! redis-rs: `r2d2` or `bb8` over its client; redis-py
//! `ConnectionPool(max_connections=8)`, `BlockingConnectionPool(timeout=2)`,
//! `Redis(connection_pool=pool)`.
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use ferrodis::{Client, Commands, ConnectionPool};
//!
//! let client = Client::open("redis://127.0.0.1/")?;
//! let pool = ConnectionPool::new(client.config().clone()).max_connections(8).wait(Duration::from_secs(2));
//! let n: i64 = pool.get_connection()?.incr("hits", 1)?;
//! // The pool is a client too: each command on a connection of its own.
//! let mut shared = pool.clone();
//! let () = shared.set("greeting", "hello")?;
//! # let _ = n; Ok::<(), ferrodis::Error>(())
//! ```
//!
//! With Tokio (redis-rs: `bb8` or `deadpool` over `MultiplexedConnection`; redis-py's
//! asyncio `ConnectionPool`): [`AsyncConnectionPool`](crate::AsyncConnectionPool), with the
//! same options, waiters served first come, first served.
//!
//! ```no_run
//! # async fn demo() -> ferrodis::Result<()> {
//! use ferrodis::{AsyncCommands, AsyncConnectionPool};
//!
//! let pool = AsyncConnectionPool::from_url("redis://127.0.0.1/?max_connections=8&timeout=2")?;
//! let job: Option<(String, String)> = pool.get_connection().await?.blpop("jobs", 1.0).await?;
//! let () = pool.set("last", job.map(|(_, job)| job)).await?;
//! # Ok(()) }
//! ```
//!
//! # INFO as a map
//!
//! redis-rs `let info: redis::InfoDict = redis::cmd("INFO").query(&mut con)?`; redis-py
//! `r.info()["used_memory"]`.
//!
//! ```no_run
//! use ferrodis::{Client, Commands, InfoDict};
//!
//! let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
//! let info: InfoDict = conn.info("memory")?;
//! let used: Option<u64> = info.get("used_memory");
//! # let _ = used; Ok::<(), ferrodis::Error>(())
//! ```
//!
//! # Scan
//!
//! redis-rs `con.scan_match("user:*")?` (an iterator), `AsyncIter`; redis-py
//! `r.scan_iter("user:*")`, `r.hscan_iter("h")`.
//!
//! ```no_run
//! # async fn demo() -> ferrodis::Result<()> {
//! use ferrodis::{AsyncCommands, Client, Commands};
//!
//! let client = Client::open("redis://127.0.0.1/")?;
//! let mut conn = client.get_connection()?;
//! for key in conn.scan_match::<_, String>("user:*")? {
//!     println!("{}", key?);
//! }
//! for pair in conn.hscan::<_, (String, String)>("h")? {
//!     let (field, value) = pair?;
//!     println!("{field}={value}");
//! }
//! let shared = client.get_multiplexed_connection().await?;
//! let mut keys = shared.scan_match::<_, String>("user:*"); // a `Stream`, a page at a time
//! while let Some(key) = keys.next_item().await {
//!     println!("{}", key?);
//! }
//! # Ok(()) }
//! ```
//!
//! # The typed builders of firmware, on a server
//!
//! No counterpart: core's builders (`cmd::set(k, v).ex(60)`, with their borrowed reply
//! types) run on the std connections as on a microcontroller.
//!
//! ```no_run
//! use ferrodis::Client;
//! use ferrodis::core::cmd;
//!
//! let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
//! conn.run(&cmd::set("temperature", "21").ex(300))?;
//! let value: Option<&[u8]> = conn.run(&cmd::get("temperature"))?;
//! # let _ = value; Ok::<(), ferrodis::Error>(())
//! ```
//!
//! # Errors
//!
//! redis-rs `err.kind()`, `err.code()`, `err.is_timeout()`; redis-py `except
//! redis.ResponseError`, `redis.TimeoutError`. Every ferrodis error also says whether the
//! request was sent ([`Error::delivery`](crate::Error::delivery)).
//!
//! ```no_run
//! use ferrodis::{Client, Commands, ServerErrorKind};
//!
//! let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
//! match conn.incr::<_, _, i64>("not-a-number", 1) {
//!     Err(e) if e.server_kind() == Some(ServerErrorKind::WrongType) => println!("wrong type"),
//!     Err(e) if e.is_timeout() => println!("timed out; safe to retry: {}", e.is_retry_safe()),
//!     Err(e) => println!("{e}"),
//!     Ok(n) => println!("{n}"),
//! }
//! # Ok::<(), ferrodis::Error>(())
//! ```
//!
//! [`Commands::query`]: crate::Commands::query
//! [`cmd`]: crate::cmd()
