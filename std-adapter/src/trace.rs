//! The `tracing` shim: spans and events under the `tracing` feature, nothing without it
//! (the arguments are not even evaluated), so call sites need no `cfg`.
//!
//! Everything is recorded under the target `ferrodis`. What may be recorded: addresses,
//! URLs as [`ConnectionUrl`](ferrodis_core::url::ConnectionUrl) displays them (password
//! replaced by `***`), protocol versions, database numbers, whether the handshake
//! authenticates, error messages (which never hold a password, see [`crate::Error`]).
//! Never a password, a [`Password`](crate::Password), a handshake or any command argument.

/// An event at `$level` (`trace`, `debug`, `info`, `warn`, `error`), with `tracing`'s
/// field and message syntax.
#[cfg(feature = "tracing")]
macro_rules! event {
    ($level:ident, $($arg:tt)+) => {
        ::tracing::$level!(target: "ferrodis", $($arg)+)
    };
}

/// An event at `$level`: nothing in this build (no `tracing` feature).
#[cfg(not(feature = "tracing"))]
macro_rules! event {
    ($level:ident, $($arg:tt)+) => {
        ()
    };
}

/// Enters a debug-level span named `$name` (a string literal) until the end of the block.
#[cfg(feature = "tracing")]
macro_rules! enter_span {
    ($name:literal $(, $($field:tt)*)?) => {
        let _entered = ::tracing::debug_span!(target: "ferrodis", $name $(, $($field)*)?).entered();
    };
}

/// Enters a span: nothing in this build (no `tracing` feature).
#[cfg(not(feature = "tracing"))]
macro_rules! enter_span {
    ($name:literal $(, $($field:tt)*)?) => {};
}

/// `$future` inside a debug-level span (`tracing::debug_span!`'s arguments: an optional
/// `parent:`, the name, the fields), entered each time it is polled (a future must not
/// hold an entered span across an `.await`).
#[cfg(all(feature = "tracing", feature = "tokio"))]
macro_rules! in_span {
    ($future:expr, $($span:tt)+) => {
        ::tracing::Instrument::instrument($future, ::tracing::debug_span!(target: "ferrodis", $($span)+))
    };
}

/// `$future` as it is: no `tracing` feature in this build.
#[cfg(all(not(feature = "tracing"), feature = "tokio"))]
macro_rules! in_span {
    ($future:expr, $($span:tt)+) => {
        $future
    };
}

#[cfg(feature = "tokio")]
pub(crate) use in_span;
pub(crate) use {enter_span, event};

/// How the handshake of `config` authenticates, for a span field: the fact, never the
/// credentials.
#[cfg(feature = "tracing")]
pub(crate) fn auth_of(config: &crate::ConnectionConfig) -> &'static str {
    if config.credential_provider.is_some() {
        return "credential provider";
    }
    match (&config.username, &config.password) {
        (_, None) => "none",
        (None, Some(_)) => "password",
        (Some(_), Some(_)) => "acl user",
    }
}

/// Records at warn level that `what` (`"connect"`, `"handshake"`, ...) failed with `error`,
/// whose message never holds a password.
pub(crate) fn failed(what: &'static str, error: &crate::Error) {
    event!(warn, error = %error, "{what} failed");
    let _ = (what, error);
}
