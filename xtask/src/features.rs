//! The library crates' promises about features and toolchains, checked by
//! `cargo xtask test` (the `features` step group):
//!
//! | step            | what it runs                                                         |
//! |-----------------|----------------------------------------------------------------------|
//! | `features`      | `cargo hack check --each-feature --no-dev-deps` on the std adapter and the core: no features, each feature alone, the defaults, all |
//! | `features ferrodis` | the same for the facade, one `cargo check -p ferrodis` at a time |
//! | `clippy blocking-only` | clippy `-D warnings` on `ferrodis-std --no-default-features`, all targets (no Tokio, no TLS) |
//! | `test blocking-only` | the unit tests of `ferrodis-std --no-default-features` |
//! | `docs`          | `cargo doc --no-deps` of the publishable crates with rustdoc warnings denied |
//! | `msrv <version>`| `cargo +<version> check` of the crates whose `rust-version` is that version |
//!
//! The `rust-version`s come from the manifests themselves, so raising one raises what is
//! checked. Setup installs `cargo-hack` and each of those toolchains ([`toolchains`]).

use crate::cmd::{Cmd, root};
use crate::steps::Steps;

/// The crates whose every feature must build alone, through cargo-hack: the std adapter and
/// the core. The facade's are checked one by one ([`facade_features`]): its manifest is
/// also the workspace's, and cargo-hack's `--manifest-path Cargo.toml` would select every
/// default member, the embassy adapter's exclusive `defmt` and `log` included. (Those two
/// are built by the `nostd` steps.)
const EACH_FEATURE: [&str; 2] = ["ferrodis-std", "ferrodis-core"];

/// The crates that are published, with docs on docs.rs.
const PUBLISHED: [&str; 4] = ["ferrodis", "ferrodis-std", "ferrodis-core", "ferrodis-embassy"];

/// Where each published crate's `rust-version` is written, the crates that take it, and
/// their features for the check: the workspace's (inherited by the facade, the std
/// adapter and the core), all features; the embassy adapter's own, with `defmt` (it
/// refuses `defmt` and `log` together).
const RUST_VERSIONS: [(&str, &[&str], &[&str]); 2] = [
    ("Cargo.toml", &["ferrodis", "ferrodis-std", "ferrodis-core"], &["--all-features"]),
    ("embassy-adapter/Cargo.toml", &["ferrodis-embassy"], &["--features", "ferrodis-embassy/defmt"]),
];

/// One minimum supported Rust version and the crates that promise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Msrv {
    /// The toolchain, as `rust-version` says it (`1.88`).
    pub(crate) version: String,
    /// The packages to check with it.
    pub(crate) packages: &'static [&'static str],
    /// Their features, as `cargo check` options.
    pub(crate) features: &'static [&'static str],
}

/// The `rust-version`s the published crates promise, read from their manifests.
pub(crate) fn toolchains() -> Result<Vec<Msrv>, String> {
    RUST_VERSIONS
        .iter()
        .map(|&(manifest, packages, features)| {
            let text = std::fs::read_to_string(root().join(manifest))
                .map_err(|e| format!("cannot read {manifest}: {e}"))?;
            let version = rust_version(&text).ok_or(format!("{manifest} states no rust-version"))?;
            Ok(Msrv { version, packages, features })
        })
        .collect()
}

/// The first `rust-version = "..."` value in a manifest.
fn rust_version(manifest: &str) -> Option<String> {
    manifest.lines().find_map(|line| {
        let value = line.trim().strip_prefix("rust-version")?.trim_start().strip_prefix('=')?;
        let value = value.trim().strip_prefix('"')?;
        Some(value[..value.find('"')?].to_owned())
    })
}

/// Runs the group's steps into `steps`.
pub(crate) fn run(steps: &mut Steps) {
    steps.run("features", each_feature);
    steps.run("features ferrodis", facade_features);
    steps.run("clippy blocking-only", || {
        Cmd::cargo()
            .args(["clippy", "-p", "ferrodis-std", "--no-default-features", "--all-targets"])
            .args(["--", "-D", "warnings"])
            .run()
            .map(|()| "no tokio, no tls".to_owned())
    });
    steps.run("test blocking-only", || {
        Cmd::cargo()
            .args(["test", "-p", "ferrodis-std", "--no-default-features", "--lib"])
            .run()
            .map(|()| "unit tests without tokio and tls".to_owned())
    });
    steps.run("docs", docs);
    match toolchains() {
        Ok(msrvs) => {
            for msrv in msrvs {
                steps.run(&format!("msrv {}", msrv.version), || check_with(&msrv));
            }
        }
        Err(problem) => steps.run("msrv", || Err(problem)),
    }
}

