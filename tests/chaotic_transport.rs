//! Transports that read and write 1..n bytes at a time and fail with `Interrupted` at
//! random: 100 000 request/reply round trips with a real server through the core
//! connection, with no byte lost, duplicated or misframed.

use std::io::{Read, Write};
use std::net::TcpStream;

use ferrodis::core::conn::{Handshake, Protocol, blocking};
use ferrodis::resp::{Arg, Frame};
use ferrodis_test_support::RedisServer;

const ROUND_TRIPS: usize = 100_000;

/// A TCP stream that moves at most `max` bytes per call and sometimes refuses with
/// `Interrupted` before doing anything.
struct Chaotic {
    tcp: TcpStream,
    rng: u64,
    max: usize,
}

impl Chaotic {
    fn roll(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    /// `Some(n)`: move at most n bytes; `None`: fail with Interrupted.
    fn step(&mut self, want: usize) -> Option<usize> {
        let r = self.roll();
        if r.is_multiple_of(7) {
            return None;
        }
        Some(((r >> 8) as usize % self.max + 1).min(want.max(1)))
    }
}

impl embedded_io::ErrorType for Chaotic {
    type Error = std::io::Error;
}

impl embedded_io::Read for Chaotic {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.step(buf.len()) {
            None => Err(std::io::ErrorKind::Interrupted.into()),
            Some(n) => self.tcp.read(&mut buf[..n]),
        }
    }
}

impl embedded_io::Write for Chaotic {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.step(buf.len()) {
            None => Err(std::io::ErrorKind::Interrupted.into()),
            Some(n) => self.tcp.write(&buf[..n]),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.tcp.flush()
    }
}

fn run(protocol: Protocol, seed: u64, max: usize, rounds: usize, server: &RedisServer) {
    let tcp = TcpStream::connect(server.addr()).unwrap();
    tcp.set_nodelay(true).unwrap();
    let (mut rx, mut tx) = ([0u8; 256], [0u8; 128]);
    let mut conn = blocking::Connection::new(Chaotic { tcp, rng: seed, max }, &mut rx, &mut tx);
    conn.handshake(&Handshake { protocol, ..Handshake::DEFAULT }).unwrap();
    for i in 0..rounds {
        let key = format!("k{}", i % 97);
        let value = format!("value-{i}-{}", "x".repeat(i % 61));
        let set = [Arg::from("SET"), Arg::from(key.as_str()), Arg::from(value.as_str())];
        assert_eq!(conn.request(&set).unwrap(), Frame::SimpleString(b"OK"), "round {i}");
        let got = conn.request(&["GET".into(), key.as_str().into()]).unwrap();
        assert_eq!(got, Frame::BulkString(value.as_bytes()), "round {i}");
    }
}

#[test]
fn byte_at_a_time_transports_lose_nothing() {
    let server = RedisServer::start();
    // Half the round trips with 1..3-byte steps, half with 1..64-byte steps; RESP2 and
    // RESP3. Each loop iteration is two round trips.
    run(Protocol::Resp2, 0x1234_5678, 3, ROUND_TRIPS / 8, &server);
    run(Protocol::Resp3, 0x8765_4321, 3, ROUND_TRIPS / 8, &server);
    run(Protocol::Resp2, 0xDEAD_BEEF, 64, ROUND_TRIPS / 8, &server);
    run(Protocol::Resp3, 0xFEED_F00D, 64, ROUND_TRIPS / 8, &server);
}
