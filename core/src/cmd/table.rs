//! The types of the command table, and lookups in it.
//!
//! The data itself is in `generated.rs`, written by `cargo xtask gen-commands` from the
//! `COMMAND` replies of real servers (the union of [`Servers`]); this file is the
//! hand-written part that gives it a shape.

use core::cmp::Ordering;
use core::fmt;
use core::ops::{BitOr, BitOrAssign};

use super::generated::{COMMANDS, VARIANTS};
use super::keys::KeyIndices;

/// Defines a bit set over an unsigned integer, with one constant per flag and the name the
/// server uses for each.
macro_rules! bitset {
    (
        $(#[$meta:meta])*
        pub struct $name:ident($int:ty);
        $( $(#[$flag_meta:meta])* $flag:ident = $bit:literal, $wire:literal; )*
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        pub struct $name($int);

        impl $name {
            $( $(#[$flag_meta])* pub const $flag: Self = Self(1 << $bit); )*

            /// No flag set.
            pub const EMPTY: Self = Self(0);

            /// Every flag and the name the server gives it, in bit order.
            pub const NAMES: &'static [(&'static str, Self)] = &[$(($wire, Self::$flag)),*];

            /// The set of all the given flags (usable in `const` context).
            pub const fn of(flags: &[Self]) -> Self {
                let mut bits = 0;
                let mut i = 0;
                while i < flags.len() {
                    bits |= flags[i].0;
                    i += 1;
                }
                Self(bits)
            }

            /// The raw bits.
            pub const fn bits(self) -> $int {
                self.0
            }

            /// Whether every flag of `other` is set in `self`.
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }

            /// Whether any flag of `other` is set in `self`.
            pub const fn intersects(self, other: Self) -> bool {
                self.0 & other.0 != 0
            }

            /// The flags of both.
            #[must_use]
            pub const fn union(self, other: Self) -> Self {
                Self(self.0 | other.0)
            }

            /// Whether no flag is set.
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }

            /// The flag the server calls `name` (ASCII case-insensitive).
            pub fn from_name(name: &[u8]) -> Option<Self> {
                Self::NAMES.iter().find(|(wire, _)| wire.as_bytes().eq_ignore_ascii_case(name)).map(|&(_, f)| f)
            }

            /// The server's names of the flags that are set, in bit order.
            pub fn names(self) -> impl Iterator<Item = &'static str> {
                Self::NAMES.iter().filter(move |(_, f)| self.contains(*f)).map(|&(name, _)| name)
            }
        }

        impl BitOr for $name {
            type Output = Self;

            fn bitor(self, other: Self) -> Self {
                self.union(other)
            }
        }

        impl BitOrAssign for $name {
            fn bitor_assign(&mut self, other: Self) {
                *self = self.union(other);
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "("))?;
                for (i, name) in self.names().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    f.write_str(name)?;
                }
                f.write_str(")")
            }
        }
    };
}

bitset! {
    /// A command's flags, as `COMMAND` reports them.
    ///
    /// ```
    /// use ferrodis_core::cmd::{lookup, CommandFlags};
    ///
    /// let get = lookup(b"GET").unwrap();
    /// assert!(get.flags.contains(CommandFlags::READONLY | CommandFlags::FAST));
    /// assert_eq!(CommandFlags::from_name(b"readonly"), Some(CommandFlags::READONLY));
    /// ```
    pub struct CommandFlags(u32);
    /// May modify the dataset.
    WRITE = 0, "write";
    /// Only reads data: may be sent to a replica.
    READONLY = 1, "readonly";
    /// May grow memory use: refused when the server is over `maxmemory`.
    DENYOOM = 2, "denyoom";
    /// Implemented by a module.
    MODULE = 3, "module";
    /// An administrative command.
    ADMIN = 4, "admin";
    /// A pub/sub command.
    PUBSUB = 5, "pubsub";
    /// Not allowed in scripts.
    NOSCRIPT = 6, "noscript";
    /// May block the client.
    BLOCKING = 7, "blocking";
    /// Allowed while the server loads its dataset.
    LOADING = 8, "loading";
    /// Allowed on a replica with stale data.
    STALE = 9, "stale";
    /// Not shown by `MONITOR`.
    SKIP_MONITOR = 10, "skip_monitor";
    /// Not shown by `SLOWLOG`.
    SKIP_SLOWLOG = 11, "skip_slowlog";
    /// Allowed on an importing cluster slot after `ASKING`.
    ASKING = 12, "asking";
    /// Runs in constant or logarithmic time.
    FAST = 13, "fast";
    /// Allowed before authentication.
    NO_AUTH = 14, "no_auth";
    /// May replicate even though it is not a write (reported by Redis 6.2, hidden by 7.0).
    MAY_REPLICATE = 15, "may_replicate";
    /// Its keys are optional (`EVAL` with no keys).
    NO_MANDATORY_KEYS = 16, "no_mandatory_keys";
    /// Refused while the server loads its dataset asynchronously.
    NO_ASYNC_LOADING = 17, "no_async_loading";
    /// Refused inside `MULTI`.
    NO_MULTI = 18, "no_multi";
    /// Its key positions depend on the arguments: use the key specs, not first/last/step.
    MOVABLE_KEYS = 19, "movablekeys";
    /// Allowed while a script or function is busy.
    ALLOW_BUSY = 20, "allow_busy";
    /// Not shown by `COMMANDLOG` (Valkey 8.1's name for `skip_slowlog`).
    SKIP_COMMANDLOG = 21, "skip_commandlog";
}

