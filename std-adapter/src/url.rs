//! Connection URLs as configurations: redis-py's `from_url`, on top of the core parser.

use std::path::PathBuf;

use ferrodis_core::error::ServerErrorKind;
use ferrodis_core::retry::{RetryOn, RetryPolicy};
use ferrodis_core::url::{CertReqs, ConnectionUrl, Options, Secret, Text, Transport, UrlError};

use crate::config::{Address, CertificateCheck, ConnectionConfig, Keepalive, Password, TlsOptions};
use crate::error::{Error, Result};
use crate::trace::event;

/// Decoded URL text as a `String`.
pub(crate) fn text(t: Text<'_>) -> Result<String> {
    String::from_utf8(t.bytes().collect()).map_err(|_| Error::config("URL text is not UTF-8"))
}

impl ConnectionConfig {
    /// The configuration a `redis://`, `rediss://` or `unix://` URL describes, as redis-py
    /// reads it (see [`ferrodis_core::url`] for every rule); settings the URL does not
    /// mention keep their defaults. The error never quotes the password.
    ///
    /// A `redis+sentinel://` URL names sentinels, not a server: it is refused here, and by
    /// every `from_url` built on this one, with an error that says to use
    /// [`Sentinel::from_url`](crate::Sentinel::from_url).
    ///
    /// ```
    /// use std::time::Duration;
    /// use ferrodis_std::{Address, ConnectionConfig, Protocol};
    ///
    /// let config = ConnectionConfig::from_url("redis://app:p%40ss@cache:6380/2?protocol=3&socket_timeout=1.5")?;
    /// assert_eq!(config.address, Address::Tcp { host: "cache".into(), port: 6380 });
    /// assert_eq!((config.db, config.username.as_deref()), (2, Some("app")));
    /// assert_eq!(config.password.as_ref().map(|p| p.expose()), Some("p@ss"));
    /// assert_eq!(config.protocol, Protocol::Resp3);
    /// assert_eq!(config.socket_timeout, Some(Duration::from_millis(1500)));
    /// # Ok::<(), ferrodis_std::Error>(())
    /// ```
    pub fn from_url(url: &str) -> Result<ConnectionConfig> {
        Self::from_url_for(url, For::Connection).map(|(config, ..)| config)
    }

    /// The configuration of `url`, and the pool or cluster settings it names when it is for
    /// one.
    pub(crate) fn from_url_for(
        url: &str,
        purpose: For,
    ) -> Result<(ConnectionConfig, PoolSettings, ClusterSettings)> {
        let parsed = ConnectionUrl::parse(url).map_err(|e| match e {
            UrlError::SentinelScheme => Error::config(
                "a redis+sentinel:// URL names sentinels, not a server: use Sentinel::from_url \
                 (its master_for gives the master's pool)",
            ),
            e => Error::config(format!("invalid URL: {e}")),
        })?;
        // The URL as it displays: the password shows as `***`.
        event!(debug, url = %parsed, "configuration from a URL");
        let address = match parsed.transport() {
            Transport::Tcp { host, port } | Transport::Tls { host, port } => {
                Address::Tcp { host: text(host)?, port }
            }
            Transport::Unix { path } => Address::Unix(PathBuf::from(text(path)?)),
        };
        let parts = UrlParts {
            address,
            tls: parsed.is_tls(),
            db: parsed.db(),
            username: parsed.username(),
            password: parsed.password(),
            options: parsed.options(),
        };
        parts.config(purpose)
    }
}

/// What a configuration is made of, from a parsed connection or sentinel URL.
pub(crate) struct UrlParts<'u, 'a> {
    pub(crate) address: Address,
    pub(crate) tls: bool,
    pub(crate) db: u32,
    pub(crate) username: Option<Text<'a>>,
    pub(crate) password: Option<Secret<'a>>,
    pub(crate) options: &'u Options<'a>,
}

