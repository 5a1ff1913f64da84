//! Feeds whatever bytes a server might send to a connection engine with requests
//! outstanding, in fragments, through fixed buffers as on firmware, and checks that
//! nothing panics and the engine keeps its word: every event names a request that is
//! owed one, in order, each request ends once; while it is usable there is always room to
//! read into (a driver never waits on a full buffer); once it fails it says so and ends
//! every request with an outcome.
//!
//! Input: byte 0 holds flags (bit 0: tight decoder limits; bit 1: take replies in runs);
//! byte 1 the read buffer's size (16 to 271 bytes); byte 2, in its low nibble, how many
//! request bytes follow and, in its high nibble, how many fragment-size bytes follow them.
//! Each request byte picks a request (`% 5`): `GET`, a batch of three `GET`s,
//! `SUBSCRIBE a b`, `CLIENT REPLY SKIP`, `PING` sent fire-and-forget. Fragment sizes are used
//! in a cycle (0 counts as 1; none means one byte at a time). The rest is what the server
//! sends.
#![no_main]

use std::collections::BTreeMap;

use ferrodis_core::conn::engine::{Engine, Event, Expect, Head};
use ferrodis_core::resp::{Arg, Decoder, Limits};
use libfuzzer_sys::fuzz_target;

const TIGHT: Limits = Limits { max_bulk_len: 16, max_aggregate_len: 4, max_depth: 3 };

/// What a request has had so far.
#[derive(Default)]
struct Seen {
    replies: usize,
    ended: bool,
}

fuzz_target!(|data: &[u8]| {
    let [flags, read_len, counts, rest @ ..] = data else { return };
    let (requests, rest) = rest.split_at(usize::from(counts & 0x0f).min(rest.len()));
    let (sizes, stream) = rest.split_at(usize::from(counts >> 4).min(rest.len()));
    let (mut rx, mut tx) = ([0u8; 271], [0u8; 512]);
    let read_len = 16 + usize::from(*read_len);
    let mut engine = Engine::new(&mut rx[..read_len], &mut tx[..]);
    if flags & 1 != 0 {
        engine.set_decoder(Decoder::new().with_limits(TIGHT));
    }
    let take_runs = flags & 2 != 0;

    let get = [Arg::from("GET"), Arg::from("k")];
    let mut seen: BTreeMap<u64, Seen> = BTreeMap::new();
    for &request in requests {
        let queued = match request % 5 {
            0 => engine.queue(&get, Expect::Replies),
            1 => engine.open_batch(Expect::Replies).and_then(|token| {
                for _ in 0..3 {
                    engine.batch_push(&get)?;
                }
                engine.close_batch();
                Ok(token)
            }),
            2 => engine.queue(&[Arg::from("SUBSCRIBE"), Arg::from("a"), Arg::from("b")], Expect::Replies),
            3 => engine.queue(&[Arg::from("CLIENT"), Arg::from("REPLY"), Arg::from("SKIP")], Expect::Replies),
            _ => engine.queue(&[Arg::from("PING")], Expect::Discard),
        };
        if let Ok(token) = queued {
            seen.insert(token.get(), Seen::default());
        } else {
            engine.close_batch();
        }
    }
    while engine.wants_to_transmit() {
        let n = engine.transmit().len();
        engine.sent(n);
    }

    let (mut fed, mut fragments) = (0, 0);
    loop {
        while let Some(head) = engine.poll_head() {
            let (token, last) = match head {
                Head::Reply { token, index, last } | Head::TooLarge { token, index, last, .. } => {
                    let request = seen.get_mut(&token.get()).expect("an event for a request never queued");
                    assert!(!request.ended, "an event for a request that had ended");
                    assert_eq!(index, request.replies, "replies out of order");
                    request.replies += 1;
                    if matches!(engine.current(), Some(Event::Reply { .. })) && take_runs && !last {
                        let run = engine.take_run();
                        request.replies += run.count;
                        (token, run.last)
                    } else {
                        (token, last)
                    }
                }
                Head::Dropped { token } | Head::Unanswered { token } => (token, true),
                Head::Failed(_) => {
                    assert!(engine.is_broken(), "a failure, and the engine still usable");
                    break;
                }
                _ => continue,
            };
            if last {
                let request = seen.get_mut(&token.get()).expect("a request never queued ended");
                assert!(!request.ended, "a request ended twice");
                request.ended = true;
            }
        }
        if engine.is_broken() || fed == stream.len() {
            break;
        }
        let spare = engine.spare();
        assert!(!spare.is_empty(), "a usable engine with no room to read into");
        let size = sizes.get(fragments % sizes.len().max(1)).map_or(1, |&s| usize::from(s.max(1)));
        let n = size.min(spare.len()).min(stream.len() - fed);
        spare[..n].copy_from_slice(&stream[fed..fed + n]);
        engine.received(n);
        (fed, fragments) = (fed + n, fragments + 1);
    }

    // However it ended, every request still outstanding gets an outcome, once.
    engine.fail_all(|token, _| {
        let request = seen.get_mut(&token.get()).expect("an outcome for a request never queued");
        assert!(!request.ended, "an outcome for a request that had ended");
        request.ended = true;
    });
    assert!(seen.values().all(|r| r.ended), "a request left without an end");
    engine.reset();
    assert!(engine.is_idle());
});