bitset! {
    /// The servers the command table was generated from, by the name of their kind (the
    /// versions are in [`SERVER_VERSIONS`](super::SERVER_VERSIONS)).
    ///
    /// ```
    /// use ferrodis_core::cmd::{lookup, Servers};
    ///
    /// assert_eq!(lookup(b"get").unwrap().servers, Servers::REDIS | Servers::VALKEY);
    /// // Hash-field expiry came after Redis 7.0.
    /// assert_eq!(lookup(b"hexpire").unwrap().servers, Servers::VALKEY);
    /// ```
    pub struct Servers(u8);
    /// Redis (Debian's redis-server).
    REDIS = 0, "redis";
    /// Valkey (valkey-server).
    VALKEY = 1, "valkey";
}

bitset! {
    /// How a command uses the keys a [`KeySpec`] finds.
    pub struct KeySpecFlags(u16);
    /// Read-only: reads the value without changing or deleting it.
    RO = 0, "RO";
    /// Read-write: modifies the value, or deletes it.
    RW = 1, "RW";
    /// Overwrite: writes the value without reading it.
    OW = 2, "OW";
    /// Removes the key.
    RM = 3, "RM";
    /// Returns, copies or uses the user data of the value.
    ACCESS = 4, "access";
    /// Updates the value or its metadata.
    UPDATE = 5, "update";
    /// Adds data to the value without changing existing data.
    INSERT = 6, "insert";
    /// Deletes data from the value.
    DELETE = 7, "delete";
    /// Not a key but hashed like one for cluster routing (the shard channel of `SPUBLISH`).
    NOT_KEY = 8, "not_key";
    /// The spec may miss keys: the server falls back to command-specific code.
    INCOMPLETE = 9, "incomplete";
    /// The flags depend on the arguments (`SET ... GET` reads).
    VARIABLE_FLAGS = 10, "variable_flags";
}

bitset! {
    /// The ACL categories a command belongs to (`@read`, `@write`, ...; the names here are
    /// without the `@`).
    pub struct AclCategories(u32);
    /// `@keyspace`.
    KEYSPACE = 0, "keyspace";
    /// `@read`.
    READ = 1, "read";
    /// `@write`.
    WRITE = 2, "write";
    /// `@set`.
    SET = 3, "set";
    /// `@sortedset`.
    SORTEDSET = 4, "sortedset";
    /// `@list`.
    LIST = 5, "list";
    /// `@hash`.
    HASH = 6, "hash";
    /// `@string`.
    STRING = 7, "string";
    /// `@bitmap`.
    BITMAP = 8, "bitmap";
    /// `@hyperloglog`.
    HYPERLOGLOG = 9, "hyperloglog";
    /// `@geo`.
    GEO = 10, "geo";
    /// `@stream`.
    STREAM = 11, "stream";
    /// `@pubsub`.
    PUBSUB = 12, "pubsub";
    /// `@admin`.
    ADMIN = 13, "admin";
    /// `@fast`.
    FAST = 14, "fast";
    /// `@slow`.
    SLOW = 15, "slow";
    /// `@blocking`.
    BLOCKING = 16, "blocking";
    /// `@dangerous`.
    DANGEROUS = 17, "dangerous";
    /// `@connection`.
    CONNECTION = 18, "connection";
    /// `@transaction`.
    TRANSACTION = 19, "transaction";
    /// `@scripting`.
    SCRIPTING = 20, "scripting";
}

