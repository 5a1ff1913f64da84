//! The connection shells over the in-memory harness: partial reads and writes, random
//! `Interrupted`, writes cut and futures dropped at every point, replies split around a
//! stall, hostile replies. No real server adds anything to these; the harness makes them
//! deterministic.

use ferrodis_core::conn::{asynch, blocking};
use ferrodis_core::resp::{Arg, Frame, command_len};
use ferrodis_core::{Delivery, ErrorKind};
use ferrodis_test_support::harness::{Faults, Loopback, Pair, PipeError, Schedule, block_on, pipe};

/// 100 000 request/reply round trips through transports that move 1..n bytes per call and
/// fail with `Interrupted` at random: no byte lost, duplicated or misframed. (Moved here
/// from a real-server test: the server added nothing.)
#[test]
fn chaotic_transports_lose_nothing() {
    for (seed, max) in [(0x1234_5678, 3), (0xDEAD_BEEF, 64)] {
        let (transport, server) = Loopback::new();
        server.set_faults(Faults::chaos(seed).random_steps(max));
        let (mut rx, mut tx) = ([0u8; 256], [0u8; 128]);
        let mut conn = blocking::Connection::new(transport, &mut rx[..], &mut tx[..]);
        for i in 0..12_500 {
            let key = format!("k{}", i % 97);
            let value = format!("value-{i}-{}", "x".repeat(i % 61));
            let set = [Arg::from("SET"), Arg::from(key.as_str()), Arg::from(value.as_str())];
            assert_eq!(conn.request(&set).unwrap(), Frame::SimpleString(b"OK"), "round {i}");
            let got = conn.request(&["GET".into(), key.as_str().into()]).unwrap();
            assert_eq!(got, Frame::BulkString(value.as_bytes()), "round {i}");
        }
    }
    // The async shell, with random `Pending` polls too.
    for seed in [7u64, 8] {
        let (transport, mut pair) = Pair::new();
        pair.server.set_faults(Faults::chaos(seed).random_steps(5));
        let (mut rx, mut tx) = ([0u8; 256], [0u8; 128]);
        let mut conn = asynch::Connection::new(transport, &mut rx[..], &mut tx[..]);
        for i in 0..12_500 {
            let key = format!("k{}", i % 89);
            let value = format!("v{i}");
            let set = [Arg::from("SET"), Arg::from(key.as_str()), Arg::from(value.as_str())];
            let get = [Arg::from("GET"), Arg::from(key.as_str())];
            let (ok, got) = pair.run(async {
                let ok = conn.request(&set).await.map(|f| f == Frame::SimpleString(b"OK"));
                let got = conn.request(&get).await.map(|f| f == Frame::BulkString(value.as_bytes()));
                (ok, got)
            });
            assert_eq!((ok, got), (Ok(true), Ok(true)), "round {i}");
        }
    }
}

/// The async shell's pipeline future dropped at every poll point, one byte written per
/// poll: no `INCR` ever runs twice, and the next operation either gets its own reply or
/// says the connection broke without sending anything.
#[test]
fn a_write_cut_at_any_point_never_runs_a_command_twice() {
    let incr_a = [Arg::from("INCR"), Arg::from("a")];
    let incr_b = [Arg::from("INCR"), Arg::from("b")];
    let total = command_len(&incr_a) + command_len(&incr_b);
    let mut cut_at = Vec::new();
    for polls in 0.. {
        let (transport, mut pair) = Pair::new();
        pair.server.set_faults(Faults::none().max_write(1).pending_writes(1));
        let (mut rx, mut tx) = ([0u8; 128], [0u8; 128]);
        let mut conn = asynch::Connection::new(transport, &mut rx[..], &mut tx[..]);
        let commands = [&incr_a[..], &incr_b[..]];
        let finished = pair.poll_n(conn.pipeline(&commands, |_, _| ()), polls).is_ok();
        let cut = pair.server.counters().bytes_written;
        cut_at.push(cut);
        let next = pair.run(conn.request(&["INCR".into(), "c".into()])).map(|f| f == Frame::Integer(1));
        match next {
            Ok(own) => assert!(own, "after {polls} polls: INCR c got another reply"),
            Err(e) => {
                assert!(matches!(e.kind(), ErrorKind::Broken), "after {polls} polls: {e}");
                assert_eq!(e.delivery(), Delivery::NotSent);
            }
        }
        pair.serve();
        let runs: Vec<_> = pair.redis.log_lines().into_iter().filter(|l| l.starts_with("INCR")).collect();
        let mut unique = runs.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(runs.len(), unique.len(), "after {polls} polls, cut after {cut} bytes: {runs:?}");
        if finished {
            break;
        }
    }
    for offset in 0..total {
        assert!(cut_at.contains(&offset), "no run cut the write after {offset} bytes: {cut_at:?}");
    }
}

