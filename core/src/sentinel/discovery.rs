//! Master discovery over the configured sentinels ([`MasterDiscovery`]), in the order the
//! last discoveries left them ([`SentinelOrder`]).

use core::fmt;

use super::state::{NodeState, StateError};
use crate::resp::{Arg, Frame};

/// The order in which the configured sentinels (`N` at most) are asked: the one that last
/// gave a master first, as redis-py moves it to the front, the others as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SentinelOrder<const N: usize> {
    order: [u8; N],
    len: u8,
}

impl<const N: usize> SentinelOrder<N> {
    /// `count` sentinels (indices `0..count` into the caller's list), in that order; at
    /// most `N` and 255 are kept.
    pub fn new(count: usize) -> Self {
        let len = count.min(N).min(usize::from(u8::MAX));
        let mut order = [0; N];
        for (i, slot) in order.iter_mut().enumerate().take(len) {
            *slot = i as u8; // below 256
        }
        Self { order, len: len as u8 }
    }

    /// The sentinels, in asking order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.order[..usize::from(self.len)].iter().map(|&i| usize::from(i))
    }

    /// How many sentinels there are.
    pub const fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether there are none.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Moves `sentinel` to the front (it gave a master); the others keep their order.
    pub fn promote(&mut self, sentinel: usize) {
        let order = &mut self.order[..usize::from(self.len)];
        if let Some(at) = order.iter().position(|&i| usize::from(i) == sentinel) {
            order[..=at].rotate_right(1);
        }
    }
}

/// What one sentinel said of the master, during a [`MasterDiscovery`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Verdict {
    /// Not asked (a master was found before its turn).
    NotAsked,
    /// It did not answer (a connection error or a timeout).
    NoAnswer,
    /// It does not watch the service (`ERR No such master with that name`).
    UnknownService,
    /// It answered with another error (`NOAUTH`, say).
    Refused,
    /// The node it names is not a master (a stale view).
    NotMaster,
    /// It holds the master for down (`s_down` or `o_down`).
    Down,
    /// It knows fewer other sentinels than the discovery asks for.
    TooFewSentinels {
        /// The other sentinels it knows.
        known: u32,
    },
    /// Its reply could not be read.
    BadReply(StateError),
    /// It names the master a `+switch-master` replaced: it has not caught up with the
    /// failover yet ([`MasterDiscovery::on_reply_replacing`]).
    Replaced,
    /// It gave the master.
    Accepted,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAsked => f.write_str("not asked"),
            Self::NoAnswer => f.write_str("no answer"),
            Self::UnknownService => f.write_str("does not know the service"),
            Self::Refused => f.write_str("refused the request"),
            Self::NotMaster => f.write_str("names a node that is not a master"),
            Self::Down => f.write_str("holds the master for down"),
            Self::TooFewSentinels { known } => write!(f, "knows {known} other sentinels, too few"),
            Self::BadReply(e) => write!(f, "{e}"),
            Self::Replaced => f.write_str("names the master a switch replaced"),
            Self::Accepted => f.write_str("gave the master"),
        }
    }
}

/// The master of a service, as a sentinel named it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct MasterAddress<'r> {
    /// Its host (borrowed from the sentinel's reply).
    pub host: &'r str,
    /// Its port.
    pub port: u16,
}

/// One discovery of a service's master over up to `N` sentinels, as redis-py's
/// `discover_master`: each sentinel in turn is sent [`MasterDiscovery::command`]
/// (`SENTINEL MASTER <service>`), and the first that names a node it holds for a master,
/// not down (`s_down`, `o_down`), and watched by at least `min_other_sentinels` other
/// sentinels, gives the master. The driver then moves that sentinel to the front of its
/// [`SentinelOrder`]. When none does, [`verdicts`](Self::verdicts) says what each said,
/// for a "master not found" error.
///
/// A master found this way is a sentinel's view: the driver checks it with `ROLE` on the
/// connection it opens (see [`ServerRole`](crate::reply::ServerRole)) before the first
/// write, and discovers again when it is not a master.
///
/// ```
/// use ferrodis_core::resp::{Decoded, Frame, decode};
/// use ferrodis_core::sentinel::{MasterAddress, MasterDiscovery, SentinelOrder, Verdict};
///
/// let mut order = SentinelOrder::<3>::new(3);
/// let mut discovery = MasterDiscovery::new(&order, 1);
/// // Sentinel 0 does not answer; sentinel 1 gives the master.
/// assert_eq!(discovery.next(), Some(0));
/// discovery.on_no_answer();
/// assert_eq!(discovery.next(), Some(1));
/// let reply = b"*8\r\n$2\r\nip\r\n$8\r\n10.0.0.2\r\n$4\r\nport\r\n$4\r\n6380\r\n\
///     $5\r\nflags\r\n$6\r\nmaster\r\n$19\r\nnum-other-sentinels\r\n$1\r\n2\r\n";
/// let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
/// assert_eq!(discovery.on_reply(&frame), Some(MasterAddress { host: "10.0.0.2", port: 6380 }));
/// order.promote(1);
/// assert_eq!(order.iter().collect::<Vec<_>>(), [1, 0, 2]);
/// assert_eq!(discovery.verdicts().collect::<Vec<_>>(), [(0, Verdict::NoAnswer), (1, Verdict::Accepted), (2, Verdict::NotAsked)]);
/// # let _ = MasterDiscovery::<3>::command("mymaster");
/// ```
#[derive(Debug, Clone)]
pub struct MasterDiscovery<const N: usize> {
    order: SentinelOrder<N>,
    /// The position in `order` of the sentinel to ask next.
    at: u8,
    min_other_sentinels: u32,
    /// By sentinel index.
    verdicts: [Verdict; N],
}

