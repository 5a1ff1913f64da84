//! The connection handshake as pure data: the commands to send and how to judge each
//! reply. The shells send them all in one write and check the replies in order.

use core::fmt;

use crate::resp::{Arg, Frame};

/// The RESP version a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Protocol {
    /// RESP2, every server's default.
    #[default]
    Resp2,
    /// RESP3 (Redis 6 and later), switched on with `HELLO 3`.
    Resp3,
}

/// A user name and password for `AUTH` or `HELLO ... AUTH`. The password never appears
/// in `Debug` output.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Credentials<'a> {
    /// The ACL user; `None` means the `default` user.
    pub username: Option<&'a str>,
    /// The password.
    pub password: &'a [u8],
}

impl fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Credentials<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Credentials {{ username: {:?}, password: <redacted> }}", self.username)
    }
}

/// What a new connection announces and selects before its first request.
///
/// ```
/// use ferrodis_core::conn::{Handshake, Protocol};
///
/// let hs = Handshake { protocol: Protocol::Resp3, client_name: Some("worker-1"), db: 2, ..Handshake::DEFAULT };
/// let names: Vec<_> = hs.steps().iter().map(|s| s.name()).collect();
/// assert_eq!(names, ["HELLO", "CLIENT SETINFO", "CLIENT SETINFO", "SELECT"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handshake<'a> {
    /// RESP2 or RESP3 (`HELLO 3`).
    pub protocol: Protocol,
    /// `AUTH` credentials.
    pub credentials: Option<Credentials<'a>>,
    /// `CLIENT SETNAME`.
    pub client_name: Option<&'a str>,
    /// `SELECT db`, skipped for 0.
    pub db: u32,
    /// `CLIENT SETINFO LIB-NAME`; errors from servers older than 7.2 are ignored.
    pub lib_name: Option<&'a str>,
    /// `CLIENT SETINFO LIB-VER`; errors from servers older than 7.2 are ignored.
    pub lib_version: Option<&'a str>,
    /// `READONLY`, for reads from cluster replicas.
    pub readonly: bool,
}

impl Handshake<'_> {
    /// RESP2, no credentials, db 0, announcing `ferrodis` and this crate's version.
    pub const DEFAULT: Handshake<'static> = Handshake {
        protocol: Protocol::Resp2,
        credentials: None,
        client_name: None,
        db: 0,
        lib_name: Some("ferrodis"),
        lib_version: Some(env!("CARGO_PKG_VERSION")),
        readonly: false,
    };
}

impl Default for Handshake<'_> {
    fn default() -> Self {
        Handshake::DEFAULT
    }
}

/// The most arguments one step takes (`HELLO 3 AUTH user pass SETNAME name`).
const MAX_STEP_ARGS: usize = 7;
/// The most steps a handshake takes.
pub const MAX_STEPS: usize = 7;

/// One command of a handshake and how to judge its reply.
#[derive(Clone, PartialEq)]
pub struct Step<'a> {
    args: heapless::Vec<Arg<'a>, MAX_STEP_ARGS>,
    kind: StepKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepKind {
    Hello,
    Auth,
    SetName,
    SetInfo,
    Select,
    ReadOnly,
}

/// How a handshake reply is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The step succeeded.
    Ok,
    /// The step failed in a way that does not matter (an old server without the command).
    Ignored,
    /// An error reply that fails the handshake.
    Failed,
    /// A reply of the wrong shape.
    Unexpected,
}

impl<'a> Step<'a> {
    fn new(kind: StepKind, args: &[Arg<'a>]) -> Self {
        let mut v = heapless::Vec::new();
        for a in args {
            // Every step is built below with at most MAX_STEP_ARGS arguments.
            let _ = v.push(*a);
        }
        Self { args: v, kind }
    }

    /// The command's arguments, name first.
    pub fn args(&self) -> &[Arg<'a>] {
        &self.args
    }

    /// The command's name, for messages.
    pub fn name(&self) -> &'static str {
        match self.kind {
            StepKind::Hello => "HELLO",
            StepKind::Auth => "AUTH",
            StepKind::SetName => "CLIENT SETNAME",
            StepKind::SetInfo => "CLIENT SETINFO",
            StepKind::Select => "SELECT",
            StepKind::ReadOnly => "READONLY",
        }
    }

