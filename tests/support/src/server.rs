//! A standalone server (`redis-server` or `valkey-server`) on loopback ports in a temporary
//! directory, killed on drop.

use std::fmt::Write as _;
use std::fs;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

use crate::cli;
use crate::kind::ServerKind;
use crate::port::{free_cluster_port, free_port};
use crate::process::Process;
use crate::tls::TlsFiles;

/// How many times a server is started on new ports when another process took its ports.
const START_ATTEMPTS: usize = 5;

/// How `redis-cli` (and a test) reaches a [`RedisServer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// Plain TCP on [`RedisServer::port`].
    Tcp,
    /// TLS on [`RedisServer::tls_port`], trusting [`TlsFiles::ca`] and presenting
    /// [`TlsFiles::client`].
    Tls,
    /// The unix socket at [`RedisServer::unix_socket`].
    Unix,
}

/// A running `redis-server` or `valkey-server` ([`RedisServer::kind`]) on 127.0.0.1 (and
/// `::1`), in its own temporary directory.
///
/// Dropping it kills the process (`SIGKILL`), reaps it and removes the directory.
///
/// Every server listens on a plain TCP port; TLS and a unix socket are added on request with
/// [`RedisServer::builder`]. Persistence is off (`save ""`, `appendonly no`) unless a test
/// turns it on with [`ServerBuilder::config`], `DEBUG` is allowed from loopback
/// (`enable-debug-command local`), and replicas get their first sync at once
/// (`repl-diskless-sync-delay 0`).
///
/// ```no_run
/// let server = ferrodis_test_support::RedisServer::start();
/// assert_eq!(server.redis_cli(&["PING"]), "PONG");
/// ```
#[derive(Debug)]
pub struct RedisServer {
    // Dropped first: the process is killed before its directory is removed.
    process: Process,
    kind: ServerKind,
    settings: ServerBuilder,
    port: u16,
    tls_port: Option<u16>,
    unix_socket: Option<PathBuf>,
    tls: Option<TlsFiles>,
    dir: TempDir,
}

/// Options for a [`RedisServer`]; [`ServerBuilder::start`] starts it.
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `start` is called"]
pub struct ServerBuilder {
    kind: Option<ServerKind>,
    unix_socket: bool,
    tls: bool,
    tls_auth_clients: bool,
    tls_hostname_mismatch: bool,
    cluster: bool,
    password: Option<String>,
    acl_users: Vec<AclUser>,
    config: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
struct AclUser {
    name: String,
    /// The password, when the user was added with every permission.
    admin_password: Option<String>,
    rules: String,
}

impl RedisServer {
    /// Starts a plain TCP server on `127.0.0.1:<free port>`, of the kind
    /// [`ServerKind::from_env`] names.
    ///
    /// # Panics
    ///
    /// When the server binary is not installed, or the server does not answer `PING` within
    /// 10 seconds (the panic message holds its log).
    pub fn start() -> RedisServer {
        RedisServer::builder().start()
    }

    /// Options for a server with TLS, a unix socket, passwords or ACL users.
    pub fn builder() -> ServerBuilder {
        ServerBuilder::default()
    }

    /// Which server this is. A server asked for TLS is always [`ServerKind::Redis`].
    pub fn kind(&self) -> ServerKind {
        self.kind
    }

    /// The host of the plain TCP port: `127.0.0.1`.
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// The plain TCP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:`[`port`](Self::port).
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// The TLS port, when TLS is on. The server certificate is valid for `localhost`,
    /// `127.0.0.1` and `::1`, unless [`ServerBuilder::tls_hostname_mismatch`] is set.
    pub fn tls_port(&self) -> Option<u16> {
        self.tls_port
    }

    /// `127.0.0.1:`[`tls_port`](Self::tls_port), when TLS is on.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls_port.map(|port| SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
    }

    /// The certificates, when TLS is on.
    pub fn tls(&self) -> Option<&TlsFiles> {
        self.tls.as_ref()
    }

    /// The unix socket's path, when asked for (permissions `700`).
    pub fn unix_socket(&self) -> Option<&Path> {
        self.unix_socket.as_deref()
    }

