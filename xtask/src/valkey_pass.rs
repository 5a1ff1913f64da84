//! The integration tests' second pass: every test target that starts a server, again with
//! `FERRODIS_TEST_SERVER=valkey`, so each runs against valkey-server 9.1 as well as Debian's
//! redis-server 7.0.15 (the first pass, `cargo test --workspace`).
//!
//! The targets are the `tests/` folders of the facade, of ferrodis-core (its typed commands
//! against a real server) and of ferrodis-test-support (the starters themselves). Left out:
//! ferrodis-std's TLS tests (the valkey build has no TLS, so they would run redis-server
//! again) and the embassy TAP test (its server runs in a network namespace, redis-server
//! only). Unit tests do not start servers; they are not run twice.

use ferrodis_test_support::{SERVER_ENV, ServerKind};

use crate::checks::cargo_test;
use crate::cmd::Cmd;
use crate::steps::TestCounts;

/// The packages whose integration tests the pass runs.
const PACKAGES: [&str; 3] = ["ferrodis", "ferrodis-core", "ferrodis-test-support"];

/// The `cargo test` line of the pass.
pub(crate) fn command() -> Cmd {
    let packages = PACKAGES.iter().flat_map(|package| ["-p", package]);
    Cmd::cargo()
        .args(["test", "--no-fail-fast"])
        .args(packages)
        .args(["--test", "*"])
        .env(SERVER_ENV, ServerKind::Valkey.name())
}

/// Runs the pass, counting its results into `counts`.
pub(crate) fn run(counts: &mut TestCounts) -> Result<String, String> {
    cargo_test(&command(), counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_the_integration_tests_against_valkey() {
        assert_eq!(
            command().to_string(),
            "FERRODIS_TEST_SERVER=valkey cargo test --no-fail-fast -p ferrodis -p ferrodis-core \
             -p ferrodis-test-support --test '*'"
        );
    }
}
