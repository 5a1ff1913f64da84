//! Random interleavings of queue / partial write / partial read / cancel / reset (replies
//! taken one at a time or in runs) against a
//! model server, with three invariants: a reply always goes to its own request; nothing
//! written is run twice; every request ends with its replies or with an outcome whose
//! `Delivery` is true.

use std::collections::{BTreeMap, BTreeSet};
use std::vec::Vec;

use proptest::prelude::*;

use super::{Growing, Seen, Test, owned};
use crate::conn::engine::{Expect, Outcome, Token};
use crate::error::Delivery;
use crate::resp::{Arg, Decoded, Decoder, Frame};

#[derive(Debug, Clone)]
enum Op {
    /// Queue `ECHO <id>` (`n == 1`) or a batch of `n` of them.
    Queue { n: usize, discard: bool },
    /// Write at most this many bytes.
    Write(usize),
    /// The server runs the complete commands it has received.
    Serve,
    /// At most this many bytes of the server's replies arrive.
    Deliver(usize),
    /// Cancel the outstanding request this far from the oldest.
    Cancel(usize),
    /// The connection dies: every request fails, a fresh one starts.
    Reset,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1usize..4, prop::bool::weighted(0.1)).prop_map(|(n, discard)| Op::Queue { n, discard }),
        4 => (1usize..40).prop_map(Op::Write),
        3 => Just(Op::Serve),
        4 => (1usize..40).prop_map(Op::Deliver),
        1 => (0usize..4).prop_map(Op::Cancel),
        1 => Just(Op::Reset),
    ]
}

/// The server: what it received, what it ran, what it has to send.
#[derive(Default)]
struct Server {
    inbox: Vec<u8>,
    outbox: Vec<u8>,
    ran: Vec<u64>,
}

impl Server {
    fn serve(&mut self) {
        loop {
            let Ok(Decoded::Complete { frame: Frame::Array(args), consumed }) =
                Decoder::DEFAULT.decode(&self.inbox)
            else {
                return;
            };
            let Some(Frame::BulkString(id)) = args.iter().nth(1) else { panic!("not an ECHO") };
            let id_text = std::str::from_utf8(id).unwrap();
            self.ran.push(id_text.parse().unwrap());
            self.outbox.extend_from_slice(std::format!("${}\r\n{}\r\n", id.len(), id_text).as_bytes());
            self.inbox.drain(..consumed);
        }
    }
}

/// What a request is owed and what became of it.
#[derive(Debug)]
struct Request {
    ids: Vec<u64>,
    replies: Vec<u64>,
    discard: bool,
    /// The outcome it ended with, if it did not end with all its replies.
    ended: Option<Outcome>,
    done: bool,
}

struct Run {
    t: Test,
    server: Server,
    requests: BTreeMap<u64, Request>,
    next_id: u64,
    /// Whether replies behind a reply are taken with `take_run`.
    take_runs: bool,
}