    /// The URL of the main transport, without credentials: `rediss://localhost:<tls port>`
    /// when TLS is on, else `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        self.tls_url().unwrap_or_else(|| self.tcp_url())
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn tcp_url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// `rediss://localhost:<tls port>`, when TLS is on.
    pub fn tls_url(&self) -> Option<String> {
        self.tls_port.map(|port| format!("rediss://localhost:{port}"))
    }

    /// `unix://<socket path>`, when the server has a unix socket.
    pub fn unix_url(&self) -> Option<String> {
        self.unix_socket.as_ref().map(|path| format!("unix://{}", path.display()))
    }

    /// The default user's password, when one was set with [`ServerBuilder::password`].
    pub fn password(&self) -> Option<&str> {
        self.settings.password.as_deref()
    }

    /// The server's directory (config, logs, socket, certificates, data).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The process id of the running server.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// The last lines of the server's log file and of its stdout and stderr.
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// How many times the server has run `command` (lowercase, `get`), from its `INFO
    /// commandstats`: 0 when it has not run it yet.
    ///
    /// # Panics
    ///
    /// As [`redis_cli`](Self::redis_cli) does, or when the count is not a number.
    pub fn command_calls(&self, command: &str) -> u64 {
        let stats = self.redis_cli(&["INFO", "commandstats"]);
        let prefix = format!("cmdstat_{command}:calls=");
        stats
            .lines()
            .find_map(|line| line.strip_prefix(prefix.as_str()))
            .and_then(|rest| rest.split(',').next())
            .map_or(0, |n| n.parse().unwrap_or_else(|_| panic!("calls of {command}: {n:?}")))
    }

    /// Runs `redis-cli` with `args` over the main transport (TLS when on, else TCP),
    /// authenticated (see [`RedisServer::cli_command`]), and returns its stdout, trimmed.
    ///
    /// Error replies come back as text (`ERR ...`): `redis-cli` treats them as success.
    ///
    /// # Panics
    ///
    /// When `redis-cli` fails (it could not connect, for example), with its stderr.
    pub fn redis_cli(&self, args: &[&str]) -> String {
        let transport = if self.tls_port.is_some() { Transport::Tls } else { Transport::Tcp };
        self.redis_cli_via(transport, args)
    }

    /// Runs `redis-cli` with `args` over `transport`, like [`RedisServer::redis_cli`].
    pub fn redis_cli_via(&self, transport: Transport, args: &[&str]) -> String {
        cli::run(self.cli_command(transport), args)
    }

    /// A `redis-cli` command that reaches the server over `transport`, without the command's
    /// own arguments: for checks that need its exit status or stderr.
    ///
    /// It authenticates as the default user with [`ServerBuilder::password`] when set, else
    /// as the first user added with [`ServerBuilder::acl_user`], if any.
    ///
    /// # Panics
    ///
    /// When the server does not have `transport`.
    pub fn cli_command(&self, transport: Transport) -> Command {
        let mut command = cli::command();
        match transport {
            Transport::Tcp => {
                command.args(["-h", "127.0.0.1", "-p"]).arg(self.port.to_string());
            }
            Transport::Tls => {
                let (Some(port), Some(tls)) = (self.tls_port, &self.tls) else {
                    panic!("this server has no TLS port: build it with `.tls(true)`");
                };
                command.args(["-h", "localhost", "-p"]).arg(port.to_string());
                command.args(["--tls", "--sni", "localhost", "--cacert"]).arg(tls.ca.path());
                command.arg("--cert").arg(tls.client.cert.path()).arg("--key").arg(tls.client.key.path());
            }
            Transport::Unix => {
                let Some(path) = &self.unix_socket else {
                    panic!("this server has no unix socket: build it with `.unix_socket(true)`");
                };
                command.arg("-s").arg(path);
            }
        }
        let admin =
            self.settings.acl_users.iter().find_map(|user| Some((&user.name, user.admin_password.as_ref()?)));
        if let Some(password) = &self.settings.password {
            command.args(["--no-auth-warning", "--pass", password]);
        } else if let Some((name, password)) = admin {
            command.args(["--no-auth-warning", "--user", name, "--pass", password]);
        }
        command
    }

    /// Stops the server: kills it and removes its directory (the same as dropping it).
    pub fn stop(self) {
        drop(self);
    }

    /// Whether the server process has not exited.
    pub fn is_running(&mut self) -> bool {
        self.process.is_running()
    }

