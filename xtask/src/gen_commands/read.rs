//! Asking a running server for its version and its `COMMAND` reply, over ferrodis-core's
//! own blocking connection.

use std::net::TcpStream;
use std::time::Duration;

use embedded_io_adapters::std::FromStd;
use ferrodis_core::conn::blocking::Connection;
use ferrodis_core::resp::Arg;
use ferrodis_test_support::RedisServer;

use super::parse::{Cmd, items, parse_command, server_version};

/// Room for the whole `COMMAND` reply (about 200 KiB from Valkey 9.1), with a wide margin.
const READ_BUFFER: usize = 4 << 20;

/// What `server` says: its version (`INFO server`) and every command (`COMMAND`).
pub(super) fn command_reply(server: &RedisServer) -> Result<(String, Vec<Cmd>), String> {
    let kind = server.kind();
    let tcp = TcpStream::connect(server.addr()).map_err(|e| format!("connecting to {kind}: {e}"))?;
    tcp.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    let (mut read_buf, mut write_buf) = (vec![0; READ_BUFFER], vec![0; 1024]);
    let mut conn = Connection::new(FromStd::new(tcp), read_buf.as_mut_slice(), write_buf.as_mut_slice());
    let failed = |what: &str, e: ferrodis_core::Error<std::io::Error>| format!("{what} on {kind}: {e}");

    let info = conn.request(&[Arg::from("INFO"), Arg::from("server")]).map_err(|e| failed("INFO", e))?;
    let version = server_version(&info)?;
    let reply = conn.request(&[Arg::from("COMMAND")]).map_err(|e| failed("COMMAND", e))?;
    let commands = items(&reply)?.iter().map(parse_command).collect::<Result<_, _>>()?;
    Ok((version, commands))
}
