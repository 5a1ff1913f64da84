//! TLS with rustls (ring provider; no OpenSSL): the client configuration a [`TlsOptions`]
//! describes, the server name to verify, and how rustls failures become [`ErrorKind::Tls`].
//!
//! The server's certificate is verified against the configured roots (a CA file, PEM data,
//! or the webpki roots) and its host name by default. Host name checks are skipped only
//! with `check_hostname: false`, and all verification only with
//! [`CertificateCheck::Disabled`]: both are explicit opt-ins.

use std::io;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use ferrodis_core::error::Delivery;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme,
    StreamOwned,
};

use crate::config::{CertificateCheck, TlsOptions, TlsVersion};
use crate::error::{Error, ErrorKind};
use crate::trace::{self, enter_span, event};

/// A blocking TLS stream over TCP.
pub(crate) type TlsStream = StreamOwned<ClientConnection, TcpStream>;

/// Runs the TLS handshake with `name` over `tcp`, giving up at `deadline`; the socket's
/// read and write timeouts are left at the time that was left.
pub(crate) fn handshake(
    mut tcp: TcpStream,
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
    deadline: Instant,
) -> Result<TlsStream, Error> {
    enter_span!("tls_handshake", server_name = %name.to_str());
    let mut conn = ClientConnection::new(config, name)
        .map_err(|e| tls_error(format!("cannot start the handshake: {e}")))?;
    while conn.is_handshaking() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            event!(warn, "TLS handshake timed out");
            return Err(Error::new(ErrorKind::Timeout, Delivery::NotSent));
        }
        tcp.set_read_timeout(Some(left))?;
        tcp.set_write_timeout(Some(left))?;
        let failed = match conn.complete_io(&mut tcp) {
            Ok((0, 0)) => tls_error("the handshake stalled"),
            Ok(_) => continue,
            Err(e) => handshake_error(e),
        };
        trace::failed("TLS handshake", &failed);
        return Err(failed);
    }
    established(&conn);
    Ok(StreamOwned::new(conn, tcp))
}

/// Records what a finished TLS handshake agreed on (protocol version, cipher suite).
pub(crate) fn established(conn: &ClientConnection) {
    event!(
        debug,
        version = ?conn.protocol_version(),
        cipher_suite = ?conn.negotiated_cipher_suite().map(|suite| suite.suite()),
        "TLS handshake done"
    );
    let _ = conn;
}

/// Whether this build can make TLS connections: it can (the `tls` feature is on).
pub(crate) fn available() -> Result<(), Error> {
    Ok(())
}

/// Sends `close_notify`, best effort: one write attempt that never blocks, since the
/// socket is about to close.
pub(crate) fn close(stream: &mut TlsStream) {
    stream.conn.send_close_notify();
    if stream.sock.set_nonblocking(true).is_ok() {
        let _ = stream.conn.write_tls(&mut stream.sock);
    }
}

/// A TLS setup error (nothing was sent).
fn tls_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Tls(message.into()), Delivery::NotSent)
}

/// The client configuration and the server name for a TLS connection to `host`.
pub(crate) fn setup(
    options: &TlsOptions,
    host: &str,
) -> Result<(Arc<ClientConfig>, ServerName<'static>), Error> {
    Ok((client_config(options)?, server_name(options, host)?))
}

/// The rustls client configuration `options` describe: built at the first connect (it
/// reads the CA and client certificate files) and shared by every connection opened from
/// clones of the same options, until a setting changes.
pub(crate) fn client_config(options: &TlsOptions) -> Result<Arc<ClientConfig>, Error> {
    let key = TlsOptions { built: Default::default(), ..options.clone() };
    options.built.get_or_build(&key, || build(options))
}

