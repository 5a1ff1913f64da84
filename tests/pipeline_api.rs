//! The redis-rs-style pipeline and transaction API against a real redis-server:
//! `pipe()` with ignored replies, atomic pipelines, `WATCH` conflicts (injected from a
//! second connection) retried by `transaction` (redis-rs) and `transaction_pipeline`
//! (redis-py), error replies inside pipelines, and the same on the multiplexed connection.

use ferrodis::{
    AsyncCommands, Client, ClientBuilder, Commands, ErrorKind, Pipeline, Protocol, ServerErrorKind, Value,
    cmd, pipe,
};
use ferrodis_test_support::RedisServer;

fn client(server: &RedisServer, protocol: Protocol) -> Client {
    ClientBuilder::new().host(server.host()).port(server.port()).protocol(protocol).build()
}

const PROTOCOLS: [Protocol; 2] = [Protocol::Resp2, Protocol::Resp3];

#[test]
fn a_pipeline_leaves_ignored_replies_out() {
    let server = RedisServer::start();
    for protocol in PROTOCOLS {
        let mut conn = client(&server, protocol).get_connection().unwrap();
        let (n, text, missing): (i64, String, Option<String>) = pipe()
            .set("counter", 41)
            .ignore()
            .incr("counter", 1)
            .cmd("GET")
            .arg("counter")
            .add_command(cmd("GET").with_arg("missing"))
            .query(&mut conn)
            .unwrap();
        assert_eq!((n, text.as_str(), missing), (42, "42", None));

        // Every reply ignored: `()` (and an empty array).
        let () = pipe().set("a", 1).ignore().set("b", 2).ignore().query(&mut conn).unwrap();
        let replies: Vec<Value> = pipe().del("a").ignore().query(&mut conn).unwrap();
        assert!(replies.is_empty());
        // An empty pipeline sends nothing.
        let () = Pipeline::new().query(&mut conn).unwrap();

        // A pipeline is reusable, and converts to any FromValue type.
        let mut p = pipe();
        p.del("hits").ignore().incr("hits", 1).incr("hits", 1);
        let first: Vec<i64> = p.query(&mut conn).unwrap();
        let second: (i64, i64) = p.query(&mut conn).unwrap();
        assert_eq!((first, second), (vec![1, 2], (1, 2)));
        assert_eq!(p.len(), 3);
        assert!(!p.is_atomic());
        p.clear();
        assert!(p.is_empty());
    }
}

#[test]
fn an_atomic_pipeline_runs_in_multi_exec() {
    let server = RedisServer::start();
    for protocol in PROTOCOLS {
        let mut conn = client(&server, protocol).get_connection().unwrap();
        let () = conn.del("n").unwrap();
        let (a, b): (i64, String) =
            pipe().atomic().incr("n", 5).ignore().incr("n", 1).get("n").query(&mut conn).unwrap();
        assert_eq!((a, b.as_str()), (6, "6"));
        // Without a WATCH there is no conflict, so `Option` is `Some`.
        let got: Option<(i64,)> = pipe().atomic().incr("n", 1).query(&mut conn).unwrap();
        assert_eq!(got, Some((7,)));
        // An empty atomic pipeline is MULTI/EXEC with nothing in between.
        let () = pipe().atomic().query(&mut conn).unwrap();
    }
}

#[test]
fn a_watch_conflict_makes_an_atomic_pipeline_nil() {
    let server = RedisServer::start();
    for protocol in PROTOCOLS {
        let c = client(&server, protocol);
        let mut mine = c.get_connection().unwrap();
        let mut other = c.get_connection().unwrap();
        let () = mine.set("watched", 1).unwrap();
        let () = mine.query(&cmd("WATCH").with_arg("watched")).unwrap();
        let () = other.set("watched", 2).unwrap();
        let result: Option<(i64,)> = pipe().atomic().incr("watched", 10).query(&mut mine).unwrap();
        assert_eq!(result, None);
        assert_eq!(mine.get::<_, i64>("watched").unwrap(), 2, "EXEC ran nothing");
    }
}

