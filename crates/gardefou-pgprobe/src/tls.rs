//! TLS with rustls (ring), following `sslmode` as libpq does.
//!
//! | `sslmode` | encryption | certificate chain | host name |
//! |---|---|---|---|
//! | `disable` | never | – | – |
//! | `allow`, `prefer`, absent | when the server offers it | not checked | not checked |
//! | `require` | required | not checked (checked like `verify-ca` when `sslrootcert` is given, as libpq does) | not checked |
//! | `verify-ca` | required | checked | not checked |
//! | `verify-full` | required | checked | checked |
//!
//! Even unverified, the handshake's signatures are checked against the certificate the
//! server presented, and `channel_binding` gets `tls-server-end-point` from that
//! certificate. Roots: the PEM file of `sslrootcert`, else (`sslrootcert=system` or absent)
//! the Mozilla roots compiled in (`webpki-roots`); libpq would read `~/.postgresql/root.crt`.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use gardefou_pgurl::{ConnUrl, Param, SslMode};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};

use crate::ProbeError;

/// Short names for the signature checks' parameters, which rustls verifies for us.
type Der<'a> = CertificateDer<'a>;
type Dss = DigitallySignedStruct;
type SignatureChecked = Result<HandshakeSignatureValid, rustls::Error>;

/// What the certificate check covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verify {
    /// Encrypt, check nothing but the handshake's signatures.
    Nothing,
    /// The chain up to a trusted root.
    Chain,
    /// The chain and the host name.
    Full,
}

/// The verification `sslmode` (and `sslrootcert`) ask for.
pub(crate) fn verification(url: &ConnUrl) -> Verify {
    match url.sslmode() {
        Some(SslMode::VerifyFull) => Verify::Full,
        Some(SslMode::VerifyCa) => Verify::Chain,
        // libpq: "if a root CA file exists, sslmode=require behaves like verify-ca".
        Some(SslMode::Require) if url.param(Param::SslRootCert).is_some() => Verify::Chain,
        _ => Verify::Nothing,
    }
}

/// The rustls client configuration for this URL.
pub(crate) fn client_config(url: &ConnUrl) -> Result<ClientConfig, ProbeError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ProbeError::Config(format!("TLS: {e}")))?;
    let lenient = |chain| {
        let verifier = Lenient {
            provider: provider.clone(),
            chain,
        };
        Arc::new(verifier)
    };
    let builder = match verification(url) {
        Verify::Nothing => builder
            .dangerous()
            .with_custom_certificate_verifier(lenient(None)),
        Verify::Chain => {
            let roots = Arc::new(roots(url)?);
            let chain = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|e| ProbeError::Config(format!("TLS roots: {e}")))?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(lenient(Some(chain)))
        }
        Verify::Full => builder.with_root_certificates(roots(url)?),
    };
    let config = match (url.param(Param::SslCert), url.param(Param::SslKey)) {
        (None, None) => builder.with_no_client_auth(),
        (Some(cert), Some(key)) => {
            let cert_pem = read_pem("sslcert", cert)?;
            let certs = CertificateDer::pem_slice_iter(&cert_pem)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ProbeError::Config(format!("cannot read sslcert {cert}: {e}")))?;
            let key = PrivateKeyDer::from_pem_slice(&read_pem("sslkey", key)?)
                .map_err(|e| ProbeError::Config(format!("cannot read sslkey {key}: {e}")))?;
            builder
                .with_client_auth_cert(certs, key)
                .map_err(|e| ProbeError::Config(format!("sslcert/sslkey: {e}")))?
        }
        _ => {
            return Err(ProbeError::Config(
                "sslcert and sslkey go together: give both or neither".into(),
            ))
        }
    };
    Ok(config)
}

/// The largest PEM file read: far above any real certificate bundle.
const PEM_LIMIT: u64 = 1 << 20;

/// Reads a PEM file named by the URL. It is read before the connection, synchronously, where
/// the probe's timeout cannot interrupt: so only a regular file (a FIFO would block the open
/// for ever) of at most [`PEM_LIMIT`] bytes (`/dev/zero` would be read until memory runs out).
fn read_pem(param: &str, path: &str) -> Result<Vec<u8>, ProbeError> {
    gardefou_edges::bounded::read_regular(std::path::Path::new(path), PEM_LIMIT)
        .map_err(|e| ProbeError::Config(format!("cannot read {param} {path}: {e}")))
}

fn roots(url: &ConnUrl) -> Result<RootCertStore, ProbeError> {
    match url.param(Param::SslRootCert) {
        None | Some("system") => Ok(RootCertStore::from_iter(
            webpki_roots::TLS_SERVER_ROOTS.iter().cloned(),
        )),
        Some(path) => {
            let mut store = RootCertStore::empty();
            let pem = read_pem("sslrootcert", path)?;
            let certs = CertificateDer::pem_slice_iter(&pem)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ProbeError::Config(format!("cannot read sslrootcert {path}: {e}")))?;
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(ProbeError::Config(format!(
                    "sslrootcert {path} holds no usable certificate"
                )));
            }
            Ok(store)
        }
    }
}