impl<const N: usize> MasterDiscovery<N> {
    /// The request for `service`'s master state.
    pub fn command(service: &str) -> [Arg<'_>; 3] {
        [Arg::from("SENTINEL"), Arg::from("MASTER"), Arg::from(service)]
    }

    /// A discovery asking the sentinels in `order`, accepting a master that at least
    /// `min_other_sentinels` other sentinels watch (redis-py's `min_other_sentinels`,
    /// default 0).
    pub fn new(order: &SentinelOrder<N>, min_other_sentinels: u32) -> Self {
        Self { order: *order, at: 0, min_other_sentinels, verdicts: [Verdict::NotAsked; N] }
    }

    /// The sentinel to ask now (an index into the caller's list), or `None` when every one
    /// was asked (or the master found).
    pub fn next(&self) -> Option<usize> {
        if self.verdicts.contains(&Verdict::Accepted) {
            return None;
        }
        self.order.iter().nth(usize::from(self.at))
    }

    /// The sentinel asked now did not answer.
    pub fn on_no_answer(&mut self) {
        self.record(Verdict::NoAnswer);
    }

    /// The reply of the sentinel asked now: the master it names, when it is one to take;
    /// otherwise the next sentinel is to be asked.
    pub fn on_reply<'r>(&mut self, reply: &Frame<'r>) -> Option<MasterAddress<'r>> {
        self.on_reply_replacing(reply, None)
    }

    /// [`on_reply`](Self::on_reply) after a `+switch-master` that replaced the master at
    /// `replaced` (host and port as the sentinels name it, [`SwitchMaster::old`]): a
    /// sentinel that still names that one has not caught up with the failover
    /// ([`Verdict::Replaced`]) and the next is asked. Sentinels announce a switch up to
    /// about a second apart, the one that ran the failover last; until then it names
    /// the old master, which still says it is one.
    ///
    /// [`SwitchMaster::old`]: super::SwitchMaster::old
    ///
    /// ```
    /// use ferrodis_core::resp::{decode, Decoded};
    /// use ferrodis_core::sentinel::{MasterDiscovery, SentinelOrder, Verdict};
    ///
    /// let reply = b"*8\r\n$4\r\nname\r\n$1\r\nm\r\n$2\r\nip\r\n$8\r\n10.0.0.1\r\n$4\r\nport\r\n$4\r\n6379\r\n$5\r\nflags\r\n$6\r\nmaster\r\n";
    /// let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
    /// let mut discovery = MasterDiscovery::<2>::new(&SentinelOrder::new(2), 0);
    /// assert_eq!(discovery.on_reply_replacing(&frame, Some(("10.0.0.1", 6379))), None);
    /// assert_eq!(discovery.next(), Some(1), "the next sentinel is asked");
    /// assert_eq!(discovery.verdicts().next(), Some((0, Verdict::Replaced)));
    /// ```
    pub fn on_reply_replacing<'r>(
        &mut self,
        reply: &Frame<'r>,
        replaced: Option<(&str, u16)>,
    ) -> Option<MasterAddress<'r>> {
        let (verdict, master) = match self.judge(reply) {
            (Verdict::Accepted, Some(m)) if replaced == Some((m.host, m.port)) => (Verdict::Replaced, None),
            judged => judged,
        };
        self.record(verdict);
        master
    }

    fn judge<'r>(&self, reply: &Frame<'r>) -> (Verdict, Option<MasterAddress<'r>>) {
        if let Frame::SimpleError(text) | Frame::BulkError(text) = *reply {
            let unknown = text.starts_with(b"ERR No such master") || text.starts_with(b"IDONTKNOW");
            return (if unknown { Verdict::UnknownService } else { Verdict::Refused }, None);
        }
        let state = match NodeState::parse(*reply) {
            Ok(state) => state,
            Err(e) => return (Verdict::BadReply(e), None),
        };
        if !state.has_flag("master") {
            return (Verdict::NotMaster, None);
        }
        if state.is_down() {
            return (Verdict::Down, None);
        }
        let known = state.other_sentinels.unwrap_or(0);
        if known < self.min_other_sentinels {
            return (Verdict::TooFewSentinels { known }, None);
        }
        (Verdict::Accepted, Some(MasterAddress { host: state.host, port: state.port }))
    }

    fn record(&mut self, verdict: Verdict) {
        if let Some(sentinel) = self.next() {
            self.verdicts[sentinel] = verdict;
            self.at = self.at.saturating_add(1);
        }
    }

    /// What each sentinel said, by its index in the caller's list.
    pub fn verdicts(&self) -> impl Iterator<Item = (usize, Verdict)> + '_ {
        self.verdicts.iter().copied().enumerate().take(self.order.len())
    }
}
