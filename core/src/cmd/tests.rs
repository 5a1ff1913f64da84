//! The command table's lookups and key positions, as table-driven vectors. The same cases
//! are checked against a real server's `COMMAND GETKEYS` in `tests/command_table.rs`.

use std::vec;
use std::vec::Vec;

use proptest::prelude::*;

use super::*;

/// Arguments, and the indices of their keys.
const KEY_CASES: &[(&[&str], &[usize])] = &[
    (&["GET", "k"], &[1]),
    (&["get", "k"], &[1]),
    (&["SET", "k", "v", "GET"], &[1]),
    (&["MSET", "a", "1", "b", "2"], &[1, 3]),
    (&["DEL", "a", "b", "c"], &[1, 2, 3]),
    (&["RENAME", "a", "b"], &[1, 2]),
    (&["EVAL", "return 1", "2", "k1", "k2", "a1"], &[3, 4]),
    (&["EVAL", "return 1", "0"], &[]),
    (&["EVALSHA", "abc", "1", "k", "a"], &[3]),
    (&["FCALL", "f", "1", "k", "a"], &[3]),
    (&["XREAD", "COUNT", "2", "STREAMS", "s1", "s2", "0", "0"], &[4, 5]),
    (&["XREAD", "BLOCK", "0", "streams", "s", "$"], &[4]),
    (&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"], &[5]),
    (&["ZUNIONSTORE", "dst", "2", "a", "b", "WEIGHTS", "1", "2"], &[1, 3, 4]),
    (&["ZINTERCARD", "2", "a", "b", "LIMIT", "3"], &[2, 3]),
    (&["SINTERCARD", "1", "a"], &[2]),
    (&["LMPOP", "2", "a", "b", "LEFT"], &[2, 3]),
    (&["BLMPOP", "0", "2", "a", "b", "LEFT"], &[3, 4]),
    (&["BLPOP", "a", "b", "0"], &[1, 2]),
    (&["OBJECT", "ENCODING", "k"], &[2]),
    (&["MEMORY", "USAGE", "k", "SAMPLES", "5"], &[2]),
    (&["XINFO", "STREAM", "s"], &[2]),
    (&["XGROUP", "CREATE", "s", "g", "$"], &[2]),
    (&["PING"], &[]),
    (&["CLIENT", "SETNAME", "x"], &[]),
    (&["MIGRATE", "h", "6379", "", "0", "5000", "KEYS", "a", "b"], &[7, 8]),
    (&["MIGRATE", "h", "6379", "", "0", "5000", "COPY", "AUTH", "keys", "KEYS", "a"], &[10]),
    (&["MIGRATE", "h", "6379", "k", "0", "5000"], &[3]),
    (&["MIGRATE", "h", "6379", "k", "0", "5000", "KEYS", "a"], &[]),
    (&["SORT", "k"], &[1]),
    (&["SORT", "k", "BY", "w_*", "LIMIT", "0", "5", "GET", "store", "STORE", "d"], &[1, 10]),
    (&["SORT_RO", "k", "BY", "w_*"], &[1]),
    (&["GEORADIUS", "k", "0", "0", "5", "km", "STORE", "d"], &[1, 7]),
    (&["GEORADIUSBYMEMBER", "k", "m", "5", "km", "STOREDIST", "d"], &[1, 6]),
    (&["SPUBLISH", "chan", "msg"], &[]),
    (&["BITFIELD", "k", "GET", "u8", "0"], &[1]),
    (&["LCS", "a", "b"], &[1, 2]),
    (&["BITOP", "AND", "dst", "a", "b"], &[2, 3, 4]),
];

fn keys(args: &[&str]) -> Vec<usize> {
    let info = lookup_command(args).unwrap_or_else(|| panic!("{args:?} is in the table"));
    key_indices(info, args).collect()
}

#[test]
fn key_positions() {
    for &(args, want) in KEY_CASES {
        assert_eq!(keys(args), want, "{args:?}");
    }
}

#[test]
fn bad_key_counts_find_no_keys() {
    for args in [
        &["EVAL", "s", "two", "k"][..],
        &["EVAL", "s", "-1", "k"],
        &["EVAL", "s", "01", "k"],
        &["EVAL", "s", "+1", "k"],
        &["EVAL", "s", "", "k"],
        &["EVAL", "s", "3", "k"],
        &["EVAL", "s", "99999999999999999999", "k"],
        &["EVAL", "s", "9223372036854775807", "k"],
        &["EVAL", "s"],
        &["EVAL"],
        &["ZUNIONSTORE", "d", "0", "a"],
        &["ZUNIONSTORE", "d", "5", "a", "b"],
        &["GET"],
        &["XREAD", "COUNT", "1"],
        &["XREAD", "STREAMS"],
    ] {
        assert_eq!(keys(args), [0usize; 0], "{args:?}");
    }
}

#[test]
fn shard_channels_are_not_keys_unless_asked() {
    let args = ["SSUBSCRIBE", "a", "b"];
    let info = lookup_command(&args).unwrap();
    assert_eq!(key_indices(info, &args).count(), 0);
    assert!(key_indices(info, &args).including_not_keys().eq([1, 2]));
    // Asking for them changes nothing for ordinary keys.
    let args = ["MSET", "a", "1", "b", "2"];
    assert!(key_indices(lookup_command(&args).unwrap(), &args).including_not_keys().eq([1, 3]));
}

#[test]
fn byte_and_string_arguments_alike() {
    let args: [&[u8]; 3] = [b"DEL", b"a", b"\xff"];
    assert!(key_indices(lookup_command(&args).unwrap(), &args).eq([1, 2]));
    let owned: Vec<std::vec::Vec<u8>> = ["EXISTS", "a"].iter().map(|s| s.as_bytes().to_vec()).collect();
    assert!(key_indices(lookup_command(&owned).unwrap(), &owned).eq([1]));
}

#[test]
fn flags() {
    assert!(is_readonly(&["GET", "k"]));
    assert!(!is_readonly(&["SET", "k", "v"]));
    assert!(lookup(b"set").unwrap().is_write());
    assert!(is_blocking(&["BLPOP", "a", "0"]));
    assert!(!is_blocking(&["LPOP", "a"]));
    assert!(lookup(b"subscribe").unwrap().is_pubsub());
    assert!(is_readonly(&["OBJECT", "ENCODING", "k"]));
    assert!(!is_readonly(&["NOSUCHCOMMAND"]));
    assert!(!is_readonly::<&str>(&[]));
    let get = lookup(b"get").unwrap();
    assert_eq!(get.flags, CommandFlags::READONLY | CommandFlags::FAST);
    assert!(get.acl_categories.contains(AclCategories::READ | AclCategories::STRING));
    assert!(lookup(b"eval").unwrap().flags.contains(CommandFlags::MOVABLE_KEYS));
}

#[test]
fn lookups() {
    assert_eq!(lookup(b"GET").map(|c| c.name), Some("get"));
    assert_eq!(lookup(b"gEt").map(|c| c.name), Some("get"));
    assert_eq!(lookup(b"restore-asking").map(|c| c.name), Some("restore-asking"));
    assert_eq!(lookup(b"CONFIG|GET").map(|c| c.name), Some("config|get"));
    assert_eq!(lookup(b"config|").map(|c| c.name), None);
    assert_eq!(lookup(b"get|x").map(|c| c.name), None);
    assert_eq!(lookup(b"").map(|c| c.name), None);
    assert_eq!(lookup(b"nosuchcommand").map(|c| c.name), None);
    assert_eq!(lookup(b"ge").map(|c| c.name), None);
    assert_eq!(lookup(b"gett").map(|c| c.name), None);
    assert_eq!(lookup_command(&["Client", "no-EVICT", "on"]).map(|c| c.name), Some("client|no-evict"));
    assert_eq!(lookup_command(&["XGROUP", "CREATE", "s", "g", "$"]).map(|c| c.name), Some("xgroup|create"));
    // An unknown or missing subcommand leaves the container.
    assert_eq!(lookup_command(&["CONFIG", "FROB"]).map(|c| c.name), Some("config"));
    assert_eq!(lookup_command(&["CONFIG"]).map(|c| c.name), Some("config"));
    // Commands without subcommands ignore their arguments.
    assert_eq!(lookup_command(&["GET", "get"]).map(|c| c.name), Some("get"));
    assert_eq!(lookup_command(&["NOSUCH", "x"]), None);

    let config = lookup(b"config").unwrap();
    assert_eq!(config.subcommand(b"SET").map(|c| c.short_name()), Some("set"));
    assert_eq!(config.short_name(), "config");
}

#[test]
fn every_entry_is_found() {
    for info in COMMANDS {
        assert_eq!(lookup(info.name.as_bytes()), Some(info));
        assert_eq!(lookup(info.name.to_ascii_uppercase().as_bytes()), Some(info));
        for sub in info.subcommands {
            assert_eq!(lookup(sub.name.as_bytes()), Some(sub));
            assert_eq!(lookup_command(&[info.name, sub.short_name()]), Some(sub));
        }
    }
}

#[test]
fn table_is_sorted_and_well_formed() {
    assert!(COMMANDS.len() > 200, "{} commands", COMMANDS.len());
    assert!(COMMANDS.windows(2).all(|w| w[0].name < w[1].name));
    for info in COMMANDS {
        assert!(!info.name.contains('|') && info.name == info.name.to_ascii_lowercase());
        assert!(info.subcommands.windows(2).all(|w| w[0].name < w[1].name), "{}", info.name);
        for sub in info.subcommands {
            assert_eq!(sub.name.split_once('|').map(|(c, _)| c), Some(info.name));
            assert!(sub.subcommands.is_empty());
        }
    }
}

#[test]
fn variants_are_sorted_and_name_a_command_of_their_servers() {
    assert!(VARIANTS.windows(2).all(|w| w[0].name <= w[1].name));
    let every_server = SERVER_VERSIONS.iter().fold(Servers::EMPTY, |all, &(server, _)| all | server);
    for variant in VARIANTS {
        let main =
            lookup(variant.name.as_bytes()).unwrap_or_else(|| panic!("{} is in COMMANDS", variant.name));
        assert!(
            main.servers.contains(variant.servers) && variant.servers != main.servers,
            "{}",
            variant.name
        );
        assert!(variant.subcommands.is_empty() && variant != main, "{}", variant.name);
        assert_eq!(lookup_on(variant.name.as_bytes(), variant.servers), Some(variant));
    }
    for info in COMMANDS.iter().flat_map(|info| core::iter::once(info).chain(info.subcommands)) {
        assert!(!info.servers.is_empty() && every_server.contains(info.servers), "{}", info.name);
    }
}

#[test]
fn commands_newer_than_redis_7_0_route_and_say_what_they_do() {
    let valkey_only =
        [("hexpire", true), ("hpersist", true), ("hsetex", true), ("httl", false), ("hpttl", false)];
    for (name, writes) in valkey_only {
        let info = lookup(name.as_bytes()).unwrap_or_else(|| panic!("{name} is in the table"));
        assert_eq!(info.servers, Servers::VALKEY, "{name}");
        assert_eq!((info.is_write(), info.is_readonly()), (writes, !writes), "{name}");
        assert!(lookup_on(name.as_bytes(), Servers::REDIS).is_none(), "{name}");
        assert_eq!(lookup_on(name.as_bytes(), Servers::VALKEY), Some(info));
    }
    let args = ["HEXPIRE", "h", "60", "FIELDS", "1", "f"];
    assert!(key_indices(lookup_command(&args).unwrap(), &args).eq([1]));
    let setinfo = lookup_command(&["CLIENT", "SETINFO", "LIB-NAME", "ferrodis"]).unwrap();
    assert_eq!((setinfo.name, setinfo.servers), ("client|setinfo", Servers::VALKEY));
    assert_eq!(lookup(b"client").unwrap().servers, Servers::REDIS | Servers::VALKEY);
    // Both have ZRANK; WITHSCORE came after 7.0, so the arities differ.
    assert_eq!(lookup(b"zrank").unwrap().arity, -3);
    assert_eq!(lookup_on(b"zrank", Servers::REDIS).map(|info| info.arity), Some(3));
    assert_eq!(lookup_on(b"ZRANK", Servers::VALKEY).map(|info| info.arity), Some(-3));
    assert_eq!(lookup_on(b"get", Servers::REDIS), lookup(b"get"));
    assert_eq!(lookup_on(b"nosuchcommand", Servers::REDIS), None);
}

#[test]
fn arity() {
    let get = lookup(b"get").unwrap();
    assert!(get.accepts_arg_count(2) && !get.accepts_arg_count(1) && !get.accepts_arg_count(3));
    let del = lookup(b"del").unwrap();
    assert!(del.accepts_arg_count(2) && del.accepts_arg_count(9) && !del.accepts_arg_count(1));
    let config_get = lookup(b"config|get").unwrap();
    assert!(config_get.accepts_arg_count(3) && !config_get.accepts_arg_count(2));
}

#[test]
fn tips() {
    let dbsize = lookup(b"dbsize").unwrap();
    assert_eq!(dbsize.request_policy(), Some(RequestPolicy::AllShards));
    assert_eq!(dbsize.response_policy(), Some(ResponsePolicy::AggSum));
    assert!(lookup(b"keys").unwrap().is_nondeterministic());
    assert_eq!(lookup(b"mset").unwrap().request_policy(), Some(RequestPolicy::MultiShard));
    let get = lookup(b"get").unwrap();
    assert_eq!((get.request_policy(), get.response_policy(), get.is_nondeterministic()), (None, None, false));
}

#[test]
fn flag_names() {
    assert_eq!(CommandFlags::from_name(b"MovableKeys"), Some(CommandFlags::MOVABLE_KEYS));
    assert_eq!(CommandFlags::from_name(b"nope"), None);
    assert_eq!(
        std::format!("{:?}", CommandFlags::WRITE | CommandFlags::DENYOOM),
        "CommandFlags(write | denyoom)"
    );
    assert_eq!(std::format!("{:?}", KeySpecFlags::EMPTY), "KeySpecFlags()");
    assert!(KeySpecFlags::of(&[KeySpecFlags::RO, KeySpecFlags::ACCESS]).names().eq(["RO", "access"]));
    let mut flags = AclCategories::EMPTY;
    flags |= AclCategories::GEO;
    assert!(flags.intersects(AclCategories::GEO | AclCategories::HASH) && !flags.is_empty());
    assert_eq!(flags.bits(), 1 << 10);
}

/// Specs no server sends, to show that the walker stops on them instead of misbehaving.
static ODD_SPECS: &[KeySpec] = &[
    KeySpec {
        flags: KeySpecFlags::RO,
        begin_search: BeginSearch::Index(0),
        find_keys: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 },
    },
    KeySpec {
        flags: KeySpecFlags::RO,
        begin_search: BeginSearch::Index(1),
        find_keys: FindKeys::Range { last_key: -1, key_step: 0, limit: 0 },
    },
    KeySpec {
        flags: KeySpecFlags::RO,
        begin_search: BeginSearch::Index(1),
        find_keys: FindKeys::Range { last_key: -1, key_step: 1, limit: -2 },
    },
    KeySpec {
        flags: KeySpecFlags::RO,
        begin_search: BeginSearch::Keyword { keyword: "K", start_from: 0 },
        find_keys: FindKeys::Range { last_key: 0, key_step: 1, limit: 0 },
    },
    KeySpec {
        flags: KeySpecFlags::RO,
        begin_search: BeginSearch::Index(1),
        find_keys: FindKeys::KeyNum { key_num_idx: -5, first_key: -3, key_step: 0 },
    },
    KeySpec {
        flags: KeySpecFlags::RO,
        begin_search: BeginSearch::Index(i16::MAX),
        find_keys: FindKeys::Range { last_key: i16::MAX, key_step: i16::MAX, limit: i16::MAX },
    },
];

