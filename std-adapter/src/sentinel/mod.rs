//! Redis Sentinel: [`Sentinel`] asks the configured sentinels for a service's master and
//! replicas through core's [`MasterDiscovery`] and listings; this driver only connects to
//! the sentinels and moves the bytes.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use ferrodis_core::error::Delivery;
use ferrodis_core::resp::{CommandArgs, Frame};
use ferrodis_core::sentinel::{
    MasterDiscovery, NodeState, SentinelOrder, StateError, SwitchMaster, Verdict, known_sentinels,
    replicas_command, sentinels_command, serving_replicas,
};

use crate::cluster::AddressRemapFn;
use crate::config::{Address, ConnectionConfig};
use crate::connection::Connection;
use crate::error::{Error, ErrorKind, Result};
use crate::value::{FromValue, Value};

#[cfg(feature = "tokio")]
mod asynch;
mod pools;
pub(crate) mod url;

#[cfg(feature = "tokio")]
pub use asynch::AsyncSentinel;

/// The most sentinels one [`Sentinel`] asks.
pub const MAX_SENTINELS: usize = 32;

/// What one sentinel said during a discovery that found no master (see
/// [`ErrorKind::MasterNotFound`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentinelVerdict {
    /// The sentinel.
    pub sentinel: (String, u16),
    /// What it said.
    pub verdict: Verdict,
    /// Its words, when it refused the request (its error reply, `NOAUTH ...`) or could
    /// not be asked (the error its connection failed with: refused, timed out,
    /// `WRONGPASS ...`).
    pub detail: Option<String>,
}

impl fmt::Display for SentinelVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} {}", self.sentinel.0, self.sentinel.1, self.verdict)?;
        match &self.detail {
            Some(detail) => write!(f, " ({detail})"),
            None => Ok(()),
        }
    }
}

/// What each sentinel asked during one discovery said beyond its verdict
/// ([`SentinelVerdict::detail`]), by sentinel index.
#[derive(Debug, Default)]
struct Details(Vec<Option<String>>);

impl Details {
    fn new(sentinels: usize) -> Self {
        Self(vec![None; sentinels])
    }

    /// Keeps the text of sentinel `i`'s `reply` when it is an error reply.
    fn reply(&mut self, i: usize, reply: &Frame<'_>) {
        if let Frame::SimpleError(text) | Frame::BulkError(text) = reply {
            self.0[i] = Some(String::from_utf8_lossy(text).into_owned());
        }
    }

    /// Keeps the error sentinel `i` could not be asked for.
    fn failure(&mut self, i: usize, e: &Error) {
        self.0[i] = Some(e.to_string());
    }
}

/// One master discovery as both drivers run it: core's [`MasterDiscovery`], with what each
/// sentinel said beyond its verdict and the master a switch replaced lately.
struct Discovery {
    discovery: MasterDiscovery<MAX_SENTINELS>,
    details: Details,
    replaced: Option<(String, u16)>,
}

impl Discovery {
    /// The sentinel to ask now, if any.
    fn next(&self) -> Option<usize> {
        self.discovery.next()
    }

    /// Sentinel `i`'s reply: the master it names, when it is one to take.
    fn on_reply(&mut self, i: usize, reply: &Frame<'_>) -> Option<(String, u16)> {
        self.details.reply(i, reply);
        let replaced = self.replaced.as_ref().map(|(host, port)| (host.as_str(), *port));
        self.discovery.on_reply_replacing(reply, replaced).map(|m| (m.host.to_owned(), m.port))
    }

    /// Sentinel `i` could not be asked: `e`.
    fn on_failure(&mut self, i: usize, e: &Error) {
        self.details.failure(i, e);
        self.discovery.on_no_answer();
    }
}