/// A transport that records the size of each write, over a [`Loopback`].
struct Recording {
    inner: Loopback,
    writes: Vec<usize>,
}

impl embedded_io::ErrorType for Recording {
    type Error = PipeError;
}

impl embedded_io::Read for Recording {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, PipeError> {
        embedded_io::Read::read(&mut self.inner, buf)
    }
}

impl embedded_io::Write for Recording {
    fn write(&mut self, buf: &[u8]) -> Result<usize, PipeError> {
        let n = embedded_io::Write::write(&mut self.inner, buf)?;
        self.writes.push(n);
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), PipeError> {
        embedded_io::Write::flush(&mut self.inner)
    }
}

/// A command larger than the write buffer goes out a full buffer at a time: every write
/// but the last fills the buffer (not three small writes per argument).
#[test]
fn a_command_larger_than_the_write_buffer_goes_out_in_full_writes() {
    let (inner, server) = Loopback::new();
    let transport = Recording { inner, writes: Vec::new() };
    let (mut rx, mut tx) = ([0u8; 64], [0u8; 64]);
    let mut conn = blocking::Connection::new(transport, &mut rx[..], &mut tx[..]);
    let value = vec![b'v'; 1000];
    let set = [Arg::from("SET"), Arg::from("big"), Arg::Bytes(&value)];
    assert_eq!(conn.request(&set).unwrap(), Frame::SimpleString(b"OK"));
    let writes = &conn.get_ref().writes;
    assert_eq!(writes.iter().sum::<usize>(), command_len(&set));
    let (last, full) = writes.split_last().unwrap();
    assert!(full.iter().all(|&n| n == 64) && *last <= 64, "{writes:?}");
    assert_eq!(writes.len(), command_len(&set).div_ceil(64));
    let got = conn.request(&["GET".into(), "big".into()]);
    // 1 000 bytes do not fit the 64-byte read buffer: read and dropped, the connection
    // stays in step.
    let e = got.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::ReplyTooLarge { needed: 1009 }), "{e}");
    assert!(e.connection_usable() && !conn.is_broken());
    assert_eq!(conn.request(&["ECHO".into(), "next".into()]).unwrap(), Frame::BulkString(b"next"));
    assert_eq!(server.redis().count("SET"), 1);
}

/// A reply split around a stall longer than the read timeout: the request fails with the
/// timeout, the connection stays usable, and the next request gets its own reply, never
/// the late one. (The harness's blocking read of an empty pipe is the timeout.)
#[test]
fn a_reply_split_around_a_timeout_never_goes_to_the_next_request() {
    let (transport, server) = pipe();
    let (mut rx, mut tx) = ([0u8; 64], [0u8; 64]);
    let mut conn = blocking::Connection::new(transport, &mut rx[..], &mut tx[..]);
    for round in 0..100 {
        server.deliver(b"$10\r\nval");
        let e = conn.request(&["GET".into(), "slow".into()]).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Io(PipeError::TimedOut)), "round {round}: {e}");
        assert_eq!(e.delivery(), Delivery::Unknown);
        assert!(!conn.is_broken());
        // The rest of the slow reply, then the fast one's.
        server.deliver(b"ue-slow\r\n$9\r\nvalue-new\r\n");
        assert_eq!(conn.request(&["GET".into(), "new".into()]).unwrap(), Frame::BulkString(b"value-new"));
        server.take_written();
    }
    // The async shell: the stall is a pending read, the timeout a dropped future.
    let (transport, server) = pipe();
    let (mut rx, mut tx) = ([0u8; 64], [0u8; 64]);
    let mut conn = asynch::Connection::new(transport, &mut rx[..], &mut tx[..]);
    for round in 0..100 {
        server.deliver(b"$10\r\nval");
        let gave_up = ferrodis_test_support::harness::poll_n(conn.request(&["GET".into(), "slow".into()]), 3);
        assert!(gave_up.is_err(), "round {round}");
        server.deliver(b"ue-slow\r\n$9\r\nvalue-new\r\n");
        let next = block_on(conn.request(&["GET".into(), "new".into()]))
            .map(|f| f == Frame::BulkString(b"value-new"));
        assert_eq!(next, Ok(true), "round {round}");
        server.take_written();
    }
}

