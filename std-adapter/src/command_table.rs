//! [`CommandTable`]: core's static command table, plus what the connected server says of
//! the commands that table does not know (a module's commands, or commands newer than the
//! servers the table was generated from), loaded with `COMMAND LIST` and `COMMAND INFO`.

use std::collections::HashMap;

use ferrodis_core::cmd::{CommandFlags, CommandInfo, lookup};

use crate::connection::Connection;
use crate::error::Result;
use crate::value::{Cmd, ConversionError, ConversionErrorKind, FromValue, Value, cmd};

/// A command as the server's `COMMAND INFO` describes it (the fields core's
/// [`CommandInfo`] has that a client reads most).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadedCommand {
    /// Lower case, as the server reports it.
    pub name: String,
    /// The number of arguments, the name included; when negative, the minimum.
    pub arity: i64,
    /// The flags core knows.
    pub flags: CommandFlags,
    /// The flags core does not know by name, as the server wrote them.
    pub other_flags: Vec<String>,
    /// The legacy position of the first key (0: none).
    pub first_key: i64,
    /// The legacy position of the last key (negative: from the end).
    pub last_key: i64,
    /// The legacy distance between keys.
    pub step: i64,
    /// The server's hints for clients (`request_policy:all_shards`, ...).
    pub tips: Vec<String>,
}

impl LoadedCommand {
    /// Whether the command only reads (`readonly`).
    pub fn is_readonly(&self) -> bool {
        self.flags.contains(CommandFlags::READONLY)
    }

    /// Whether the command may write (`write`).
    pub fn is_write(&self) -> bool {
        self.flags.contains(CommandFlags::WRITE)
    }

    /// Whether the command may block the connection (`blocking`).
    pub fn is_blocking(&self) -> bool {
        self.flags.contains(CommandFlags::BLOCKING)
    }
}

/// A command found in a [`CommandTable`]: from core's static table, or loaded from the
/// server.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KnownCommand<'t> {
    /// In [`ferrodis_core::cmd::COMMANDS`].
    Static(&'static CommandInfo),
    /// Described by the server at load time.
    Loaded(&'t LoadedCommand),
}

impl KnownCommand<'_> {
    /// The command's flags.
    pub fn flags(&self) -> CommandFlags {
        match self {
            KnownCommand::Static(info) => info.flags,
            KnownCommand::Loaded(command) => command.flags,
        }
    }

    /// Whether the command only reads.
    pub fn is_readonly(&self) -> bool {
        self.flags().contains(CommandFlags::READONLY)
    }

    /// Whether the command may write.
    pub fn is_write(&self) -> bool {
        self.flags().contains(CommandFlags::WRITE)
    }
}

/// Core's static table with the commands the connected server has and that table lacks.
///
/// Load one with [`CommandTable::load`], or have every connection load its own at connect
/// time with [`ClientBuilder::load_command_table`](crate::ClientBuilder::load_command_table)
/// and read it with [`Connection::command_table`].
///
/// ```no_run
/// use ferrodis_std::{Client, CommandTable};
///
/// let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
/// let table = CommandTable::load(&mut conn)?;
/// assert!(table.lookup("get").is_some_and(|get| get.is_readonly()));
/// for command in table.loaded() {
///     println!("{} (the static table does not know it)", command.name);
/// }
/// # Ok::<(), ferrodis_std::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandTable {
    loaded: HashMap<String, LoadedCommand>,
}

/// How many names one `COMMAND INFO` asks about.
const NAMES_PER_REQUEST: usize = 64;

impl CommandTable {
    /// Asks the server for its commands (`COMMAND LIST`) and describes (`COMMAND INFO`)
    /// those core's static table does not know.
    pub fn load(conn: &mut Connection) -> Result<CommandTable> {
        let names: Vec<String> = conn.query(&list_command())?;
        Ok(CommandTable::of(Self::describe(conn, &unknown(names))?))
    }