/// The verifications weaker than `verify-full`. `require` (`chain: None`): any
/// certificate. `verify-ca` (`chain: Some`): the chain must lead to a trusted root, the name
/// is not checked — the webpki verifier checks the chain before the name, so a name error
/// means the chain passed. Either way the handshake's signatures are checked with the
/// certificate.
#[derive(Debug)]
struct Lenient {
    provider: Arc<CryptoProvider>,
    chain: Option<Arc<WebPkiServerVerifier>>,
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        use rustls::{CertificateError, Error};
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(&self, m: &[u8], c: &Der<'_>, d: &Dss) -> SignatureChecked {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(m, c, d, algorithms)
    }

    fn verify_tls13_signature(&self, m: &[u8], c: &Der<'_>, d: &Dss) -> SignatureChecked {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(m, c, d, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// tokio-postgres' TLS hook over tokio-rustls.
#[derive(Clone)]
pub(crate) struct MakeRustls(pub(crate) Arc<ClientConfig>);

impl<S> MakeTlsConnect<S> for MakeRustls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type TlsConnect = RustlsConnect;
    type Error = io::Error;

    fn make_tls_connect(&mut self, domain: &str) -> io::Result<RustlsConnect> {
        // Called for Unix sockets too (with an empty name), where TLS is never used: a bad
        // name fails only if a handshake is attempted.
        let name = ServerName::try_from(domain.to_owned()).ok();
        Ok(RustlsConnect {
            config: self.0.clone(),
            name,
        })
    }
}

pub(crate) struct RustlsConnect {
    config: Arc<ClientConfig>,
    name: Option<ServerName<'static>>,
}

impl<S> TlsConnect<S> for RustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<RustlsStream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        let connector = tokio_rustls::TlsConnector::from(self.config);
        Box::pin(async move {
            let name = self.name.ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "no host name for TLS")
            })?;
            let tls = connector.connect(name, stream).await?;
            Ok(RustlsStream(tls))
        })
    }
}

pub(crate) struct RustlsStream<S>(tokio_rustls::client::TlsStream<S>);

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for RustlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        let (_, conn) = self.0.get_ref();
        match conn
            .peer_certificates()
            .and_then(|c| c.first())
            .and_then(|cert| tls_server_end_point(cert.as_ref()))
        {
            Some(hash) => ChannelBinding::tls_server_end_point(hash),
            None => ChannelBinding::none(),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for RustlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for RustlsStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// RFC 5929 `tls-server-end-point`: the certificate's hash with its signature's hash
/// function (SHA-256 for MD5 and SHA-1), as PostgreSQL computes it. `None` for algorithms
/// without one (PostgreSQL refuses channel binding for those too).
pub(crate) fn tls_server_end_point(cert_der: &[u8]) -> Option<Vec<u8>> {
    use ring::digest;
    let oid = signature_algorithm_oid(cert_der)?;
    const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01];
    const ECDSA_SHA2: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03];
    const ECDSA_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01];
    let alg = if let Some(last) = oid.strip_prefix(RSA) {
        match last {
            [0x04] | [0x05] | [0x0b] => &digest::SHA256,
            [0x0c] => &digest::SHA384,
            [0x0d] => &digest::SHA512,
            _ => return None,
        }
    } else if let Some(last) = oid.strip_prefix(ECDSA_SHA2) {
        match last {
            [0x02] => &digest::SHA256,
            [0x03] => &digest::SHA384,
            [0x04] => &digest::SHA512,
            _ => return None,
        }
    } else if oid == ECDSA_SHA1 {
        &digest::SHA256
    } else {
        return None;
    };
    Some(digest::digest(alg, cert_der).as_ref().to_vec())
}

/// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm SEQUENCE { OID, … }, … }`:
/// the OID's content bytes.
fn signature_algorithm_oid(der: &[u8]) -> Option<&[u8]> {
    let (tag, cert, _) = tlv(der)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, _, rest) = tlv(cert)?; // tbsCertificate
    if tag != 0x30 {
        return None;
    }
    let (tag, alg, _) = tlv(rest)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, oid, _) = tlv(alg)?;
    (tag == 0x06).then_some(oid)
}

/// One DER element: (tag, contents, the bytes after it).
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_walker_refuses_truncated_input_without_panicking() {
        for n in 0..8 {
            let der = [0x30, 0x82, 0x01, 0x00, 0x30, 0x03, 0x02, 0x01][..n].to_vec();
            assert_eq!(tls_server_end_point(&der), None);
        }
        // SEQUENCE { SEQUENCE {}, SEQUENCE { OID ecdsa-with-SHA256 } }
        let der = [
            0x30, 0x0e, 0x30, 0x00, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04,
            0x03, 0x02,
        ];
        assert_eq!(tls_server_end_point(&der).unwrap().len(), 32);
        let mut sha384 = der;
        sha384[15] = 0x03;
        assert_eq!(tls_server_end_point(&sha384).unwrap().len(), 48);
        let mut ed25519 = der;
        ed25519[15] = 0x09;
        assert_eq!(tls_server_end_point(&ed25519), None);
    }
}
