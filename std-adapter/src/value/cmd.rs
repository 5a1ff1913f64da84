//! [`Cmd`]: core's command builder with heap storage, and [`cmd`], which starts one.

use ferrodis_core::cmd::HeapArgs;

/// One command: its name and arguments, kept back to back in one buffer (a short command
/// in place, without allocating). This is core's one command builder,
/// [`ferrodis_core::cmd::Cmd`], with [`HeapArgs`] as its storage: the same type typed
/// replies, encoders and every connection kind take.
///
/// Build it like redis-rs's `Cmd`: [`cmd`] (or `Cmd::new`) with the name, then `arg` for
/// each [`ToArgs`](super::ToArgs) value (which may add several arguments, or none for
/// `None`), or `with_arg` by value. Run it with
/// [`Commands::query`](crate::Commands::query), or `cmd.query(&mut conn)` with
/// [`CmdQuery`](crate::CmdQuery) in scope.
///
/// `Debug` shows the command name and the number of arguments, never their contents,
/// which may be passwords (`AUTH`) or large payloads.
///
/// ```
/// use ferrodis_std::core::resp::encode_args;
/// use ferrodis_std::value::cmd;
///
/// let mut set = cmd("SET");
/// set.arg("counter").arg(41).arg(Some("KEEPTTL"));
/// assert_eq!(set.args_len(), 4);
///
/// let mut wire = [0u8; 64];
/// let n = encode_args(&mut wire, &set).unwrap();
/// assert_eq!(&wire[..n], b"*4\r\n$3\r\nSET\r\n$7\r\ncounter\r\n$2\r\n41\r\n$7\r\nKEEPTTL\r\n");
///
/// // By value, for a command kept in a variable:
/// let get = cmd("GET").with_arg("counter");
/// assert_eq!(format!("{get:?}"), r#"Cmd { name: "GET", args: 2 }"#);
/// ```
pub type Cmd = ferrodis_core::cmd::Cmd<HeapArgs>;

/// A command named `name`, as redis-rs's `redis::cmd`; the same as `Cmd::new`.
pub fn cmd(name: &str) -> Cmd {
    Cmd::new(name)
}