/// Where the search for a key spec's keys starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum BeginSearch {
    /// At this argument index (the command name is index 0).
    Index(i16),
    /// Just after the first argument equal (ASCII case-insensitive) to `keyword`, searched
    /// from `start_from` towards the end, or when negative from `len + start_from` towards
    /// the start.
    Keyword {
        /// The keyword, upper case as the server reports it (`STREAMS`).
        keyword: &'static str,
        /// Where the search starts.
        start_from: i16,
    },
    /// Cannot be described: command-specific code finds the keys.
    Unknown,
}

/// Which arguments after the [`BeginSearch`] point are keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum FindKeys {
    /// Every `key_step`-th argument up to `last_key`: relative to the first key when zero
    /// or positive, and from the end of the arguments when negative. With a `limit` above
    /// 0 (and `last_key` -1) the keys are the first `1/limit` of the remaining arguments,
    /// as in `XREAD ... STREAMS k1 k2 id1 id2`.
    Range {
        /// The last key, see above.
        last_key: i16,
        /// The distance between two keys (2 for `MSET k v k v`).
        key_step: i16,
        /// See above; 0 for none.
        limit: i16,
    },
    /// The argument at `key_num_idx` (relative to the begin point) says how many keys
    /// there are; they start at `first_key` (relative too), `key_step` apart.
    KeyNum {
        /// Where the number of keys is.
        key_num_idx: i16,
        /// Where the first key is.
        first_key: i16,
        /// The distance between two keys.
        key_step: i16,
    },
    /// Cannot be described: command-specific code finds the keys.
    Unknown,
}

/// One of a command's key specifications (Redis 7): where some of its keys are and how it
/// uses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct KeySpec {
    /// How the keys are used.
    pub flags: KeySpecFlags,
    /// Where the search starts.
    pub begin_search: BeginSearch,
    /// Which arguments from there are keys.
    pub find_keys: FindKeys,
}

/// How a cluster client should route a command without keys, or one whose keys span
/// slots (the `request_policy` tip).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RequestPolicy {
    /// To every node, primaries and replicas (`CONFIG SET`).
    AllNodes,
    /// To every primary (`DBSIZE`, `FLUSHALL`, `KEYS`).
    AllShards,
    /// Split by slot, one part per shard (`MSET`, `DEL` with many keys).
    MultiShard,
    /// Needs command-specific handling.
    Special,
}

/// How a cluster client should combine the replies of a command sent to several nodes
/// (the `response_policy` tip).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ResponsePolicy {
    /// Succeeds when one node succeeds; its reply is the result.
    OneSucceeded,
    /// Succeeds when all succeed; the replies are equal.
    AllSucceeded,
    /// Logical AND of the integer replies.
    AggLogicalAnd,
    /// Logical OR of the integer replies.
    AggLogicalOr,
    /// Smallest integer reply.
    AggMin,
    /// Largest integer reply.
    AggMax,
    /// Sum of the integer replies.
    AggSum,
    /// Needs command-specific handling.
    Special,
}

/// One command (or subcommand) as a server describes it in its `COMMAND` reply.
///
/// Every value comes from the generated table; see the [module docs](super). The table
/// holds each command once, described as the newest of its [`servers`](Self::servers)
/// (the last in [`Servers`] order) does; where an older one describes it otherwise (another
/// arity, other flags or tips), [`lookup_on`] gives that server's description.
///
/// ```
/// use ferrodis_core::cmd::{lookup, lookup_command, CommandFlags};
///
/// let mset = lookup(b"mset").unwrap();
/// assert_eq!((mset.arity, mset.first_key, mset.last_key, mset.step), (-3, 1, -1, 2));
/// assert!(mset.flags.contains(CommandFlags::WRITE));
///
/// let get = lookup_command(&["CONFIG", "GET", "maxmemory"]).unwrap();
/// assert_eq!(get.name, "config|get");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CommandInfo {
    /// Lower case; a subcommand is `container|sub` (`config|get`).
    pub name: &'static str,
    /// The number of arguments, command name (and subcommand name) included; when
    /// negative, the minimum number.
    pub arity: i16,
    /// The command flags.
    pub flags: CommandFlags,
    /// The legacy position of the first key (0: none).
    pub first_key: i16,
    /// The legacy position of the last key; negative counts from the end (-1: the last
    /// argument).
    pub last_key: i16,
    /// The legacy distance between keys.
    pub step: i16,
    /// The ACL categories.
    pub acl_categories: AclCategories,
    /// The server's hints for clients, such as `request_policy:all_shards` or
    /// `nondeterministic_output`.
    pub tips: &'static [&'static str],
    /// Where the keys are (empty for keyless commands).
    pub key_specs: &'static [KeySpec],
    /// The subcommands, sorted by name (the union over [`servers`](Self::servers); each
    /// says which servers have it). Empty in a description from [`lookup_on`] that differs
    /// from the main table's: the subcommands are in the main entry.
    pub subcommands: &'static [CommandInfo],
    /// The servers whose `COMMAND` reply lists it.
    pub servers: Servers,
}