    /// Freezes the server with `SIGSTOP`: its ports stay open but nothing is answered, as
    /// with a hung or partitioned server. [`RedisServer::resume`] undoes it.
    pub fn pause(&self) {
        self.process.signal("STOP");
    }

    /// Lets a server frozen by [`RedisServer::pause`] run again (`SIGCONT`).
    pub fn resume(&self) {
        self.process.signal("CONT");
    }

    /// Kills the server (`SIGKILL`) as a crash would, keeping its ports and directory for
    /// [`RedisServer::restart`].
    pub fn kill(&mut self) {
        self.process.kill();
    }

    /// Stops the server gracefully (`SIGTERM`: it saves its data if persistence was turned
    /// on) unless it already exited, then starts it again with the same ports, config and
    /// directory, and waits until it answers.
    ///
    /// # Panics
    ///
    /// When the server does not come back within 10 seconds.
    pub fn restart(&mut self) {
        self.process.terminate();
        if let Err(failure) = self.process.respawn() {
            failure.panic(&format!("restarted {}", self.kind));
        }
    }
}

impl ServerBuilder {
    /// Start this kind of server instead of the one [`ServerKind::from_env`] names.
    pub fn server(mut self, kind: ServerKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Also listen on a unix socket, `<dir>/redis.sock`, with permissions `700`.
    pub fn unix_socket(mut self, on: bool) -> Self {
        self.unix_socket = on;
        self
    }

    /// Also listen for TLS on a second port, with certificates generated for this server
    /// ([`TlsFiles`]). Clients need not present a certificate unless
    /// [`ServerBuilder::tls_auth_clients`] is set.
    ///
    /// A TLS server is always a `redis-server`: the valkey build has no TLS. When the
    /// chosen kind is [`ServerKind::Valkey`], [`ServerBuilder::start`] says so on stderr
    /// and starts `redis-server` ([`RedisServer::kind`] tells).
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = on;
        self
    }

    /// Require TLS clients to present a certificate signed by [`TlsFiles::ca`]
    /// (`tls-auth-clients yes`). Turns TLS on.
    pub fn tls_auth_clients(mut self, on: bool) -> Self {
        self.tls_auth_clients = on;
        self.tls |= on;
        self
    }

    /// Serve [`TlsFiles::mismatched_server`], a certificate signed by the right CA for
    /// another host name ([`crate::MISMATCHED_HOST`]), so a client that checks host names
    /// must refuse it. Turns TLS on.
    pub fn tls_hostname_mismatch(mut self, on: bool) -> Self {
        self.tls_hostname_mismatch = on;
        self.tls |= on;
        self
    }

    /// Require this password for the default user (`requirepass`).
    pub fn password(mut self, password: &str) -> Self {
        self.password = Some(password.to_owned());
        self
    }

    /// Add an ACL user with every permission: `user <name> on ><password> ~* &* +@all`.
    pub fn acl_user(mut self, name: &str, password: &str) -> Self {
        self.acl_users.push(AclUser {
            name: name.to_owned(),
            admin_password: Some(password.to_owned()),
            rules: format!("on >{password} ~* &* +@all"),
        });
        self
    }

    /// Add an ACL user with the given rules, for example `"on >secret ~cache:* +get"`,
    /// written as `user <name> <rules>`. Also use `acl_user_with_rules("default", "off")`
    /// to turn the default user off.
    pub fn acl_user_with_rules(mut self, name: &str, rules: &str) -> Self {
        self.acl_users.push(AclUser { name: name.to_owned(), admin_password: None, rules: rules.to_owned() });
        self
    }

