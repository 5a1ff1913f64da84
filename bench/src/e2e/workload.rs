//! What every client does in one pass: `SET key:<i> <value i>` for every `i`, then
//! `GET key:<i>` for every `i`, each reply checked; and how the requests are issued (the
//! [`Mode`]).

use std::time::Instant;

use crate::rng::Rng;

/// Bytes of each value.
pub(crate) const VALUE_LEN: usize = 16;

/// The keys and values, formatted once before any timing and stored back to back.
#[derive(Debug)]
pub(crate) struct Workload {
    /// `key:0key:1key:2...`
    keys: Vec<u8>,
    /// Where each key ends in `keys`.
    key_ends: Vec<usize>,
    /// `VALUE_LEN`-byte values back to back, different for every key.
    values: Vec<u8>,
}

impl Workload {
    /// `n` keys `key:<i>` with random 16-byte text values.
    pub(crate) fn new(n: usize) -> Self {
        Self::with_seed(n, 0xE2E_5E7)
    }

    /// [`Workload::new`] with the values drawn from `seed`.
    pub(crate) fn with_seed(n: usize, seed: u64) -> Self {
        let mut keys = Vec::with_capacity(n * 12);
        let mut key_ends = Vec::with_capacity(n);
        for i in 0..n {
            keys.extend_from_slice(b"key:");
            keys.extend_from_slice(i.to_string().as_bytes());
            key_ends.push(keys.len());
        }
        let mut values = Vec::with_capacity(n * VALUE_LEN);
        Rng::new(seed).fill_text(&mut values, n * VALUE_LEN);
        Self { keys, key_ends, values }
    }

    /// Keeps only the first `n` keys and their values (all of them when there are fewer):
    /// the `cost` mode formats the keys of its longest run in every run, so that
    /// formatting costs the same in each, and then uses as many as that run needs.
    pub(crate) fn truncate(&mut self, n: usize) {
        // The bytes of the keys left out stay in `keys`; nothing reads them.
        self.key_ends.truncate(n);
        self.values.truncate(self.key_ends.len() * VALUE_LEN);
    }

    /// How many keys (so requests per phase) there are.
    pub(crate) fn len(&self) -> usize {
        self.key_ends.len()
    }

    /// Key `i`.
    #[inline]
    pub(crate) fn key(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.key_ends[i - 1] };
        &self.keys[start..self.key_ends[i]]
    }

    /// The value of key `i`.
    #[inline]
    pub(crate) fn value(&self, i: usize) -> &[u8] {
        &self.values[i * VALUE_LEN..(i + 1) * VALUE_LEN]
    }

    /// Whether `got` is what `GET key:<i>` must return after the SET phase.
    #[inline]
    pub(crate) fn is_value(&self, i: usize, got: &[u8]) -> bool {
        got == self.value(i)
    }

    /// The index ranges of the batches of `depth` requests (the last may be shorter).
    pub(crate) fn batches(&self, depth: usize) -> impl Iterator<Item = std::ops::Range<usize>> + use<> {
        let n = self.len();
        (0..n).step_by(depth.max(1)).map(move |start| start..(start + depth.max(1)).min(n))
    }

    /// The indices task `task` of `tasks` handles in a concurrent mode: every
    /// `tasks`-th one, starting at `task`.
    pub(crate) fn stripe(&self, task: usize, tasks: usize) -> impl Iterator<Item = usize> + use<> {
        (task..self.len()).step_by(tasks.max(1))
    }
}

/// How a client issues the requests of a phase, always on one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Explicit pipelines of this many commands, one after another; `Depth(1)` is plain
    /// request/reply.
    Depth(usize),
    /// This many tasks in flight on one multiplexed connection, each sending plain
    /// requests one after another (no explicit pipeline): the client's own batching is
    /// measured.
    Concurrent(usize),
}

impl Mode {
    /// The modes measured, in the order they are reported.
    pub(crate) const ALL: [Mode; 4] =
        [Mode::Depth(1), Mode::Depth(16), Mode::Depth(128), Mode::Concurrent(128)];
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mode::Depth(1) => f.write_str("depth 1"),
            Mode::Depth(n) => write!(f, "pipeline {n}"),
            Mode::Concurrent(n) => write!(f, "{n} concurrent"),
        }
    }
}

/// How long the two phases of one pass took.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Phases {
    /// Seconds for all SETs.
    pub(crate) set: f64,
    /// Seconds for all GETs.
    pub(crate) get: f64,
}

/// Times `phase` (wall clock); its error, if any, is passed on.
pub(crate) fn timed(phase: impl FnOnce() -> Result<(), String>) -> Result<f64, String> {
    let start = Instant::now();
    phase()?;
    Ok(start.elapsed().as_secs_f64())
}

/// [`timed`] for a future.
pub(crate) async fn timed_async(phase: impl Future<Output = Result<(), String>>) -> Result<f64, String> {
    let start = Instant::now();
    phase.await?;
    Ok(start.elapsed().as_secs_f64())
}

/// Spawns `tasks` Tokio tasks, task `t` running `task(t)`, and waits for all of them: the
/// first error (or panic) of any is the result.
pub(crate) async fn join_tasks<F>(tasks: usize, mut task: impl FnMut(usize) -> F) -> Result<(), String>
where
    F: Future<Output = Result<(), String>> + Send + 'static,
{
    let mut set = tokio::task::JoinSet::new();
    for t in 0..tasks {
        set.spawn(task(t));
    }
    while let Some(done) = set.join_next().await {
        done.map_err(|e| format!("a task failed: {e}"))??;
    }
    Ok(())
}

/// The message for a wrong reply to request `i` of a phase.
pub(crate) fn wrong_reply(client: &str, command: &str, i: usize) -> String {
    format!("{client}: wrong reply to {command} key:{i}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_values_batches_and_stripes() {
        let w = Workload::new(10);
        assert_eq!((w.len(), w.key(0), w.key(9)), (10, &b"key:0"[..], &b"key:9"[..]));
        assert_eq!(w.value(3).len(), VALUE_LEN);
        assert_ne!(w.value(3), w.value(4));
        assert!(w.is_value(3, w.value(3)));
        assert_eq!(w.batches(4).collect::<Vec<_>>(), [0..4, 4..8, 8..10]);
        assert_eq!(w.batches(1).count(), 10);
        assert_eq!(w.stripe(1, 4).collect::<Vec<_>>(), [1, 5, 9]);
        let all: usize = (0..4).map(|t| w.stripe(t, 4).count()).sum();
        assert_eq!(all, 10);
        let mut short = Workload::new(10);
        short.truncate(4);
        assert_eq!((short.len(), short.key(3), short.value(3)), (4, &b"key:3"[..], w.value(3)));
        short.truncate(0);
        assert_eq!(short.len(), 0);
        assert_eq!(Mode::Depth(1).to_string(), "depth 1");
        assert_eq!(Mode::Concurrent(128).to_string(), "128 concurrent");
    }
}