    /// Judges the step's reply.
    pub fn judge(&self, reply: &Frame<'_>) -> Verdict {
        match (self.kind, reply) {
            (StepKind::SetInfo, f) if f.is_error() => Verdict::Ignored,
            (_, f) if f.is_error() => Verdict::Failed,
            (StepKind::Hello, Frame::Map(_) | Frame::Array(_)) => Verdict::Ok,
            (StepKind::Hello, _) => Verdict::Unexpected,
            (_, Frame::SimpleString(b"OK")) => Verdict::Ok,
            _ => Verdict::Unexpected,
        }
    }
}

/// Checks a handshake's replies as they arrive (by index, in [`Handshake::steps`] order)
/// and remembers whether one failed it: the same judgement for every driver.
///
/// ```
/// use ferrodis_core::conn::{Handshake, HandshakeCheck, Verdict};
/// use ferrodis_core::resp::Frame;
///
/// let handshake = Handshake { db: 3, ..Handshake::DEFAULT };
/// let mut check = HandshakeCheck::new(&handshake);
/// assert_eq!(check.reply(0, &Frame::SimpleError(b"ERR unknown subcommand")), Verdict::Ignored); // SETINFO
/// assert_eq!(check.reply(1, &Frame::SimpleString(b"OK")), Verdict::Ok);
/// assert_eq!(check.reply(2, &Frame::SimpleError(b"ERR DB index is out of range")), Verdict::Failed);
/// assert!(check.failed());
/// ```
#[derive(Debug, Clone)]
pub struct HandshakeCheck<'a> {
    steps: heapless::Vec<Step<'a>, MAX_STEPS>,
    failed: bool,
}

impl<'a> HandshakeCheck<'a> {
    /// A check of the replies to `handshake`'s steps.
    pub fn new(handshake: &Handshake<'a>) -> Self {
        Self { steps: handshake.steps(), failed: false }
    }

    /// The steps, in the order their commands go out.
    pub fn steps(&self) -> &[Step<'a>] {
        &self.steps
    }

    /// Judges the reply to step `index`. [`Verdict::Failed`] or [`Verdict::Unexpected`]
    /// only for the first reply that fails the handshake (the one to report); later
    /// failures count as [`Verdict::Ignored`].
    pub fn reply(&mut self, index: usize, frame: &Frame<'_>) -> Verdict {
        let verdict = self.steps.get(index).map_or(Verdict::Unexpected, |step| step.judge(frame));
        match verdict {
            Verdict::Failed | Verdict::Unexpected if self.failed => Verdict::Ignored,
            Verdict::Failed | Verdict::Unexpected => {
                self.failed = true;
                verdict
            }
            ok => ok,
        }
    }

    /// Whether a reply failed the handshake.
    pub fn failed(&self) -> bool {
        self.failed
    }
}

impl fmt::Debug for Step<'_> {
    /// Only the command name: arguments may hold a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Step").field("command", &self.name()).finish_non_exhaustive()
    }
}

