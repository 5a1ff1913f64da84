//! A deterministic simulation: the router drives requests against a model cluster (three
//! shards of a primary and a replica, in memory, seeded) while slots migrate key by key,
//! primaries die and their replicas take over, nodes answer `TRYAGAIN`, and replies are
//! lost after the server ran the request. Thousands of seeded runs check that every
//! request that succeeds ran once, at the node that owned its key then; that none runs
//! twice; that the only failures are "outcome unknown" for a reply that was lost; and that
//! the redirects per request stay few.

use std::collections::HashSet;
use std::format;
use std::string::String;
use std::vec::Vec;

use ferrodis_test_support::harness::XorShift;

use super::*;
use crate::cluster::{Addressing, SLOT_COUNT};
use crate::resp::{Arg, Decoded, decode};

type SimRouter = Router<8, 256, 8>;

const SHARDS: usize = 3;
const KEYS: usize = 40;

/// The seeded generator of every run, with the two draws the model makes.
struct Rng(XorShift);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    fn chance(&mut self, per_mille: u64) -> bool {
        self.next() % 1000 < per_mille
    }

    fn below(&mut self, n: usize) -> usize {
        self.0.below(n)
    }
}

struct Shard {
    primary: u16,
    replica: u16,
}

/// A slot moving from one shard to another, its keys one by one.
struct Migration {
    slot: u16,
    from: usize,
    to: usize,
    moved: HashSet<usize>,
}

/// What a node does with one request.
enum Reply {
    Ran,
    Error(String),
    /// The connection failed: before the request was sent, or after it ran.
    Lost(Delivery),
}

struct Cluster {
    shards: Vec<Shard>,
    /// The shard that owns each slot.
    owner: Vec<usize>,
    alive: [bool; 8],
    migration: Option<Migration>,
    /// When the replica of a dead primary takes over, and which shard.
    failover: Option<(Duration, usize)>,
    /// How often each request ran.
    runs: Vec<u32>,
}

fn key(k: usize) -> String {
    format!("key:{k}")
}

impl Cluster {
    fn new() -> Self {
        let owner = (0..SLOT_COUNT as usize).map(|s| s * SHARDS / SLOT_COUNT as usize).collect();
        let shards = (0..SHARDS as u16).map(|i| Shard { primary: i + 1, replica: i + 4 }).collect();
        Cluster { shards, owner, alive: [true; 8], migration: None, failover: None, runs: Vec::new() }
    }

    fn shard_of_port(&self, port: u16) -> usize {
        self.shards.iter().position(|s| s.primary == port || s.replica == port).unwrap()
    }

    /// `CLUSTER SLOTS` as the cluster sees itself now.
    fn cluster_slots(&self) -> Vec<u8> {
        let mut ranges: Vec<(usize, usize, usize)> = Vec::new();
        for (slot, &shard) in self.owner.iter().enumerate() {
            match ranges.last_mut() {
                Some((_, end, s)) if *s == shard && *end + 1 == slot => *end = slot,
                _ => ranges.push((slot, slot, shard)),
            }
        }
        let mut out = format!("*{}\r\n", ranges.len());
        for (start, end, shard) in ranges {
            let s = &self.shards[shard];
            out += &format!(
                "*4\r\n:{start}\r\n:{end}\r\n*2\r\n$1\r\na\r\n:{}\r\n*2\r\n$1\r\na\r\n:{}\r\n",
                s.primary, s.replica
            );
        }
        out.into_bytes()
    }

    /// Node `port` receives request `id` (a write of key `k`), after `ASKING` when `asking`.
    fn serve(&mut self, port: u16, id: usize, k: usize, asking: bool, rng: &mut Rng) -> Reply {
        if !self.alive[usize::from(port)] {
            return Reply::Lost(Delivery::NotSent);
        }
        let slot = key_slot(key(k).as_bytes());
        let here = self.shard_of_port(port);
        let owner = self.owner[slot as usize];
        let moved = |to: usize| format!("MOVED {slot} a:{}", self.shards[to].primary);
        if self.shards[here].primary != port {
            // A replica takes no writes: to the owner's primary.
            return Reply::Error(moved(owner));
        }
        let importing = self.migration.as_ref().is_some_and(|m| m.slot == slot && m.to == here);
        let exporting = self.migration.as_ref().filter(|m| m.slot == slot && m.from == here);
        if owner != here && !(importing && asking) {
            return Reply::Error(moved(owner));
        }
        if let Some(m) = exporting
            && m.moved.contains(&k)
        {
            return Reply::Error(format!("ASK {slot} a:{}", self.shards[m.to].primary));
        }
        if importing && asking && !self.migration.as_ref().unwrap().moved.contains(&k) {
            return Reply::Error(String::from("TRYAGAIN the key is still being migrated"));
        }
        if rng.chance(5) {
            return Reply::Error(String::from("TRYAGAIN Multiple keys request during rehashing of slot"));
        }
        self.runs[id] += 1;
        if rng.chance(3) {
            // Ran, and the reply was lost on the way.
            return Reply::Lost(Delivery::Unknown);
        }
        Reply::Ran
    }