    /// Add a line `<key> <value>` to the config file, after the defaults, so it overrides
    /// them (for example `config("maxmemory", "10mb")`). The value is written as given:
    /// quote it Redis's way if it holds spaces.
    pub fn config(mut self, key: &str, value: &str) -> Self {
        self.config.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Run as a cluster node (`cluster-enabled yes`, `cluster-config-file nodes.conf`,
    /// `cluster-node-timeout 5000`), on a port whose cluster bus port (`+10000`) is free.
    pub fn cluster_enabled(mut self, on: bool) -> Self {
        self.cluster = on;
        self
    }

    /// Starts the server and waits until it answers `PING`. When another process takes one
    /// of its ports first, it is started again on new ones.
    ///
    /// # Panics
    ///
    /// When the server binary is not installed, or the server does not answer `PING`
    /// within 10 seconds (the panic message holds its log).
    pub fn start(self) -> RedisServer {
        let kind = self.chosen_kind();
        let program = kind.server();
        let dir = tempfile::Builder::new()
            .prefix("ferrodis-redis-")
            .tempdir()
            .unwrap_or_else(|err| panic!("cannot create a temp dir: {err}"));
        let tls = self.tls.then(|| TlsFiles::generate(dir.path()));
        let unix_socket = self.unix_socket.then(|| dir.path().join("redis.sock"));
        let mut attempt = 1;
        loop {
            let port = if self.cluster { free_cluster_port() } else { free_port() };
            let tls_port = self.tls.then(free_port);
            let config = dir.path().join("redis.conf");
            let text = self.config_text(dir.path(), port, tls_port, tls.as_ref(), unix_socket.as_deref());
            fs::write(&config, text).unwrap_or_else(|err| panic!("cannot write {}: {err}", config.display()));
            match Process::start(program.clone(), config, dir.path(), port) {
                Ok(process) => {
                    return RedisServer {
                        process,
                        kind,
                        settings: self,
                        port,
                        tls_port,
                        unix_socket,
                        tls,
                        dir,
                    };
                }
                Err(failure) if failure.port_taken() && attempt < START_ATTEMPTS => attempt += 1,
                Err(failure) => failure.panic(&kind.to_string()),
            }
        }
    }

    /// The kind asked for (or named by the environment), unless TLS needs `redis-server`.
    fn chosen_kind(&self) -> ServerKind {
        let kind = self.kind.unwrap_or_else(ServerKind::from_env);
        if self.tls && !kind.has_tls() {
            eprintln!(
                "ferrodis-test-support: TLS asked for on {kind}, which has no TLS: starting redis-server"
            );
            return ServerKind::Redis;
        }
        kind
    }

    fn config_text(
        &self,
        dir: &Path,
        port: u16,
        tls_port: Option<u16>,
        tls: Option<&TlsFiles>,
        unix_socket: Option<&Path>,
    ) -> String {
        let mut text = String::new();
        let mut line = |key: &str, value: &str| {
            let _ = writeln!(text, "{key} {value}");
        };
        line("port", &port.to_string());
        // `-` makes `::1` optional, for machines without IPv6.
        line("bind", "127.0.0.1 -::1");
        line("daemonize", "no");
        line("dir", &quote(dir));
        line("logfile", &quote(&dir.join("redis.log")));
        line("save", "\"\"");
        line("appendonly", "no");
        line("enable-debug-command", "local");
        // Replicas sync at once instead of waiting 5 s for more replicas to join.
        line("repl-diskless-sync-delay", "0");
        if let Some(path) = unix_socket {
            line("unixsocket", &quote(path));
            line("unixsocketperm", "700");
        }
        if let (Some(tls_port), Some(tls)) = (tls_port, tls) {
            let server = if self.tls_hostname_mismatch { &tls.mismatched_server } else { &tls.server };
            line("tls-port", &tls_port.to_string());
            line("tls-cert-file", &quote(server.cert.path()));
            line("tls-key-file", &quote(server.key.path()));
            line("tls-ca-cert-file", &quote(tls.ca.path()));
            line("tls-auth-clients", if self.tls_auth_clients { "yes" } else { "no" });
        }
        if let Some(password) = &self.password {
            line("requirepass", &quote_str(password));
        }
        for user in &self.acl_users {
            line("user", &format!("{} {}", user.name, user.rules));
        }
        if self.cluster {
            line("cluster-enabled", "yes");
            line("cluster-config-file", "nodes.conf");
            line("cluster-node-timeout", "5000");
        }
        for (key, value) in &self.config {
            line(key, value);
        }
        text
    }
}

/// `path` as a double-quoted Redis config string.
pub(crate) fn quote(path: &Path) -> String {
    let text = path.to_str().unwrap_or_else(|| panic!("{} is not UTF-8", path.display()));
    quote_str(text)
}

/// `text` as a double-quoted Redis config string.
pub(crate) fn quote_str(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
