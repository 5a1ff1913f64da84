//! The engine on its own: requests in, bytes out; bytes in (as a real server sends them,
//! split anywhere), events out.

use std::string::String;
use std::vec::Vec;

use super::*;
use crate::resp::Frame;

mod interleavings;

/// An engine with buffers of the given sizes that can grow to `max` (0: fixed).
pub(super) struct Test {
    pub(super) engine: Engine<Growing, Growing, Growing<Slot>>,
    /// Every byte the engine handed out and the test wrote.
    pub(super) wire: Vec<u8>,
}

/// A buffer that grows up to a limit, as a hosted adapter's does, and records how large
/// it ever was.
#[derive(Debug)]
pub(super) struct Growing<T = u8> {
    pub(super) buf: Vec<T>,
    max: usize,
    pub(super) peak: usize,
}

impl<T: Default + Clone> Growing<T> {
    pub(super) fn new(len: usize, max: usize) -> Self {
        Self { buf: std::vec![T::default(); len], max: max.max(len), peak: len }
    }
}

impl<T> AsRef<[T]> for Growing<T> {
    fn as_ref(&self) -> &[T] {
        &self.buf
    }
}

impl<T> AsMut<[T]> for Growing<T> {
    fn as_mut(&mut self) -> &mut [T] {
        &mut self.buf
    }
}

impl Buffer for Growing<u8> {
    fn max_len(&self) -> usize {
        self.max
    }

    fn grow(&mut self, len: usize) -> bool {
        self.buf.resize(len.min(self.max), 0);
        self.peak = self.peak.max(self.buf.len());
        self.buf.len() >= len
    }
}

impl SlotBuffer for Growing<Slot> {
    fn grow(&mut self) -> bool {
        if self.buf.len() >= self.max {
            return false;
        }
        let len = (self.buf.len() * 2).clamp(1, self.max);
        self.buf.resize(len, Slot::EMPTY);
        true
    }
}

/// What an event was, owned, for comparisons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Seen {
    Reply(u64, usize, bool, String),
    TooLarge(u64, usize, bool, usize),
    Chunk(u64, Option<usize>, String, bool),
    Push(String),
    Monitor(String),
    Dropped(u64),
    Unanswered(u64),
    Failed(Failure),
}

pub(super) fn text(frame: &Frame<'_>) -> String {
    std::format!("{frame:?}")
}

impl Test {
    pub(super) fn new(read: usize, write: usize) -> Test {
        Test::sized(read, 0, write, 0, 64)
    }

    pub(super) fn sized(read: usize, read_max: usize, write: usize, write_max: usize, slots: usize) -> Test {
        let engine = Engine::with_slots(
            Growing::new(read, read_max),
            Growing::new(write, write_max),
            Growing::new(slots, slots),
        );
        Test { engine, wire: Vec::new() }
    }

    pub(super) fn queue(&mut self, args: &[&str]) -> Token {
        self.queue_as(args, Expect::Replies)
    }

    pub(super) fn queue_as(&mut self, args: &[&str], expect: Expect) -> Token {
        let args: Vec<Arg<'_>> = args.iter().map(|a| Arg::from(*a)).collect();
        self.engine.queue(args.as_slice(), expect).unwrap()
    }

    /// Writes at most `max` of the bytes the engine hands out.
    pub(super) fn write(&mut self, max: usize) -> usize {
        let bytes = self.engine.transmit();
        let n = bytes.len().min(max);
        self.wire.extend_from_slice(&bytes[..n]);
        self.engine.sent(n);
        n
    }

    /// Writes everything queued.
    pub(super) fn write_all(&mut self) {
        while self.engine.wants_to_transmit() {
            self.write(usize::MAX);
        }
    }