impl Run {
    fn events(&mut self) {
        while self.t.engine.poll_head().is_some() {
            let Some(event) = self.t.engine.current() else { panic!("an event without its frame") };
            match owned(&event) {
                Seen::Reply(token, index, last, frame) => {
                    let request = self.requests.get_mut(&token).expect("a reply for a known request");
                    assert!(!request.discard, "a reply handed out for a fire-and-forget request");
                    let id: u64 =
                        frame.trim_start_matches("BulkString(\"").trim_end_matches("\")").parse().unwrap();
                    assert_eq!(index, request.replies.len());
                    assert_eq!(id, request.ids[index], "request {token} got another request's reply");
                    request.replies.push(id);
                    assert_eq!(last, request.replies.len() == request.ids.len());
                    request.done |= last;
                    if !last && self.take_runs {
                        let run = self.t.engine.take_run();
                        let mut bytes = self.t.engine.current_bytes();
                        for taken in 0..=run.count {
                            let Ok(Decoded::Complete { frame: Frame::BulkString(id), consumed }) =
                                Decoder::DEFAULT.decode(bytes)
                            else {
                                panic!("the run's bytes are not its replies")
                            };
                            if taken > 0 {
                                let id: u64 = std::str::from_utf8(id).unwrap().parse().unwrap();
                                let at = request.replies.len();
                                assert_eq!(
                                    id, request.ids[at],
                                    "request {token} took another request's reply"
                                );
                                request.replies.push(id);
                            }
                            bytes = &bytes[consumed..];
                        }
                        assert!(bytes.is_empty(), "the run's bytes hold more than its replies");
                        assert_eq!(run.last, request.replies.len() == request.ids.len());
                        request.done |= run.last;
                    }
                }
                Seen::Dropped(token) => {
                    let request = self.requests.get_mut(&token).expect("known");
                    assert!(
                        request.discard || request.ended.is_some(),
                        "dropped but neither cancelled nor discarded"
                    );
                    request.done = true;
                }
                other => panic!("unexpected event {other:?}"),
            }
        }
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Queue { n, discard } => {
                let ids: Vec<u64> = (0..n).map(|i| self.next_id + i as u64).collect();
                let texts: Vec<std::string::String> = ids.iter().map(|id| std::format!("{id}")).collect();
                let expect = if discard { Expect::Discard } else { Expect::Replies };
                let mut ended = None;
                let queued = if n == 1 {
                    self.t.engine.queue(&[Arg::from("ECHO"), Arg::from(texts[0].as_str())], expect)
                } else {
                    self.t.engine.open_batch(expect).inspect(|&token| {
                        for text in &texts {
                            if self
                                .t
                                .engine
                                .batch_push(&[Arg::from("ECHO"), Arg::from(text.as_str())])
                                .is_err()
                            {
                                // No room for the rest: give up on the batch.
                                ended = self.t.engine.cancel(token);
                                break;
                            }
                        }
                        self.t.engine.close_batch();
                    })
                };
                let Ok(token) = queued else { return };
                self.next_id += n as u64;
                let done = ended.is_some_and(|o: Outcome| o.delivery == Delivery::NotSent);
                let request = Request { ids, replies: Vec::new(), discard, ended, done };
                self.requests.insert(token.get(), request);
            }
            Op::Write(max) => {
                if self.t.engine.wants_to_transmit() {
                    let bytes = self.t.engine.transmit();
                    let n = bytes.len().min(max);
                    self.server.inbox.extend_from_slice(&bytes[..n]);
                    self.t.engine.sent(n);
                }
                self.events();
            }
            Op::Serve => self.server.serve(),
            Op::Deliver(max) => {
                let n = self.server.outbox.len().min(max);
                let bytes: Vec<u8> = self.server.outbox.drain(..n).collect();
                let mut at = 0;
                while at < bytes.len() {
                    let spare = self.t.engine.spare();
                    let k = spare.len().min(bytes.len() - at);
                    spare[..k].copy_from_slice(&bytes[at..at + k]);
                    self.t.engine.received(k);
                    at += k;
                    self.events();
                }
            }
            Op::Cancel(nth) => {
                let open: Vec<u64> = self
                    .requests
                    .iter()
                    .filter(|(_, r)| !r.done && r.ended.is_none())
                    .map(|(t, _)| *t)
                    .collect();
                let Some(&token) = open.get(nth) else { return };
                let outcome = self.t.engine.cancel(Token(token));
                let request = self.requests.get_mut(&token).unwrap();
                if let Some(outcome) = outcome {
                    request.ended = Some(outcome);
                    request.done |= outcome.delivery == Delivery::NotSent;
                }
                self.events();
            }
            Op::Reset => {
                let mut failed = Vec::new();
                self.t.engine.fail_all(|token, outcome| failed.push((token.get(), outcome)));
                for (token, outcome) in failed {
                    let request = self.requests.get_mut(&token).unwrap();
                    if request.ended.is_none() || outcome.delivery == Delivery::NotSent {
                        request.ended = Some(outcome);
                    }
                    request.done = true;
                }
                self.t.engine.reset();
                // The server sees the connection close: a partial command never runs, and
                // replies not yet sent are lost.
                self.server.serve();
                self.server.inbox.clear();
                self.server.outbox.clear();
            }
        }
    }

    /// Lets everything finish: all written, run, delivered.
    fn drain(&mut self) {
        for _ in 0..10_000 {
            self.apply(&Op::Write(usize::MAX));
            self.server.serve();
            self.apply(&Op::Deliver(usize::MAX));
            if self.requests.values().all(|r| r.done) {
                return;
            }
        }
        panic!("requests never finished: {:?}", self.requests);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn replies_go_to_their_requests_and_nothing_runs_twice(
        ops in prop::collection::vec(op(), 1..80),
        write_buf in 24usize..96,
        take_runs in any::<bool>(),
    ) {
        let mut run = Run {
            t: Test { engine: crate::conn::engine::Engine::with_slots(
                Growing::new(32, 4096),
                Growing::new(write_buf, 0),
                Growing::new(4, 4),
            ), wire: Vec::new() },
            server: Server::default(),
            requests: BTreeMap::new(),
            next_id: 1_000,
            take_runs,
        };
        for op in &ops {
            run.apply(op);
        }
        run.drain();

        let ran: BTreeSet<u64> = run.server.ran.iter().copied().collect();
        prop_assert_eq!(ran.len(), run.server.ran.len(), "a command ran twice: {:?}", run.server.ran);
        for (token, request) in &run.requests {
            let executed = request.ids.iter().filter(|id| ran.contains(id)).count();
            match request.ended {
                None => prop_assert_eq!(request.replies.len() + usize::from(request.discard) * request.ids.len(), request.ids.len(), "{}", token),
                Some(Outcome { delivery: Delivery::NotSent, .. }) => {
                    prop_assert_eq!(executed, 0, "request {} said NotSent but ran", token)
                }
                Some(Outcome { delivery: Delivery::Unknown, answered }) => {
                    prop_assert!(answered <= request.ids.len());
                    prop_assert_eq!(&request.replies[..answered.min(request.replies.len())], &request.ids[..answered.min(request.replies.len())]);
                }
                Some(Outcome { delivery: Delivery::Answered, .. }) => {}
            }
        }
    }
}