/// Builds the rustls client configuration of `options`. Errors name the file or setting
/// at fault, never key material.
fn build(options: &TlsOptions) -> Result<Arc<ClientConfig>, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = match options.min_version {
        TlsVersion::Tls12 => &[&rustls::version::TLS13, &rustls::version::TLS12],
        TlsVersion::Tls13 => &[&rustls::version::TLS13],
    };
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| tls_error(format!("no usable protocol version: {e}")))?;
    let builder = match (options.check, options.check_hostname) {
        (CertificateCheck::Disabled, _) => {
            let verifier = NoVerification { algorithms: provider.signature_verification_algorithms };
            builder.dangerous().with_custom_certificate_verifier(Arc::new(verifier))
        }
        (CertificateCheck::Required, true) => builder.with_root_certificates(roots(options)?),
        (CertificateCheck::Required, false) => {
            let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots(options)?), provider)
                .build()
                .map_err(|e| tls_error(format!("cannot build the certificate verifier: {e}")))?;
            builder.dangerous().with_custom_certificate_verifier(Arc::new(AnyServerName { inner }))
        }
    };
    let config = match (&options.client_cert_file, &options.client_key_file) {
        (Some(cert_file), Some(key_file)) => {
            let chain = certificates_in_file(cert_file)?;
            let key =
                PrivateKeyDer::from_pem_file(key_file).map_err(|e| pem_error(key_file, "private key", &e))?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                tls_error(format!(
                    "client certificate {} and key {} cannot be used: {e}",
                    cert_file.display(),
                    key_file.display()
                ))
            })?
        }
        (None, None) => builder.with_no_client_auth(),
        (Some(_), None) => {
            return Err(Error::config("a TLS client certificate needs its key (client_key_file)"));
        }
        (None, Some(_)) => {
            return Err(Error::config("a TLS client key needs its certificate (client_cert_file)"));
        }
    };
    Ok(Arc::new(config))
}

/// The name the server's certificate must hold (and SNI): `options.server_name`, else the
/// host; IP literals become IP address names.
pub(crate) fn server_name(options: &TlsOptions, host: &str) -> Result<ServerName<'static>, Error> {
    let name = options.server_name.as_deref().unwrap_or(host);
    let bare = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name);
    ServerName::try_from(bare.to_owned()).map_err(|_| {
        Error::config(format!("`{name}` is not a valid TLS server name (DNS name or IP address)"))
    })
}

/// The trusted roots: `ca_file`, `ca_dir` and `ca_pem` when set, else the webpki roots.
fn roots(options: &TlsOptions) -> Result<RootCertStore, Error> {
    let mut roots = RootCertStore::empty();
    if options.ca_file.is_none() && options.ca_pem.is_none() && options.ca_dir.is_none() {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        return Ok(roots);
    }
    if let Some(file) = &options.ca_file {
        for (i, cert) in certificates_in_file(file)?.into_iter().enumerate() {
            roots.add(cert).map_err(|e| {
                tls_error(format!("CA certificate #{} in {} is not usable: {e}", i + 1, file.display()))
            })?;
        }
    }
    if let Some(dir) = &options.ca_dir {
        for (file, cert) in certificates_in_dir(dir)? {
            roots.add(cert).map_err(|e| {
                tls_error(format!("a CA certificate in {} is not usable: {e}", file.display()))
            })?;
        }
    }
    if let Some(data) = &options.ca_pem {
        let certs = CertificateDer::pem_slice_iter(data).collect::<Result<Vec<_>, _>>().map_err(|e| {
            tls_error(format!("the CA PEM data is invalid: {}", pem_problem(&e, "certificate")))
        })?;
        if certs.is_empty() {
            return Err(tls_error("the CA PEM data holds no certificate"));
        }
        for (i, cert) in certs.into_iter().enumerate() {
            roots.add(cert).map_err(|e| {
                tls_error(format!("CA certificate #{} in the PEM data is not usable: {e}", i + 1))
            })?;
        }
    }
    Ok(roots)
}

/// Every certificate in the PEM file `file`; at least one.
fn certificates_in_file(file: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs = CertificateDer::pem_file_iter(file)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| pem_error(file, "certificate", &e))?;
    if certs.is_empty() {
        return Err(tls_error(format!("{} holds no PEM certificate", file.display())));
    }
    Ok(certs)
}

/// Every certificate in the PEM files of directory `dir` (OpenSSL's `CApath`), with the
/// file it came from; files without a certificate (keys, hash links to files already
/// read, anything not PEM) are passed over, but at least one certificate must be found.
fn certificates_in_dir(dir: &Path) -> Result<Vec<(PathBuf, CertificateDer<'static>)>, Error> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| tls_error(format!("cannot read the CA directory {}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> =
        entries.flatten().map(|entry| entry.path()).filter(|p| p.is_file()).collect();
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let Ok(certs) = CertificateDer::pem_file_iter(&file) else { continue };
        found.extend(certs.flatten().map(|cert| (file.clone(), cert)));
    }
    if found.is_empty() {
        return Err(tls_error(format!("the CA directory {} holds no PEM certificate", dir.display())));
    }
    Ok(found)
}

