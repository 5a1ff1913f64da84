//! Decoding, iterating and encoding allocate nothing: proven with a global allocator that
//! counts the allocations made by this test's thread.

#![allow(unsafe_code)] // a counting global allocator cannot be written without it

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use ferrodis_core::resp::{Arg, Decoded, Decoder, Frame, encode_command, encode_frame};

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counters are
// const-initialised thread locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.with(|n| n.set(n.get() + 1));
        }
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns how many allocations this thread made meanwhile.
fn allocations_during(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.with(Cell::get)
}

fn visit(frame: &Frame<'_>, sum: &mut usize) {
    match frame {
        Frame::BulkString(b) | Frame::SimpleString(b) => *sum += b.len(),
        Frame::Integer(n) => *sum += *n as usize,
        _ => {
            if let Some(items) = frame.as_aggregate() {
                for item in items.iter_with_attributes() {
                    visit(&item, sum);
                }
            }
        }
    }
}

#[test]
fn decoding_and_encoding_allocate_nothing() {
    let mut corpus = Vec::new();
    corpus.extend_from_slice(
        b"+OK\r\n-ERR no\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n_\r\n#t\r\n,1.5\r\n,nan\r\n",
    );
    corpus.extend_from_slice(b"(12345678901234567890\r\n!3\r\nERR\r\n=7\r\ntxt:abc\r\n");
    corpus.extend_from_slice(b"*3\r\n:1\r\n*2\r\n+a\r\n$1\r\nb\r\n%1\r\n+k\r\n~1\r\n:2\r\n");
    corpus.extend_from_slice(b"|1\r\n+ttl\r\n:9\r\n>2\r\n+message\r\n$3\r\nhey\r\n");
    let mut encoded = [0u8; 256];
    let mut total = 0;

    let count = allocations_during(|| {
        let decoder = Decoder::new();
        let mut rest = &corpus[..];
        while !rest.is_empty() {
            let Ok(Decoded::Complete { frame, consumed }) = decoder.decode(rest) else {
                panic!("corpus frame did not decode");
            };
            visit(&frame, &mut total);
            total += encode_frame(&mut encoded, &frame).unwrap();
            rest = &rest[consumed..];
        }
        for i in 0..100i64 {
            let args = [Arg::from("SET"), Arg::from(b"key"), Arg::from(i), Arg::from(i as f64 / 3.0)];
            total += encode_command(&mut encoded, &args).unwrap();
        }
        assert!(matches!(decoder.decode(b"*2\r\n$3\r\nab"), Ok(Decoded::Incomplete { .. })));
        assert!(matches!(decoder.decode(b"*1\r\n"), Ok(Decoded::Incomplete { .. })));
    });
    assert!(total > 0);
    assert_eq!(count, 0, "decoding/encoding allocated {count} times");
}

#[test]
fn the_counter_sees_allocations() {
    // The instrument itself works: a Vec allocates once.
    let count = allocations_during(|| drop(std::hint::black_box(vec![1u8; 16])));
    assert_eq!(count, 1);
}
