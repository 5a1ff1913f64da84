//! The RESP a [`MiniRedis`](super::MiniRedis) reads and writes: commands as arrays of bulk
//! strings in, simple replies out. By hand, so the harness needs no ferrodis crate.

/// The first command in `input`: `Some((args, bytes used))`, or `None` while it is
/// incomplete.
///
/// # Panics
///
/// On malformed input (an inline command, a bad length, a missing `\r\n`), with a message
/// that names the bytes: a client that writes them is broken, and the test should say so.
pub(crate) fn parse_command(input: &[u8]) -> Option<(Vec<Vec<u8>>, usize)> {
    let mut at = 0;
    let count = header(input, &mut at, b'*')?;
    if count == 0 {
        malformed(input, 0, "a command of at least one argument, not *0");
    }
    let mut args = Vec::new();
    for _ in 0..count {
        let len = header(input, &mut at, b'$')?;
        let end = at.checked_add(len).unwrap_or_else(|| malformed(input, at, "a sane bulk length"));
        let after = input.get(end..end.saturating_add(2))?;
        if after.len() < 2 {
            return None;
        }
        if after != b"\r\n" {
            malformed(input, end, "\\r\\n after the bulk string");
        }
        args.push(input[at..end].to_vec());
        at = end + 2;
    }
    Some((args, at))
}

/// Reads `<marker><decimal>\r\n` at `at`, moving `at` past it; `None` while incomplete.
fn header(input: &[u8], at: &mut usize, marker: u8) -> Option<usize> {
    let start = *at;
    let rest = &input[start..];
    let &first = rest.first()?;
    if first != marker {
        malformed(input, start, if marker == b'*' { "'*' (an array)" } else { "'$' (a bulk string)" });
    }
    let digits_end = rest.iter().position(|&b| b == b'\r').unwrap_or(rest.len());
    let digits = &rest[1..digits_end];
    if !digits.iter().all(u8::is_ascii_digit) {
        malformed(input, start + 1, "a decimal length");
    }
    let crlf = rest.get(digits_end..digits_end + 2)?;
    if crlf.len() < 2 {
        return None;
    }
    if crlf != b"\r\n" {
        malformed(input, start + digits_end, "\\r\\n after the length");
    }
    let n = std::str::from_utf8(digits).ok().and_then(|d| d.parse().ok());
    *at = start + digits_end + 2;
    Some(n.unwrap_or_else(|| malformed(input, start + 1, "a decimal length")))
}

#[track_caller]
fn malformed(input: &[u8], at: usize, expected: &str) -> ! {
    const SHOWN: usize = 160;
    let cut = if input.len() > SHOWN { "..." } else { "" };
    panic!(
        "MiniRedis: malformed command: expected {expected} at byte {at} of b\"{}\"{cut}",
        input[..input.len().min(SHOWN)].escape_ascii()
    );
}

/// `+text\r\n`
pub(crate) fn simple(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(format!("+{text}\r\n").as_bytes());
}

/// `-text\r\n`
pub(crate) fn error(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(format!("-{text}\r\n").as_bytes());
}

/// `:n\r\n`
pub(crate) fn integer(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(format!(":{n}\r\n").as_bytes());
}

/// `$len\r\nbytes\r\n`, or `$-1\r\n` for `None`.
pub(crate) fn bulk(out: &mut Vec<u8>, bytes: Option<&[u8]>) {
    match bytes {
        None => out.extend_from_slice(b"$-1\r\n"),
        Some(bytes) => {
            out.extend_from_slice(format!("${}\r\n", bytes.len()).as_bytes());
            out.extend_from_slice(bytes);
            out.extend_from_slice(b"\r\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_command;

    fn args(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn complete_commands_parse() {
        let table: &[(&[u8], &[&str])] = &[
            (b"*1\r\n$4\r\nPING\r\n", &["PING"]),
            (b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", &["SET", "k", ""]),
            (b"*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\n", &["ECHO", "a\r\nb"]),
        ];
        for &(input, expected) in table {
            assert_eq!(parse_command(input), Some((args(expected), input.len())), "{}", input.escape_ascii());
        }
    }

    #[test]
    fn every_prefix_of_a_command_is_incomplete_and_the_rest_is_left() {
        let input = b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1";
        let whole = input.len() - 2;
        for cut in 0..whole {
            assert_eq!(parse_command(&input[..cut]), None, "cut at {cut}");
        }
        assert_eq!(parse_command(input), Some((args(&["GET", "k"]), whole)));
    }

    #[test]
    fn malformed_input_panics_naming_the_bytes() {
        let table: &[(&[u8], &str)] = &[
            (b"PING\r\n", "expected '*' (an array) at byte 0 of b\"PING\\r\\n\""),
            (b"*x", "expected a decimal length at byte 1"),
            (b"*0\r\n", "at least one argument"),
            (b"*1\r\n:1\r\n", "expected '$' (a bulk string) at byte 4"),
            (b"*1\r\n$-1\r\n", "expected a decimal length at byte 5"),
            (b"*1\r\n$1\r\nab\r\n", "expected \\r\\n after the bulk string at byte 9"),
            (b"*1\n", "expected a decimal length at byte 1"),
        ];
        for &(input, expected) in table {
            let panic = std::panic::catch_unwind(|| parse_command(input)).expect_err("should panic");
            let message = panic.downcast_ref::<String>().expect("a formatted message");
            assert!(message.contains(expected), "{message:?} should contain {expected:?}");
        }
    }
}