/// Replies no server sends: each fails the request with a protocol error whose delivery is
/// `Unknown`, and the connection refuses everything after it (`Broken`, `NotSent`) until it
/// gets a fresh transport. Nothing panics, hangs or allocates.
#[test]
fn hostile_replies_break_the_connection_cleanly() {
    let hostile: &[(&str, &[u8])] = &[
        ("lone LF", b"+OK\n"),
        ("unknown type byte", b"@garbage\r\n"),
        ("negative bulk length", b"$-5\r\n"),
        ("bulk length overflowing i64", b"$99999999999999999999\r\n"),
        ("bulk beyond 512 MiB", b"$536870913\r\n"),
        ("aggregate of 2^40 elements", b"*1099511627776\r\n"),
        ("missing CRLF after payload", b"$3\r\nabcXY"),
        ("non-digit integer", b":12x\r\n"),
        ("bad double", b",1.2.3\r\n"),
        ("binary noise", &[0x00, 0xff, 0xfe, 0x80, 0x7f, b'\r', b'\n']),
        ("map with negative size", b"%-1\r\n"),
    ];
    for (name, reply) in hostile {
        let (transport, server) = pipe();
        let (mut rx, mut tx) = ([0u8; 256], [0u8; 64]);
        let mut conn = blocking::Connection::new(transport, &mut rx[..], &mut tx[..]);
        server.deliver(reply);
        let e = conn.request(&["GET".into(), "k".into()]).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Decode(_) | ErrorKind::UnexpectedReply), "{name}: {e}");
        assert_eq!(e.delivery(), Delivery::Unknown, "{name}");
        assert!(conn.is_broken(), "{name}");
        let again = conn.request(&["PING".into()]).unwrap_err();
        assert!(matches!(again.kind(), ErrorKind::Broken), "{name}: {again}");
        assert_eq!(again.delivery(), Delivery::NotSent, "{name}");
    }
    // Nesting 100 000 deep is refused without recursion.
    let (transport, server) = pipe();
    let (mut rx, mut tx) = (vec![0u8; 1 << 20], [0u8; 64]);
    let mut conn = blocking::Connection::new(transport, &mut rx[..], &mut tx[..]);
    server.deliver(b"*1\r\n".repeat(100_000));
    let e = conn.request(&["GET".into(), "k".into()]).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Decode(ferrodis_core::DecodeError::TooDeep)), "{e}");
}

/// The async shell's interrupted writes are retried, not written twice.
#[test]
fn interrupted_writes_are_retried_once() {
    let (transport, mut pair) = Pair::new();
    pair.server.set_faults(Faults::none().max_write(3).interrupt(Schedule::Every(2)));
    let (mut rx, mut tx) = ([0u8; 64], [0u8; 64]);
    let mut conn = asynch::Connection::new(transport, &mut rx[..], &mut tx[..]);
    for i in 1..=50 {
        let n = pair.run(conn.request(&["INCR".into(), "n".into()])).map(|f| f == Frame::Integer(i));
        assert_eq!(n, Ok(true));
    }
    assert_eq!(pair.redis.count("INCR"), 50);
}
