//! Core's typed builders (`cmd::set(k, v).ex(60)`, `cmd::get(k)`, `cmd::Cmd` for anything
//! else) run on the std connections as they do on firmware, with their own reply types,
//! and fail the way every other request does.

use ferrodis::core::cmd::{self, Cmd, Command, FixedArgs};
use ferrodis::{ClientBuilder, ErrorKind, ServerErrorKind};
use ferrodis_test_support::RedisServer;

#[test]
fn core_builders_run_on_a_blocking_connection() {
    let server = RedisServer::start();
    let mut conn =
        ClientBuilder::new().host(server.host()).port(server.port()).build().get_connection().unwrap();

    conn.run(&cmd::set("greeting", "hello").ex(60)).unwrap();
    let greeting: Option<&[u8]> = conn.run(&cmd::get("greeting")).unwrap();
    assert_eq!(greeting, Some(&b"hello"[..]));
    let as_text = conn.run(&cmd::get("greeting").returning::<Option<&str>>()).unwrap();
    assert_eq!(as_text, Some("hello"));
    let ttl: i64 = conn.run(&cmd::ttl("greeting")).unwrap();
    assert!((1..=60).contains(&ttl), "{ttl}");
    assert_eq!(conn.run(&cmd::incr("hits")).unwrap(), 1);
    let length =
        conn.run(&Cmd::<FixedArgs<32, 2>>::new("STRLEN").with_arg("greeting").returning::<i64>()).unwrap();
    assert_eq!(length, 5);

    // An error reply keeps its kind and its whole text; a reply of the wrong type says so;
    // the connection is usable after both.
    let e = conn.run(&cmd::incr("greeting")).unwrap_err();
    assert_eq!(e.server_kind(), Some(ServerErrorKind::Err), "{e}");
    assert!(e.to_string().contains("not an integer or out of range"), "{e}");
    let e = conn.run(&cmd::get("greeting").returning::<i64>()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Reply(_)), "{e}");
    assert_eq!(conn.run(&cmd::incr("hits")).unwrap(), 2);
}

#[test]
fn core_builders_run_on_a_multiplexed_connection() {
    let server = RedisServer::start();
    let client = ClientBuilder::new().host(server.host()).port(server.port()).build();
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let conn = client.get_multiplexed_connection().await.unwrap();
        conn.run_with(&cmd::set("greeting", "hello").ex(60), |_| ()).await.unwrap();
        let greeting = conn.run_with(&cmd::get("greeting"), |v| v.map(<[u8]>::to_vec)).await.unwrap();
        assert_eq!(greeting.as_deref(), Some(&b"hello"[..]));
        assert_eq!(conn.run_with(&cmd::incr("hits"), |n| n).await.unwrap(), 1);
        let e = conn.run_with(&cmd::get("greeting").returning::<i64>(), |n| n).await.unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Reply(_)), "{e}");
        let e = conn.run_with(&cmd::incr("greeting"), |n| n).await.unwrap_err();
        assert_eq!(e.server_kind(), Some(ServerErrorKind::Err), "{e}");
        assert_eq!(conn.run_with(&cmd::incr("hits"), |n| n).await.unwrap(), 2);
    });
}
