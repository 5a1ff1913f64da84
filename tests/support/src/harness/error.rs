//! The pipe's error: a `Copy` enum with an `embedded_io` kind, so a test can compare a
//! client's `Error<PipeError>` with `==`.

use core::fmt;

/// Why a call on a [`ClientEnd`](super::ClientEnd) failed. No bytes moved in a failed call.
///
/// ```
/// use embedded_io::Error as _;
/// use ferrodis_test_support::harness::PipeError;
///
/// assert_eq!(PipeError::TimedOut.kind(), embedded_io::ErrorKind::TimedOut);
/// assert_eq!(PipeError::ConnectionReset.to_string(), "connection reset (a scripted write cut)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PipeError {
    /// A scheduled or random `Interrupted`, before any byte moved; retrying is correct.
    Interrupted,
    /// A blocking `read` found nothing delivered and the pipe open: what a socket read
    /// timeout gives. (The async `read` returns `Pending` instead.)
    TimedOut,
    /// The write cut of [`Faults::reset_after`](super::Faults::reset_after) was reached.
    ConnectionReset,
}

impl fmt::Display for PipeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PipeError::Interrupted => "interrupted (scripted)",
            PipeError::TimedOut => "timed out: nothing delivered",
            PipeError::ConnectionReset => "connection reset (a scripted write cut)",
        })
    }
}

impl core::error::Error for PipeError {}

impl embedded_io::Error for PipeError {
    fn kind(&self) -> embedded_io::ErrorKind {
        match self {
            PipeError::Interrupted => embedded_io::ErrorKind::Interrupted,
            PipeError::TimedOut => embedded_io::ErrorKind::TimedOut,
            PipeError::ConnectionReset => embedded_io::ErrorKind::ConnectionReset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PipeError;
    use embedded_io::{Error as _, ErrorKind};

    #[test]
    fn each_error_has_its_kind() {
        for (error, kind) in [
            (PipeError::Interrupted, ErrorKind::Interrupted),
            (PipeError::TimedOut, ErrorKind::TimedOut),
            (PipeError::ConnectionReset, ErrorKind::ConnectionReset),
        ] {
            assert_eq!(error.kind(), kind, "{error}");
        }
    }
}