fn pem_error(file: &Path, what: &str, e: &pem::Error) -> Error {
    tls_error(format!("cannot load the {what} from {}: {}", file.display(), pem_problem(e, what)))
}

/// What is wrong with a PEM file, without quoting its contents (it may be a private key).
fn pem_problem(e: &pem::Error, what: &str) -> String {
    match e {
        pem::Error::Io(e) => e.to_string(),
        pem::Error::NoItemsFound => format!("no PEM {what} found"),
        pem::Error::MissingSectionEnd { .. } => "a PEM section has no END line".into(),
        pem::Error::IllegalSectionStart { .. } => "a PEM BEGIN line is malformed".into(),
        pem::Error::Base64Decode(_) => "a PEM section is not valid base64".into(),
        pem::Error::SectionTooLarge => "a PEM section is too large".into(),
        _ => "invalid PEM".into(),
    }
}

/// The rustls error inside an I/O error from a TLS stream, described.
fn rustls_reason(e: &io::Error) -> Option<String> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()).map(ToString::to_string)
}

/// The error of a failed TLS handshake: [`ErrorKind::Tls`] with rustls's reason when
/// rustls refused (bad certificate, unknown CA, name mismatch, alert from the server).
pub(crate) fn handshake_error(e: io::Error) -> Error {
    if let Some(reason) = rustls_reason(&e) {
        return tls_error(format!("handshake failed: {reason}"));
    }
    if e.kind() == io::ErrorKind::UnexpectedEof {
        return tls_error("the server closed the connection during the handshake");
    }
    Error::from(e)
}

/// `e` as an error kind: [`ErrorKind::Tls`] when rustls failed (an alert from the server
/// after the handshake, for example a missing client certificate under TLS 1.3), else
/// [`ErrorKind::Io`].
pub(crate) fn io_kind(e: io::Error) -> ErrorKind {
    match rustls_reason(&e) {
        Some(reason) => ErrorKind::Tls(reason),
        None => ErrorKind::Io(e),
    }
}

/// Like [`io_kind`], for a failure that many waiters learn of: each call makes one error
/// kind, an [`ErrorKind::Io`] of `e`'s kind described as `what` when rustls is not to blame.
#[cfg(feature = "tokio")]
pub(crate) fn io_failure(e: &io::Error, what: &'static str) -> impl Fn() -> ErrorKind + use<> {
    let (reason, kind) = (rustls_reason(e), e.kind());
    move || match &reason {
        Some(reason) => ErrorKind::Tls(reason.clone()),
        None => ErrorKind::Io(io::Error::new(kind, what)),
    }
}

/// Verifies the chain against the roots like [`WebPkiServerVerifier`] but accepts a
/// certificate issued for another name (`check_hostname: false`).
#[derive(Debug)]
struct AnyServerName {
    inner: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for AnyServerName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // webpki checks the name last, so this error means the chain itself is good.
        match self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// **Dangerous**: accepts any server certificate, from anyone, for any name, so the
/// connection is encrypted but the server is not authenticated and a man in the middle
/// goes unnoticed. Used only for [`CertificateCheck::Disabled`] (`ssl_cert_reqs=none`),
/// which must be asked for explicitly. The handshake signatures are still checked against
/// the presented certificate's key.
#[derive(Debug)]
struct NoVerification {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls_message(e: Error) -> String {
        match e.kind() {
            ErrorKind::Tls(message) => message.clone(),
            other => panic!("expected a TLS error, got {other:?}"),
        }
    }

    fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("ferrodis-tls-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        path
    }

    #[test]
    fn the_webpki_roots_are_the_default() {
        assert!(client_config(&TlsOptions::new()).is_ok());
        let mut disabled = TlsOptions::new();
        disabled.check = CertificateCheck::Disabled;
        assert!(client_config(&disabled).is_ok());
    }

