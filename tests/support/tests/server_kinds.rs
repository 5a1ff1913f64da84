//! Both server kinds start whatever `FERRODIS_TEST_SERVER` says, and each is the server it
//! claims to be; TLS always gets a `redis-server`.

use ferrodis_test_support::{RedisServer, SentinelGroup, ServerKind};

/// The `INFO server` field `name` of `server`.
fn info_field(server: &RedisServer, name: &str) -> Option<String> {
    let info = server.redis_cli(&["INFO", "server"]);
    info.lines().find_map(|line| Some(line.strip_prefix(name)?.strip_prefix(':')?.trim().to_owned()))
}

#[test]
fn each_kind_is_the_server_it_names() {
    let redis = RedisServer::builder().server(ServerKind::Redis).start();
    assert_eq!(redis.kind(), ServerKind::Redis);
    assert_eq!(info_field(&redis, "redis_version").as_deref(), Some("7.0.15"));
    assert_eq!(info_field(&redis, "valkey_version"), None);

    let valkey = RedisServer::builder().server(ServerKind::Valkey).unix_socket(true).start();
    assert_eq!(valkey.kind(), ServerKind::Valkey);
    assert_eq!(info_field(&valkey, "server_name").as_deref(), Some("valkey"));
    assert_eq!(
        info_field(&valkey, "valkey_version").as_deref(),
        Some(ferrodis_test_support::valkey::VERSION)
    );
    assert_eq!(valkey.redis_cli_via(ferrodis_test_support::Transport::Unix, &["PING"]), "PONG");
}

#[test]
fn tls_is_served_by_redis_server_even_on_valkey() {
    let server = RedisServer::builder().server(ServerKind::Valkey).tls(true).start();
    assert_eq!(server.kind(), ServerKind::Redis);
    assert_eq!(info_field(&server, "redis_version").as_deref(), Some("7.0.15"));
}

#[test]
fn valkey_sentinels_are_valkey_servers_in_sentinel_mode() {
    let group =
        SentinelGroup::builder().server(ServerKind::Valkey).replicas(1).sentinels(1).quorum(1).start();
    assert_eq!(group.master().kind(), ServerKind::Valkey);
    let sentinel = &group.sentinels()[0];
    assert_eq!(sentinel.kind(), ServerKind::Valkey);
    let info = sentinel.redis_cli(&["INFO", "server"]);
    assert!(info.contains("server_name:valkey") && info.contains("server_mode:sentinel"), "{info}");
    assert_eq!(group.master_addr(), group.master().addr());
}
