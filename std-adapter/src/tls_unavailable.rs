//! TLS in a build without the `tls` feature: a TLS configuration (a `rediss://` URL, or
//! [`TlsOptions`](crate::TlsOptions) given to the builder) is an error value that says to
//! turn the feature on, and I/O errors are plain [`ErrorKind::Io`].

use std::io;

use crate::error::{Error, ErrorKind};

/// Why a TLS connection cannot be made: this build has no TLS.
pub(crate) fn unavailable() -> Error {
    Error::config(
        "TLS (a rediss:// URL or TlsOptions) needs the `tls` feature of ferrodis (or ferrodis-std), \
         which this build leaves out: enable it in Cargo.toml",
    )
}

/// Whether this build can make TLS connections: it cannot, the error says why.
pub(crate) fn available() -> Result<(), Error> {
    Err(unavailable())
}

/// `e` as an error kind: always [`ErrorKind::Io`] here.
pub(crate) fn io_kind(e: io::Error) -> ErrorKind {
    ErrorKind::Io(e)
}

/// Like [`io_kind`], for a failure that many waiters learn of: each call makes one
/// [`ErrorKind::Io`] of `e`'s kind, described as `what`.
#[cfg(feature = "tokio")]
pub(crate) fn io_failure(e: &io::Error, what: &'static str) -> impl Fn() -> ErrorKind + use<> {
    let kind = e.kind();
    move || ErrorKind::Io(io::Error::new(kind, what))
}