impl UrlParts<'_, '_> {
    /// The configuration, and the pool and cluster settings, for `purpose`.
    pub(crate) fn config(self, purpose: For) -> Result<(ConnectionConfig, PoolSettings, ClusterSettings)> {
        if self.tls {
            crate::tls::available()?;
        }
        let mut config = ConnectionConfig {
            address: self.address,
            db: self.db,
            username: self.username.map(text).transpose()?,
            password: self.password.map(|p| text(p.expose()).map(Password::new)).transpose()?,
            ..ConnectionConfig::default()
        };
        let o = self.options;
        refuse_unsupported(o, purpose)?;
        let pool = PoolSettings {
            max_connections: o.max_connections.map(|n| n as usize),
            wait: o.timeout,
            health_check_interval: o.health_check_interval.filter(|t| !t.is_zero()),
        };
        let cluster = ClusterSettings {
            read_from_replicas: o.read_from_replicas,
            require_full_coverage: o.require_full_coverage,
            reinitialize_steps: o.reinitialize_steps,
            cluster_error_retry_attempts: o.cluster_error_retry_attempts,
            dynamic_startup_nodes: o.dynamic_startup_nodes,
        };
        if let Some(t) = o.socket_timeout {
            config.socket_timeout = Some(t);
        }
        if let Some(bytes) = o.socket_read_size {
            config.read_buffer_size = bytes as usize;
        }
        if let Some(t) = o.socket_connect_timeout {
            config.connect_timeout = t;
        }
        if let Some(on) = o.socket_keepalive {
            config.keepalive = on.then(Keepalive::default);
        }
        if let Some(p) = o.protocol {
            config.protocol = p;
        }
        if let Some(name) = o.client_name {
            config.client_name = Some(text(name)?);
        }
        if let Some(name) = o.lib_name {
            config.lib_name = Some(text(name)?);
        }
        if let Some(version) = o.lib_version {
            config.lib_version = Some(text(version)?);
        }
        config.readonly = o.readonly.unwrap_or(false);
        config.retry = retry_policy(o)?;
        if self.tls {
            let mut tls = TlsOptions::new();
            tls.ca_file = o.ssl_ca_certs.map(text).transpose()?.map(PathBuf::from);
            tls.client_cert_file = o.ssl_certfile.map(text).transpose()?.map(PathBuf::from);
            tls.client_key_file = o.ssl_keyfile.map(text).transpose()?.map(PathBuf::from);
            tls.ca_dir = o.ssl_ca_path.map(text).transpose()?.map(PathBuf::from);
            tls.min_version = o.ssl_min_version.unwrap_or_default();
            if let Some(check) = o.ssl_check_hostname {
                tls.check_hostname = check;
            }
            if o.ssl_cert_reqs == Some(CertReqs::None) {
                tls.check = CertificateCheck::Disabled;
                tls.check_hostname = false;
            }
            config.tls = Some(tls);
        }
        Ok((config, pool, cluster))
    }
}

/// redis-py's `retry_on_timeout` and `retry_on_error` as a [`RetryPolicy`]: none unless
/// one of them asks (then [`RetryPolicy::DEFAULT`], which retries connection errors, with
/// what they add). Either way a request that may have reached the server is never sent
/// twice.
fn retry_policy(o: &Options<'_>) -> Result<RetryPolicy> {
    let mut classes = RetryOn::NOTHING;
    if let Some(names) = o.retry_on_error {
        let names = text(names)?;
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            classes = classes.union(match name {
                "ConnectionError" => RetryOn::CONNECTION,
                "TimeoutError" => RetryOn::TIMEOUT,
                "BusyLoadingError" => RetryOn::server(ServerErrorKind::Loading),
                "TryAgainError" => RetryOn::server(ServerErrorKind::TryAgain),
                "ClusterDownError" => RetryOn::server(ServerErrorKind::ClusterDown),
                "MasterDownError" => RetryOn::server(ServerErrorKind::MasterDown),
                other => {
                    return Err(Error::config(format!(
                        "URL option 'retry_on_error' names '{other}': it takes a comma-separated list of \
                         ConnectionError, TimeoutError, BusyLoadingError, TryAgainError, ClusterDownError, \
                         MasterDownError"
                    )));
                }
            });
        }
    }
    let on_timeout = o.retry_on_timeout == Some(true);
    if !on_timeout && o.retry_on_error.is_none() {
        return Ok(RetryPolicy::NEVER);
    }
    Ok(RetryPolicy::DEFAULT.retry_on_timeout(on_timeout).retry_on_error(classes))
}

/// What a URL is read for: a single connection, a [`ConnectionPool`](crate::ConnectionPool),
/// which honours the pool's options, or a cluster client, whose first URL carries the
/// cluster's options and whose others do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum For {
    Connection,
    Pool,
    Cluster,
    ClusterNode,
}

