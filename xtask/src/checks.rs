//! `cargo xtask test`: every check that `.ci/run` runs, in order, each timed; a failed step
//! does not stop the later ones, and the run ends with the summary of [`Steps`].
//!
//! | step     | what it runs                                                              |
//! |----------|---------------------------------------------------------------------------|
//! | `setup`  | installs what is missing ([`setup`])                                      |
//! | `fmt`    | `cargo fmt --all --check`, and the same for the fuzz crate                |
//! | `clippy` | clippy `-D warnings` on all targets, and on the no_std crates for thumbv7em |
//! | `test`   | `cargo test --workspace --no-fail-fast --features ferrodis/tracing`, then the server tests on valkey ([`valkey_pass`]) |
//! | `nostd`  | the no_std crates for each bare-metal target, with and without `defmt`, against a sysroot without `alloc` |
//! | `firmware` | builds `examples/firmware`, checks its flash and RAM budget, runs it under QEMU |
//! | `features` | each feature alone, clippy without default features, docs with warnings denied, each `rust-version` ([`features`]) |
//! | `bench`  | quick runs of the codec, end-to-end and pool benchmarks                   |
//! | `fuzz`   | each target in `fuzz/fuzz_targets/` for `--fuzz-seconds`, with `fuzz/resp.dict` and `fuzz/seeds/<target>` |

use std::path::{Path, PathBuf};

use crate::cmd::{Cmd, root, show};
use crate::features;
use crate::firmware;
use crate::setup::{self, Needs};
use crate::steps::{Steps, TestCounts};
use crate::valkey_pass;

/// The step groups that `--skip` takes, with what each does.
pub(crate) const GROUPS: &[(&str, &str)] = &[
    ("setup", "install what is missing"),
    ("fmt", "cargo fmt --check"),
    ("clippy", "clippy -D warnings, host and thumbv7em"),
    ("test", "cargo test --workspace"),
    ("nostd", "no_std builds for the bare-metal targets"),
    ("features", "each feature alone, docs, rust-version toolchains"),
    ("bench", "quick runs of the codec, end-to-end and pool benchmarks"),
    ("firmware", "Cortex-M4F firmware: build, size budget, run under QEMU"),
    ("fuzz", "fuzz smoke run of every target"),
];

/// The bare-metal targets the no_std crates must build for.
const BARE_METAL: &[&str] = &["thumbv7em-none-eabihf", "riscv32imc-unknown-none-elf"];

/// The `-p` arguments that select the no_std crates.
const NO_STD_PACKAGES: [&str; 4] = ["-p", "ferrodis-core", "-p", "ferrodis-embassy"];

/// Options of `cargo xtask test`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    /// Step groups to leave out (names from [`GROUPS`]).
    pub(crate) skip: Vec<String>,
    /// How long to fuzz each target, in seconds.
    pub(crate) fuzz_seconds: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self { skip: Vec::new(), fuzz_seconds: 20 }
    }
}

impl Options {
    /// Whether the step group `group` runs.
    fn runs(&self, group: &str) -> bool {
        !self.skip.iter().any(|skipped| skipped == group)
    }
}