/// A command with one odd spec.
const fn odd(spec: usize) -> CommandInfo {
    CommandInfo {
        name: "odd",
        arity: -1,
        flags: CommandFlags::EMPTY,
        first_key: 0,
        last_key: 0,
        step: 0,
        acl_categories: AclCategories::EMPTY,
        tips: &[],
        key_specs: ODD_SPECS.split_at(spec).1.split_at(1).0,
        subcommands: &[],
        servers: Servers::EMPTY,
    }
}

static ODD: [CommandInfo; 6] = [odd(0), odd(1), odd(2), odd(3), odd(4), odd(5)];

/// Legacy ranges only, some of them odd.
static LEGACY: [CommandInfo; 4] = {
    let mut infos = [odd(0), odd(0), odd(0), odd(0)];
    let ranges = [(1, -1, 2), (1, 1, 0), (-1, 5, 1), (2, -2, 1)];
    let mut i = 0;
    while i < infos.len() {
        infos[i].key_specs = &[];
        (infos[i].first_key, infos[i].last_key, infos[i].step) = ranges[i];
        i += 1;
    }
    infos
};

#[test]
fn odd_specs_find_nothing() {
    let args = ["ODD", "K", "1", "2", "3"];
    for info in &ODD {
        assert_eq!(key_indices(info, &args).count(), 0, "{:?}", info.key_specs);
    }
}

