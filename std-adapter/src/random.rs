//! [`random_word`]: a uniformly random word for backoff jitter, without an RNG crate.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Instant;

/// A random word from the process's hash keys (seeded by the OS) and the clock: enough to
/// spread the retries of many clients, not for secrets.
pub(crate) fn random_word() -> u32 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    hasher.finish() as u32
}