/// Runs the checks and prints the summary; returns whether every step that ran passed.
pub(crate) fn run(options: &Options) -> bool {
    let mut steps = Steps::new();
    let runs = |group: &str| options.runs(group);

    if runs("setup") {
        let toolchains: Vec<String> = match (runs("features"), features::toolchains()) {
            (true, Ok(msrvs)) => msrvs.into_iter().map(|msrv| msrv.version).collect(),
            _ => Vec::new(),
        };
        let needs = Needs {
            redis: runs("test"),
            valkey: runs("test"),
            lint_tools: runs("fmt") || runs("clippy"),
            targets: if runs("nostd") || runs("clippy") { BARE_METAL } else { &[] },
            fuzz: runs("fuzz"),
            firmware: runs("firmware"),
            cargo_hack: runs("features"),
            toolchains: &toolchains,
        };
        steps.run("setup", || setup::ensure(&needs));
    } else {
        steps.skip("setup");
    }

    if runs("fmt") {
        steps.run("fmt", fmt);
    } else {
        steps.skip("fmt");
    }

    if runs("clippy") {
        steps.run("clippy", || {
            Cmd::cargo()
                .args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])
                .run()
                .map(none)
        });
        steps.run("clippy thumbv7em", || {
            let cmd = Cmd::cargo().arg("clippy").args(NO_STD_PACKAGES).args(["--target", BARE_METAL[0]]);
            cmd.args(["--", "-D", "warnings"]).run().map(none)
        });
    } else {
        steps.skip("clippy");
    }

    if runs("test") {
        let mut counts = TestCounts::default();
        // `tracing` on: tests/tracing_redacts_secrets.rs needs it.
        let workspace = Cmd::cargo().args(["test", "--workspace", "--no-fail-fast"]).args(TEST_FEATURES);
        steps.run("test", || cargo_test(&workspace, &mut counts));
        steps.add_tests(counts);
        let mut counts = TestCounts::default();
        steps.run("test valkey", || valkey_pass::run(&mut counts));
        steps.add_tests(counts);
    } else {
        steps.skip("test");
    }

    if runs("nostd") {
        for target in BARE_METAL {
            steps.run(&format!("nostd {}", short(target)), || no_std(target));
        }
    } else {
        steps.skip("nostd");
    }

    if runs("features") {
        features::run(&mut steps);
    } else {
        steps.skip("features");
    }

    if runs("firmware") {
        let mut elf = None;
        steps.run("firmware build", || {
            elf = Some(firmware::build()?);
            Ok(String::new())
        });
        match elf {
            Some(elf) => {
                steps.run("firmware size", || firmware::size(&elf));
                steps.run("firmware qemu", || firmware::run_in_qemu(&elf));
            }
            None => steps.skip("firmware size"),
        }
    } else {
        steps.skip("firmware");
    }

    if runs("bench") {
        for kind in ["codec", "e2e", "pool", "cluster"] {
            steps.run(&format!("bench {kind}"), || {
                Cmd::cargo()
                    .args(["run", "--release", "-p", "ferrodis-bench", "--", kind, "--quick"])
                    .run()
                    .map(|()| "quick run".to_owned())
            });
        }
    } else {
        steps.skip("bench");
    }

    if runs("fuzz") {
        match fuzz_targets() {
            Ok(targets) => {
                let nightly = setup::has_nightly();
                for target in targets {
                    steps.run(&format!("fuzz {target}"), || fuzz(&target, options.fuzz_seconds, nightly));
                }
            }
            Err(problem) => steps.run("fuzz", || Err(problem)),
        }
    } else {
        steps.skip("fuzz");
    }

    print!("{}", steps.summary());
    steps.all_ok()
}

/// An empty note, for steps whose success says it all.
fn none(_: ()) -> String {
    String::new()
}

/// `thumbv7em` for `thumbv7em-none-eabihf`: the architecture part of a target triple.
fn short(target: &str) -> &str {
    target.split('-').next().unwrap_or(target)
}

/// `cargo fmt --check` over the workspace and over the fuzz and firmware crates (each its
/// own workspace).
fn fmt() -> Result<String, String> {
    let mut result = Cmd::cargo().args(["fmt", "--all", "--check"]).run();
    for own_workspace in ["fuzz/Cargo.toml", "examples/firmware/Cargo.toml"] {
        if root().join(own_workspace).is_file() {
            let other = Cmd::cargo().args(["fmt", "--check", "--manifest-path", own_workspace]).run();
            result = result.and(other);
        }
    }
    result.map(none)
}

/// The features of both test passes (the same, so the valkey pass reuses the binaries).
pub(crate) const TEST_FEATURES: [&str; 2] = ["--features", "ferrodis/tracing"];

/// Runs `cmd` (a `cargo test`), counting the results as they scroll by.
pub(crate) fn cargo_test(cmd: &Cmd, counts: &mut TestCounts) -> Result<String, String> {
    let mut binaries = 0;
    let result = cmd.run_watching(|line| binaries += usize::from(counts.add_line(line)));
    let tally = if binaries == 0 {
        "no test ran (a build error?)".to_owned()
    } else {
        format!("{} passed, {} failed, {} ignored", counts.passed, counts.failed, counts.ignored)
    };
    match result {
        Ok(()) => Ok(tally),
        Err(problem) => Err(format!("{tally}: {problem}")),
    }
}

/// Builds the no_std crates for `target`, without and with `defmt`.
///
/// A library build for a bare-metal target proves there is no `std`, but `alloc` would still
/// compile. So the builds get a sysroot that holds the target's `core` and
/// `compiler_builtins` and no `alloc`: an `extern crate alloc` anywhere in the dependency
/// graph then fails with "can't find crate for `alloc`". `--target` keeps these flags off
/// build scripts and proc macros, which run on the host.
fn no_std(target: &str) -> Result<String, String> {
    let sysroot = no_alloc_sysroot(target)?;
    let mut flags = inherited_rustflags();
    flags.extend(["--sysroot".to_owned(), sysroot.display().to_string()]);
    let build = Cmd::cargo()
        .args(["build", "--target", target])
        .args(NO_STD_PACKAGES)
        .env("CARGO_ENCODED_RUSTFLAGS", flags.join("\x1f"));
    build.run()?;
    build.args(["--features", "ferrodis-core/defmt,ferrodis-embassy/defmt"]).run()?;
    Ok("no alloc; with and without defmt".to_owned())
}