impl<'a> Handshake<'a> {
    /// The commands to send, in order.
    pub fn steps(&self) -> heapless::Vec<Step<'a>, MAX_STEPS> {
        let mut steps = heapless::Vec::new();
        let mut add = |step| {
            // At most 6 steps are ever added; MAX_STEPS leaves room.
            let _ = steps.push(step);
        };
        match self.protocol {
            Protocol::Resp3 => {
                let mut args: heapless::Vec<Arg<'a>, MAX_STEP_ARGS> = heapless::Vec::new();
                let _ = args.extend_from_slice(&[Arg::from("HELLO"), Arg::from("3")]);
                if let Some(c) = self.credentials {
                    let _ = args.extend_from_slice(&[
                        Arg::from("AUTH"),
                        Arg::from(c.username.unwrap_or("default")),
                        Arg::Bytes(c.password),
                    ]);
                }
                if let Some(name) = self.client_name {
                    let _ = args.extend_from_slice(&[Arg::from("SETNAME"), Arg::from(name)]);
                }
                add(Step::new(StepKind::Hello, &args));
            }
            Protocol::Resp2 => {
                if let Some(c) = self.credentials {
                    match c.username {
                        Some(user) => add(Step::new(
                            StepKind::Auth,
                            &["AUTH".into(), user.into(), Arg::Bytes(c.password)],
                        )),
                        None => add(Step::new(StepKind::Auth, &["AUTH".into(), Arg::Bytes(c.password)])),
                    }
                }
                if let Some(name) = self.client_name {
                    add(Step::new(StepKind::SetName, &["CLIENT".into(), "SETNAME".into(), name.into()]));
                }
            }
        }
        if let Some(lib) = self.lib_name {
            add(Step::new(
                StepKind::SetInfo,
                &["CLIENT".into(), "SETINFO".into(), "LIB-NAME".into(), lib.into()],
            ));
        }
        if let Some(ver) = self.lib_version {
            add(Step::new(
                StepKind::SetInfo,
                &["CLIENT".into(), "SETINFO".into(), "LIB-VER".into(), ver.into()],
            ));
        }
        if self.db != 0 {
            add(Step::new(StepKind::Select, &["SELECT".into(), Arg::Uint(u64::from(self.db))]));
        }
        if self.readonly {
            add(Step::new(StepKind::ReadOnly, &["READONLY".into()]));
        }
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::vec::Vec;

    fn names(hs: &Handshake<'_>) -> Vec<&'static str> {
        hs.steps().iter().map(Step::name).collect()
    }

    #[test]
    fn resp2_authenticates_then_names_then_selects() {
        let hs = Handshake {
            credentials: Some(Credentials { username: Some("app"), password: b"s3cr3t" }),
            client_name: Some("w"),
            db: 3,
            readonly: true,
            ..Handshake::DEFAULT
        };
        assert_eq!(
            names(&hs),
            ["AUTH", "CLIENT SETNAME", "CLIENT SETINFO", "CLIENT SETINFO", "SELECT", "READONLY"]
        );
        let steps = hs.steps();
        assert_eq!(steps[0].args(), &[Arg::from("AUTH"), Arg::from("app"), Arg::from(b"s3cr3t")]);
        assert_eq!(steps[4].args(), &[Arg::from("SELECT"), Arg::Uint(3)]);
    }

    #[test]
    fn resp3_folds_auth_and_name_into_hello() {
        let hs = Handshake {
            protocol: Protocol::Resp3,
            credentials: Some(Credentials { username: None, password: b"pw" }),
            client_name: Some("w"),
            lib_name: None,
            lib_version: None,
            ..Handshake::DEFAULT
        };
        let steps = hs.steps();
        assert_eq!(steps.len(), 1);
        assert_eq!(
            steps[0].args(),
            &[
                "HELLO".into(),
                "3".into(),
                "AUTH".into(),
                "default".into(),
                Arg::from(b"pw"),
                "SETNAME".into(),
                "w".into()
            ]
        );
    }

    #[test]
    fn verdicts() {
        let hs = Handshake { db: 1, ..Handshake::DEFAULT };
        let steps = hs.steps();
        let setinfo = &steps[0];
        let select = &steps[2];
        assert_eq!(setinfo.judge(&Frame::SimpleError(b"ERR unknown subcommand 'SETINFO'")), Verdict::Ignored);
        assert_eq!(select.judge(&Frame::SimpleError(b"ERR DB index is out of range")), Verdict::Failed);
        assert_eq!(select.judge(&Frame::SimpleString(b"OK")), Verdict::Ok);
        assert_eq!(select.judge(&Frame::Integer(1)), Verdict::Unexpected);
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let hs = Handshake {
            credentials: Some(Credentials { username: Some("u"), password: b"s3cr3t" }),
            ..Handshake::DEFAULT
        };
        let text = format!("{hs:?} {:?}", hs.steps());
        assert!(!text.contains("s3cr3t"), "{text}");
    }
}
