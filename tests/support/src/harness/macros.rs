//! `assert_written!`, in the manner of smoltcp's `recv!`.

/// Takes the bytes the client wrote since the last take from a
/// [`ServerEnd`](crate::harness::ServerEnd) and asserts they are exactly `expected`, showing
/// both escaped on failure. Because it takes them, successive assertions check successive
/// steps, and a byte written twice shows up. An optional format message follows.
///
/// ```
/// use embedded_io::Write;
/// use ferrodis_test_support::{assert_written, harness::pipe};
///
/// let (mut client, server) = pipe();
/// client.write_all(b"*1\r\n$4\r\nPING\r\n").unwrap();
/// assert_written!(server, b"*1\r\n$4\r\nPING\r\n");
/// assert_written!(server, b"", "nothing more after the PING");
/// ```
///
/// ```should_panic
/// # use embedded_io::Write;
/// # use ferrodis_test_support::{assert_written, harness::pipe};
/// let (mut client, server) = pipe();
/// client.write_all(b"PING").unwrap();
/// assert_written!(server, b"PONG"); // panics: the client wrote b"PING", expected b"PONG"
/// ```
#[macro_export]
macro_rules! assert_written {
    ($server:expr, $expected:expr $(,)?) => {
        $crate::assert_written!($server, $expected, "")
    };
    ($server:expr, $expected:expr, $($message:tt)+) => {{
        let written: ::std::vec::Vec<u8> = $server.take_written();
        let expected = $expected;
        let expected: &[u8] = ::core::convert::AsRef::<[u8]>::as_ref(&expected);
        assert!(
            written == expected,
            "the client wrote b\"{}\", expected b\"{}\" {}",
            written.escape_ascii(),
            expected.escape_ascii(),
            ::core::format_args!($($message)+),
        );
    }};
}

#[cfg(test)]
mod tests {
    use crate::harness::pipe;
    use embedded_io::Write;

    #[test]
    fn assert_written_takes_what_it_checks() {
        let (mut client, server) = pipe();
        client.write_all(b"ab").unwrap();
        assert_written!(server, b"ab");
        client.write_all(b"c").unwrap();
        assert_written!(server, b"c", "only what came after the first check");
        assert_written!(server, Vec::<u8>::new());
    }

    #[test]
    #[should_panic(expected = "the client wrote b\"a\\r\\n\", expected b\"b\" at step 3")]
    fn a_mismatch_shows_both_sides_escaped_and_the_message() {
        let (mut client, server) = pipe();
        client.write_all(b"a\r\n").unwrap();
        assert_written!(server, b"b", "at step {}", 3);
    }
}