    /// Feeds `bytes` in pieces of at most `step` bytes, polling after each; returns the
    /// events.
    pub(super) fn feed(&mut self, bytes: &[u8], step: usize) -> Vec<Seen> {
        let mut seen = Vec::new();
        let mut at = 0;
        loop {
            while let Some(event) = self.engine.poll() {
                seen.push(owned(&event));
            }
            if at == bytes.len() || self.engine.is_broken() {
                return seen;
            }
            let spare = self.engine.spare();
            let n = spare.len().min(step).min(bytes.len() - at);
            assert!(n > 0, "the engine has no room to read into");
            spare[..n].copy_from_slice(&bytes[at..at + n]);
            self.engine.received(n);
            at += n;
        }
    }
}

pub(super) fn owned(event: &Event<'_>) -> Seen {
    match *event {
        Event::Reply { token, index, last, frame } => Seen::Reply(token.get(), index, last, text(&frame)),
        Event::TooLarge { token, index, last, needed } => Seen::TooLarge(token.get(), index, last, needed),
        Event::Chunk { token, len, data, last } => {
            Seen::Chunk(token.get(), len, String::from_utf8_lossy(data).into_owned(), last)
        }
        Event::Push(frame) => Seen::Push(text(&frame)),
        Event::Monitor(line) => Seen::Monitor(String::from_utf8_lossy(line).into_owned()),
        Event::Dropped { token } => Seen::Dropped(token.get()),
        Event::Unanswered { token } => Seen::Unanswered(token.get()),
        Event::Failed(failure) => Seen::Failed(failure),
    }
}

fn reply(token: Token, index: usize, last: bool, frame: &str) -> Seen {
    Seen::Reply(token.get(), index, last, frame.into())
}

