//! A scripted server model: it reads the commands a client wrote to a pipe, answers a tiny
//! command set deterministically, and logs what ran, for tests of ordering that need no
//! real Redis.

use core::fmt;
use std::collections::HashMap;

use super::pipe::ServerEnd;
use super::resp::{bulk, error, integer, parse_command, simple};

/// A tiny Redis for the server end of a [`pipe`](super::pipe()). Each [`serve`](Self::serve)
/// takes what the client wrote, runs the complete commands in order (at most as many as
/// [`answer_only`](Self::answer_only) allows) and delivers their replies; a command cut
/// short stays in the [`inbox`](Self::inbox), unexecuted, until the rest arrives.
///
/// | command | reply |
/// | --- | --- |
/// | `PING` / `PING msg` | `+PONG` / `$msg` |
/// | `ECHO msg` | `$msg` |
/// | `SET k v` | `+OK` |
/// | `GET k` | `$v`, or `$-1` when unset |
/// | `INCR k` | `:n` (`-ERR value is not an integer or out of range` if not one) |
/// | `DEL k [k ...]` | `:removed` |
/// | a known name, wrong arity | `-ERR wrong number of arguments for 'name' command` |
/// | anything else | `-ERR unknown command 'NAME'` |
///
/// Names are case-insensitive. Malformed RESP (an inline command, a bad length) panics
/// with the bytes in the message.
///
/// ```
/// use embedded_io::Write;
/// use ferrodis_test_support::harness::{MiniRedis, pipe};
///
/// let (mut client, server) = pipe();
/// let mut redis = MiniRedis::new();
/// client.write_all(b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*2\r\n$3\r\nGET\r\n$1\r\nn\r\n*1\r\n$4\r\nPI").unwrap();
/// redis.answer_only(1);
/// assert_eq!(redis.serve(&server), 1);
/// assert_eq!(redis.log_lines(), ["INCR n"]);
/// redis.answer_all();
/// assert_eq!(redis.serve(&server), 1, "GET; PING is still partial");
/// assert_eq!(redis.inbox(), b"*1\r\n$4\r\nPI");
/// let mut replies = [0; 16];
/// let n = embedded_io::Read::read(&mut client, &mut replies).unwrap();
/// assert_eq!(&replies[..n], b":1\r\n$1\r\n1\r\n");
/// ```
#[derive(Debug, Default)]
pub struct MiniRedis {
    store: HashMap<Vec<u8>, Vec<u8>>,
    inbox: Vec<u8>,
    log: Vec<Command>,
    /// How many more commands may be answered; `None`: all.
    limit: Option<usize>,
}

/// One command a [`MiniRedis`] ran: its arguments, the name first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    args: Vec<Vec<u8>>,
}

impl Command {
    /// The arguments as written, the command name first.
    pub fn args(&self) -> &[Vec<u8>] {
        &self.args
    }

    /// The command name in upper case (`"INCR"`).
    pub fn name(&self) -> String {
        String::from_utf8_lossy(&self.args[0]).to_ascii_uppercase()
    }
}

/// The arguments separated by spaces, non-printable bytes escaped (`SET k v`).
impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            let space = if i == 0 { "" } else { " " };
            write!(f, "{space}{}", arg.escape_ascii())?;
        }
        Ok(())
    }
}

impl MiniRedis {
    /// An empty database that answers every command.
    pub fn new() -> MiniRedis {
        MiniRedis::default()
    }

    /// From now on, answer at most `k` more commands; later ones wait in the inbox,
    /// unexecuted, until [`answer_only`](Self::answer_only) or
    /// [`answer_all`](Self::answer_all) allows more. `answer_only(0)` holds everything.
    pub fn answer_only(&mut self, k: usize) {
        self.limit = Some(k);
    }

    /// Lifts the limit of [`answer_only`](Self::answer_only).
    pub fn answer_all(&mut self) {
        self.limit = None;
    }

