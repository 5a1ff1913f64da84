//! Connection and sentinel URLs: any text parses to a URL or to an error, never a panic; every text
//! component of a parsed URL decodes into a buffer of exactly its decoded length.

#![no_main]

use ferrodis_core::url::{ConnectionUrl, SentinelUrl, Text, Transport};
use libfuzzer_sys::fuzz_target;

fn decodes_exactly(text: Text<'_>) {
    let mut buf = [0u8; 512];
    let len = text.len();
    if len <= buf.len() {
        let decoded = text.decode_into(&mut buf[..len]).expect("a buffer of len() bytes is enough");
        assert_eq!(decoded.len(), len);
        assert!(text.bytes().eq(decoded.iter().copied()));
        if len > 0 {
            assert!(text.decode_into(&mut buf[..len - 1]).is_err(), "a shorter buffer must be refused");
        }
    }
}

/// A sentinel URL's parts decode as a connection URL's do.
fn sentinel_url(input: &str) {
    let Ok(url) = SentinelUrl::parse(input) else { return };
    for (host, _) in url.sentinels() {
        decodes_exactly(host);
    }
    decodes_exactly(url.service());
    let _ = format!("{url} {url:?}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = core::str::from_utf8(data) else { return };
    sentinel_url(input);
    let Ok(url) = ConnectionUrl::parse(input) else { return };
    assert_eq!(ConnectionUrl::parse(input), Ok(url), "parsing is deterministic");
    match url.transport() {
        Transport::Tcp { host, .. } | Transport::Tls { host, .. } => decodes_exactly(host),
        Transport::Unix { path } => decodes_exactly(path),
    }
    if let Some(user) = url.username() {
        decodes_exactly(user);
    }
    if let Some(password) = url.password() {
        decodes_exactly(password.expose());
    }
    let _ = format!("{url} {url:?}");
});
