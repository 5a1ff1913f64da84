//! Sentinel URLs (`redis+sentinel://`, `rediss+sentinel://`) as a [`Sentinel`], the
//! service's name and the master's configuration: [`Sentinel::from_url`].

use ferrodis_core::url::SentinelUrl;

use super::{MAX_SENTINELS, Sentinel};
use crate::config::{ConnectionConfig, Password};
use crate::error::{Error, Result};
use crate::pool::ConnectionPool;
use crate::trace::event;
use crate::url::{For, PoolSettings, UrlParts, text};

/// A service behind Redis Sentinel as a sentinel URL describes it
/// ([`Sentinel::from_url`]): the sentinels to ask, the service's name, and how to connect
/// to its master and replicas. [`master_for`](Self::master_for) and
/// [`replica_for`](Self::replica_for) make the pools; the fields are there for anything
/// else (`sentinel.discover_master(&service)`, say).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SentinelService {
    /// The sentinels, with their own connection settings: `sentinel_username`,
    /// `sentinel_password`, the `socket_*` options (redis-py's default `sentinel_kwargs`)
    /// and, for `rediss+sentinel://`, the URL's TLS settings; and `min_other_sentinels`.
    pub sentinel: Sentinel,
    /// The service's name, as the sentinels know it (the URL's path: `/mymaster`).
    pub service: String,
    /// The connection settings of the master and replicas: the URL's user name,
    /// password, database and options, as [`ConnectionConfig::from_url`] reads them. Its
    /// `address` is not used: each connection asks the sentinels.
    pub config: ConnectionConfig,
    /// The URL's pool options (`max_connections`, `timeout`, `health_check_interval`).
    pool: PoolSettings,
}

impl SentinelService {
    /// The pool of connections to the master, [`Sentinel::master_for`] with
    /// [`config`](Self::config) and the URL's pool options.
    pub fn master_for(&self) -> ConnectionPool {
        self.pooled(self.sentinel.master_for(&self.service, self.config.clone()))
    }

    /// The pool of connections to the replicas, [`Sentinel::replica_for`] with
    /// [`config`](Self::config) and the URL's pool options.
    pub fn replica_for(&self) -> ConnectionPool {
        self.pooled(self.sentinel.replica_for(&self.service, self.config.clone()))
    }

    /// `pool` with the URL's pool options.
    fn pooled(&self, pool: ConnectionPool) -> ConnectionPool {
        pool.rebuilt(self.pool)
    }

    /// The Tokio pool of connections to the master: [`AsyncSentinel::master_for`](crate::AsyncSentinel::master_for) of these
    /// sentinels, with [`config`](Self::config) and the URL's pool options. Call it within
    /// a Tokio runtime (its switch listeners are tasks on it).
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub fn async_master_for(&self) -> crate::AsyncConnectionPool {
        self.async_sentinel().master_for(&self.service, self.config.clone()).rebuilt(self.pool)
    }

    /// The Tokio pool of connections to the replicas: [`AsyncSentinel::replica_for`](crate::AsyncSentinel::replica_for) of
    /// these sentinels, with [`config`](Self::config) and the URL's pool options.
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub fn async_replica_for(&self) -> crate::AsyncConnectionPool {
        self.async_sentinel().replica_for(&self.service, self.config.clone()).rebuilt(self.pool)
    }

    /// One reconnecting multiplexed connection to the master that follows a failover:
    /// [`AsyncSentinel::reconnecting_master_for`](crate::AsyncSentinel::reconnecting_master_for) of these sentinels with
    /// [`config`](Self::config).
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub async fn reconnecting_master_for(&self) -> Result<crate::ReconnectingConnection> {
        self.async_sentinel().reconnecting_master_for(&self.service, self.config.clone()).await
    }

    /// These sentinels, asked from Tokio tasks.
    #[cfg(feature = "tokio")]
    fn async_sentinel(&self) -> crate::AsyncSentinel {
        crate::AsyncSentinel::from(&self.sentinel)
    }
}