    /// Takes the bytes the client wrote (so `server.take_written()` after this sees none
    /// of them), runs the complete commands the limit allows, in order, and delivers their
    /// replies in one piece. Returns how many commands it answered.
    pub fn serve(&mut self, server: &ServerEnd) -> usize {
        self.inbox.extend(server.take_written());
        let mut replies = Vec::new();
        let mut answered = 0;
        while self.limit != Some(0) {
            let Some((args, used)) = parse_command(&self.inbox) else { break };
            self.inbox.drain(..used);
            let command = Command { args };
            self.execute(&command, &mut replies);
            self.log.push(command);
            if let Some(left) = &mut self.limit {
                *left -= 1;
            }
            answered += 1;
        }
        if !replies.is_empty() {
            server.deliver(replies);
        }
        answered
    }

    /// Every command answered so far, in order.
    pub fn log(&self) -> &[Command] {
        &self.log
    }

    /// The log as text, one `SET k v` line a command, for `assert_eq!`.
    pub fn log_lines(&self) -> Vec<String> {
        self.log.iter().map(Command::to_string).collect()
    }

    /// How many times a command named `name` (any case) ran: `count("incr") == 1` says
    /// INCR ran exactly once.
    pub fn count(&self, name: &str) -> usize {
        self.log.iter().filter(|c| c.args[0].eq_ignore_ascii_case(name.as_bytes())).count()
    }

    /// How many complete commands wait in the inbox, held by the limit.
    pub fn held(&self) -> usize {
        let (mut held, mut rest) = (0, &self.inbox[..]);
        while let Some((_, used)) = parse_command(rest) {
            rest = &rest[used..];
            held += 1;
        }
        held
    }

    /// The bytes received but not run yet: held commands, then a partial one.
    pub fn inbox(&self) -> &[u8] {
        &self.inbox
    }

    /// Runs one command, appending its reply to `out`.
    fn execute(&mut self, command: &Command, out: &mut Vec<u8>) {
        let name = command.name();
        match (name.as_str(), &command.args[1..]) {
            ("PING", []) => simple(out, "PONG"),
            ("PING" | "ECHO", [message]) => bulk(out, Some(message)),
            ("SET", [key, value]) => {
                self.store.insert(key.clone(), value.clone());
                simple(out, "OK");
            }
            ("GET", [key]) => bulk(out, self.store.get(key).map(Vec::as_slice)),
            ("INCR", [key]) => match self.incremented(key) {
                Some(n) => {
                    self.store.insert(key.clone(), n.to_string().into_bytes());
                    integer(out, n);
                }
                None => error(out, "ERR value is not an integer or out of range"),
            },
            ("DEL", keys) if !keys.is_empty() => {
                let removed = keys.iter().filter(|k| self.store.remove(*k).is_some()).count();
                integer(out, removed as i64);
            }
            ("PING" | "ECHO" | "SET" | "GET" | "INCR" | "DEL", _) => {
                let lower = name.to_ascii_lowercase();
                error(out, &format!("ERR wrong number of arguments for '{lower}' command"));
            }
            _ => error(out, &format!("ERR unknown command '{}'", command.args[0].escape_ascii())),
        }
    }

    /// The value of `key` plus one, if it is unset or an integer that does not overflow.
    fn incremented(&self, key: &[u8]) -> Option<i64> {
        let Some(value) = self.store.get(key) else { return Some(1) };
        std::str::from_utf8(value).ok()?.parse::<i64>().ok()?.checked_add(1)
    }
}

#[cfg(test)]
mod tests {
    use super::MiniRedis;
    use crate::harness::{ServerEnd, pipe};
    use embedded_io::{Read, Write};

    /// Writes `commands` as RESP arrays of bulk strings.
    fn encode(commands: &[&[&str]]) -> Vec<u8> {
        let mut out = Vec::new();
        for args in commands {
            out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
            for arg in *args {
                out.extend_from_slice(format!("${}\r\n{arg}\r\n", arg.len()).as_bytes());
            }
        }
        out
    }

