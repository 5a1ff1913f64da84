//! A 1 MiB value read through the streaming path with a 1 KiB read buffer, byte-exact:
//! through the no_std core connection with caller-owned buffers, and through the std
//! connection configured never to buffer more than 1 KiB.

use embedded_io_adapters::std::FromStd;
use ferrodis::core::conn::{Handshake, blocking};
use ferrodis::{Arg, ClientBuilder};
use ferrodis_test_support::RedisServer;

/// 1 MiB of bytes that differ from position to position.
fn big_value() -> Vec<u8> {
    (0..1 << 20).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect()
}

#[test]
fn core_connection_streams_a_1_mib_value_through_a_1_kib_buffer() {
    let server = RedisServer::start();
    let value = big_value();
    let tcp = std::net::TcpStream::connect(server.addr()).unwrap();
    let (mut rx, mut tx) = ([0u8; 1024], [0u8; 1024]);
    let mut conn = blocking::Connection::new(FromStd::new(tcp), &mut rx, &mut tx);
    conn.handshake(&Handshake::DEFAULT).unwrap();
    // The 1 MiB SET is larger than the write buffer: written straight through.
    conn.request(&["SET".into(), "big".into(), Arg::Bytes(&value)]).unwrap();

    let mut received = Vec::new();
    let len =
        conn.request_streaming(&["GET".into(), "big".into()], &mut FromStd::new(&mut received)).unwrap();
    assert_eq!(len, Some(value.len()));
    assert!(received == value, "the streamed bytes differ from what was stored");
    // A plain request would not fit 1 KiB: the streaming path was necessary.
    assert!(conn.request(&["GET".into(), "big".into()]).is_err());

    // A missing key streams as None.
    let tcp = std::net::TcpStream::connect(server.addr()).unwrap();
    let (mut rx, mut tx) = ([0u8; 1024], [0u8; 1024]);
    let mut conn = blocking::Connection::new(FromStd::new(tcp), &mut rx, &mut tx);
    let len =
        conn.request_streaming(&["GET".into(), "missing".into()], &mut FromStd::new(Vec::new())).unwrap();
    assert_eq!(len, None);
}

#[test]
fn std_connection_streams_with_a_bounded_buffer() {
    let server = RedisServer::start();
    let value = big_value();
    let client = ClientBuilder::new()
        .host(server.host())
        .port(server.port())
        .read_buffer_size(1024)
        .max_reply_size(1024)
        .build();
    let mut conn = client.get_connection().unwrap();
    conn.request_with(&["SET".into(), "big".into(), Arg::Bytes(&value)], |_| ()).unwrap();
    let mut received = Vec::new();
    assert_eq!(
        conn.request_streaming(&["GET".into(), "big".into()], &mut received).unwrap(),
        Some(value.len())
    );
    assert!(received == value);
    // The connection is in step afterwards.
    let small = conn.request_with(&["STRLEN".into(), "big".into()], |f| format!("{f:?}")).unwrap();
    assert_eq!(small, "Integer(1048576)");
}