/// The sentinels of a deployment (redis-py's `Sentinel`): asks them for a service's
/// master ([`discover_master`](Self::discover_master)), its replicas
/// ([`discover_replicas`](Self::discover_replicas)), or sends any command to them
/// ([`execute_command`](Self::execute_command)), and makes pools that follow a failover
/// ([`master_for`](Self::master_for), [`replica_for`](Self::replica_for)). Cheap to clone
/// and shareable across threads; clones share one kept connection to each sentinel.
///
/// The sentinels' connection settings are their own (redis-py's `sentinel_kwargs`): their
/// password, TLS and timeouts are not the master's.
///
/// ```no_run
/// use ferrodis_std::{ConnectionConfig, Sentinel};
///
/// let sentinels = [("10.0.0.1".to_string(), 26379), ("10.0.0.2".to_string(), 26379)];
/// let sentinel = Sentinel::new(sentinels, 1, ConnectionConfig::default());
/// let (host, port) = sentinel.discover_master("mymaster")?;
/// let replicas = sentinel.discover_replicas("mymaster")?;
/// # let _ = (host, port, replicas);
/// # Ok::<(), ferrodis_std::Error>(())
/// ```
#[derive(Clone)]
pub struct Sentinel(Arc<Shared>);

/// What clones of a [`Sentinel`] share.
struct Shared {
    deployment: Deployment,
    state: Mutex<State>,
}

/// What a [`Sentinel`] or an [`AsyncSentinel`] knows of the sentinels it asks.
#[derive(Clone)]
struct Deployment {
    sentinels: Vec<(String, u16)>,
    min_other_sentinels: u32,
    config: ConnectionConfig,
    addressing: Addressing,
    replaced: Arc<Replaced>,
}

/// How long after a `+switch-master` no sentinel's word is taken for the master it
/// replaced: far longer than sentinels take to catch up with one another (about a
/// second), and a failover back to it announces itself.
const REPLACED_FOR: Duration = Duration::from_secs(60);

/// The masters `+switch-master` events replaced, by service, with when each was heard.
#[derive(Default)]
struct Replaced(Mutex<HashMap<String, Replacement>>);

/// A master a switch replaced, and when the switch was heard.
type Replacement = ((String, u16), Instant);

impl Replaced {
    /// Keeps what `event` replaced.
    fn record(&self, event: &SwitchMaster<'_>) {
        let old = (event.old.0.to_owned(), event.old.1);
        self.map().insert(event.service.to_owned(), (old, Instant::now()));
    }

    /// The master a switch replaced lately in `service`, as the sentinels name it.
    fn of(&self, service: &str) -> Option<(String, u16)> {
        let map = self.map();
        map.get(service).filter(|(_, at)| at.elapsed() < REPLACED_FOR).map(|(old, _)| old.clone())
    }

    fn map(&self) -> MutexGuard<'_, HashMap<String, Replacement>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Deployment {
    fn new(
        sentinels: impl IntoIterator<Item = (String, u16)>,
        min_other_sentinels: u32,
        config: ConnectionConfig,
    ) -> Self {
        let sentinels = sentinels.into_iter().take(MAX_SENTINELS).collect();
        let (addressing, replaced) = (Addressing::default(), Arc::default());
        Self { sentinels, min_other_sentinels, config, addressing, replaced }
    }

    /// The connection settings of sentinel `i`.
    fn sentinel_config(&self, i: usize) -> ConnectionConfig {
        let (host, port) = &self.sentinels[i];
        let mut config = self.config.clone();
        config.address = Address::Tcp { host: host.clone(), port: *port };
        config.db = 0;
        config
    }

    /// A discovery of `service`'s master, asking the sentinels in `order`.
    fn discovery(&self, order: &SentinelOrder<MAX_SENTINELS>, service: &str) -> Discovery {
        Discovery {
            discovery: MasterDiscovery::new(order, self.min_other_sentinels),
            details: Details::new(self.sentinels.len()),
            replaced: self.replaced.of(service),
        }
    }

    /// The error of a `discovery` of `service` that found no master: what each sentinel
    /// said.
    fn master_not_found(&self, service: &str, discovery: Discovery) -> Error {
        let Discovery { discovery, mut details, .. } = discovery;
        let verdicts = discovery
            .verdicts()
            .map(|(i, verdict)| SentinelVerdict {
                sentinel: self.sentinels[i].clone(),
                verdict,
                detail: details.0.get_mut(i).and_then(Option::take),
            })
            .collect();
        // Asking has no effect on the service: whatever was to follow was not sent.
        Error::new(ErrorKind::MasterNotFound { service: service.to_owned(), verdicts }, Delivery::NotSent)
    }