    /// Things that happen between and during requests.
    fn events(&mut self, now: Duration, rng: &mut Rng) {
        if let Some((at, shard)) = self.failover
            && now >= at
        {
            let s = &mut self.shards[shard];
            core::mem::swap(&mut s.primary, &mut s.replica);
            self.failover = None;
        }
        let shard = rng.below(SHARDS);
        // A primary dies only while its replica is up to take over from it.
        if self.failover.is_none() && self.alive[usize::from(self.shards[shard].replica)] && rng.chance(4) {
            let dead = self.shards[shard].primary;
            self.alive[usize::from(dead)] = false;
            self.failover = Some((now + Duration::from_millis(500 + rng.below(4000) as u64), shard));
        }
        if self.failover.is_none() && rng.chance(20) {
            // The dead primary of an earlier failover comes back as a replica.
            self.alive = [true; 8];
        }
        match &mut self.migration {
            None if rng.chance(30) => {
                let k = rng.below(KEYS);
                let slot = key_slot(key(k).as_bytes());
                let from = self.owner[slot as usize];
                let to = (from + 1 + rng.below(SHARDS - 1)) % SHARDS;
                self.migration = Some(Migration { slot, from, to, moved: HashSet::new() });
            }
            Some(m) if rng.chance(100) => {
                m.moved.insert(rng.below(KEYS));
            }
            Some(m) if rng.chance(40) => {
                // Every key moved: the slot is the target's.
                self.owner[m.slot as usize] = m.to;
                self.migration = None;
            }
            _ => {}
        }
    }
}

fn load(router: &mut SimRouter, cluster: &Cluster) {
    let bytes = cluster.cluster_slots();
    let Ok(Decoded::Complete { frame, .. }) = decode(&bytes) else { panic!("a CLUSTER SLOTS reply") };
    router.map_mut().load_cluster_slots(frame, &Addressing::new("a")).unwrap();
}

#[test]
fn seeded_runs_keep_every_request_at_its_owner_and_at_most_once() {
    let mut most_redirects = 0;
    let (mut ran, mut unknown) = (0, 0);
    for seed in 1..=600u64 {
        let mut rng = Rng(XorShift::new(seed));
        let mut cluster = Cluster::new();
        let mut router = SimRouter::new(
            SlotMap::new(),
            RouterConfig { reinitialize_steps: 1 + rng.below(6) as u32, ..RouterConfig::DEFAULT },
        );
        load(&mut router, &cluster);
        let mut now = Duration::ZERO;
        router.refreshed(now);
        for id in 0..150 {
            cluster.runs.push(0);
            let k = rng.below(KEYS);
            let name = key(k);
            let args = [Arg::from("SET"), Arg::from(name.as_str()), Arg::from("v")];
            let mut request = router.route(&args[..]).unwrap();
            let mut to: Option<(u16, bool)> = None;
            let outcome = loop {
                cluster.events(now, &mut rng);
                if router.wants_refresh(now).is_some() {
                    load(&mut router, &cluster);
                    router.refreshed(now);
                }
                let (port, asking) =
                    to.take().unwrap_or_else(|| (router.node(&request).unwrap().port(), false));
                now += Duration::from_micros(100);
                let next = match cluster.serve(port, id, k, asking, &mut rng) {
                    Reply::Ran => {
                        let reply = Frame::SimpleString(b"OK");
                        assert_eq!(router.on_reply(&mut request, &reply, ("a", port), now, 0), Next::Done);
                        break Ok(());
                    }
                    Reply::Error(text) => {
                        let reply = Frame::SimpleError(text.as_bytes());
                        match router.on_reply(&mut request, &reply, ("a", port), now, rng.next() as u32) {
                            Next::SendTo { port, asking, .. } => Step::To(port, asking),
                            Next::RetryAfter(delay) => Step::Wait(delay),
                            other => panic!("seed {seed}, request {id}: {text} gave {other:?}"),
                        }
                    }
                    Reply::Lost(delivery) => {
                        match router.on_connection_error(&mut request, delivery, now, rng.next() as u32) {
                            Next::RetryAfter(delay) => Step::Wait(delay),
                            Next::Fail(e) => break Err(e),
                            other => panic!("seed {seed}, request {id}: a lost connection gave {other:?}"),
                        }
                    }
                };
                match next {
                    Step::To(port, asking) => to = Some((port, asking)),
                    Step::Wait(delay) => now += delay,
                }
            };
            let runs = cluster.runs[id];
            match outcome {
                Ok(()) => {
                    assert_eq!(runs, 1, "seed {seed}, request {id}: done, so it ran once");
                    ran += 1;
                }
                Err(RouteError::OutcomeUnknown) => {
                    assert!(runs <= 1, "seed {seed}, request {id}: ran {runs} times");
                    unknown += 1;
                }
                Err(e) => panic!("seed {seed}, request {id} failed: {e}"),
            }
            most_redirects = most_redirects.max(request.redirects());
        }
    }
    // Every request ran at most once (checked above); most ran; redirects stayed few.
    assert!(ran > 80_000 && unknown > 0, "{ran} ran, {unknown} unknown");
    assert!(most_redirects <= 4, "a request followed {most_redirects} redirects");
}

enum Step {
    To(u16, bool),
    Wait(Duration),
}
