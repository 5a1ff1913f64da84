//! The integration tests' second pass: every test target that starts a server, again with
//! `FERRODIS_TEST_SERVER=valkey`, so each runs against valkey-server 9.1 as well as Debian's
//! redis-server 7.0.15 (the first pass, `cargo test --workspace`).
//!
//! The targets are the files in the `tests/` folders of the facade, of ferrodis-core and of
//! ferrodis-test-support that name one of the starters ([`STARTERS`]); tests that need no
//! server (fake servers, in-memory harnesses) are not run twice. Left out: ferrodis-std's
//! TLS tests (the valkey build has no TLS, so they would run redis-server again) and the
//! embassy TAP test (its server runs in a network namespace, redis-server only).
//!
//! The pass selects the targets with `--workspace --test NAME`, so cargo resolves the same
//! features as in the first pass and reuses its test binaries instead of building others.

use std::fs;

use ferrodis_test_support::{SERVER_ENV, ServerKind};

use crate::checks::cargo_test;
use crate::cmd::{Cmd, root};
use crate::steps::TestCounts;

/// The folders whose test targets the pass may run, from the repository root.
const TEST_DIRS: [&str; 3] = ["tests", "core/tests", "tests/support/tests"];

/// The names of ferrodis-test-support's server starters: a test file that names one starts
/// a server.
const STARTERS: [&str; 3] = ["RedisServer", "RedisCluster", "SentinelGroup"];

/// The test targets in [`TEST_DIRS`] that start a server, sorted.
fn server_tests() -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    for dir in TEST_DIRS {
        let entries = fs::read_dir(root().join(dir)).map_err(|e| format!("cannot read {dir}: {e}"))?;
        for path in entries.flatten().map(|entry| entry.path()) {
            let Some(name) = path.file_name().and_then(|n| n.to_str()?.strip_suffix(".rs")) else { continue };
            let text =
                fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if STARTERS.iter().any(|starter| text.contains(starter)) {
                names.push(name.to_owned());
            }
        }
    }
    names.sort();
    Ok(names)
}

/// The `cargo test` line of the pass over `tests`.
fn command(tests: &[String]) -> Cmd {
    let targets = tests.iter().flat_map(|name| ["--test".to_owned(), name.clone()]);
    Cmd::cargo()
        .args(["test", "--workspace", "--no-fail-fast"])
        .args(crate::checks::TEST_FEATURES)
        .args(targets)
        .env(SERVER_ENV, ServerKind::Valkey.name())
}

/// Runs the pass, counting its results into `counts`.
pub(crate) fn run(counts: &mut TestCounts) -> Result<String, String> {
    let tests = server_tests()?;
    if tests.is_empty() {
        return Err(format!("no test in {} names a server starter", TEST_DIRS.join(", ")));
    }
    cargo_test(&command(&tests), counts).map(|tally| format!("{} targets on valkey: {tally}", tests.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_the_server_tests_against_valkey() {
        let line = command(&["commands".to_owned(), "cluster".to_owned()]).to_string();
        assert_eq!(
            line,
            "FERRODIS_TEST_SERVER=valkey cargo test --workspace --no-fail-fast --features ferrodis/tracing --test commands --test cluster"
        );
    }

    #[test]
    fn finds_the_tests_that_start_servers_and_only_those() {
        let tests = server_tests().unwrap();
        for starts_one in ["commands", "typed_commands", "cluster", "sentinel", "standalone"] {
            assert!(tests.iter().any(|t| t == starts_one), "{starts_one} is missing from {tests:?}");
        }
        for needs_none in ["malformed_replies", "split_reply_timeout", "tls", "tap_network"] {
            assert!(!tests.iter().any(|t| t == needs_none), "{needs_none} is in {tests:?}");
        }
    }
}