    /// [`load`](Self::load) on a multiplexed connection.
    #[cfg(feature = "tokio")]
    pub async fn load_async(conn: &crate::MultiplexedConnection) -> Result<CommandTable> {
        let names: Vec<String> = conn.query(&list_command()).await?;
        let mut described = Vec::new();
        for chunk in unknown(names).chunks(NAMES_PER_REQUEST) {
            described.extend(descriptions(conn.query(&info_command(chunk)).await?)?);
        }
        Ok(CommandTable::of(described))
    }

    /// The server's description of each command in `names` (`COMMAND INFO`), whether the
    /// static table knows it or not; names the server does not know are left out.
    pub fn describe(conn: &mut Connection, names: &[String]) -> Result<Vec<LoadedCommand>> {
        let mut described = Vec::with_capacity(names.len());
        for chunk in names.chunks(NAMES_PER_REQUEST) {
            described.extend(descriptions(conn.query(&info_command(chunk))?)?);
        }
        Ok(described)
    }

    /// The table with `loaded` next to the static one.
    fn of(loaded: Vec<LoadedCommand>) -> CommandTable {
        CommandTable { loaded: loaded.into_iter().map(|command| (command.name.clone(), command)).collect() }
    }

    /// The command named `name` (ASCII case-insensitive): from the static table, else from
    /// what was loaded.
    pub fn lookup(&self, name: &str) -> Option<KnownCommand<'_>> {
        if let Some(info) = lookup(name.as_bytes()) {
            return Some(KnownCommand::Static(info));
        }
        self.loaded.get(&name.to_ascii_lowercase()).map(KnownCommand::Loaded)
    }

    /// The commands loaded from the server (those the static table does not know).
    pub fn loaded(&self) -> impl Iterator<Item = &LoadedCommand> {
        self.loaded.values()
    }
}

/// `COMMAND LIST`.
fn list_command() -> Cmd {
    cmd("COMMAND").with_arg("LIST")
}

/// `COMMAND INFO name [name ...]`.
fn info_command(names: &[String]) -> Cmd {
    cmd("COMMAND").with_arg(("INFO", names))
}

/// The names the static table does not know.
fn unknown(names: Vec<String>) -> Vec<String> {
    names.into_iter().filter(|name| lookup(name.as_bytes()).is_none()).collect()
}

/// The descriptions in a `COMMAND INFO` reply (nil for a name the server does not know).
fn descriptions(reply: Vec<Option<Value>>) -> std::result::Result<Vec<LoadedCommand>, ConversionError> {
    reply.into_iter().flatten().map(LoadedCommand::from_value).collect()
}

impl FromValue for LoadedCommand {
    /// One entry of a `COMMAND INFO` reply: `[name, arity, flags, first key, last key,
    /// step, ACL categories, tips, ...]` (servers before 7.0 stop after the step).
    fn from_value(value: Value) -> std::result::Result<Self, ConversionError> {
        let fields = Vec::<Value>::from_value(value)?;
        if fields.len() < 6 {
            return Err(ConversionError::new(
                ConversionErrorKind::WrongLength { expected: 10, received: fields.len() },
                "command description",
                "array",
            ));
        }
        let mut fields = fields.into_iter();
        let mut next = || fields.next().unwrap_or(Value::Nil);
        let name = String::from_value(next())?;
        let arity = i64::from_value(next())?;
        let (mut flags, mut other_flags) = (CommandFlags::EMPTY, Vec::new());
        for flag in Vec::<String>::from_value(next())? {
            match CommandFlags::from_name(flag.as_bytes()) {
                Some(known) => flags |= known,
                None => other_flags.push(flag),
            }
        }
        let (first_key, last_key, step) =
            (i64::from_value(next())?, i64::from_value(next())?, i64::from_value(next())?);
        let _acl_categories = next();
        let tips = Vec::<String>::from_value(next())?;
        Ok(LoadedCommand { name, arity, flags, other_flags, first_key, last_key, step, tips })
    }
}