/// Logs the name only: the whole entry is in the table, and `derive` cannot recurse into
/// the subcommands.
#[cfg(feature = "defmt")]
impl defmt::Format for CommandInfo {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "CommandInfo({=str})", self.name)
    }
}

impl CommandInfo {
    /// The subcommand named `name` (ASCII case-insensitive, without the container's name:
    /// `b"get"` for `config|get`).
    pub fn subcommand(&self, name: &[u8]) -> Option<&'static CommandInfo> {
        let subcommands = self.subcommands;
        let at = subcommands.binary_search_by(|sub| compare_name(sub.short_name(), name)).ok()?;
        subcommands.get(at)
    }

    /// The name without its container: `get` for `config|get`, `get` for `get`.
    pub fn short_name(&self) -> &'static str {
        match self.name.split_once('|') {
            Some((_, sub)) => sub,
            None => self.name,
        }
    }

    /// Whether `argc` arguments (command and subcommand names included) satisfy the arity.
    pub const fn accepts_arg_count(&self, argc: usize) -> bool {
        let arity = self.arity as isize;
        if arity >= 0 { argc as isize == arity } else { argc >= arity.unsigned_abs() }
    }

    /// Whether the command only reads data (may be sent to a replica).
    pub const fn is_readonly(&self) -> bool {
        self.flags.contains(CommandFlags::READONLY)
    }

    /// Whether the command may modify data.
    pub const fn is_write(&self) -> bool {
        self.flags.contains(CommandFlags::WRITE)
    }

    /// Whether the command may block the connection. The flag marks every command that
    /// *can* block: `XREAD` has it even without `BLOCK`.
    pub const fn is_blocking(&self) -> bool {
        self.flags.contains(CommandFlags::BLOCKING)
    }

    /// Whether it is a pub/sub command.
    pub const fn is_pubsub(&self) -> bool {
        self.flags.contains(CommandFlags::PUBSUB)
    }

    /// The `request_policy` tip, if any.
    pub fn request_policy(&self) -> Option<RequestPolicy> {
        Some(match self.tip("request_policy:")? {
            "all_nodes" => RequestPolicy::AllNodes,
            "all_shards" => RequestPolicy::AllShards,
            "multi_shard" => RequestPolicy::MultiShard,
            "special" => RequestPolicy::Special,
            _ => return None,
        })
    }

    /// The `response_policy` tip, if any.
    pub fn response_policy(&self) -> Option<ResponsePolicy> {
        Some(match self.tip("response_policy:")? {
            "one_succeeded" => ResponsePolicy::OneSucceeded,
            "all_succeeded" => ResponsePolicy::AllSucceeded,
            "agg_logical_and" => ResponsePolicy::AggLogicalAnd,
            "agg_logical_or" => ResponsePolicy::AggLogicalOr,
            "agg_min" => ResponsePolicy::AggMin,
            "agg_max" => ResponsePolicy::AggMax,
            "agg_sum" => ResponsePolicy::AggSum,
            "special" => ResponsePolicy::Special,
            _ => return None,
        })
    }

    /// Whether the reply may differ between runs on the same data (`nondeterministic_output`
    /// or `nondeterministic_output_order` tips).
    pub fn is_nondeterministic(&self) -> bool {
        self.tips.iter().any(|tip| tip.starts_with("nondeterministic_output"))
    }

    /// The rest of the first tip that starts with `prefix`.
    fn tip(&self, prefix: &str) -> Option<&'static str> {
        self.tips.iter().find_map(|tip| tip.strip_prefix(prefix))
    }

    /// The indices in `args` (`args[0]` is the command name) of the keys of this command;
    /// see [`KeyIndices`].
    pub fn key_indices<'a, A: AsRef<[u8]>>(&'a self, args: &'a [A]) -> KeyIndices<'a, A> {
        KeyIndices::new(self, args)
    }
}

/// Orders a table name against a name to look up, ignoring the latter's ASCII case.
/// Table names are lower case, so this agrees with the table's byte order.
fn compare_name(table: &str, wanted: &[u8]) -> Ordering {
    table.bytes().cmp(wanted.iter().map(u8::to_ascii_lowercase))
}

