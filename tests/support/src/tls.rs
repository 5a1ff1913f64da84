//! TLS certificates generated at test time: a CA, certificates it signed, and an unrelated CA.

use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SanType,
};

/// The host name that [`TlsFiles::mismatched_server`] is issued for, and no client connects to.
pub const MISMATCHED_HOST: &str = "wrong.example";

/// A PEM file written to disk, with its text and the DER bytes it encodes.
#[derive(Clone, Debug)]
pub struct PemFile {
    path: PathBuf,
    pem: String,
    der: Vec<u8>,
}

impl PemFile {
    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's text (`-----BEGIN ...`).
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// The DER bytes of the certificate, or of the PKCS#8 private key.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    fn write(dir: &Path, name: &str, pem: String, der: Vec<u8>) -> PemFile {
        let path = dir.join(name);
        fs::write(&path, &pem).unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
        PemFile { path, pem, der }
    }
}

/// A certificate and its private key.
#[derive(Clone, Debug)]
pub struct CertAndKey {
    /// The certificate (one PEM `CERTIFICATE` block).
    pub cert: PemFile,
    /// Its private key (one PEM `PRIVATE KEY` block, PKCS#8).
    pub key: PemFile,
}

/// Every certificate a TLS test needs, written as PEM files into one directory.
///
/// Keys are ECDSA P-256. All certificates are valid from 1975 to 4096.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TlsFiles {
    /// The CA that signed `server`, `client` and `mismatched_server`: what a client trusts.
    pub ca: PemFile,
    /// The server's certificate, for `localhost`, `127.0.0.1` and `::1`.
    pub server: CertAndKey,
    /// A client certificate for mutual TLS, signed by `ca`.
    pub client: CertAndKey,
    /// A server certificate signed by `ca` for [`MISMATCHED_HOST`] only: a client that checks
    /// host names must reject it when connecting to `localhost` or `127.0.0.1`.
    pub mismatched_server: CertAndKey,
    /// A CA unrelated to `ca`: a client that trusts only it must reject the server.
    pub other_ca: PemFile,
    /// A client certificate signed by `other_ca`: a server requiring client certificates
    /// must reject it.
    pub other_client: CertAndKey,
}

impl TlsFiles {
    /// Generates fresh certificates and writes them into `dir` (`ca.crt`, `server.crt`,
    /// `server.key`, `client.crt`, `client.key`, `mismatched-server.crt`,
    /// `mismatched-server.key`, `other-ca.crt`, `other-client.crt`, `other-client.key`).
    ///
    /// # Panics
    ///
    /// When a certificate cannot be generated or a file cannot be written.
    pub fn generate(dir: &Path) -> TlsFiles {
        let ca = new_ca("ferrodis test CA");
        let other_ca = new_ca("ferrodis unrelated test CA");
        let server_names = [
            SanType::DnsName("localhost".try_into().expect("an ASCII name")),
            SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)),
        ];
        let mismatched_names = [SanType::DnsName(MISMATCHED_HOST.try_into().expect("an ASCII name"))];
        TlsFiles {
            ca: write_cert(dir, "ca.crt", &ca),
            server: issue(dir, "server", &ca, "localhost", &server_names),
            client: issue(dir, "client", &ca, "ferrodis test client", &[]),
            mismatched_server: issue(dir, "mismatched-server", &ca, MISMATCHED_HOST, &mismatched_names),
            other_ca: write_cert(dir, "other-ca.crt", &other_ca),
            other_client: issue(dir, "other-client", &other_ca, "ferrodis unrelated client", &[]),
        }
    }
}

fn new_ca(common_name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    CertifiedIssuer::self_signed(params, new_key()).expect("a self-signed CA certificate")
}

/// Issues a leaf certificate good for both server and client authentication (Redis uses its
/// server certificate as a client certificate too, for replication and the cluster bus).
fn issue(
    dir: &Path,
    stem: &str,
    ca: &CertifiedIssuer<'static, KeyPair>,
    common_name: &str,
    names: &[SanType],
) -> CertAndKey {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, common_name);
    params.subject_alt_names = names.to_vec();
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages =
        vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
    params.use_authority_key_identifier_extension = true;
    let key = new_key();
    let cert = params.signed_by(&key, ca).expect("a certificate signed by the test CA");
    CertAndKey {
        cert: PemFile::write(dir, &format!("{stem}.crt"), cert.pem(), cert.der().to_vec()),
        key: PemFile::write(dir, &format!("{stem}.key"), key.serialize_pem(), key.serialize_der()),
    }
}

fn write_cert(dir: &Path, name: &str, ca: &CertifiedIssuer<'static, KeyPair>) -> PemFile {
    PemFile::write(dir, name, ca.pem(), ca.der().to_vec())
}

fn new_key() -> KeyPair {
    KeyPair::generate().expect("an ECDSA P-256 key pair")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_file_as_pem() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let files = TlsFiles::generate(dir.path());
        let certs = [&files.ca, &files.server.cert, &files.client.cert, &files.mismatched_server.cert];
        for cert in certs.into_iter().chain([&files.other_ca, &files.other_client.cert]) {
            assert!(cert.pem().starts_with("-----BEGIN CERTIFICATE-----"), "{}", cert.path().display());
            assert_eq!(fs::read_to_string(cert.path()).expect("written"), cert.pem());
            assert!(!cert.der().is_empty());
        }
        for key in
            [&files.server.key, &files.client.key, &files.mismatched_server.key, &files.other_client.key]
        {
            assert!(key.pem().starts_with("-----BEGIN PRIVATE KEY-----"), "{}", key.path().display());
        }
        assert_ne!(files.ca.der(), files.other_ca.der());
    }

    #[test]
    fn names_each_server_certificate_for_its_host() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let files = TlsFiles::generate(dir.path());
        let contains = |der: &[u8], name: &[u8]| der.windows(name.len()).any(|window| window == name);
        assert!(contains(files.server.cert.der(), b"localhost"));
        assert!(contains(files.server.cert.der(), &[127, 0, 0, 1]));
        assert!(!contains(files.server.cert.der(), MISMATCHED_HOST.as_bytes()));
        assert!(contains(files.mismatched_server.cert.der(), MISMATCHED_HOST.as_bytes()));
        assert!(!contains(files.mismatched_server.cert.der(), b"localhost"));
    }
}