    /// The sentinels [`execute_command`](Sentinel::execute_command) sends to: all, or with
    /// `once` one chosen at random.
    fn addressees(&self, once: bool) -> Vec<usize> {
        let count = self.sentinels.len();
        match (once, count) {
            (_, 0) => Vec::new(),
            (true, _) => vec![crate::random::random_word() as usize % count],
            (false, _) => (0..count).collect(),
        }
    }
}

/// The nodes a listing `reply` names: with `sentinels` the sentinels not down, else the
/// serving replicas.
fn listed_nodes(reply: Frame<'_>, sentinels: bool) -> Result<Vec<(String, u16)>> {
    let owned = |node: Result<NodeState<'_>, StateError>| {
        node.map(|n| (n.host.to_owned(), n.port)).map_err(unexpected)
    };
    if sentinels {
        known_sentinels(&reply).map_err(unexpected)?.map(owned).collect()
    } else {
        serving_replicas(&reply).map_err(unexpected)?.map(owned).collect()
    }
}

/// How the addresses the sentinels report become the ones to connect to.
#[derive(Clone, Default)]
struct Addressing {
    /// redis-py's `force_master_ip`.
    force_master_ip: Option<String>,
    remap: Option<AddressRemapFn>,
}

impl Addressing {
    /// The address to connect to for a node reported at `host`:`port`, the master's when
    /// `master`.
    fn apply(&self, (host, port): (String, u16), master: bool) -> (String, u16) {
        let host = match &self.force_master_ip {
            Some(forced) if master => forced.clone(),
            _ => host,
        };
        match &self.remap {
            Some(remap) => remap.apply(&host, port),
            None => (host, port),
        }
    }
}

/// The asking order, and an idle connection to each sentinel.
struct State {
    order: SentinelOrder<MAX_SENTINELS>,
    connections: Vec<Option<Connection>>,
}

impl State {
    fn new(sentinels: usize) -> Self {
        Self { order: SentinelOrder::new(sentinels), connections: (0..sentinels).map(|_| None).collect() }
    }
}

impl Sentinel {
    /// The sentinels at `sentinels` (at most [`MAX_SENTINELS`]), with `config` as their
    /// connection settings (its address is replaced by each sentinel's; its database is
    /// 0). A master is taken only from a sentinel that knows at least
    /// `min_other_sentinels` others watching it (redis-py's `min_other_sentinels`).
    pub fn new(
        sentinels: impl IntoIterator<Item = (String, u16)>,
        min_other_sentinels: u32,
        config: ConnectionConfig,
    ) -> Self {
        Self::of(Deployment::new(sentinels, min_other_sentinels, config))
    }

    fn of(deployment: Deployment) -> Self {
        let state = Mutex::new(State::new(deployment.sentinels.len()));
        Self(Arc::new(Shared { deployment, state }))
    }

    /// The same sentinels, with the master's host they report replaced by `host` (its port
    /// kept): redis-py's `force_master_ip`, for a master reached under another address than
    /// the one the sentinels know (a container's published address, say). Replicas keep
    /// theirs. Before [`address_remap`](Self::address_remap), when both are set.
    #[must_use]
    pub fn force_master_ip(self, host: impl Into<String>) -> Self {
        let host = host.into();
        self.rebuilt(|addressing| addressing.force_master_ip = Some(host))
    }

    /// The same sentinels, with every master and replica address they report rewritten by
    /// `remap` (as the cluster client's `address_remap`), for nodes behind NAT or in
    /// containers whose announced addresses the client cannot reach.
    #[must_use]
    pub fn address_remap(self, remap: AddressRemapFn) -> Self {
        self.rebuilt(|addressing| addressing.remap = Some(remap))
    }

    /// A new `Sentinel` of the same sentinels and settings, its addressing changed by `f`.
    fn rebuilt(self, f: impl FnOnce(&mut Addressing)) -> Self {
        let mut deployment = self.0.deployment.clone();
        f(&mut deployment.addressing);
        Self::of(deployment)
    }

    /// The sentinels, as configured.
    pub fn sentinels(&self) -> &[(String, u16)] {
        &self.0.deployment.sentinels
    }

