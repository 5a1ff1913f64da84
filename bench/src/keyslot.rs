//! The hash slot of a key, `key_slot` against redis-rs's `Slot::for_key` and
//! redis-protocol's `redis_keyslot`, over plain keys (`key:<i>`) and keys with a hash tag
//! (`{user<i>}.following`), checked for agreement and timed in interleaved runs.

use std::hint::black_box;

use ferrodis_core::cluster::key_slot;
use redis::cluster_routing::Slot;
use redis_protocol::redis_keyslot;

use crate::cli::CodecOptions;
use crate::measure::{median, seconds_per_pass};
use crate::report::{self, Goal, Table};

/// ferrodis must hash this many times as many keys per second as the faster peer, on
/// both kinds of keys.
const GOAL_VS_BEST_PEER: f64 = 1.5;

/// One implementation: its name and a pass over the keys that uses every slot it computes
/// (so no call can be left out).
struct Hasher {
    name: &'static str,
    ferrodis: bool,
    pass: fn(&[Vec<u8>]) -> u64,
}

const HASHERS: [Hasher; 3] = [
    Hasher { name: "ferrodis key_slot", ferrodis: true, pass: |keys| sum(keys, key_slot) },
    // redis-rs keeps a slot's number private: its slots are compared with slot 0 instead.
    Hasher {
        name: "redis-rs Slot::for_key",
        ferrodis: false,
        pass: |keys| keys.iter().filter(|k| Some(Slot::for_key(black_box(k))) == Slot::new(0)).count() as u64,
    },
    Hasher { name: "redis-protocol redis_keyslot", ferrodis: false, pass: |keys| sum(keys, redis_keyslot) },
];

fn sum(keys: &[Vec<u8>], slot: fn(&[u8]) -> u16) -> u64 {
    keys.iter().map(|key| u64::from(slot(black_box(key)))).sum()
}

/// Checks agreement, times every hasher over both key sets and adds the rows and goals.
pub(crate) fn run(options: &CodecOptions, table: &mut Table, goals: &mut Vec<Goal>) -> Result<(), String> {
    let n = (options.commands / 4).max(1000);
    let plain: Vec<Vec<u8>> = (0..n).map(|i| format!("key:{i}").into_bytes()).collect();
    let tagged: Vec<Vec<u8>> = (0..n).map(|i| format!("{{user{i}}}.following").into_bytes()).collect();
    for (label, keys) in [("keyslot plain", &plain), ("keyslot tagged", &tagged)] {
        for key in keys.iter().step_by(97) {
            let ours = key_slot(key);
            if Slot::new(ours) != Some(Slot::for_key(key)) || redis_keyslot(key) != ours {
                return Err(format!(
                    "{label}: the implementations disagree on {:?}",
                    String::from_utf8_lossy(key)
                ));
            }
        }
        let mut seconds = vec![Vec::with_capacity(options.runs); HASHERS.len()];
        for _ in 0..options.runs {
            for (i, hasher) in HASHERS.iter().enumerate() {
                seconds[i].push(seconds_per_pass(options.min_run_time, || (hasher.pass)(keys)));
            }
        }
        let rate = |i: usize| median(&seconds[i].iter().map(|s| n as f64 / s).collect::<Vec<_>>());
        let ours = rate(0);
        let best_peer = rate(1).max(rate(2));
        for (i, hasher) in HASHERS.iter().enumerate() {
            let r = rate(i);
            let cells = vec![
                label.to_string(),
                hasher.name.to_string(),
                "-".to_string(),
                report::millions(r),
                if hasher.ferrodis { "-".to_string() } else { report::ratio(ours / r) },
            ];
            table.row(cells);
        }
        goals.push(Goal {
            what: format!("{label} vs the faster peer"),
            target: GOAL_VS_BEST_PEER,
            measured: ours / best_peer,
        });
        table.gap();
    }
    Ok(())
}