#[test]
fn legacy_ranges() {
    let args = ["X", "a", "b", "c", "d"];
    let found: Vec<Vec<usize>> = LEGACY.iter().map(|info| key_indices(info, &args).collect()).collect();
    assert_eq!(found, [&[1, 3][..], &[], &[], &[2, 3]]);
}

/// Arguments made of the words key specs and fallback rules look for, numbers among them.
fn key_words() -> impl Strategy<Value = Vec<&'static str>> {
    let word = prop_oneof![
        Just("STREAMS"),
        Just("KEYS"),
        Just("STORE"),
        Just("STOREDIST"),
        Just("LIMIT"),
        Just("GET"),
        Just("BY"),
        Just("AUTH"),
        Just("AUTH2"),
        Just(""),
        Just("0"),
        Just("1"),
        Just("2"),
        Just("3"),
        Just("-1"),
        Just("9223372036854775807"),
        Just("k"),
        Just("{t}k"),
    ];
    proptest::collection::vec(word, 0..12)
}

/// The command at `index` (wrapping) of the table's commands and subcommands, then the odd
/// and the legacy ones.
fn any_command(index: usize) -> &'static CommandInfo {
    let all: Vec<&'static CommandInfo> = COMMANDS
        .iter()
        .flat_map(|c| core::iter::once(c).chain(c.subcommands))
        .chain(&ODD)
        .chain(&LEGACY)
        .collect();
    all[index % all.len()]
}