    /// The master of `service`: the first sentinel (the one that answered last goes
    /// first) that names a node it holds for the master, not down, and watched by enough
    /// other sentinels. Fails with [`ErrorKind::MasterNotFound`], saying what each
    /// sentinel said, when none does.
    pub fn discover_master(&self, service: &str) -> Result<(String, u16)> {
        let mut state = self.state();
        let deployment = &self.0.deployment;
        let mut discovery = deployment.discovery(&state.order, service);
        let command = MasterDiscovery::<MAX_SENTINELS>::command(service);
        while let Some(i) = discovery.next() {
            match self.ask(&mut state, i, &command[..], |reply| discovery.on_reply(i, &reply)) {
                Ok(Some(master)) => {
                    state.order.promote(i);
                    return Ok(deployment.addressing.apply(master, true));
                }
                Ok(None) => {}
                Err(e) => discovery.on_failure(i, &e),
            }
        }
        Err(deployment.master_not_found(service, discovery))
    }

    /// The replicas of `service` that serve (not down, not disconnected), from the first
    /// sentinel that answers; empty when none does (redis-py's `discover_slaves`).
    pub fn discover_replicas(&self, service: &str) -> Result<Vec<(String, u16)>> {
        let replicas = self.first_listing(&replicas_command(service)[..], false)?;
        Ok(replicas.into_iter().map(|replica| self.0.deployment.addressing.apply(replica, false)).collect())
    }

    /// The other sentinels watching `service` that are not down, from the first sentinel
    /// that answers: sentinels not configured can be learnt this way.
    pub fn discover_sentinels(&self, service: &str) -> Result<Vec<(String, u16)>> {
        self.first_listing(&sentinels_command(service)[..], true)
    }

    /// Sends `cmd` to every sentinel and returns each one's reply, in the configured order
    /// (redis-py's `execute_command`); with `once`, to one chosen at random only.
    pub fn execute_command<T: FromValue>(
        &self,
        cmd: &(impl CommandArgs + ?Sized),
        once: bool,
    ) -> Vec<Result<T>> {
        let mut state = self.state();
        self.0
            .deployment
            .addressees(once)
            .into_iter()
            .map(|i| {
                self.ask(&mut state, i, cmd, |reply| Value::from_frame(&reply))
                    .and_then(|v| Ok(T::from_value(v)?))
            })
            .collect()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The nodes a listing command names (serving replicas, or with `sentinels` the
    /// sentinels not down), from the first sentinel that answers it; none when none does
    /// (redis-py's `discover_slaves` returns `[]` then too).
    fn first_listing(
        &self,
        command: &(impl CommandArgs + ?Sized),
        sentinels: bool,
    ) -> Result<Vec<(String, u16)>> {
        let mut state = self.state();
        let order: Vec<usize> = state.order.iter().collect();
        for i in order {
            let listed = self.ask(&mut state, i, command, |reply| listed_nodes(reply, sentinels));
            if let Ok(Ok(nodes)) = listed {
                return Ok(nodes);
            }
        }
        Ok(Vec::new())
    }

    /// Sends `cmd` to sentinel `i` (over its kept connection, opened now if it has none) and
    /// hands the reply to `f`; an error reply is a reply too. A connection that failed is
    /// not kept.
    fn ask<T>(
        &self,
        state: &mut State,
        i: usize,
        cmd: &(impl CommandArgs + ?Sized),
        f: impl FnOnce(Frame<'_>) -> T,
    ) -> Result<T> {
        let slot = &mut state.connections[i];
        let conn = match slot {
            Some(conn) if !conn.is_broken() => conn,
            _ => slot.insert(Connection::open(&self.0.deployment.sentinel_config(i))?),
        };
        let mut f = Some(f);
        let mut out = None;
        // One command as a pipeline: its reply, error replies included, goes to `f`.
        let result = conn.pipeline_args(&[cmd], |_, reply| out = f.take().map(|f| f(reply)));
        if conn.is_broken() {
            *slot = None;
        }
        result?;
        out.ok_or_else(|| Error::new(ErrorKind::UnexpectedReply, Delivery::Answered))
    }
}

/// A sentinel's listing that cannot be read.
fn unexpected(_: StateError) -> Error {
    Error::new(ErrorKind::UnexpectedReply, Delivery::Answered)
}

impl fmt::Debug for Sentinel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sentinel")
            .field("sentinels", &self.0.deployment.sentinels)
            .field("min_other_sentinels", &self.0.deployment.min_other_sentinels)
            .field("order", &self.state().order.iter().collect::<Vec<_>>())
            .finish()
    }
}
