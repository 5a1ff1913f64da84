//! Running `redis-cli`, to check a server independently of the client under test.

use std::process::{Command, Stdio};

use crate::binary;

/// A `redis-cli` command with no arguments yet.
pub(crate) fn command() -> Command {
    let mut command = Command::new(binary::redis_cli());
    command.stdin(Stdio::null());
    command
}

/// Runs `command` with `args` appended and returns its stdout, trimmed.
///
/// `redis-cli` exits with success on error replies and prints them (`ERR ...`) to stdout.
///
/// # Panics
///
/// When `redis-cli` fails (it could not connect, for example), with its stderr.
pub(crate) fn run(command: Command, args: &[&str]) -> String {
    try_run(command, args).unwrap_or_else(|failure| panic!("{failure}"))
}

/// Runs `command` with `args` appended and returns its stdout, trimmed, or why it failed.
pub(crate) fn try_run(mut command: Command, args: &[&str]) -> Result<String, String> {
    command.args(args);
    let output = command.output().map_err(|err| format!("cannot run {command:?}: {err}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "{command:?} failed ({})\n--- stderr ---\n{stderr}\n--- stdout ---\n{stdout}",
            output.status
        ));
    }
    Ok(stdout.trim().to_owned())
}
