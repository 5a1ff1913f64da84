//! Every typed builder of `ferrodis-core` has a command method on std's `Commands`,
//! `AsyncCommands` and `Pipeline` (which all expand from one list), so a command typed on
//! firmware is typed on a server too. The builders are read from core's sources, the
//! methods from the list; a builder named differently on std (as redis-rs names it) is in
//! `RENAMED`, and the few without a method say why in `NOT_A_METHOD`.

use std::collections::BTreeSet;

/// Core's builder modules, one per command group.
const CORE_GROUPS: &[&str] = &[
    include_str!("../core/src/cmd/bitmaps.rs"),
    include_str!("../core/src/cmd/geo.rs"),
    include_str!("../core/src/cmd/hashes.rs"),
    include_str!("../core/src/cmd/hyperloglog.rs"),
    include_str!("../core/src/cmd/keyspace.rs"),
    include_str!("../core/src/cmd/lists.rs"),
    include_str!("../core/src/cmd/scripting.rs"),
    include_str!("../core/src/cmd/server.rs"),
    include_str!("../core/src/cmd/sets.rs"),
    include_str!("../core/src/cmd/sorted_sets.rs"),
    include_str!("../core/src/cmd/streams.rs"),
    include_str!("../core/src/cmd/strings.rs"),
];

/// std's command list and the methods written beside it (the scans return iterators).
const STD_METHODS: &[&str] = &[
    include_str!("../std-adapter/src/commands/list.rs"),
    include_str!("../std-adapter/src/commands/blocking.rs"),
];

/// Core builder → std method, where the names differ.
const RENAMED: &[(&str, &str)] = &[
    ("incrby", "incr"),
    ("incrbyfloat", "incr"),
    ("decrby", "decr"),
    ("hincrby", "hincr"),
    ("hincrbyfloat", "hincr"),
    ("zincrby", "zincr"),
    ("getdel", "get_del"),
    ("setex", "set_ex"),
    ("setnx", "set_nx"),
    ("psetex", "pset_ex"),
    ("msetnx", "mset_nx"),
    ("renamenx", "rename_nx"),
    ("expireat", "expire_at"),
    ("pexpireat", "pexpire_at"),
    ("expiretime", "expire_time"),
    ("pexpiretime", "pexpire_time"),
    ("randomkey", "random_key"),
    ("hsetnx", "hset_nx"),
    ("lpushx", "lpush_exists"),
    ("rpushx", "rpush_exists"),
    ("linsert", "linsert_before"),
    ("lpop_count", "lpop"),
    ("rpop_count", "rpop"),
    ("srandmember_count", "srandmember_multiple"),
    ("zmscore", "zscore_multiple"),
    ("zpopmin_count", "zpopmin"),
    ("zpopmax_count", "zpopmax"),
    ("zremrangebyscore", "zrembyscore"),
    ("bitop", "bit_op"),
    ("geoadd", "geo_add"),
    ("geodist", "geo_dist"),
    ("geohash", "geo_hash"),
    ("geopos", "geo_pos"),
    ("geosearch", "geo_search"),
    ("xreadgroup", "xread_options"),
    ("xpending_range", "xpending_count"),
    ("client_kill", "client_kill_id"),
];

/// Core functions that are no command method, and why.
const NOT_A_METHOD: &[(&str, &str)] = &[
    ("select", "SELECT changes a connection's state; std picks the database with ClientBuilder::db"),
    ("condition", "a helper of the builders, not a command"),
    ("from", "a conversion, not a command"),
    ("write_args", "an option type's ToArgs, not a command"),
    ("part", "a helper of the builders, not a command"),
    ("parts", "a helper of the builders, not a command"),
    ("parts_with", "a helper of the builders, not a command"),
];

/// The names of functions defined at the start of a line (`pub fn name` at the top level,
/// or a builder's `fn name(` inside a `fixed!` / `variadic!` list, indented once).
fn core_builders() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for source in CORE_GROUPS {
        for line in source.lines() {
            let rest = line.strip_prefix("pub fn ").or_else(|| line.strip_prefix("    fn "));
            if let Some(rest) = rest {
                let name: String =
                    rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                names.insert(name);
            }
        }
    }
    names
}

fn std_methods() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for source in STD_METHODS {
        for line in source.lines() {
            if let Some(rest) = line.trim_start().strip_prefix("fn ") {
                let name: String =
                    rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                names.insert(name);
            }
        }
    }
    names
}

#[test]
fn every_core_builder_has_a_std_command_method() {
    let builders = core_builders();
    let methods = std_methods();
    assert!(
        builders.len() > 150,
        "read {} core builders: the parser lost track of core's sources",
        builders.len()
    );
    let missing: Vec<&String> = builders
        .iter()
        .filter(|name| !NOT_A_METHOD.iter().any(|(n, _)| n == name))
        .filter(|name| {
            let method = RENAMED.iter().find(|(core, _)| core == name).map_or(name.as_str(), |(_, std)| std);
            !methods.contains(method)
        })
        .collect();
    assert!(missing.is_empty(), "core builders without a std method: {missing:?}");
}

#[test]
fn the_exceptions_name_real_builders_and_methods() {
    let builders = core_builders();
    let methods = std_methods();
    for (core, std) in RENAMED {
        assert!(builders.contains(*core), "RENAMED names {core}, which core does not have");
        assert!(methods.contains(*std), "RENAMED names {std}, which std does not have");
        assert!(!methods.contains(*core), "{core} is a std method after all: drop it from RENAMED");
    }
    for (core, _) in NOT_A_METHOD {
        assert!(builders.contains(*core), "NOT_A_METHOD names {core}, which core does not have");
    }
}