    fn replies(client: &mut crate::harness::ClientEnd, server: &ServerEnd) -> Vec<u8> {
        let mut buf = vec![0; server.unread()];
        let n = client.read(&mut buf).unwrap_or(0);
        buf.truncate(n);
        buf
    }

    #[test]
    fn the_command_set_answers_like_redis() {
        let table: &[(&[&str], &[u8])] = &[
            (&["PING"], b"+PONG\r\n"),
            (&["ping", "hi"], b"$2\r\nhi\r\n"),
            (&["ECHO", "a b"], b"$3\r\na b\r\n"),
            (&["GET", "k"], b"$-1\r\n"),
            (&["SET", "k", "41"], b"+OK\r\n"),
            (&["GET", "k"], b"$2\r\n41\r\n"),
            (&["INCR", "k"], b":42\r\n"),
            (&["INCR", "fresh"], b":1\r\n"),
            (&["SET", "s", "x"], b"+OK\r\n"),
            (&["INCR", "s"], b"-ERR value is not an integer or out of range\r\n"),
            (&["DEL", "k", "s", "none"], b":2\r\n"),
            (&["GET"], b"-ERR wrong number of arguments for 'get' command\r\n"),
            (&["FLUSHALL"], b"-ERR unknown command 'FLUSHALL'\r\n"),
        ];
        let (mut client, server) = pipe();
        let mut redis = MiniRedis::new();
        for &(command, reply) in table {
            client.write_all(&encode(&[command])).unwrap();
            assert_eq!(redis.serve(&server), 1);
            assert_eq!(replies(&mut client, &server), reply, "{command:?}");
        }
    }

    #[test]
    fn only_k_commands_are_answered_and_the_rest_are_held_unexecuted() {
        let (mut client, server) = pipe();
        let mut redis = MiniRedis::new();
        client.write_all(&encode(&[&["INCR", "n"], &["INCR", "n"], &["INCR", "n"]])).unwrap();
        redis.answer_only(2);
        assert_eq!(redis.serve(&server), 2);
        assert_eq!((redis.count("INCR"), redis.held()), (2, 1));
        assert_eq!(replies(&mut client, &server), b":1\r\n:2\r\n");
        assert_eq!(redis.serve(&server), 0, "the limit is used up");
        redis.answer_only(5);
        assert_eq!(redis.serve(&server), 1);
        assert_eq!(replies(&mut client, &server), b":3\r\n");
        assert_eq!(redis.held(), 0);
    }

    #[test]
    fn the_log_keeps_the_execution_order() {
        let (mut client, server) = pipe();
        let mut redis = MiniRedis::new();
        client.write_all(&encode(&[&["SET", "k", "1"], &["INCR", "k"], &["nope", "x"]])).unwrap();
        redis.serve(&server);
        assert_eq!(redis.log_lines(), ["SET k 1", "INCR k", "nope x"]);
        assert_eq!(redis.log()[1].name(), "INCR");
        assert_eq!(redis.count("incr"), 1);
    }

    #[test]
    fn a_partial_command_waits_for_its_rest_at_every_byte() {
        let command = encode(&[&["INCR", "n"]]);
        for cut in 1..command.len() {
            let (mut client, server) = pipe();
            let mut redis = MiniRedis::new();
            client.write_all(&command[..cut]).unwrap();
            assert_eq!(redis.serve(&server), 0, "cut at {cut}");
            assert_eq!((redis.log().len(), redis.inbox()), (0, &command[..cut]));
            client.write_all(&command[cut..]).unwrap();
            assert_eq!(redis.serve(&server), 1);
            assert_eq!(redis.count("INCR"), 1);
        }
    }

    #[test]
    #[should_panic(
        expected = "MiniRedis: malformed command: expected '*' (an array) at byte 0 of b\"PING\\r\\n\""
    )]
    fn an_inline_command_is_refused_loudly() {
        let (mut client, server) = pipe();
        client.write_all(b"PING\r\n").unwrap();
        MiniRedis::new().serve(&server);
    }
}