/// `-p` and the name of each of `packages`.
fn selecting<'a>(packages: &'a [&'a str]) -> impl Iterator<Item = &'a str> {
    packages.iter().flat_map(|package| ["-p", package])
}

/// Every feature of [`EACH_FEATURE`] alone, no features, and the defaults, each checked
/// (not built) without dev-dependencies, so the library alone must compile.
fn each_feature() -> Result<String, String> {
    Cmd::cargo()
        .args(["hack", "check", "--each-feature", "--no-dev-deps"])
        .args(selecting(&EACH_FEATURE))
        .run()
        .map(|()| format!("each feature alone: {}", EACH_FEATURE.join(", ")))
}

/// The facade with no features, then with each of its features alone (`default` among
/// them), then with all: what `cargo hack check --each-feature -p ferrodis` would run.
fn facade_features() -> Result<String, String> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml"))
        .map_err(|e| format!("cannot read Cargo.toml: {e}"))?;
    let features = feature_names(&manifest);
    if features.is_empty() {
        return Err("Cargo.toml lists no features for ferrodis".to_owned());
    }
    let check = Cmd::cargo().args(["check", "-p", "ferrodis"]);
    check.clone().arg("--no-default-features").run()?;
    for feature in &features {
        check.clone().args(["--no-default-features", "--features", feature]).run()?;
    }
    check.arg("--all-features").run()?;
    Ok(format!("none, each alone ({}), all", features.join(", ")))
}

/// The names in the `[features]` table of a manifest, in order.
fn feature_names(manifest: &str) -> Vec<String> {
    let table = manifest.lines().skip_while(|line| line.trim() != "[features]").skip(1);
    table
        .take_while(|line| !line.trim_start().starts_with('['))
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| Some(line.split_once('=')?.0.trim().to_owned()))
        .filter(|name| !name.is_empty())
        .collect()
}

/// The published crates' docs, as `cargo doc` makes them, with every rustdoc warning (a
/// broken link, a bad code block) an error; `tracing` on, so its items are documented too.
fn docs() -> Result<String, String> {
    let mut flags = std::env::var("RUSTDOCFLAGS").unwrap_or_default();
    flags.push_str(" -D warnings");
    Cmd::cargo()
        .args(["doc", "--no-deps", "--features", "ferrodis/tracing"])
        .args(selecting(&PUBLISHED))
        .env("RUSTDOCFLAGS", flags.trim())
        .run()
        .map(|()| "rustdoc -D warnings".to_owned())
}

/// `cargo +<version> check` of the crates that promise `msrv`, with their features.
fn check_with(msrv: &Msrv) -> Result<String, String> {
    let cmd = Cmd::cargo().arg(format!("+{}", msrv.version)).arg("check").args(selecting(msrv.packages));
    cmd.args(msrv.features.iter().copied()).run().map(|()| msrv.packages.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_rust_version_of_a_manifest() {
        let manifest = "[package]\nname = \"x\"\nrust-version = \"1.91\" # smoltcp\n";
        assert_eq!(rust_version(manifest).as_deref(), Some("1.91"));
        assert_eq!(rust_version("[workspace.package]\nrust-version=\"1.88\"\n").as_deref(), Some("1.88"));
        assert_eq!(rust_version("[package]\nname = \"x\"\n"), None);
        assert_eq!(rust_version("rust-version.workspace = true\n"), None);
    }

    #[test]
    fn reads_the_feature_names_of_a_manifest() {
        let manifest = "[package]\nname = \"x\"\n\n[features]\n#! intro\n## doc\ndefault = [\"a\"]\n## A.\na = [\"dep:b\"]\n\n[dependencies]\nb = \"1\"\n";
        assert_eq!(feature_names(manifest), ["default", "a"]);
        assert!(feature_names("[package]\nname = \"x\"\n").is_empty());
        let facade = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
        assert!(feature_names(&facade).iter().any(|f| f == "tracing"));
    }

    #[test]
    fn the_published_crates_state_their_rust_version() {
        let msrvs = toolchains().unwrap();
        assert_eq!(msrvs.len(), RUST_VERSIONS.len());
        let checked: Vec<&str> = msrvs.iter().flat_map(|m| m.packages.iter().copied()).collect();
        assert!(PUBLISHED.iter().all(|p| checked.contains(p)), "{checked:?}");
    }
}
