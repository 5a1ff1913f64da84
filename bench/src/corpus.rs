//! The decode corpora: many RESP frames of a deterministic, mixed shape back to back in one
//! buffer, written by hand here (not by any implementation under test).
//!
//! Both corpora draw frame kinds from the same weighted table; the RESP3 corpus adds maps,
//! sets, doubles, booleans and push frames and writes nulls as `_` (redis-protocol's RESP3
//! decoder rejects RESP2's `$-1` and `*-1`). The generator counts the top-level frames and
//! the leaves (non-aggregate frames at any depth) it wrote, and every decoder must find the
//! same numbers.

use std::fmt;
use std::io::Write as _;

use crate::rng::Rng;

/// The protocol version a corpus is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// RESP2 only: `+ - : $ *`, nulls as `$-1` and `*-1`.
    Resp2,
    /// RESP3: the RESP2 types (nulls as `_`) plus `% ~ , # >`.
    Resp3,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Resp2 => "RESP2",
            Protocol::Resp3 => "RESP3",
        })
    }
}

/// One kind of top-level frame in the mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Simple,
    Error,
    Integer,
    Bulk16,
    Bulk1K,
    Bulk64K,
    Null,
    NullArray,
    Array10,
    Array1000,
    Nested,
    Map,
    Set,
    Double,
    Boolean,
    Push,
}

/// The mix: each kind with its label and its weight in the RESP2 and the RESP3 corpus.
const MIX: [(Kind, &str, u32, u32); 16] = [
    (Kind::Simple, "simple string", 120, 100),
    (Kind::Error, "simple error", 30, 30),
    (Kind::Integer, "integer", 150, 120),
    (Kind::Bulk16, "bulk 16 B", 200, 170),
    (Kind::Bulk1K, "bulk 1 KiB", 50, 40),
    (Kind::Bulk64K, "bulk 64 KiB", 1, 1),
    (Kind::Null, "null", 20, 20),
    (Kind::NullArray, "null array", 10, 0),
    (Kind::Array10, "array of 10 bulks", 100, 80),
    (Kind::Array1000, "array of 1000 bulks", 2, 2),
    (Kind::Nested, "nested arrays", 40, 40),
    (Kind::Map, "map", 0, 60),
    (Kind::Set, "set", 0, 40),
    (Kind::Double, "double", 0, 100),
    (Kind::Boolean, "boolean", 0, 20),
    (Kind::Push, "push", 0, 30),
];

/// A corpus: frames back to back, and what a correct decoder finds in them.
#[derive(Debug, Clone)]
pub(crate) struct Corpus {
    /// The protocol version of every frame.
    pub(crate) protocol: Protocol,
    /// The frames, back to back.
    pub(crate) bytes: Vec<u8>,
    /// The same bytes as a shared [`bytes::Bytes`], for the decoders that take one.
    pub(crate) shared: bytes::Bytes,
    /// Top-level frames.
    pub(crate) frames: u64,
    /// Non-aggregate frames at any depth (nulls included, map keys and values counted one
    /// each; an aggregate itself is not a leaf).
    pub(crate) leaves: u64,
    /// How many frames of each kind, in [`MIX`] order.
    counts: [u64; MIX.len()],
}

impl Corpus {
    /// Generates at least `target_bytes` of frames (the last frame may overshoot).
    pub(crate) fn generate(protocol: Protocol, target_bytes: usize) -> Self {
        let seed = match protocol {
            Protocol::Resp2 => 0x5EED_0002,
            Protocol::Resp3 => 0x5EED_0003,
        };
        let weight = |&(_, _, resp2, resp3): &(Kind, &str, u32, u32)| match protocol {
            Protocol::Resp2 => u64::from(resp2),
            Protocol::Resp3 => u64::from(resp3),
        };
        let total: u64 = MIX.iter().map(weight).sum();
        let mut writer = Writer {
            rng: Rng::new(seed),
            out: Vec::with_capacity(target_bytes + (1 << 17)),
            leaves: 0,
            protocol,
        };
        let mut counts = [0u64; MIX.len()];
        let mut frames = 0;
        while writer.out.len() < target_bytes {
            let mut pick = writer.rng.below(total);
            let index = MIX
                .iter()
                .position(|entry| {
                    let w = weight(entry);
                    if pick < w {
                        true
                    } else {
                        pick -= w;
                        false
                    }
                })
                .unwrap_or(0);
            writer.frame(MIX[index].0);
            counts[index] += 1;
            frames += 1;
        }
        let shared = bytes::Bytes::from(writer.out.clone());
        Corpus { protocol, bytes: writer.out, shared, frames, leaves: writer.leaves, counts }
    }

