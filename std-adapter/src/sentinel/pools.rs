//! Pools whose connections go where the sentinels say: [`Sentinel::master_for`] and
//! [`Sentinel::replica_for`], and the thread that closes a master pool's connections when
//! a sentinel announces a failover.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use ferrodis_core::reply::ServerRole;
use ferrodis_core::resp::Arg;
use ferrodis_core::sentinel::{SWITCH_MASTER_CHANNEL, SwitchMaster};

use super::Sentinel;
use crate::config::{Address, ConnectionConfig};
use crate::connection::Connection;
use crate::pool::ConnectionPool;
use crate::resolver::{AddressResolver, Resolved, WeakResolver};

/// How long the watcher waits for an event before it checks that its pool is still held,
/// and between attempts to reach a sentinel.
pub(super) const WATCH_TICK: Duration = Duration::from_millis(250);

impl Sentinel {
    /// A pool of connections to `service`'s master (redis-py's `master_for`), opened with
    /// `config`'s settings (its password, database, TLS: the master's, not the
    /// sentinels'): each new connection asks the sentinels for the master
    /// ([`discover_master`](Self::discover_master)) and checks its `ROLE` before it is
    /// used, so a sentinel's stale view fails that connect
    /// ([`ErrorKind::WrongRole`](crate::ErrorKind::WrongRole)) instead of a write.
    ///
    /// Threads of the pool's own (one per sentinel) listen to the sentinels'
    /// `+switch-master`: when the first of them announces that the service's master
    /// changed, every idle connection to the old one is closed at once and every one in
    /// use is closed when it comes back, so none is reused after the switch. The threads
    /// end soon after the last clone of the pool (and of its configuration) is dropped. The settings methods (`max_connections`, `wait`, ...) keep all of this.
    ///
    /// ```no_run
    /// use ferrodis_std::{Commands, ConnectionConfig, Sentinel};
    ///
    /// let sentinel = Sentinel::new([("10.0.0.1".to_string(), 26379)], 0, ConnectionConfig::default());
    /// let mut master = sentinel.master_for("mymaster", ConnectionConfig::default()).max_connections(16);
    /// let () = master.set("greeting", "hello")?;
    /// # Ok::<(), ferrodis_std::Error>(())
    /// ```
    pub fn master_for(&self, service: &str, config: ConnectionConfig) -> ConnectionPool {
        let (sentinel, name) = (self.clone(), service.to_owned());
        let resolver = AddressResolver::new(move || {
            let (host, port) = sentinel.discover_master(&name)?;
            Ok(Resolved { address: Address::Tcp { host, port }, role: Some(ServerRole::Primary) })
        });
        watch_switches(self.clone(), service.to_owned(), resolver.downgrade());
        ConnectionPool::new(ConnectionConfig { resolver: Some(resolver), ..config })
    }

    /// A pool of connections to `service`'s replicas (redis-py's `slave_for`): each new
    /// connection goes to the next replica the sentinels list as serving, in turn, and
    /// checks that it is one; with none serving, to the master.
    pub fn replica_for(&self, service: &str, config: ConnectionConfig) -> ConnectionPool {
        let (sentinel, name) = (self.clone(), service.to_owned());
        let turn = Arc::new(AtomicUsize::new(0));
        let resolver = AddressResolver::new(move || {
            let replicas = sentinel.discover_replicas(&name)?;
            let ((host, port), role) = match replica_turn(replicas, &turn) {
                Some(replica) => (replica, ServerRole::Replica),
                None => (sentinel.discover_master(&name)?, ServerRole::Primary),
            };
            Ok(Resolved { address: Address::Tcp { host, port }, role: Some(role) })
        });
        ConnectionPool::new(ConnectionConfig { resolver: Some(resolver), ..config })
    }

    /// A connection to sentinel `i`, subscribed to `+switch-master`, its reads bounded by
    /// [`WATCH_TICK`].
    fn switch_events(&self, i: usize) -> Option<Connection> {
        let mut config = self.0.deployment.sentinel_config(i);
        config.socket_timeout = Some(WATCH_TICK);
        let mut conn = Connection::open(&config).ok()?;
        let subscribe = [Arg::from("SUBSCRIBE"), Arg::from(SWITCH_MASTER_CHANNEL)];
        conn.request_with(&subscribe[..], |_| ()).ok()?;
        Some(conn)
    }
}

/// The replica whose turn it is among `replicas` (none when there are none), `turn`
/// counting the turns taken.
pub(super) fn replica_turn(mut replicas: Vec<(String, u16)>, turn: &AtomicUsize) -> Option<(String, u16)> {
    match replicas.len() {
        0 => None,
        n => Some(replicas.swap_remove(turn.fetch_add(1, Ordering::Relaxed) % n)),
    }
}

/// Starts the threads, one per sentinel, that tell `resolver`'s pools
/// ([`AddressResolver::changed`]) when `service`'s master switches, until no configuration
/// holds the resolver. Every sentinel is listened to: they announce a switch up to about a
/// second apart (the one that ran the failover last, once the replicas are reconfigured),
/// and the first announcement is the one to act on. A watcher whose sentinel connection
/// failed tells the pools too once it has one again: a switch may have gone unheard
/// meanwhile, and the next connections then ask the sentinels again.
fn watch_switches(sentinel: Sentinel, service: String, resolver: WeakResolver) {
    for i in 0..sentinel.sentinels().len() {
        let (sentinel, service, resolver) = (sentinel.clone(), service.clone(), resolver.clone());
        let watch = move || {
            // Every connection to the sentinel but the first follows a time nothing was heard.
            let mut first = true;
            while let Some(live) = resolver.upgrade() {
                let Some(mut events) = sentinel.switch_events(i) else {
                    drop(live);
                    thread::sleep(WATCH_TICK);
                    continue;
                };
                if !first {
                    live.changed();
                }
                drop(live);
                first = false;
                loop {
                    let mut switched = false;
                    let got = events.receive_push(|frame| {
                        if let Some(event) = SwitchMaster::of_message(&frame) {
                            // Before the pools hear of it: their next connections ask again.
                            sentinel.0.deployment.replaced.record(&event);
                            switched = event.service == service;
                        }
                    });
                    let Some(live) = resolver.upgrade() else { return };
                    match got {
                        Ok(_) if switched => live.changed(),
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
            }
        };
        // Without a thread, the pool still follows the master through each connect's ROLE.
        let _ = thread::Builder::new().name("ferrodis-sentinel-watch".into()).spawn(watch);
    }
}