/// A URL's pool options: `max_connections`, `timeout` (the wait for a connection) and
/// `health_check_interval`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PoolSettings {
    pub(crate) max_connections: Option<usize>,
    pub(crate) wait: Option<std::time::Duration>,
    pub(crate) health_check_interval: Option<std::time::Duration>,
}

/// A URL's cluster options (redis-py's `RedisCluster.from_url`): `read_from_replicas`,
/// `require_full_coverage`, `reinitialize_steps`, `cluster_error_retry_attempts` and
/// `dynamic_startup_nodes`; `None` for those it does not give.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ClusterSettings {
    pub(crate) read_from_replicas: Option<bool>,
    pub(crate) require_full_coverage: Option<bool>,
    pub(crate) reinitialize_steps: Option<u32>,
    pub(crate) cluster_error_retry_attempts: Option<u8>,
    pub(crate) dynamic_startup_nodes: Option<bool>,
}

/// Refuses, by name, the options a URL may carry that nothing here honours yet, unless
/// their value asks for what ferrodis does anyway (`retry_on_timeout=false`,
/// `health_check_interval=0`). A pool honours its own options, a cluster client's first
/// URL the cluster's.
fn refuse_unsupported(o: &Options<'_>, purpose: For) -> Result<()> {
    let single = purpose != For::Pool;
    let not_cluster = match purpose {
        For::Cluster => None,
        For::ClusterNode => Some("a cluster's options go on its first URL"),
        For::Connection | For::Pool => {
            Some("it is a cluster client's: use ClusterClient::from_url or ClusterConfig::from_urls")
        }
    };
    let cluster = [
        (o.read_from_replicas.is_some(), "read_from_replicas"),
        (o.require_full_coverage.is_some(), "require_full_coverage"),
        (o.reinitialize_steps.is_some(), "reinitialize_steps"),
        (o.cluster_error_retry_attempts.is_some(), "cluster_error_retry_attempts"),
        (o.dynamic_startup_nodes.is_some(), "dynamic_startup_nodes"),
    ];
    if let (Some(why), Some((_, option))) = (not_cluster, cluster.into_iter().find(|(given, _)| *given)) {
        return Err(Error::config(format!("URL option '{option}' is not supported: {why}")));
    }
    let refused = [
        (
            single && o.health_check_interval.is_some_and(|t| !t.is_zero()),
            "health_check_interval",
            "a pool health-checks the connections it lends: use ConnectionPool::from_url",
        ),
        (
            single && o.max_connections.is_some(),
            "max_connections",
            "a client does not pool: use ConnectionPool::from_url",
        ),
        (single && o.timeout.is_some(), "timeout", "it is a pool's wait: use ConnectionPool::from_url"),
        (
            o.ssl_password.is_some(),
            "ssl_password",
            "encrypted private keys are not supported: give ssl_keyfile an unencrypted PKCS#8, PKCS#1 or SEC1 key",
        ),
        (
            o.ssl_ciphers.is_some(),
            "ssl_ciphers",
            "rustls offers its own safe cipher suites and takes no OpenSSL cipher list",
        ),
    ];
    match refused.into_iter().find(|(given, ..)| *given) {
        Some((_, option, why)) => {
            Err(Error::config(format!("URL option '{option}' is not supported: {why}")))
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_redis_py_forms_become_configurations() {
        let c = ConnectionConfig::from_url("unix:///tmp/redis.sock?db=3&password=p%40ss").unwrap();
        assert_eq!(c.address, Address::Unix("/tmp/redis.sock".into()));
        assert_eq!((c.db, c.password.as_ref().map(Password::expose)), (3, Some("p@ss")));
        #[cfg(feature = "tls")]
        {
            let c = ConnectionConfig::from_url("rediss://u:pw@localhost:6390/1?ssl_cert_reqs=none").unwrap();
            let tls = c.tls.unwrap();
            assert_eq!(tls.check, CertificateCheck::Disabled);
        }
        let c = ConnectionConfig::from_url("redis://localhost/0?db=5&socket_keepalive=No").unwrap();
        assert_eq!((c.db, c.keepalive), (5, None));
    }

    #[cfg(not(feature = "tls"))]
    #[test]
    fn tls_urls_say_which_feature_they_need() {
        let e = ConnectionConfig::from_url("rediss://u:s3cr3t@localhost:6390/1").unwrap_err();
        assert!(matches!(e.kind(), crate::ErrorKind::InvalidConfig(_)), "{e:?}");
        let shown = e.to_string();
        assert!(shown.contains("`tls` feature") && !shown.contains("s3cr3t"), "{shown}");
        let config = ConnectionConfig { tls: Some(TlsOptions::new()), ..ConnectionConfig::default() };
        let e = crate::Connection::open(&config).err().expect("no TLS in this build");
        assert!(e.to_string().contains("`tls` feature"), "{e}");
    }

    #[test]
    fn bad_urls_name_the_problem_and_never_the_password() {
        let e = ConnectionConfig::from_url("redis://u:s3cr3t@host:notaport").unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(shown.contains("port"), "{shown}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        let e = ConnectionConfig::from_url("redis://h?bogus=1").unwrap_err();
        assert!(e.to_string().contains("bogus"), "{e}");
        let c = ConnectionConfig::from_url("redis://u:s3cr3t@host").unwrap();
        assert!(!format!("{c:?}").contains("s3cr3t"));
    }

    #[test]
    fn options_nothing_honours_yet_are_refused_by_name() {
        for (query, option) in [
            ("health_check_interval=30", "health_check_interval"),
            ("max_connections=10", "max_connections"),
            ("timeout=5", "timeout"),
        ] {
            let e = ConnectionConfig::from_url(&format!("redis://h?{query}")).unwrap_err();
            assert!(
                e.to_string().contains(&format!("URL option '{option}' is not supported")),
                "{query}: {e}"
            );
        }
        // Without TLS a `rediss://` URL fails first, for want of the feature.
        #[cfg(feature = "tls")]
        for (query, option) in [("ssl_password=s3cr3t", "ssl_password"), ("ssl_ciphers=HIGH", "ssl_ciphers")]
        {
            let e = ConnectionConfig::from_url(&format!("rediss://h?{query}")).unwrap_err();
            assert!(
                e.to_string().contains(&format!("URL option '{option}' is not supported")),
                "{query}: {e}"
            );
            assert!(!format!("{e} {e:?}").contains("s3cr3t"), "{e:?}");
        }
        // Values that ask for what happens anyway are fine.
        ConnectionConfig::from_url("redis://h?retry_on_timeout=false&health_check_interval=0").unwrap();
    }

    #[test]
    fn retry_options_become_a_retry_policy() {
        use ferrodis_core::retry::{ErrorClass, RetryPolicy};

        let none = ConnectionConfig::from_url("redis://h").unwrap();
        assert_eq!(none.retry, RetryPolicy::NEVER);
        let timeout = ConnectionConfig::from_url("redis://h?retry_on_timeout=true").unwrap();
        assert!(
            timeout.retry.applies_to(ErrorClass::Timeout) && timeout.retry.applies_to(ErrorClass::Connection)
        );
        let named =
            ConnectionConfig::from_url("redis://h?retry_on_error=BusyLoadingError,%20TimeoutError").unwrap();
        assert!(named.retry.applies_to(ErrorClass::Server(ServerErrorKind::Loading)));
        assert!(named.retry.applies_to(ErrorClass::Timeout));
        assert!(!named.retry.applies_to(ErrorClass::Server(ServerErrorKind::TryAgain)));
        let e = ConnectionConfig::from_url("redis://h?retry_on_error=ResponseError").unwrap_err();
        assert!(
            e.to_string().contains("'ResponseError'") && e.to_string().contains("ConnectionError"),
            "{e}"
        );
    }

    #[test]
    fn options_are_honoured() {
        let c = ConnectionConfig::from_url("redis://h?socket_read_size=4096&readonly=yes").unwrap();
        assert_eq!((c.read_buffer_size, c.readonly), (4096, true));
        #[cfg(feature = "tls")]
        {
            let url = "rediss://h?ssl_ca_path=/etc/ssl/certs&ssl_min_version=tlsv1_3";
            let tls = ConnectionConfig::from_url(url).unwrap().tls.unwrap();
            assert_eq!(tls.ca_dir.as_deref(), Some(std::path::Path::new("/etc/ssl/certs")));
            assert_eq!(tls.min_version, crate::TlsVersion::Tls13);
        }
        let e = ConnectionConfig::from_url("redis://h?protocol=resp3").unwrap_err();
        assert!(e.to_string().contains("it takes 2 or 3"), "{e}");
    }
}
