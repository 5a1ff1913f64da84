//! Finding the external programs a benchmark runs (`redis-benchmark`, `valgrind`), with a
//! failure that says how to install a missing one: a benchmark never skips a row silently.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

/// The path of the executable `name` on `PATH`, or an error that names the Debian package
/// with it: ``valgrind not found on PATH: install it with `apt-get install -y valgrind` ``.
pub(crate) fn find(name: &str, package: &str) -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| {
            candidate.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
        .ok_or_else(|| format!("{name} not found on PATH: install it with `apt-get install -y {package}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_or_how_to_install() {
        assert!(find("sh", "dash").is_ok_and(|p| p.ends_with("sh")));
        assert_eq!(
            find("no-such-program-xyz", "pkg-xyz"),
            Err("no-such-program-xyz not found on PATH: install it with `apt-get install -y pkg-xyz`".into())
        );
    }
}