    #[test]
    fn unusable_ca_files_are_named() {
        let mut options = TlsOptions::new();
        options.ca_file = Some(std::env::temp_dir().join("ferrodis-no-such-ca.pem"));
        let message = tls_message(client_config(&options).unwrap_err());
        assert!(message.contains("ferrodis-no-such-ca.pem"), "{message}");

        let empty = temp_file("empty.pem", "no PEM here\n");
        options.ca_file = Some(empty.clone());
        let message = tls_message(client_config(&options).unwrap_err());
        assert!(
            message.contains(&*empty.to_string_lossy()) && message.contains("no PEM certificate"),
            "{message}"
        );

        let broken = temp_file("broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n");
        options.ca_file = Some(broken.clone());
        let message = tls_message(client_config(&options).unwrap_err());
        assert!(message.contains(&*broken.to_string_lossy()) && message.contains("END"), "{message}");

        let mut options = TlsOptions::new();
        options.ca_pem = Some(b"nothing".to_vec());
        assert!(tls_message(client_config(&options).unwrap_err()).contains("no certificate"));
        for file in [empty, broken] {
            let _ = std::fs::remove_file(file);
        }
    }

    #[test]
    fn a_bad_key_file_is_named_without_its_contents() {
        let dir = std::env::temp_dir().join(format!("ferrodis-tls-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let files = ferrodis_test_support::TlsFiles::generate(&dir);
        let secret = "c2VjcmV0LWtleS1tYXRlcmlhbA";
        let key = dir.join("broken.key");
        std::fs::write(&key, format!("-----BEGIN PRIVATE KEY-----\n{secret}!!\n-----END PRIVATE KEY-----\n"))
            .unwrap();
        let mut options = TlsOptions::new();
        options.client_cert_file = Some(files.client.cert.path().into());
        options.client_key_file = Some(key.clone());
        let message = tls_message(client_config(&options).unwrap_err());
        assert!(message.contains("broken.key") && !message.contains(secret), "{message}");
        // A key that is not the certificate's.
        options.client_key_file = Some(files.server.key.path().into());
        let message = tls_message(client_config(&options).unwrap_err());
        assert!(message.contains("client.crt") && message.contains("server.key"), "{message}");
        options.client_key_file = Some(files.client.key.path().into());
        assert!(client_config(&options).is_ok());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_certificate_without_its_key_is_a_configuration_error() {
        let mut options = TlsOptions::new();
        options.client_cert_file = Some("client.crt".into());
        let e = client_config(&options).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidConfig(m) if m.contains("key")), "{e:?}");
        options.client_cert_file = None;
        options.client_key_file = Some("client.key".into());
        let e = client_config(&options).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidConfig(m) if m.contains("certificate")), "{e:?}");
    }

    #[test]
    fn server_names_are_dns_names_or_ip_addresses() {
        let options = TlsOptions::new();
        assert!(matches!(server_name(&options, "localhost"), Ok(ServerName::DnsName(_))));
        assert!(matches!(server_name(&options, "127.0.0.1"), Ok(ServerName::IpAddress(_))));
        assert!(matches!(server_name(&options, "::1"), Ok(ServerName::IpAddress(_))));
        let mut named = TlsOptions::new();
        named.server_name = Some("cache.internal".into());
        let name = server_name(&named, "10.0.0.7").unwrap();
        assert_eq!(name.to_str(), "cache.internal");
        named.server_name = Some("[::1]".into());
        assert!(matches!(server_name(&named, "h"), Ok(ServerName::IpAddress(_))));
        named.server_name = Some("not a name".into());
        assert!(matches!(server_name(&named, "h").unwrap_err().kind(), ErrorKind::InvalidConfig(_)));
    }
}

#[cfg(test)]
mod built_once_tests {
    use super::*;

    #[test]
    fn the_configuration_is_built_once_for_clones_and_again_after_a_change() {
        let options = TlsOptions::new();
        let first = client_config(&options).unwrap();
        let clone = options.clone();
        assert!(Arc::ptr_eq(&first, &client_config(&clone).unwrap()), "clones share one build");
        assert!(Arc::ptr_eq(&first, &client_config(&options).unwrap()));
        let mut changed = options.clone();
        changed.min_version = TlsVersion::Tls13;
        let rebuilt = client_config(&changed).unwrap();
        assert!(!Arc::ptr_eq(&first, &rebuilt), "a changed setting builds again");
        let mut back = changed.clone();
        back.min_version = TlsVersion::Tls12;
        assert_eq!(options, back, "the built configuration takes no part in equality");
    }
}
