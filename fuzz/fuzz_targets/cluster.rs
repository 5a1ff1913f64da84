//! The cluster parsers: any bytes as a redirect or cluster error text, and any reply as
//! `CLUSTER SHARDS` and `CLUSTER SLOTS`, parse or fail with an error value, never a panic;
//! a map that builds answers every slot's lookup within its own nodes.

#![no_main]

use ferrodis_core::cluster::{Addressing, ClusterErrorReply, Redirect, SLOT_COUNT, SlotMap, key_slot};
use ferrodis_core::resp::{Decoded, decode};
use libfuzzer_sys::fuzz_target;

type Map = SlotMap<8, 32, 256>;

fn check(map: &Map) {
    let nodes = map.nodes().count();
    for slot in (0..SLOT_COUNT as u16).step_by(97) {
        if let Some(primary) = map.primary(slot) {
            assert!(!primary.host().is_empty() || primary.port() == 0 || nodes > 0);
        }
        assert!(map.replicas(slot).count() <= nodes);
    }
    let _ = format!("{map:?}");
}

fuzz_target!(|data: &[u8]| {
    assert!(key_slot(data) < SLOT_COUNT as u16);
    if let Ok(redirect) = Redirect::parse(data) {
        assert!(redirect.slot() < SLOT_COUNT as u16);
    }
    let _ = ClusterErrorReply::parse(data);
    let Ok(Decoded::Complete { frame, .. }) = decode(data) else { return };
    let _ = ClusterErrorReply::of_frame(&frame);
    let addressing = Addressing::new("127.0.0.1");
    if let Ok(map) = Map::from_cluster_shards(frame, &addressing) {
        check(&map);
    }
    if let Ok(map) = Map::from_cluster_slots(frame, &addressing.tls(false)) {
        check(&map);
    }
});
