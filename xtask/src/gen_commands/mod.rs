//! `cargo xtask gen-commands`: writes `core/src/cmd/generated.rs` from real servers.
//!
//! It starts each server kind in turn (Debian's redis-server 7.0.15, then valkey-server
//! 9.1 from `.tools/valkey`) with ferrodis-test-support's launcher, reads `INFO server`
//! (for the version) and `COMMAND` over ferrodis-core's blocking connection ([`read`]),
//! and renders the union of their commands ([`merge`]) as static tables sorted by name (so
//! `ferrodis_core::cmd::lookup` can binary-search them): every command and subcommand once,
//! with the servers that have it, described as the newest of them describes it, and the
//! older servers' descriptions where they differ. The text goes through rustfmt with the
//! repository's `rustfmt.toml`, so the checked-in file is already formatted ([`render`]).
//!
//! Flag, key-spec, ACL-category and server names the core types do not know stop the
//! generator with a message saying where to add them; the table is never written
//! half-understood.
//!
//! `--check` renders the table and compares it with the checked-in file instead of writing.

mod merge;
mod parse;
mod read;
mod render;

use std::fs;

use ferrodis_core::cmd::Servers;
use ferrodis_test_support::{RedisServer, ServerKind};

use crate::cmd::root;
use crate::server;

/// Where the table goes, from the repository root.
const OUTPUT: &str = "core/src/cmd/generated.rs";

/// Runs `cargo xtask gen-commands` with the arguments after the subcommand.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut check = false;
    for arg in args {
        match arg.as_str() {
            "--check" => check = true,
            other => return Err(format!("unknown option `{other}` for `gen-commands`")),
        }
    }

    let mut versions = Vec::new();
    let mut replies = Vec::new();
    for kind in ServerKind::ALL {
        let servers = Servers::from_name(kind.name().as_bytes()).ok_or_else(|| {
            format!("Servers does not know `{}`: add it to core/src/cmd/table.rs", kind.name())
        })?;
        let server = server::start(RedisServer::builder().server(kind))?;
        let (version, commands) = read::command_reply(&server)?;
        println!("gen-commands: {kind} {version}: {} commands", commands.len());
        versions.push((servers, version));
        replies.push((servers, parse::sorted(commands, None)?));
    }
    let sources: Vec<(Servers, &[parse::Cmd])> =
        replies.iter().map(|(servers, commands)| (*servers, commands.as_slice())).collect();
    let union = merge::union(&sources);
    let source = render::rustfmt(&render::render(&versions, &union)?)?;

    let path = root().join(OUTPUT);
    let subcommands: usize = union.commands.iter().map(|c| c.subcommands.len()).sum();
    let from: Vec<String> =
        versions.iter().map(|(s, v)| format!("{} {v}", s.names().collect::<String>())).collect();
    let summary = format!(
        "{} commands, {subcommands} subcommands, {} older descriptions from {} ({} bytes)",
        union.commands.len(),
        union.variants.len(),
        from.join(" and "),
        source.len()
    );
    if check {
        let current = fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        if current != source {
            return Err(format!(
                "{OUTPUT} differs from what {} report: run `cargo xtask gen-commands`",
                from.join(" and ")
            ));
        }
        println!("gen-commands: {OUTPUT} is up to date: {summary}");
    } else {
        fs::write(&path, &source).map_err(|e| format!("writing {}: {e}", path.display()))?;
        println!("gen-commands: wrote {OUTPUT}: {summary}");
    }
    Ok(())
}