#[test]
fn redis_rs_transaction_retries_after_a_conflict_from_another_connection() {
    let server = RedisServer::start();
    for protocol in PROTOCOLS {
        let c = client(&server, protocol);
        let mut conn = c.get_connection().unwrap();
        let mut other = c.get_connection().unwrap();
        let () = conn.set("balance", 100).unwrap();
        let mut attempts = 0;
        let mut seen = Vec::new();
        let (balance,): (i64,) = conn
            .transaction("balance", |conn, pipe| {
                attempts += 1;
                let balance: i64 = conn.get("balance")?;
                seen.push(balance);
                if attempts == 1 {
                    // Another client writes between our read and our EXEC.
                    let () = other.incr("balance", 50)?;
                }
                pipe.set("balance", balance - 30).ignore().get("balance").query(conn)
            })
            .unwrap();
        assert_eq!(attempts, 2, "the conflict made it run again");
        assert_eq!(seen, [100, 150]);
        assert_eq!(balance, 120);
        assert_eq!(conn.get::<_, i64>("balance").unwrap(), 120);

        // The watch is gone afterwards: a change now does not abort a later EXEC.
        let () = other.set("balance", 0).unwrap();
        let after: Option<(i64,)> = pipe().atomic().incr("balance", 1).query(&mut conn).unwrap();
        assert_eq!(after, Some((1,)));
    }
}

#[test]
fn redis_rs_transaction_over_several_keys_and_an_error_unwatches() {
    let server = RedisServer::start();
    let c = client(&server, Protocol::Resp3);
    let mut conn = c.get_connection().unwrap();
    let mut other = c.get_connection().unwrap();
    let () = conn.mset(&[("from", 10), ("to", 0)]).unwrap();
    let mut attempts = 0;
    let () = conn
        .transaction(["from", "to"], |conn, pipe| {
            attempts += 1;
            if attempts == 1 {
                // The second watched key changes.
                let () = other.incr("to", 1)?;
            }
            let from: i64 = conn.get("from")?;
            pipe.decr("from", from).ignore().incr("to", from).ignore().query(conn)
        })
        .unwrap();
    assert_eq!(attempts, 2);
    assert_eq!(conn.get::<_, (i64, i64)>(&["from", "to"]).unwrap(), (0, 11));

    // An error inside the closure ends the transaction with that error and clears the
    // watch, so a later change does not abort the next EXEC.
    let e = conn
        .transaction("from", |conn, _pipe| -> ferrodis::Result<Option<()>> {
            let _: i64 = conn.lpush("from", "x")?;
            unreachable!("LPUSH on a string fails")
        })
        .unwrap_err();
    assert_eq!(e.server_kind(), Some(ServerErrorKind::WrongType), "{e}");
    let () = other.set("from", 5).unwrap();
    let after: Option<(i64,)> = pipe().atomic().incr("from", 1).query(&mut conn).unwrap();
    assert_eq!(after, Some((6,)));
}

#[test]
fn redis_py_transaction_runs_the_pipeline_and_retries_after_a_conflict() {
    let server = RedisServer::start();
    for protocol in PROTOCOLS {
        let c = client(&server, protocol);
        let mut conn = c.get_connection().unwrap();
        let mut other = c.get_connection().unwrap();
        let () = conn.set("n", 3).unwrap();
        let mut attempts = 0;
        let (doubled, copy): (i64, String) = conn
            .transaction_pipeline("n", |conn, pipe| {
                attempts += 1;
                let n: i64 = conn.get("n")?;
                if attempts == 1 {
                    let () = other.set("n", 5)?;
                }
                pipe.set("n", n * 2).ignore().get("n").cmd("SET").arg("copy").arg(n * 2).ignore().get("copy");
                Ok(())
            })
            .unwrap();
        assert_eq!(attempts, 2);
        assert_eq!((doubled, copy.as_str()), (10, "10"));

        // An error from the closure is returned as it is.
        let e = conn
            .transaction_pipeline::<_, (), _>("n", |_, _| Err(ferrodis::Error::config("closure failed")))
            .unwrap_err();
        assert!(e.to_string().contains("closure failed"), "{e}");
    }
}

