//! Opening a connection: [`connect`] (one attempt) and [`reconnect`] (attempts with
//! backoff until one succeeds).

use embassy_net::dns;
use embassy_time::Timer;
use ferrodis_core::conn::{Buffer, PushHandler};
use ferrodis_core::retry::{ErrorClass, RetryOn};
use ferrodis_core::{Delivery, Error, ErrorKind};
use rand_core::RngCore;

use crate::subscribe::subscribe;
use crate::{Backoff, Config, Connection, NetError};

/// Opens the connection: resets the socket if it was in use, resolves the server's name,
/// connects within [`Config::connect_timeout`], runs [`Config::handshake`] (`HELLO 3` or
/// `AUTH`, client name, `SELECT`, ...) and subscribes to [`Config::subscriptions`].
///
/// Use it for the first connect and after any failure that left the connection broken
/// ([`is_broken`](ferrodis_core::conn::asynch::Connection::is_broken)); replies owed to
/// earlier requests are forgotten. On error the socket is left closed, so the connection
/// fails fast until a later `connect` succeeds; [`reconnect`] retries with backoff.
pub async fn connect<R: Buffer, W: Buffer, P: PushHandler>(
    conn: &mut Connection<'_, R, W, P>,
) -> Result<(), Error<NetError>> {
    let remote = conn.get_ref().remote();
    let endpoint = match conn.get_mut().open().await {
        Ok(endpoint) => endpoint,
        Err(e) => {
            warn!("ferrodis: cannot connect to {}: {:?}", remote, e);
            return Err(Error::new(ErrorKind::Io(e), Delivery::NotSent));
        }
    };
    // A fresh TCP connection: nothing buffered or owed from the old one.
    conn.reset();
    let Config { handshake, subscriptions, .. } = *conn.get_ref().config();
    let ready = match conn.handshake(&handshake).await {
        Ok(()) => subscribe(conn, &subscriptions).await,
        Err(e) => Err(e),
    };
    match ready {
        Ok(()) => {
            info!("ferrodis: connected to {}", endpoint);
            Ok(())
        }
        Err(e) => {
            warn!("ferrodis: handshake with {} failed: {:?}", endpoint, e);
            conn.get_mut().abort();
            Err(e)
        }
    }
}

/// [`connect`] until it succeeds: after each failed attempt it sleeps the delay that
/// `backoff` picks with a random word from `rng` (any `rand_core` RNG: a hardware TRNG, or
/// a PRNG seeded from one). Errors that another attempt cannot fix (a refused password,
/// a database index out of range, an invalid host name) are returned at once, and so is
/// the last error once `backoff` gives up. On success `backoff` starts over.
///
/// ```no_run
/// # async fn demo<R: ferrodis_core::conn::Buffer, W: ferrodis_core::conn::Buffer>(
/// #     conn: &mut ferrodis_embassy::Connection<'_, R, W>,
/// #     rng: &mut impl rand_core::RngCore,
/// # ) -> Result<(), ferrodis_core::Error<ferrodis_embassy::NetError>> {
/// use ferrodis_embassy::{Backoff, reconnect};
///
/// let mut backoff = Backoff::DEFAULT;
/// loop {
///     // `.err()` ends the reply's borrow of the connection.
///     if let Some(e) = conn.request(&["INCR".into(), "uptime".into()]).await.err() {
///         if !conn.is_broken() {
///             return Err(e); // an error reply, or a read that timed out
///         }
///         reconnect(conn, &mut backoff, rng).await?;
///     }
/// #   break;
/// }
/// # Ok(()) }
/// ```
pub async fn reconnect<R: Buffer, W: Buffer, P: PushHandler>(
    conn: &mut Connection<'_, R, W, P>,
    backoff: &mut Backoff,
    rng: &mut impl RngCore,
) -> Result<(), Error<NetError>> {
    loop {
        match connect(conn).await {
            Ok(()) => {
                backoff.reset();
                return Ok(());
            }
            Err(e) if !worth_retrying(&e) => return Err(e),
            Err(e) => match backoff.next_delay(rng.next_u32()) {
                Some(delay) => {
                    debug!(
                        "ferrodis: attempt {} failed, next in {} ms",
                        backoff.attempts(),
                        delay.as_millis()
                    );
                    Timer::after(delay).await;
                }
                None => return Err(e),
            },
        }
    }
}

/// Whether another connect attempt can succeed where this one failed.
fn worth_retrying(e: &Error<NetError>) -> bool {
    match e.kind() {
        // A server that is starting or busy says so (LOADING, BUSY, TRYAGAIN, CLUSTERDOWN,
        // MASTERDOWN); anything else it refused (a wrong password, SELECT out of range, an
        // unknown HELLO) it will refuse again.
        ErrorKind::Server(s) => RetryOn::UNAVAILABLE.contains(ErrorClass::Server(s.kind())),
        ErrorKind::Io(NetError::Dns(dns::Error::InvalidName | dns::Error::NameTooLong)) => false,
        ErrorKind::Encode(_) => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embassy_net::tcp;
    use ferrodis_core::ServerError;

    #[test]
    fn retries_what_can_change_and_not_what_cannot() {
        let io = |e: NetError| Error::new(ErrorKind::Io(e), Delivery::NotSent);
        let server = |text: &[u8]| Error::new(ErrorKind::Server(ServerError::new(text)), Delivery::Answered);
        let table: [(Error<NetError>, bool); 13] = [
            (io(NetError::TimedOut), true),
            (io(tcp::ConnectError::ConnectionReset.into()), true),
            (io(dns::Error::Failed.into()), true),
            (io(dns::Error::InvalidName.into()), false),
            (server(b"LOADING Redis is loading the dataset in memory"), true),
            (server(b"BUSY Redis is busy running a script"), true),
            (server(b"TRYAGAIN Multiple keys request during rehashing of slot"), true),
            (server(b"CLUSTERDOWN The cluster is down"), true),
            (
                server(b"MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."),
                true,
            ),
            (server(b"NOAUTH HELLO must be called with the client already authenticated"), false),
            (server(b"WRONGPASS invalid username-password pair"), false),
            (server(b"ERR DB index is out of range"), false),
            (Error::new(ErrorKind::Closed, Delivery::Unknown), true),
        ];
        for (error, expected) in table {
            assert_eq!(worth_retrying(&error), expected, "{error}");
        }
    }
}