    /// The corpus's size in bytes.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// One line per kind present: label and share of the frames.
    pub(crate) fn mix(&self) -> String {
        MIX.iter()
            .zip(self.counts)
            .filter(|&(_, n)| n > 0)
            .map(|((_, label, _, _), n)| format!("{label} {:.1}%", 100.0 * n as f64 / self.frames as f64))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Appends frames to the corpus buffer and counts their leaves.
struct Writer {
    /// The source of every size and byte.
    rng: Rng,
    /// The corpus so far.
    out: Vec<u8>,
    /// Leaves written so far.
    leaves: u64,
    /// Decides how nulls are written.
    protocol: Protocol,
}

impl Writer {
    /// One top-level frame of `kind`.
    fn frame(&mut self, kind: Kind) {
        match kind {
            Kind::Simple => {
                let status: &[u8] = match self.rng.below(4) {
                    0 | 1 => b"OK",
                    2 => b"QUEUED",
                    _ => b"PONG",
                };
                self.line(b'+', status);
            }
            Kind::Error => {
                let message: &[u8] = match self.rng.below(3) {
                    0 => b"ERR unknown command 'FOO', with args beginning with: 'bar' ",
                    1 => b"WRONGTYPE Operation against a key holding the wrong kind of value",
                    _ => b"MOVED 3999 127.0.0.1:6381",
                };
                self.line(b'-', message);
            }
            Kind::Integer => {
                let n = match self.rng.below(4) {
                    0 | 1 => self.rng.below(1000) as i64,
                    2 => -(self.rng.below(1 << 20) as i64),
                    _ => self.rng.next_u64() as i64,
                };
                self.integer(n);
            }
            Kind::Bulk16 => self.random_bulk(16),
            Kind::Bulk1K => self.random_bulk(1024),
            Kind::Bulk64K => self.random_bulk(64 * 1024),
            Kind::Null => match self.protocol {
                Protocol::Resp2 => self.leaf(b"$-1\r\n"),
                Protocol::Resp3 => self.leaf(b"_\r\n"),
            },
            Kind::NullArray => self.leaf(b"*-1\r\n"),
            Kind::Array10 => self.array_of_bulks(10),
            Kind::Array1000 => self.array_of_bulks(1000),
            Kind::Nested => self.nested(),
            Kind::Map => self.map(),
            Kind::Set => {
                // Distinct members: redis-protocol stores a set in a HashSet.
                let n = self.rng.between(1, 16);
                self.header(b'~', n);
                for i in 0..n {
                    let tag = self.rng.below(1_000_000);
                    self.bulk(format!("member:{i}:{tag}").as_bytes());
                }
            }
            Kind::Double => {
                let x = (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                let text = match self.rng.below(8) {
                    0 => "inf".to_string(),
                    1 => "-inf".to_string(),
                    2 => format!("{}", self.rng.below(10_000)),
                    3 => format!("{:e}", x * 1e-9),
                    4 => format!("-{}", x * 1e6),
                    _ => format!("{}", x * 1000.0),
                };
                self.line(b',', text.as_bytes());
            }
            Kind::Boolean => {
                let text: &[u8] = if self.rng.below(2) == 0 { b"#t\r\n" } else { b"#f\r\n" };
                self.leaf(text);
            }
            Kind::Push => self.push(),
        }
    }

    /// A few shapes of nested arrays, as SCAN, XRANGE and EXEC return them.
    fn nested(&mut self) {
        match self.rng.below(3) {
            0 => {
                // SCAN: [cursor, [keys...]]
                let keys = self.rng.between(0, 20);
                self.header(b'*', 2);
                let cursor = self.rng.below(1 << 32);
                self.bulk(cursor.to_string().as_bytes());
                self.header(b'*', keys);
                for _ in 0..keys {
                    self.random_bulk_between(8, 24);
                }
            }
            1 => {
                // XRANGE: [[id, [field, value, field, value]], ...]
                let entries = self.rng.between(1, 5);
                self.header(b'*', entries);
                for _ in 0..entries {
                    self.header(b'*', 2);
                    let id = format!("{}-{}", 1_700_000_000_000 + self.rng.below(1 << 30), self.rng.below(8));
                    self.bulk(id.as_bytes());
                    self.header(b'*', 4);
                    for _ in 0..2 {
                        self.random_bulk(6);
                        self.random_bulk_between(4, 40);
                    }
                }
            }
            _ => {
                // EXEC: [integer, bulk, [integer, status]]
                self.header(b'*', 3);
                let n = self.rng.below(100) as i64;
                self.integer(n);
                self.random_bulk(12);
                self.header(b'*', 2);
                self.integer(1);
                self.line(b'+', b"OK");
            }
        }
    }

    /// HGETALL's field-value map, or HELLO's map of mixed values.
    fn map(&mut self) {
        if self.rng.below(4) == 0 {
            self.header(b'%', 7);
            for (key, value) in [("server", "redis"), ("version", "7.2.4")] {
                self.bulk(key.as_bytes());
                self.bulk(value.as_bytes());
            }
            self.bulk(b"proto");
            self.integer(3);
            self.bulk(b"id");
            let id = self.rng.below(100_000) as i64;
            self.integer(id);
            for (key, value) in [("mode", "standalone"), ("role", "master")] {
                self.bulk(key.as_bytes());
                self.bulk(value.as_bytes());
            }
            self.bulk(b"modules");
            self.header(b'*', 0);
        } else {
            // Distinct keys: redis-protocol stores a map in a HashMap.
            let pairs = self.rng.between(1, 16);
            self.header(b'%', pairs);
            for i in 0..pairs {
                self.bulk(format!("field:{i}").as_bytes());
                self.random_bulk_between(8, 32);
            }
        }
    }

    /// A pub/sub message or a client-side-caching invalidation.
    fn push(&mut self) {
        if self.rng.below(3) == 0 {
            let keys = self.rng.between(1, 3);
            self.header(b'>', 2);
            self.bulk(b"invalidate");
            self.header(b'*', keys);
            for _ in 0..keys {
                self.random_bulk(12);
            }
        } else {
            self.header(b'>', 3);
            self.bulk(b"message");
            let channel = format!("channel:{}", self.rng.below(64));
            self.bulk(channel.as_bytes());
            self.random_bulk_between(16, 64);
        }
    }

    /// An array of `n` bulk strings of 8 to 24 bytes.
    fn array_of_bulks(&mut self, n: usize) {
        self.header(b'*', n);
        for _ in 0..n {
            self.random_bulk_between(8, 24);
        }
    }

    /// A complete leaf frame, verbatim.
    fn leaf(&mut self, frame: &[u8]) {
        self.out.extend_from_slice(frame);
        self.leaves += 1;
    }

    /// `<marker><text>\r\n`.
    fn line(&mut self, marker: u8, text: &[u8]) {
        self.out.push(marker);
        self.out.extend_from_slice(text);
        self.out.extend_from_slice(b"\r\n");
        self.leaves += 1;
    }

    /// `:<n>\r\n`.
    fn integer(&mut self, n: i64) {
        let _ = write!(self.out, ":{n}\r\n");
        self.leaves += 1;
    }

    /// An aggregate header `<marker><n>\r\n` (not a leaf).
    fn header(&mut self, marker: u8, n: usize) {
        let _ = write!(self.out, "{}{n}\r\n", char::from(marker));
    }

    /// `$<len>\r\n<data>\r\n`.
    fn bulk(&mut self, data: &[u8]) {
        let _ = write!(self.out, "${}\r\n", data.len());
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\r\n");
        self.leaves += 1;
    }

    /// A bulk string of `lo..=hi` random letters and digits.
    fn random_bulk_between(&mut self, lo: usize, hi: usize) {
        let len = self.rng.between(lo, hi);
        self.random_bulk(len);
    }

    /// A bulk string of `len` random letters and digits.
    fn random_bulk(&mut self, len: usize) {
        let _ = write!(self.out, "${len}\r\n");
        self.rng.fill_text(&mut self.out, len);
        self.out.extend_from_slice(b"\r\n");
        self.leaves += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        for protocol in [Protocol::Resp2, Protocol::Resp3] {
            let a = Corpus::generate(protocol, 100_000);
            let b = Corpus::generate(protocol, 100_000);
            assert_eq!(a.bytes, b.bytes);
            assert!(a.len() >= 100_000);
            assert!(a.frames > 100 && a.leaves > a.frames);
        }
    }

    #[test]
    fn resp3_has_no_resp2_nulls_and_resp2_no_resp3_types() {
        let resp3 = Corpus::generate(Protocol::Resp3, 200_000);
        assert!(!resp3.bytes.windows(5).any(|w| w == b"$-1\r\n" || w == b"*-1\r\n"));
        assert!(resp3.mix().contains("push"));
        let resp2 = Corpus::generate(Protocol::Resp2, 200_000);
        assert!(!resp2.mix().contains("map"));
    }
}