/// The command named `name` (ASCII case-insensitive), or the subcommand for a
/// `container|sub` name such as `b"CONFIG|GET"`. A binary search; nothing is allocated.
///
/// ```
/// use ferrodis_core::cmd::lookup;
///
/// assert_eq!(lookup(b"Get").unwrap().name, "get");
/// assert_eq!(lookup(b"client|setname").unwrap().arity, 3);
/// assert!(lookup(b"no-such-command").is_none());
/// ```
pub fn lookup(name: &[u8]) -> Option<&'static CommandInfo> {
    match name.iter().position(|&b| b == b'|') {
        Some(bar) => lookup_top(&name[..bar])?.subcommand(&name[bar + 1..]),
        None => lookup_top(name),
    }
}

/// The command that `args` (command name first) runs: the subcommand named by `args[1]`
/// when the command has subcommands and one has that name, else the command itself.
///
/// ```
/// use ferrodis_core::cmd::lookup_command;
///
/// assert_eq!(lookup_command(&["object", "ENCODING", "k"]).unwrap().name, "object|encoding");
/// assert_eq!(lookup_command(&[b"GET".as_slice(), b"k"]).unwrap().name, "get");
/// assert!(lookup_command::<&str>(&[]).is_none());
/// ```
pub fn lookup_command<A: AsRef<[u8]>>(args: &[A]) -> Option<&'static CommandInfo> {
    let info = lookup_top(args.first()?.as_ref())?;
    match args.get(1) {
        Some(sub) if !info.subcommands.is_empty() => Some(info.subcommand(sub.as_ref()).unwrap_or(info)),
        _ => Some(info),
    }
}

/// The command named `name` (as for [`lookup`]) as `server` describes it: `None` when that
/// server does not have it. Cluster routing and replica reads use [`lookup`]; this is for
/// what differs between servers (`ZRANK`'s arity grew with `WITHSCORE` after Redis 7.0,
/// for example).
///
/// ```
/// use ferrodis_core::cmd::{lookup_on, Servers};
///
/// assert_eq!(lookup_on(b"zrank", Servers::REDIS).unwrap().arity, 3);
/// assert_eq!(lookup_on(b"zrank", Servers::VALKEY).unwrap().arity, -3);
/// assert!(lookup_on(b"hexpire", Servers::REDIS).is_none());
/// ```
pub fn lookup_on(name: &[u8], server: Servers) -> Option<&'static CommandInfo> {
    let main = lookup(name).filter(|info| info.servers.contains(server))?;
    let at = VARIANTS.partition_point(|variant| compare_name(variant.name, name) == Ordering::Less);
    let variant = VARIANTS[at..]
        .iter()
        .take_while(|variant| compare_name(variant.name, name) == Ordering::Equal)
        .find(|variant| variant.servers.contains(server));
    Some(variant.unwrap_or(main))
}

/// A top-level command, without the `container|sub` form.
pub(crate) fn lookup_top(name: &[u8]) -> Option<&'static CommandInfo> {
    let at = COMMANDS.binary_search_by(|info| compare_name(info.name, name)).ok()?;
    COMMANDS.get(at)
}

/// The keys of `args` (command name first) for the command `info`; see [`KeyIndices`].
///
/// ```
/// use ferrodis_core::cmd::{key_indices, lookup_command};
///
/// let args = ["XREAD", "COUNT", "2", "STREAMS", "s1", "s2", "0", "0"];
/// let xread = lookup_command(&args).unwrap();
/// assert!(key_indices(xread, &args).eq([4, 5]));
/// ```
pub fn key_indices<'a, A: AsRef<[u8]>>(info: &'a CommandInfo, args: &'a [A]) -> KeyIndices<'a, A> {
    KeyIndices::new(info, args)
}

/// Whether the command in `args` only reads data, so a replica may serve it. Unknown
/// commands are not.
///
/// ```
/// use ferrodis_core::cmd::is_readonly;
///
/// assert!(is_readonly(&["GET", "k"]));
/// assert!(is_readonly(&["OBJECT", "ENCODING", "k"]));
/// assert!(!is_readonly(&["SET", "k", "v"]));
/// ```
pub fn is_readonly<A: AsRef<[u8]>>(args: &[A]) -> bool {
    lookup_command(args).is_some_and(CommandInfo::is_readonly)
}

/// Whether the command in `args` may block the connection (see
/// [`CommandInfo::is_blocking`]). Unknown commands do not.
pub fn is_blocking<A: AsRef<[u8]>>(args: &[A]) -> bool {
    lookup_command(args).is_some_and(CommandInfo::is_blocking)
}
