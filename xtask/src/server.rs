//! The servers the xtask starts (for the demo, the firmware run and `gen-commands`), from
//! ferrodis-test-support: the same launcher as the tests', killed when dropped.

use std::panic::{self, AssertUnwindSafe};

use ferrodis_test_support::{RedisServer, ServerBuilder};

/// Starts `builder`'s server; a launcher failure (a panic, whose message and the server's
/// log are already printed on stderr) becomes an `Err` with the message's first line.
pub(crate) fn start(builder: ServerBuilder) -> Result<RedisServer, String> {
    panic::catch_unwind(AssertUnwindSafe(|| builder.start())).map_err(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("see the message above");
        format!("the server did not start: {}", message.lines().next().unwrap_or_default())
    })
}
