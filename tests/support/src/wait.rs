//! Polling a condition until it holds or a deadline passes.

use std::thread;
use std::time::{Duration, Instant};

/// Calls `check` every 50 ms until it returns `Ok`, for at most `timeout`.
///
/// # Panics
///
/// When `timeout` passes first, with `what` and the last reason `check` gave.
pub(crate) fn wait_until(timeout: Duration, what: &str, mut check: impl FnMut() -> Result<(), String>) {
    let deadline = Instant::now() + timeout;
    loop {
        match check() {
            Ok(()) => return,
            Err(reason) if Instant::now() >= deadline => {
                panic!("timed out after {timeout:?} waiting until {what}: {reason}")
            }
            Err(_) => thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// The value of `field` in `INFO`-style text (`field:value` lines).
pub(crate) fn info_field<'a>(info: &'a str, field: &str) -> Option<&'a str> {
    info.lines().find_map(|line| line.trim_end().strip_prefix(field)?.strip_prefix(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_info_fields() {
        let info = "# Cluster\r\ncluster_state:ok\r\ncluster_slots_assigned:16384\r\n";
        assert_eq!(info_field(info, "cluster_state"), Some("ok"));
        assert_eq!(info_field(info, "cluster_slots_assigned"), Some("16384"));
        assert_eq!(info_field(info, "cluster_slots"), None);
    }

    #[test]
    fn returns_once_the_check_passes() {
        let mut calls = 0;
        wait_until(Duration::from_secs(5), "the third call", || {
            calls += 1;
            if calls == 3 { Ok(()) } else { Err(format!("call {calls}")) }
        });
        assert_eq!(calls, 3);
    }

    #[test]
    #[should_panic(expected = "waiting until never: still no")]
    fn panics_with_the_last_reason() {
        wait_until(Duration::from_millis(100), "never", || Err("still no".to_owned()));
    }
}