/// The rustflags that cargo would use from the environment, for extending them.
fn inherited_rustflags() -> Vec<String> {
    match std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        Ok(encoded) if !encoded.is_empty() => encoded.split('\x1f').map(str::to_owned).collect(),
        _ => std::env::var("RUSTFLAGS").unwrap_or_default().split_whitespace().map(str::to_owned).collect(),
    }
}

/// Makes (or refreshes) a sysroot of symbolic links to the current toolchain's libraries
/// for `target`, leaving out `liballoc`. It lives in the temp folder under a name derived
/// from the real sysroot, so repeated runs reuse it and cargo's cache stays valid.
fn no_alloc_sysroot(target: &str) -> Result<PathBuf, String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let real = Cmd::new(&rustc)
        .args(["--print", "sysroot"])
        .probe()
        .map(|out| PathBuf::from(out.trim()))
        .ok_or("`rustc --print sysroot` failed")?;
    let real_lib = real.join("lib/rustlib").join(target).join("lib");
    let name: String = real
        .display()
        .to_string()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' })
        .collect();
    let ours = std::env::temp_dir().join("ferrodis-no-alloc-sysroot").join(name);
    let our_lib = ours.join("lib/rustlib").join(target).join("lib");
    let io = |what: &str, path: &Path, e: std::io::Error| format!("{what} {}: {e}", path.display());
    std::fs::create_dir_all(&our_lib).map_err(|e| io("cannot create", &our_lib, e))?;

    let wanted = |name: &str| !name.starts_with("liballoc-");
    let entries = std::fs::read_dir(&real_lib).map_err(|e| io("cannot read", &real_lib, e))?;
    let mut names = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        if wanted(&name.to_string_lossy()) {
            names.push(name);
        }
    }
    // Drop links to what the toolchain no longer has (an update renames its libraries).
    for entry in std::fs::read_dir(&our_lib).map_err(|e| io("cannot read", &our_lib, e))?.flatten() {
        if !names.contains(&entry.file_name()) {
            std::fs::remove_file(entry.path()).map_err(|e| io("cannot remove", &entry.path(), e))?;
        }
    }
    for name in names {
        let link = our_lib.join(&name);
        if link.symlink_metadata().is_err() {
            std::os::unix::fs::symlink(real_lib.join(&name), &link)
                .map_err(|e| io("cannot link", &link, e))?;
        }
    }
    Ok(ours)
}

/// The fuzz targets: the `*.rs` files in `fuzz/fuzz_targets/`, sorted.
fn fuzz_targets() -> Result<Vec<String>, String> {
    let dir = root().join("fuzz/fuzz_targets");
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", show(&dir).display()))?;
    let mut targets: Vec<String> = entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.strip_suffix(".rs").map(str::to_owned))
        .collect();
    targets.sort();
    if targets.is_empty() {
        return Err(format!("no fuzz targets in {}", show(&dir).display()));
    }
    Ok(targets)
}

/// Fuzzes one target for `seconds`, starting from its seeds and with the RESP dictionary.
///
/// New inputs go to `fuzz/corpus/<target>` (cargo-fuzz's own corpus folder), never into the
/// checked-in seeds. Without a nightly toolchain, the current one runs with
/// `RUSTC_BOOTSTRAP=1`, which lets it take the sanitizer flags.
fn fuzz(target: &str, seconds: u64, nightly: bool) -> Result<String, String> {
    let dict = Path::new("fuzz/resp.dict");
    if !root().join(dict).is_file() {
        return Err(format!("{} is missing", dict.display()));
    }
    let corpus = PathBuf::from("fuzz/corpus").join(target);
    std::fs::create_dir_all(root().join(&corpus))
        .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
    let seeds = PathBuf::from("fuzz/seeds").join(target);
    let seed_count = std::fs::read_dir(root().join(&seeds)).map_or(0, |dir| dir.flatten().count());

    let cmd = if nightly { Cmd::cargo().arg("+nightly") } else { Cmd::cargo().env("RUSTC_BOOTSTRAP", "1") };
    let mut cmd = cmd.args(["fuzz", "run", target, "--fuzz-dir", "fuzz"]).arg(corpus.display().to_string());
    if seed_count > 0 {
        cmd = cmd.arg(seeds.display().to_string());
    }
    let cmd = cmd.args([
        "--".to_owned(),
        format!("-max_total_time={seconds}"),
        format!("-dict={}", dict.display()),
        // decode_fragments costs the square of the input size; replies this long cover
        // every construct.
        "-max_len=1024".to_owned(),
    ]);
    cmd.run()?;
    Ok(format!("{seconds} s from {seed_count} seeds"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_is_known_to_skip() {
        let options = Options { skip: vec!["fuzz".into()], ..Options::default() };
        assert!(!options.runs("fuzz"));
        assert!(options.runs("test"));
        assert!(GROUPS.iter().any(|(group, _)| *group == "nostd"));
        assert_eq!(short("riscv32imc-unknown-none-elf"), "riscv32imc");
    }
}
