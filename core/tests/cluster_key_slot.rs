//! `key_slot` agrees with the server: `CLUSTER KEYSLOT` on a real cluster node (it answers
//! in cluster mode only) for the specification's examples and a few hundred random keys,
//! binary ones and ones full of braces included, on `redis-server` or `valkey-server` as
//! `FERRODIS_TEST_SERVER` chooses.

use std::net::TcpStream;
use std::time::Duration;

use embedded_io_adapters::std::FromStd;
use ferrodis_core::cluster::key_slot;
use ferrodis_core::cmd::{Cmd, Command, FixedArgs};
use ferrodis_core::conn::blocking::Connection;
use ferrodis_test_support::RedisServer;

/// Random keys from a fixed seed (xorshift64), so a failure repeats: lengths 0 to 80, bytes
/// drawn mostly from `{`, `}` and a few letters so that every arrangement of tags comes
/// up, the rest any byte (NUL, CR, LF and non-UTF-8 included).
fn random_keys(count: usize) -> Vec<Vec<u8>> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let len = (next() % 81) as usize;
            (0..len)
                .map(|_| match next() % 8 {
                    0 => b'{',
                    1 => b'}',
                    2..=4 => b"abcxyz019"[(next() % 9) as usize],
                    _ => next() as u8,
                })
                .collect()
        })
        .collect()
}

#[test]
fn key_slot_matches_cluster_keyslot() {
    let server = RedisServer::builder().cluster_enabled(true).start();
    let tcp = TcpStream::connect(server.addr()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let (mut rx, mut tx) = (vec![0u8; 4096], vec![0u8; 4096]);
    let mut conn = Connection::new(FromStd::new(tcp), &mut rx[..], &mut tx[..]);

    let examples: [&[u8]; 12] = [
        b"foo",
        b"bar",
        b"123456789",
        b"{user1000}.following",
        b"{user1000}.followers",
        b"foo{}{bar}",
        b"foo{{bar}}zap",
        b"foo{bar}{zap}",
        b"",
        b"{",
        b"}{}",
        b"\x00\xff\r\n{\r\n}",
    ];
    let keys: Vec<Vec<u8>> = examples.iter().map(|key| key.to_vec()).chain(random_keys(400)).collect();
    let mut mismatches = Vec::new();
    for key in &keys {
        let command = Cmd::<FixedArgs<1024, 3>>::new("CLUSTER")
            .with_arg("KEYSLOT")
            .with_arg(key.as_slice())
            .returning::<i64>();
        let server_slot = conn.run(&command).unwrap();
        if server_slot != i64::from(key_slot(key)) {
            mismatches.push(format!(
                "{}: server {server_slot}, key_slot {}",
                key.escape_ascii(),
                key_slot(key)
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} keys differ:\n{}",
        mismatches.len(),
        keys.len(),
        mismatches.join("\n")
    );
    assert_eq!((key_slot(b"foo"), key_slot(b"bar")), (12182, 5061));
}