proptest! {
    /// Whatever the arguments, every command's keys are in bounds, and the walk ends.
    #[test]
    fn keys_stay_in_bounds(
        words in key_words(),
        command in 0..COMMANDS.len() + ODD.len() + LEGACY.len(),
    ) {
        let info = any_command(command);
        let mut args = std::vec![info.name];
        args.extend(words);
        for with_not_keys in [false, true] {
            let mut found = key_indices(info, &args);
            if with_not_keys {
                found = found.including_not_keys();
            }
            let found: Vec<usize> = found.take(args.len() + 1).collect();
            prop_assert!(found.len() <= args.len());
            prop_assert!(found.iter().all(|&i| 0 < i && i < args.len()), "{:?} {:?}", args, found);
        }
    }
}

/// The keys `visit_keys_as` streams out of `args` for `info`, or why none.
fn streamed(info: &'static CommandInfo, args: &[&str], not_keys: bool) -> Result<Vec<usize>, KeysError> {
    let args: Vec<crate::resp::Arg<'_>> = args.iter().map(|a| crate::resp::Arg::from(*a)).collect();
    let mut found = Vec::new();
    visit_keys_as(info, args.as_slice(), not_keys, &mut |at, key| {
        assert_eq!(crate::resp::Arg::from(key), args[at]);
        found.push(at);
        true
    })?;
    Ok(found)
}

