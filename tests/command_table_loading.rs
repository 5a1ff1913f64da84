//! A connection loads what the server says of its commands: the ones core's static table
//! lacks, at connect time when asked, and any command's description on demand, parsed the
//! way the static table has it.

use ferrodis::core::cmd::{Servers, lookup, lookup_on};
use ferrodis::{ClientBuilder, CommandTable, Commands, KnownCommand};
use ferrodis_test_support::{RedisServer, ServerKind};

#[test]
fn what_the_static_table_lacks_is_loaded_at_connect_time() {
    let server = RedisServer::start();
    let client =
        ClientBuilder::new().host(server.host()).port(server.port()).load_command_table(true).build();
    let mut conn = client.get_connection().unwrap();
    let table = conn.command_table().expect("loaded at connect time").clone();

    // Exactly the server's commands that the static table does not know, each described.
    let names: Vec<String> = conn.query(&ferrodis::cmd("COMMAND").with_arg("LIST")).unwrap();
    let mut unknown: Vec<&str> =
        names.iter().map(String::as_str).filter(|n| lookup(n.as_bytes()).is_none()).collect();
    let mut loaded: Vec<&str> = table.loaded().map(|c| c.name.as_str()).collect();
    unknown.sort_unstable();
    loaded.sort_unstable();
    assert_eq!(loaded, unknown);
    assert!(names.len() > 200, "{}", names.len());

    // Lookups go to the static table first.
    assert!(matches!(table.lookup("GET"), Some(KnownCommand::Static(info)) if info.name == "get"));
    assert!(table.lookup("get").is_some_and(|get| get.is_readonly() && !get.is_write()));
    assert!(table.lookup("no-such-command").is_none());

    // The same from a multiplexed connection.
    let from_async = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async {
            CommandTable::load_async(&client.get_multiplexed_connection().await.unwrap()).await
        })
        .unwrap();
    assert_eq!(from_async, table);

    // Without the setting nothing is loaded.
    let plain =
        ClientBuilder::new().host(server.host()).port(server.port()).build().get_connection().unwrap();
    assert!(plain.command_table().is_none());
}

#[test]
fn a_described_command_matches_the_static_table() {
    let server = RedisServer::start();
    let mut conn =
        ClientBuilder::new().host(server.host()).port(server.port()).build().get_connection().unwrap();
    let names = ["get", "set", "blpop", "mset", "nosuchcommand"].map(String::from);
    let described = CommandTable::describe(&mut conn, &names).unwrap();
    let got: Vec<&str> = described.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(got, ["get", "set", "blpop", "mset"], "an unknown name is left out");
    // Compared with the table's description for this server (redis 7.0 differs in places).
    let servers = match server.kind() {
        ServerKind::Redis => Servers::REDIS,
        ServerKind::Valkey => Servers::VALKEY,
    };
    for command in &described {
        let info = lookup_on(command.name.as_bytes(), servers).unwrap();
        assert_eq!(command.arity, i64::from(info.arity), "{}", command.name);
        assert_eq!(command.flags, info.flags, "{}", command.name);
        assert!(command.other_flags.is_empty(), "{}: {:?}", command.name, command.other_flags);
        let keys = (i64::from(info.first_key), i64::from(info.last_key), i64::from(info.step));
        assert_eq!((command.first_key, command.last_key, command.step), keys, "{}", command.name);
        assert_eq!(command.tips, info.tips, "{}", command.name);
    }
    assert!(described[2].is_blocking() && described[1].is_write() && described[0].is_readonly());
    // The connection is in step afterwards.
    let () = conn.set("k", 1).unwrap();
    assert_eq!(conn.get::<_, i64>("k").unwrap(), 1);
}