#[test]
fn a_pipeline_is_one_token_with_a_reply_per_command() {
    let mut t = Test::new(64, 128);
    let batch = t.engine.open_batch(Expect::Replies).unwrap();
    for key in ["a", "b", "c"] {
        t.engine.batch_push(&[Arg::from("GET"), Arg::from(key)]).unwrap();
    }
    t.engine.close_batch();
    let get = t.queue(&["GET", "d"]);
    t.write_all();
    let seen = t.feed(b"$1\r\n1\r\n-ERR no\r\n$-1\r\n$1\r\n4\r\n", 3);
    assert_eq!(
        seen,
        [
            reply(batch, 0, false, r#"BulkString("1")"#),
            reply(batch, 1, false, r#"SimpleError("ERR no")"#),
            reply(batch, 2, true, "NullBulkString"),
            reply(get, 0, true, r#"BulkString("4")"#),
        ]
    );
    assert!(t.engine.is_idle());
}

/// Feeds `bytes` at once, then takes the first reply and the run behind it.
fn first_and_run(t: &mut Test, bytes: &[u8]) -> (Seen, Run, Vec<u8>) {
    let spare = t.engine.spare();
    spare[..bytes.len()].copy_from_slice(bytes);
    t.engine.received(bytes.len());
    assert!(matches!(t.engine.poll_head(), Some(Head::Reply { .. })));
    let first = owned(&t.engine.current().unwrap());
    let run = t.engine.take_run();
    (first, run, t.engine.current_bytes().to_vec())
}

#[test]
fn a_run_takes_the_complete_replies_of_the_same_request_in_one_piece() {
    let mut t = Test::new(128, 256);
    let batch = t.engine.open_batch(Expect::Replies).unwrap();
    for key in ["a", "b", "c", "d"] {
        t.engine.batch_push(&[Arg::from("GET"), Arg::from(key)]).unwrap();
    }
    t.engine.close_batch();
    let get = t.queue(&["GET", "e"]);
    t.write_all();
    // Two replies behind the first are whole, the fourth is cut.
    let (first, run, bytes) = first_and_run(&mut t, b"$1\r\n1\r\n-ERR no\r\n$-1\r\n$1\r");
    assert_eq!(first, reply(batch, 0, false, r#"BulkString("1")"#));
    assert_eq!(run, Run { count: 2, last: false, has_error: true });
    assert_eq!(bytes, b"$1\r\n1\r\n-ERR no\r\n$-1\r\n");
    // The rest arrives: the fourth reply is the next event, and the GET's is not in its run.
    let seen = t.feed(b"\n4\r\n:5\r\n", 64);
    assert_eq!(seen, [reply(batch, 3, true, r#"BulkString("4")"#), reply(get, 0, true, "Integer(5)")]);
    assert!(t.engine.is_idle());
    // A run that reaches the request's last reply ends it.
    let batch = t.engine.open_batch(Expect::Replies).unwrap();
    for _ in 0..3 {
        t.engine.batch_push(&[Arg::from("PING")]).unwrap();
    }
    t.engine.close_batch();
    t.write_all();
    let (_, run, bytes) = first_and_run(&mut t, b"+PONG\r\n+PONG\r\n+PONG\r\n");
    assert_eq!(run, Run { count: 2, last: true, has_error: false });
    assert_eq!(bytes.len(), 21);
    assert_eq!(t.engine.poll(), None);
    assert!(t.engine.is_idle(), "{batch:?} done with");
}

#[test]
fn a_run_stops_at_a_push_frame_and_takes_nothing_after_a_last_reply() {
    let mut t = Test::new(128, 256);
    t.engine.resp3 = true;
    let batch = t.engine.open_batch(Expect::Replies).unwrap();
    t.engine.batch_push(&[Arg::from("GET"), Arg::from("a")]).unwrap();
    t.engine.batch_push(&[Arg::from("GET"), Arg::from("b")]).unwrap();
    t.engine.close_batch();
    t.write_all();
    let (first, run, _) = first_and_run(&mut t, b"$1\r\n1\r\n>2\r\n$7\r\nmessage\r\n$1\r\nm\r\n$1\r\n2\r\n");
    assert_eq!(first, reply(batch, 0, false, r#"BulkString("1")"#));
    assert_eq!(run, Run::default());
    let seen = t.feed(b"", 64);
    assert!(matches!(seen.as_slice(), [Seen::Push(_), Seen::Reply(_, 1, true, _)]), "{seen:?}");
    // After a request's last reply there is nothing of its own to take.
    let get = t.queue(&["GET", "c"]);
    t.queue(&["GET", "d"]);
    t.write_all();
    let (first, run, _) = first_and_run(&mut t, b"$1\r\n3\r\n$1\r\n4\r\n");
    assert_eq!(first, reply(get, 0, true, r#"BulkString("3")"#));
    assert_eq!(run, Run::default());
}

#[test]
fn resp3_subscribe_then_get_gives_the_get_its_own_value() {
    let mut t = Test::new(256, 256);
    let sub = t.queue(&["SUBSCRIBE", "a", "b"]);
    let get = t.queue(&["GET", "x"]);
    t.write_all();
    // What redis-server 7.0 sends, with a message between the confirmations and the reply.
    let wire = b">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n>3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n\
                 >3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n$5\r\nvalue\r\n";
    let seen = t.feed(wire, 7);
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert!(matches!(&seen[0], Seen::Reply(t, 0, false, _) if *t == sub.get()), "{seen:?}");
    assert!(matches!(&seen[1], Seen::Reply(t, 1, true, _) if *t == sub.get()), "{seen:?}");
    assert!(matches!(&seen[2], Seen::Push(p) if p.contains("message")), "{seen:?}");
    assert_eq!(seen[3], reply(get, 0, true, r#"BulkString("value")"#));
    assert_eq!(t.engine.subscriptions().channels, 2);
}

#[test]
fn resp2_subscribe_two_and_unsubscribe_all_keep_the_count() {
    let mut t = Test::new(512, 256);
    let sub = t.queue(&["SUBSCRIBE", "a", "b"]);
    let psub = t.queue(&["PSUBSCRIBE", "p*"]);
    let unsub = t.queue(&["UNSUBSCRIBE"]);
    let ping = t.queue(&["PING"]);
    let unsub_none = t.queue(&["UNSUBSCRIBE"]);
    let punsub = t.queue(&["PUNSUBSCRIBE"]);
    let ping2 = t.queue(&["PING"]);
    t.write_all();
    // redis-server 7.0's bytes for exactly these commands.
    let wire = b"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n\
        *3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:3\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n\
        *3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:1\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n\
        *3\r\n$11\r\nunsubscribe\r\n$-1\r\n:1\r\n*3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:0\r\n+PONG\r\n";
    let seen = t.feed(wire, 5);
    let tokens: Vec<(u64, usize, bool)> = seen
        .iter()
        .map(|s| match s {
            Seen::Reply(t, i, last, _) => (*t, *i, *last),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        tokens,
        [
            (sub.get(), 0, false),
            (sub.get(), 1, true),
            (psub.get(), 0, true),
            (unsub.get(), 0, false),
            (unsub.get(), 1, true),
            (ping.get(), 0, true),
            (unsub_none.get(), 0, true),
            (punsub.get(), 0, true),
            (ping2.get(), 0, true),
        ]
    );
    assert!(t.engine.subscriptions().is_empty());
    assert!(t.engine.is_idle());
}

#[test]
fn a_refused_subscription_is_answered_once() {
    let mut t = Test::new(256, 256);
    let sub = t.queue(&["SUBSCRIBE", "a", "b"]);
    let get = t.queue(&["GET", "k"]);
    t.write_all();
    let seen =
        t.feed(b"-NOPERM this user has no permissions to access one of the channels\r\n$1\r\nv\r\n", 64);
    assert!(
        matches!(&seen[0], Seen::Reply(t, 0, true, f) if *t == sub.get() && f.contains("NOPERM")),
        "{seen:?}"
    );
    assert_eq!(seen[1], reply(get, 0, true, r#"BulkString("v")"#));
}

#[test]
fn resp2_messages_are_push_frames_only_while_subscribed() {
    let mut t = Test::new(256, 256);
    let lrange = t.queue(&["LRANGE", "l", "0", "-1"]);
    let sub = t.queue(&["SUBSCRIBE", "a"]);
    t.write_all();
    // A list that happens to look like a message, then the confirmation, then a message.
    let wire = b"*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nb\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n\
                 *3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n";
    let seen = t.feed(wire, 64);
    assert!(
        matches!(&seen[0], Seen::Reply(t, 0, true, f) if *t == lrange.get() && f.starts_with("Array")),
        "{seen:?}"
    );
    assert!(matches!(&seen[1], Seen::Reply(t, 0, true, _) if *t == sub.get()), "{seen:?}");
    assert!(matches!(&seen[2], Seen::Push(f) if f.contains("hi")), "{seen:?}");
}

#[test]
fn client_reply_skip_and_off_change_what_is_owed() {
    let mut t = Test::new(256, 256);
    let skip = t.queue(&["CLIENT", "REPLY", "SKIP"]);
    let set = t.queue(&["SET", "k", "1"]);
    let get = t.queue(&["GET", "k"]);
    let off = t.queue(&["CLIENT", "REPLY", "OFF"]);
    let silent = t.queue(&["GET", "k"]);
    let on = t.queue(&["CLIENT", "REPLY", "ON"]);
    let get2 = t.queue(&["GET", "k"]);
    t.write_all();
    let seen = t.feed(b"$1\r\n1\r\n+OK\r\n$1\r\n1\r\n", 4);
    assert_eq!(
        seen,
        [
            Seen::Unanswered(skip.get()),
            Seen::Unanswered(set.get()),
            reply(get, 0, true, r#"BulkString("1")"#),
            Seen::Unanswered(off.get()),
            Seen::Unanswered(silent.get()),
            reply(on, 0, true, r#"SimpleString("OK")"#),
            reply(get2, 0, true, r#"BulkString("1")"#),
        ]
    );
}

#[test]
fn monitor_lines_are_told_from_replies_until_reset() {
    let mut t = Test::new(512, 256);
    let monitor = t.queue(&["MONITOR"]);
    let ping = t.queue(&["PING"]);
    let reset = t.queue(&["RESET"]);
    let get = t.queue(&["GET", "k"]);
    t.write_all();
    let wire = b"+OK\r\n+1796157437.277922 [0 127.0.0.1:35294] \"SET\" \"k\" \"1\"\r\n+PONG\r\n\
                 +1796157437.378079 [0 127.0.0.1:35284] \"PING\"\r\n+RESET\r\n$1\r\n1\r\n";
    let seen = t.feed(wire, 9);
    assert_eq!(seen[0], reply(monitor, 0, true, r#"SimpleString("OK")"#));
    assert!(matches!(&seen[1], Seen::Monitor(l) if l.contains("\"SET\"")), "{seen:?}");
    assert_eq!(seen[2], reply(ping, 0, true, r#"SimpleString("PONG")"#));
    assert!(matches!(&seen[3], Seen::Monitor(l) if l.contains("\"PING\"")), "{seen:?}");
    assert_eq!(seen[4], reply(reset, 0, true, r#"SimpleString("RESET")"#));
    assert_eq!(seen[5], reply(get, 0, true, r#"BulkString("1")"#));
    assert!(!t.engine.is_monitoring());
}

#[test]
fn what_cannot_be_accounted_for_is_refused_before_anything_is_queued() {
    let mut t = Test::new(64, 64);
    let psync = [Arg::from("PSYNC"), Arg::from("?"), Arg::from("-1")];
    assert_eq!(t.engine.queue(&psync, Expect::Replies), Err(QueueError::Refused(Refusal::Replication)));
    t.engine.open_batch(Expect::Replies).unwrap();
    let sub = [Arg::from("SUBSCRIBE"), Arg::from("a")];
    assert_eq!(t.engine.batch_push(&sub), Err(QueueError::Refused(Refusal::NotInBatch)));
    t.engine.close_batch();
    let mut t = Test::new(64, 64);
    t.queue(&["MULTI"]);
    assert_eq!(t.engine.queue(&sub, Expect::Replies), Err(QueueError::Refused(Refusal::InTransaction)));
    t.queue(&["EXEC"]);
    t.engine.queue(&sub, Expect::Replies).unwrap();
    let mut t = Test::new(64, 64);
    t.queue(&["CLIENT", "REPLY", "OFF"]);
    assert_eq!(t.engine.queue(&sub, Expect::Replies), Err(QueueError::Refused(Refusal::RepliesOff)));
    assert!(!t.engine.is_broken());
}

#[test]
fn a_request_cancelled_before_its_bytes_left_is_never_sent() {
    let mut t = Test::new(64, 128);
    let a = t.queue(&["INCR", "a"]);
    let b = t.queue(&["INCR", "b"]);
    let c = t.queue(&["INCR", "c"]);
    // Half of `a` is on its way; `b` and `c` have not started.
    assert_eq!(t.write(10), 10);
    assert_eq!(t.engine.cancel(b), Some(Outcome { delivery: Delivery::NotSent, answered: 0 }));
    assert_eq!(t.engine.cancel(a), Some(Outcome { delivery: Delivery::Unknown, answered: 0 }));
    t.write_all();
    assert_eq!(
        t.wire, b"*2\r\n$4\r\nINCR\r\n$1\r\na\r\n*2\r\n$4\r\nINCR\r\n$1\r\nc\r\n",
        "b was cut out, a finished"
    );
    let seen = t.feed(b":1\r\n:1\r\n", 64);
    assert_eq!(seen, [Seen::Dropped(a.get()), reply(c, 0, true, "Integer(1)")]);
    assert_eq!(t.engine.cancel(c), None, "answered: nothing to cancel");
}

#[test]
fn a_write_handed_out_and_never_confirmed_breaks_the_connection() {
    let mut t = Test::new(64, 64);
    let a = t.queue(&["INCR", "a"]);
    let _ = t.engine.transmit(); // the write's future is dropped before it says how far it got
    assert_eq!(t.engine.begin_op(), Err(QueueError::Broken));
    assert_eq!(t.engine.poll(), Some(Event::Failed(Failure::WriteAbandoned)));
    let mut outcomes = Vec::new();
    t.engine.fail_all(|token, outcome| outcomes.push((token, outcome.delivery)));
    assert_eq!(outcomes, [(a, Delivery::Unknown)]);
    t.engine.reset();
    assert!(t.engine.begin_op().is_ok());
}

#[test]
fn fail_all_says_which_requests_never_left() {
    let mut t = Test::new(64, 128);
    let a = t.queue(&["GET", "a"]);
    let b = t.queue(&["GET", "b"]);
    let c = t.queue(&["GET", "c"]);
    t.write(20 + 3); // all of a, the start of b
    let mut outcomes = Vec::new();
    t.engine.fail_all(|token, outcome| outcomes.push((token, outcome.delivery)));
    assert_eq!(outcomes, [(a, Delivery::Unknown), (b, Delivery::Unknown), (c, Delivery::NotSent)]);
    assert_eq!(t.engine.queue(&[Arg::from("PING")], Expect::Replies), Err(QueueError::Broken));
}

#[test]
fn a_reply_too_large_for_a_fixed_buffer_is_dropped_and_the_connection_stays_usable() {
    let mut t = Test::new(32, 128);
    let big = t.queue(&["GET", "big"]);
    let list = t.queue(&["LRANGE", "l", "0", "-1"]);
    let small = t.queue(&["GET", "small"]);
    t.write_all();
    let mut wire = b"$100\r\n".to_vec();
    wire.extend([b'x'; 100]);
    wire.extend_from_slice(
        b"\r\n*3\r\n$20\r\n01234567890123456789\r\n$20\r\n01234567890123456789\r\n:1\r\n$2\r\nok\r\n",
    );
    let seen = t.feed(&wire, 7);
    assert_eq!(
        seen,
        [
            Seen::TooLarge(big.get(), 0, true, 108),
            Seen::TooLarge(list.get(), 0, true, 4 + 2 * 27 + 4),
            reply(small, 0, true, r#"BulkString("ok")"#),
        ]
    );
    assert!(!t.engine.is_broken());
}

#[test]
fn a_line_longer_than_a_fixed_buffer_cannot_be_skipped() {
    let mut t = Test::new(16, 64);
    t.queue(&["GET", "k"]);
    t.write_all();
    let seen = t.feed(b"+0123456789012345678901234567890\r\n", 4);
    assert!(matches!(seen.as_slice(), [Seen::Failed(Failure::TooLarge { .. })]), "{seen:?}");
}

#[test]
fn a_hostile_header_grows_the_buffer_only_by_what_arrived() {
    // The read buffer may grow to 512 MiB; the server announces 536 870 000 bytes and
    // sends 3 000.
    let mut t = Test::sized(64, 512 << 20, 64, 0, 8);
    t.queue(&["GET", "k"]);
    t.write_all();
    let mut wire = b"$536870000\r\n".to_vec();
    wire.extend([b'x'; 3000]);
    let seen = t.feed(&wire, 1000);
    assert!(seen.is_empty());
    let peak = t.engine.rx.buf.peak;
    assert!(peak <= 2 * wire.len() + 64, "the buffer grew to {peak} bytes for {} received", wire.len());
}

#[test]
fn a_bulk_reply_streams_in_pieces_whatever_the_buffer() {
    let mut t = Test::new(16, 64);
    let get = t.queue_as(&["GET", "big"], Expect::Stream);
    let nil = t.queue_as(&["GET", "none"], Expect::Stream);
    let after = t.queue(&["PING"]);
    t.write_all();
    let seen = t.feed(b"$26\r\nabcdefghijklmnopqrstuvwxyz\r\n$-1\r\n+PONG\r\n", 10);
    let streamed: String = seen
        .iter()
        .filter_map(|s| match s {
            Seen::Chunk(t, _, data, _) if *t == get.get() => Some(data.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(streamed, "abcdefghijklmnopqrstuvwxyz");
    assert!(matches!(seen.first(), Some(Seen::Chunk(_, Some(26), _, false))), "{seen:?}");
    let rest: Vec<_> = seen.iter().skip_while(|s| matches!(s, Seen::Chunk(_, _, _, false))).collect();
    assert!(matches!(rest[0], Seen::Chunk(t, _, _, true) if *t == get.get()), "{rest:?}");
    assert_eq!(*rest[1], reply(nil, 0, true, "NullBulkString"));
    assert_eq!(*rest[2], reply(after, 0, true, r#"SimpleString("PONG")"#));
}

#[test]
fn a_command_larger_than_the_write_buffer_goes_out_in_full_windows() {
    let mut t = Test::new(64, 32);
    let value = "v".repeat(200);
    let set = [Arg::from("SET"), Arg::from("k"), Arg::from(value.as_str())];
    let token = t.engine.queue(&set, Expect::Replies).unwrap();
    let mut writes = Vec::new();
    loop {
        writes.push(t.write(usize::MAX));
        if t.engine.continue_command(&set).unwrap() {
            break;
        }
    }
    t.write_all();
    assert_eq!(t.wire.len(), crate::resp::command_len(&set));
    assert!(writes.iter().rev().skip(1).all(|&n| n == 32), "{writes:?}");
    assert_eq!(t.feed(b"+OK\r\n", 64), [reply(token, 0, true, r#"SimpleString("OK")"#)]);
}

#[test]
fn asking_goes_first_and_its_ok_is_not_a_reply() {
    let mut t = Test::new(64, 128);
    let get = t.engine.queue_asking(&[Arg::from("GET"), Arg::from("k")], Expect::Replies).unwrap();
    t.write_all();
    assert!(t.wire.starts_with(b"*1\r\n$6\r\nASKING\r\n*2\r\n$3\r\nGET\r\n"));
    assert_eq!(t.feed(b"+OK\r\n$1\r\nv\r\n", 64), [reply(get, 0, true, r#"BulkString("v")"#)]);
}

#[test]
fn a_reply_nobody_is_owed_breaks_the_connection() {
    let mut t = Test::new(64, 64);
    assert_eq!(t.feed(b"+OK\r\n", 64), [Seen::Failed(Failure::Unexpected)]);
    assert!(t.engine.is_broken());
}

#[test]
fn a_shared_engine_refuses_what_changes_the_connection_for_everyone() {
    let args = |words: &[&'static str]| words.iter().map(|w| Arg::from(*w)).collect::<Vec<_>>();
    let shared_state: &[&[&str]] = &[
        &["WATCH", "k"],
        &["unwatch"],
        &["MULTI"],
        &["EXEC"],
        &["SELECT", "1"],
        &["AUTH", "pw"],
        &["QUIT"],
        &["CLIENT", "REPLY", "OFF"],
        &["MONITOR"],
        &["RESET"],
        &["HELLO", "3"],
        &["SUBSCRIBE", "a"],
        &["PSYNC", "?", "-1"],
    ];
    let mut t = Test::new(256, 256);
    t.engine.set_shared(true);
    for words in shared_state {
        let refused = t.engine.queue(&args(words)[..], Expect::Replies);
        assert_eq!(refused, Err(QueueError::Refused(Refusal::Shared)), "{words:?}");
    }
    assert_eq!(t.engine.outstanding(), 0);
    t.engine.queue(&args(&["GET", "k"])[..], Expect::Replies).unwrap();
    // A reset keeps the setting; on RESP3 a subscription is fine.
    t.engine.reset();
    t.engine.queue(&args(&["WATCH", "k"])[..], Expect::Replies).unwrap_err();
    t.engine.resp3 = true;
    t.engine.queue(&args(&["SUBSCRIBE", "a"])[..], Expect::Replies).unwrap();
    // Not shared: the same commands are accounted for, not refused.
    let mut t = Test::new(256, 256);
    t.engine.queue(&args(&["WATCH", "k"])[..], Expect::Replies).unwrap();
    t.engine.queue(&args(&["CLIENT", "REPLY", "OFF"])[..], Expect::Replies).unwrap();
}

#[test]
fn the_handshake_notes_the_protocol_when_hello_succeeds() {
    let mut t = Test::new(256, 256);
    let handshake =
        Handshake { protocol: Protocol::Resp3, lib_name: None, lib_version: None, ..Handshake::DEFAULT };
    let token = t.engine.open_handshake(&handshake).unwrap();
    for step in handshake.steps() {
        t.engine.batch_push(step.args()).unwrap();
    }
    t.engine.close_batch();
    t.write_all();
    let seen = t.feed(b"%1\r\n$5\r\nproto\r\n:3\r\n", 64);
    assert!(matches!(seen.as_slice(), [Seen::Reply(t, 0, true, _)] if *t == token.get()), "{seen:?}");
    assert_eq!(t.engine.protocol(), Protocol::Resp3);
}

#[test]
fn abandoning_an_operation_cancels_what_it_queued() {
    let mut t = Test::new(64, 128);
    t.engine.begin_op().unwrap();
    let sent = t.queue(&["INCR", "a"]);
    t.write_all();
    let unsent = t.queue(&["INCR", "b"]);
    // The operation's future is dropped here; the next one begins.
    t.engine.begin_op().unwrap();
    let next = t.queue(&["GET", "c"]);
    t.write_all();
    assert!(!t.wire.windows(4).any(|w| w == b"\r\nb\r"), "INCR b was never written");
    let seen = t.feed(b":1\r\n$1\r\nc\r\n", 64);
    assert_eq!(seen, [Seen::Dropped(sent.get()), reply(next, 0, true, r#"BulkString("c")"#)]);
    assert_eq!(t.engine.cancel(unsent), None);
}

#[test]
fn the_session_is_changed_by_what_changes_it_and_not_by_the_handshake() {
    let mut t = Test::new(256, 512);
    let handshake = Handshake { db: 2, client_name: Some("app"), ..Handshake::DEFAULT };
    t.engine.open_handshake(&handshake).unwrap();
    for step in handshake.steps() {
        t.engine.batch_push(step.args()).unwrap();
    }
    t.engine.close_batch();
    assert!(!t.engine.session_changed(), "the handshake sets the session up");
    for ordinary in [&["GET", "k"][..], &["CLIENT", "ID"], &["CLIENT", "GETNAME"]] {
        t.queue(ordinary);
        assert!(!t.engine.session_changed(), "{ordinary:?}");
    }
    // A transaction run to its end leaves the session as it was.
    for command in [&["MULTI"][..], &["SET", "k", "v"], &["EXEC"]] {
        t.queue(command);
    }
    assert!(!t.engine.session_changed());
    for changing in [
        &["SELECT", "1"][..],
        &["select", "1"],
        &["WATCH", "k"],
        &["AUTH", "u", "p"],
        &["CLIENT", "SETNAME", "other"],
        &["client", "tracking", "on"],
        &["CLIENT", "REPLY", "ON"],
        &["HELLO", "3"],
        &["RESET"],
    ] {
        let mut t = Test::new(256, 512);
        t.queue(changing);
        assert!(t.engine.session_changed(), "{changing:?}");
        t.engine.reset();
        assert!(!t.engine.session_changed(), "a reset starts a new session");
    }
    let mut open = Test::new(256, 512);
    open.queue(&["MULTI"]);
    assert!(open.engine.session_changed(), "a MULTI left open");
    let mut subscribed = Test::new(256, 512);
    subscribed.queue(&["SUBSCRIBE", "news"]);
    assert!(subscribed.engine.session_changed());
}