/// What the slice finder says of the same: its keys in argument order, once each.
fn sliced(info: &'static CommandInfo, args: &[&str], not_keys: bool) -> Vec<usize> {
    let found = key_indices(info, args);
    let found = if not_keys { found.including_not_keys() } else { found };
    let mut found: Vec<usize> = found.collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// Whether the streaming finder agrees with the slice finder: the same keys when it finds
/// any, none when it calls the arguments invalid, and an arity that refuses them when it
/// says so.
fn agree(info: &'static CommandInfo, args: &[&str], not_keys: bool) -> Result<(), std::string::String> {
    let want = sliced(info, args, not_keys);
    match streamed(info, args, not_keys) {
        Ok(found) if found == want => Ok(()),
        Err(KeysError::Invalid(_)) if want.is_empty() => Ok(()),
        Err(KeysError::ArgCount(_)) if !info.accepts_arg_count(args.len()) => Ok(()),
        other => Err(std::format!("{args:?} ({}): streamed {other:?}, key_indices {want:?}", info.name)),
    }
}

#[test]
fn the_streaming_finder_finds_what_key_indices_finds() {
    for &(args, want) in KEY_CASES {
        let info = lookup_command(args).unwrap();
        agree(info, args, false).unwrap();
        agree(info, args, true).unwrap();
        // By name, as `command_slot` looks it up.
        let arrayed: Vec<crate::resp::Arg<'_>> = args.iter().map(|a| crate::resp::Arg::from(*a)).collect();
        let mut found = Vec::new();
        let by_name = visit_keys(arrayed.as_slice(), false, &mut |at, _| {
            found.push(at);
            true
        });
        if want.is_empty() && by_name != Ok(info) {
            assert_eq!(by_name, Err(KeysError::Invalid(info)), "{args:?}");
            continue;
        }
        assert_eq!(by_name, Ok(info), "{args:?}");
        let mut want = want.to_vec();
        want.sort_unstable();
        want.dedup();
        assert_eq!(found, want, "{args:?}");
    }
    for info in ODD.iter().chain(&LEGACY) {
        agree(info, &["ODD", "K", "1", "2", "3"], false).unwrap();
    }
}

#[test]
fn every_command_fits_the_streaming_finder() {
    for info in COMMANDS.iter().flat_map(|c| core::iter::once(c).chain(c.subcommands)) {
        assert!(info.key_specs.len() <= MAX_SPECS, "{}", info.name);
        for spec in info.key_specs {
            if let FindKeys::KeyNum { key_num_idx, .. } = spec.find_keys {
                assert!(key_num_idx >= 0, "{}: the count comes before its begin point", info.name);
            }
        }
    }
}

proptest! {
    /// On any arguments, for every command of the table and the odd ones, the streaming
    /// finder agrees with the slice finder.
    #[test]
    fn streaming_and_slice_finders_agree(
        words in key_words(),
        command in 0..COMMANDS.len() * 4,
        not_keys in any::<bool>(),
    ) {
        let info = any_command(command);
        let mut args: Vec<&str> = info.name.split('|').collect();
        args.extend(words);
        prop_assert_eq!(agree(info, &args, not_keys), Ok(()));
    }
}