#[test]
fn an_error_reply_inside_a_pipeline_fails_the_query_with_that_error() {
    let server = RedisServer::start();
    for protocol in PROTOCOLS {
        let mut conn = client(&server, protocol).get_connection().unwrap();
        let () = conn.set("s", "text").unwrap();
        let e = pipe().get("s").lpush("s", "x").incr("s", 1).query::<Value>(&mut conn).unwrap_err();
        assert_eq!(e.server_kind(), Some(ServerErrorKind::WrongType), "the first error wins: {e}");
        assert!(e.to_string().contains("WRONGTYPE"), "{e}");
        assert!(matches!(e.kind(), ErrorKind::Server(_)));
        // Even an ignored command's error is reported.
        let e = pipe().lpush("s", "x").ignore().get("s").query::<Value>(&mut conn).unwrap_err();
        assert_eq!(e.server_kind(), Some(ServerErrorKind::WrongType), "{e}");

        // In MULTI/EXEC, a runtime error is one of EXEC's replies; the others ran.
        let e = pipe().atomic().set("t", 1).lpush("s", "x").query::<Value>(&mut conn).unwrap_err();
        assert_eq!(e.server_kind(), Some(ServerErrorKind::WrongType), "{e}");
        assert_eq!(conn.get::<_, i64>("t").unwrap(), 1);
        // A command refused while queueing aborts the whole transaction.
        let e = pipe().atomic().set("u", 1).cmd("NOSUCHCOMMAND").query::<Value>(&mut conn).unwrap_err();
        assert_eq!(e.server_kind(), Some(ServerErrorKind::ExecAbort), "{e}");
        assert_eq!(conn.get::<_, Option<i64>>("u").unwrap(), None);

        // A reply that does not convert is a conversion error; the connection is fine.
        let e = pipe().get("s").query::<(i64,)>(&mut conn).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Conversion(_)), "{e}");
        assert_eq!(conn.ping::<String>().unwrap(), "PONG");
    }
}

#[test]
fn query_async_on_the_multiplexed_connection() {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        for protocol in PROTOCOLS {
            let c = client(&server, protocol);
            let conn = c.get_multiplexed_connection().await.unwrap();
            let () = conn.del(&["k", "w"]).await.unwrap();

            let (n, text): (i64, String) =
                pipe().set("k", 1).ignore().incr("k", 2).get("k").query_async(&conn).await.unwrap();
            assert_eq!((n, text.as_str()), (3, "3"));

            let (a, b): (i64, i64) =
                pipe().atomic().incr("k", 1).incr("k", 1).del("k").ignore().query_async(&conn).await.unwrap();
            assert_eq!((a, b), (4, 5));
            let () = pipe().atomic().query_async(&conn).await.unwrap();

            // Tasks sending atomic pipelines and single commands at once: each MULTI/EXEC
            // goes out as one batch, so nothing lands inside another's transaction.
            let tasks: Vec<_> = (0..8)
                .map(|i| {
                    let conn = conn.clone();
                    tokio::spawn(async move {
                        let (_, mine): ((), i64) = pipe()
                            .atomic()
                            .set(format!("t:{i}"), i)
                            .incr(format!("t:{i}"), 100)
                            .query_async(&conn)
                            .await?;
                        conn.incr::<_, _, i64>("total", 1).await?;
                        Ok::<_, ferrodis::Error>(mine)
                    })
                })
                .collect();
            for (i, task) in tasks.into_iter().enumerate() {
                assert_eq!(task.await.unwrap().unwrap(), i as i64 + 100);
            }

            // Errors: the first error reply, EXECABORT, and a WATCH conflict as None.
            let () = conn.set("s", "text").await.unwrap();
            let e = pipe().get("s").lpush("s", "x").query_async::<Value>(&conn).await.unwrap_err();
            assert_eq!(e.server_kind(), Some(ServerErrorKind::WrongType), "{e}");
            let e = pipe().atomic().lpush("s", "x").query_async::<Value>(&conn).await.unwrap_err();
            assert_eq!(e.server_kind(), Some(ServerErrorKind::WrongType), "{e}");
            let e = pipe().atomic().cmd("NOSUCHCOMMAND").query_async::<Value>(&conn).await.unwrap_err();
            assert_eq!(e.server_kind(), Some(ServerErrorKind::ExecAbort), "{e}");

            // WATCH would watch for every task sharing the connection: refused, nothing sent.
            let e = conn.query::<()>(&cmd("WATCH").with_arg("w")).await.unwrap_err();
            assert!(matches!(e.kind(), ferrodis::ErrorKind::Refused(_)), "{e}");
            assert_eq!(e.delivery(), ferrodis::Delivery::NotSent);
            assert!(e.to_string().contains("dedicated connection"), "{e}");
        }
    });
}
