//! Pipelines of 10 000 commands, an error reply in the middle of a pipeline, MULTI/EXEC
//! with a WATCH conflict caused by a second connection, and EXECABORT: against a real
//! redis-server, blocking and multiplexed, in RESP2 and RESP3.

use ferrodis::{Arg, Client, ClientBuilder, Frame, Protocol, ServerErrorKind, TransactionOutcome};
use ferrodis_test_support::RedisServer;

fn client(server: &RedisServer, protocol: Protocol) -> Client {
    ClientBuilder::new().host(server.host()).port(server.port()).protocol(protocol).build()
}

fn keys(n: usize) -> Vec<(String, String)> {
    (0..n).map(|i| (format!("key:{i}"), format!("value:{i}"))).collect()
}

#[test]
fn a_pipeline_of_10_000_commands_keeps_every_reply_in_place() {
    let server = RedisServer::start();
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let mut conn = client(&server, protocol).get_connection().unwrap();
        let pairs = keys(10_000);
        let sets: Vec<[Arg<'_>; 3]> =
            pairs.iter().map(|(k, v)| ["SET".into(), k.as_str().into(), v.as_str().into()]).collect();
        let set_refs: Vec<&[Arg<'_>]> = sets.iter().map(|c| c.as_slice()).collect();
        let mut oks = 0;
        conn.pipeline_with(&set_refs, |_, reply| oks += usize::from(reply == Frame::SimpleString(b"OK")))
            .unwrap();
        assert_eq!(oks, 10_000);

        let gets: Vec<[Arg<'_>; 2]> = pairs.iter().map(|(k, _)| ["GET".into(), k.as_str().into()]).collect();
        let get_refs: Vec<&[Arg<'_>]> = gets.iter().map(|c| c.as_slice()).collect();
        let mut wrong = Vec::new();
        conn.pipeline_with(&get_refs, |i, reply| {
            if reply != Frame::BulkString(pairs[i].1.as_bytes()) {
                wrong.push(i);
            }
        })
        .unwrap();
        assert!(wrong.is_empty(), "{} wrong replies, first at {:?}", wrong.len(), wrong.first());
    }
}

#[test]
fn an_error_reply_in_the_middle_does_not_desync_the_rest() {
    let server = RedisServer::start();
    let mut conn = client(&server, Protocol::Resp2).get_connection().unwrap();
    let commands: [&[Arg<'_>]; 4] = [
        &["SET".into(), "n".into(), "1".into()],
        &["LPUSH".into(), "n".into(), "x".into()],
        &["GET".into(), "n".into()],
        &["INCR".into(), "n".into()],
    ];
    let mut replies = Vec::new();
    conn.pipeline_with(&commands, |_, reply| replies.push(format!("{reply:?}"))).unwrap();
    assert_eq!(replies[0], r#"SimpleString("OK")"#);
    assert!(replies[1].starts_with(r#"SimpleError("WRONGTYPE"#), "{}", replies[1]);
    assert_eq!(replies[2], r#"BulkString("1")"#);
    assert_eq!(replies[3], "Integer(2)");
    // The connection stays in step afterwards.
    let pong = conn.request_with(&["PING".into()], |f| f == Frame::SimpleString(b"PONG")).unwrap();
    assert!(pong);
}

#[test]
fn multiplexed_pipelines_of_10_000_commands() {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        for protocol in [Protocol::Resp2, Protocol::Resp3] {
            let conn = client(&server, protocol).get_multiplexed_connection().await.unwrap();
            let pairs = keys(10_000);
            let sets: Vec<[Arg<'_>; 3]> =
                pairs.iter().map(|(k, v)| ["SET".into(), k.as_str().into(), v.as_str().into()]).collect();
            let set_refs: Vec<&[Arg<'_>]> = sets.iter().map(|c| c.as_slice()).collect();
            conn.pipeline_with(&set_refs, |_, reply| assert_eq!(reply, Frame::SimpleString(b"OK")))
                .await
                .unwrap();
            let gets: Vec<[Arg<'_>; 2]> =
                pairs.iter().map(|(k, _)| ["GET".into(), k.as_str().into()]).collect();
            let get_refs: Vec<&[Arg<'_>]> = gets.iter().map(|c| c.as_slice()).collect();
            let mut wrong = 0;
            conn.pipeline_with(&get_refs, |i, reply| {
                wrong += usize::from(reply != Frame::BulkString(pairs[i].1.as_bytes()))
            })
            .await
            .unwrap();
            assert_eq!(wrong, 0);
        }
    });
}

#[test]
fn a_watched_key_changed_by_another_connection_aborts_the_transaction() {
    let server = RedisServer::start();
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let c = client(&server, protocol);
        let mut mine = c.get_connection().unwrap();
        let mut other = c.get_connection().unwrap();
        mine.request_with(&["SET".into(), "balance".into(), "10".into()], |_| ()).unwrap();
        mine.request_with(&["WATCH".into(), "balance".into()], |_| ()).unwrap();
        other.request_with(&["SET".into(), "balance".into(), "99".into()], |_| ()).unwrap();
        let mut ran = 0;
        let outcome = mine
            .transaction_with(&[&["INCRBY".into(), "balance".into(), "5".into()]], |_, _| ran += 1)
            .unwrap();
        assert_eq!(outcome, TransactionOutcome::WatchConflict);
        assert_eq!(ran, 0);
        let now =
            mine.request_with(&["GET".into(), "balance".into()], |f| f == Frame::BulkString(b"99")).unwrap();
        assert!(now, "the conflicting transaction must not have run");

        // Without interference it commits, and the replies come back in order.
        mine.request_with(&["WATCH".into(), "balance".into()], |_| ()).unwrap();
        let mut replies = Vec::new();
        let outcome = mine
            .transaction_with(
                &[&["INCRBY".into(), "balance".into(), "5".into()], &["GET".into(), "balance".into()]],
                |_, r| replies.push(format!("{r:?}")),
            )
            .unwrap();
        assert_eq!(outcome, TransactionOutcome::Committed);
        assert_eq!(replies, ["Integer(104)", r#"BulkString("104")"#]);
    }
}

#[test]
fn a_command_refused_while_queueing_gives_execabort() {
    let server = RedisServer::start();
    let mut conn = client(&server, Protocol::Resp2).get_connection().unwrap();
    let err = conn
        .transaction_with(&[&["SET".into(), "a".into(), "1".into()], &["NOSUCHCOMMAND".into()]], |_, _| {
            panic!("nothing runs")
        })
        .unwrap_err();
    assert_eq!(err.server_kind(), Some(ServerErrorKind::ExecAbort), "{err}");
    let set = conn.request_with(&["EXISTS".into(), "a".into()], |f| f == Frame::Integer(0)).unwrap();
    assert!(set, "EXECABORT runs nothing");
    // A runtime error inside EXEC is a reply in its place, not a failure of the rest.
    let mut replies = Vec::new();
    conn.transaction_with(
        &[&["SET".into(), "s".into(), "x".into()], &["INCR".into(), "s".into()], &["GET".into(), "s".into()]],
        |_, r| replies.push(r.is_error()),
    )
    .unwrap();
    assert_eq!(replies, [false, true, false]);
}
