//! Finding the Redis binaries on `PATH`, with a clear failure when one is missing.

use std::env;
use std::path::PathBuf;

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

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| is_executable(candidate))
}

fn is_executable(path: &std::path::Path) -> bool {
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