impl Sentinel {
    /// The sentinels, service and master configuration a `redis+sentinel://` or
    /// `rediss+sentinel://` URL names (see [`SentinelUrl`] for the form and every rule):
    ///
    /// ```text
    /// redis+sentinel://[[username]:[password]@]host[:port][,host[:port]...]/service[/db][?options]
    /// ```
    ///
    /// The user name and password are the master's; the sentinels' are the
    /// `sentinel_username` and `sentinel_password` options. A port not given is 26379.
    /// More than [`MAX_SENTINELS`] sentinels, or a malformed URL, is an error that never
    /// quotes a password.
    ///
    /// ```no_run
    /// use ferrodis_std::{Commands, Sentinel};
    ///
    /// let url = "redis+sentinel://:masterpw@10.0.0.1,10.0.0.2:26380/mymaster/0\
    ///            ?sentinel_password=sentinelpw&max_connections=16";
    /// let service = Sentinel::from_url(url)?;
    /// assert_eq!(service.service, "mymaster");
    /// let mut master = service.master_for();
    /// let () = master.set("greeting", "hello")?;
    /// # Ok::<(), ferrodis_std::Error>(())
    /// ```
    pub fn from_url(url: &str) -> Result<SentinelService> {
        let parsed =
            SentinelUrl::parse(url).map_err(|e| Error::config(format!("invalid sentinel URL: {e}")))?;
        // The URL as it displays: the passwords show as `***`, or not at all.
        event!(debug, url = %parsed, "sentinels from a URL");
        let count = parsed.sentinels().len();
        if count > MAX_SENTINELS {
            return Err(Error::config(format!(
                "a sentinel URL names {count} sentinels: at most {MAX_SENTINELS} are asked"
            )));
        }
        let sentinels =
            parsed.sentinels().map(|(host, port)| Ok((text(host)?, port))).collect::<Result<Vec<_>>>()?;
        let o = parsed.options();
        let parts = UrlParts {
            address: ConnectionConfig::default().address,
            tls: parsed.is_tls(),
            db: parsed.db(),
            username: parsed.username(),
            password: parsed.password(),
            options: o,
        };
        let (config, pool, _) = parts.config(For::Pool)?;
        let sentinel_config = ConnectionConfig {
            username: o.sentinel_username.map(text).transpose()?,
            password: o.sentinel_password.map(|p| text(p.expose()).map(Password::new)).transpose()?,
            tls: config.tls.clone(),
            socket_timeout: config.socket_timeout,
            connect_timeout: config.connect_timeout,
            keepalive: config.keepalive,
            read_buffer_size: config.read_buffer_size,
            ..ConnectionConfig::default()
        };
        let sentinel = Sentinel::new(sentinels, o.min_other_sentinels.unwrap_or(0), sentinel_config);
        Ok(SentinelService { sentinel, service: text(parsed.service())?, config, pool })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_sentinel_url_splits_into_sentinels_service_and_master_settings() {
        let url = "redis+sentinel://app:masterpw@s1,[::1]:26380/my%20master/3?sentinel_username=watch\
                   &sentinel_password=sentpw&min_other_sentinels=1&socket_timeout=0.5&protocol=3\
                   &max_connections=4&timeout=2";
        let service = Sentinel::from_url(url).unwrap();
        assert_eq!(service.service, "my master");
        assert_eq!(service.sentinel.sentinels(), [("s1".to_string(), 26379), ("::1".to_string(), 26380)]);
        assert_eq!(service.sentinel.0.deployment.min_other_sentinels, 1);

        let master = &service.config;
        assert_eq!((master.db, master.username.as_deref()), (3, Some("app")));
        assert_eq!(master.password.as_ref().map(Password::expose), Some("masterpw"));
        assert_eq!(master.protocol, crate::Protocol::Resp3);
        assert_eq!(master.socket_timeout, Some(Duration::from_millis(500)));

        let sentinels = &service.sentinel.0.deployment.config;
        assert_eq!(sentinels.username.as_deref(), Some("watch"));
        assert_eq!(sentinels.password.as_ref().map(Password::expose), Some("sentpw"));
        assert_eq!(sentinels.socket_timeout, Some(Duration::from_millis(500)), "socket_* go to both");
        assert_eq!((sentinels.db, sentinels.protocol), (0, crate::Protocol::Resp2));

        assert_eq!(
            (service.pool.max_connections, service.pool.wait),
            (Some(4), Some(Duration::from_secs(2)))
        );
        let shown = format!("{service:?}");
        assert!(!shown.contains("masterpw") && !shown.contains("sentpw"), "{shown}");
    }

    #[test]
    fn defaults_and_bad_sentinel_urls() {
        let service = Sentinel::from_url("redis+sentinel:///mymaster").unwrap();
        assert_eq!(service.sentinel.sentinels(), [("localhost".to_string(), 26379)]);
        assert_eq!(service.config.address, ConnectionConfig::default().address);
        assert_eq!(
            (service.config.password.is_none(), service.sentinel.0.deployment.config.password.is_none()),
            (true, true)
        );

        for (url, says) in [
            ("redis://h/0", "not redis+sentinel"),
            ("redis+sentinel://u:s3cr3t@h", "names no service"),
            ("redis+sentinel://u:s3cr3t@h1,,h2/m", "malformed host"),
            ("redis+sentinel://h/m?read_from_replicas=yes", "'read_from_replicas'"),
            ("redis+sentinel://h/m?sentinel_password=s3cr3t&ssl_ciphers=x", "does not apply"),
        ] {
            let e = Sentinel::from_url(url).unwrap_err();
            let shown = format!("{e} {e:?}");
            assert!(shown.contains(says) && !shown.contains("s3cr3t"), "{url}: {shown}");
        }
        let many = format!("redis+sentinel://{}/m", vec!["h"; MAX_SENTINELS + 1].join(","));
        let e = Sentinel::from_url(&many).unwrap_err();
        assert!(e.to_string().contains("33 sentinels: at most 32"), "{e}");
        assert_eq!(
            Sentinel::from_url(&many.replacen("h,", "", 1)).unwrap().sentinel.sentinels().len(),
            MAX_SENTINELS
        );
    }

    #[cfg(feature = "tls")]
    #[test]
    fn rediss_sentinel_is_tls_to_the_sentinels_and_the_master() {
        let service = Sentinel::from_url("rediss+sentinel://h/m?ssl_cert_reqs=none").unwrap();
        let master = service.config.tls.as_ref().expect("TLS to the master");
        assert_eq!(master.check, crate::CertificateCheck::Disabled);
        assert_eq!(service.sentinel.0.deployment.config.tls.as_ref().map(|t| t.check), Some(master.check));
    }

    #[test]
    fn one_server_entry_points_refuse_a_sentinel_url_naming_sentinel_from_url() {
        for e in [
            ConnectionConfig::from_url("redis+sentinel://u:s3cr3t@h/m").unwrap_err(),
            ConnectionPool::from_url("redis+sentinel://u:s3cr3t@h/m").unwrap_err(),
            crate::ClusterConfig::from_url("rediss+sentinel://u:s3cr3t@h/m").unwrap_err(),
        ] {
            let shown = format!("{e} {e:?}");
            assert!(shown.contains("use Sentinel::from_url") && !shown.contains("s3cr3t"), "{shown}");
        }
    }
}
