//! Detached SSH signatures over a file — the SSHSIG format that `ssh-keygen -Y sign`
//! writes and `ssh-keygen -Y verify` checks — and the OpenSSH allowed signers that say
//! whose key may sign what ([`AllowedSigners`]).
//!
//! A signature made here verifies with `ssh-keygen -Y verify`, and one made by
//! `ssh-keygen -Y sign` verifies here: the same armour, the same signed data (namespace,
//! SHA-512 of the message). Ed25519 and RSA (at least 2048 bits, `rsa-sha2-256/512`) keys
//! are supported. Nothing here prints key material: errors and `Debug` name algorithms,
//! fingerprints and lines.
//!
//! ```
//! use gardefou_sshsig::{verify, AllowedSigners, SigningKey};
//! # let key_text = gardefou_sshsig::SigningKey::example_openssh();
//! let key = SigningKey::from_openssh(&key_text)?;
//! let signature = key.sign(b"[database.production]\n", "gardefou-policy")?;
//! let signers = AllowedSigners::parse(
//!     &format!("cto@koomy.app namespaces=\"gardefou-policy\" {}", key.public_key_line()),
//!     "GARDEFOU_ALLOWED_SIGNERS",
//! )?;
//! let signer = verify(b"[database.production]\n", &signature, "gardefou-policy", &signers)?;
//! assert_eq!(signer.principals, "cto@koomy.app");
//! assert!(verify(b"[database.sandbox]\n", &signature, "gardefou-policy", &signers).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod signers;

pub use signers::{
    match_pattern_list, AllowedSigner, AllowedSigners, SignersError, SignersErrorKind,
};

use std::fmt;

use gardefou_redact::Secret;
use ssh_key::private::{KeypairData, RsaKeypair};
use ssh_key::public::KeyData;
use ssh_key::{HashAlg, LineEnding, PrivateKey, SshSig};

/// The smallest RSA modulus accepted, in bits.
pub const RSA_MIN_BITS: usize = 2048;

/// Who signed: the allowed signer whose key made a valid signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signer {
    /// The principals of the allowed signers entry (`cto@koomy.app`).
    pub principals: String,
    /// The key's fingerprint, `SHA256:…`.
    pub fingerprint: String,
    /// The key's algorithm (`ssh-ed25519`, `ssh-rsa`).
    pub algorithm: String,
    /// The allowed signers line that listed the key.
    pub line: usize,
}

/// Why a signature is refused. Never quotes a key: a fingerprint at most.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Not an `-----BEGIN SSH SIGNATURE-----` block that decodes.
    #[error("the signature is not an SSH signature (an `-----BEGIN SSH SIGNATURE-----` block)")]
    Malformed,
    /// Signed for another namespace (another purpose than the one checked).
    #[error("the signature was made for the namespace `{found}`, not `{expected}`")]
    Namespace {
        /// The signature's namespace.
        found: String,
        /// The namespace checked.
        expected: String,
    },
    /// Made by a key that no allowed signer lists.
    #[error("the signing key {fingerprint} is not among the allowed signers")]
    UnknownKey {
        /// The key's fingerprint.
        fingerprint: String,
    },
    /// Listed, but not for this namespace.
    #[error("the signing key {fingerprint} ({principals}) is not allowed to sign `{namespace}` (its namespaces= option)")]
    NamespaceNotAllowed {
        /// The key's fingerprint.
        fingerprint: String,
        /// The principals of the entry.
        principals: String,
        /// The namespace checked.
        namespace: String,
    },
    /// An RSA key below [`RSA_MIN_BITS`], or a key type gardefou does not verify.
    #[error("the signing key {fingerprint} is not accepted: {why}")]
    KeyNotAccepted {
        /// The key's fingerprint.
        fingerprint: String,
        /// Why.
        why: String,
    },
    /// The key is allowed, but the signature is not over this content.
    #[error("the signature by {fingerprint} ({principals}) does not match the content: it was changed after signing, or signed by another file")]
    Mismatch {
        /// The key's fingerprint.
        fingerprint: String,
        /// The principals of the entry.
        principals: String,
    },
}

/// Verifies the armoured SSHSIG `signature` over `message` for `namespace`: the signature
/// decodes, names `namespace`, is made by a key that an entry of `signers` lists and allows
/// for `namespace`, and matches `message`.
pub fn verify(
    message: &[u8],
    signature: &str,
    namespace: &str,
    signers: &AllowedSigners,
) -> Result<Signer, VerifyError> {
    let sig = SshSig::from_pem(signature.trim()).map_err(|_| VerifyError::Malformed)?;
    if sig.namespace() != namespace {
        return Err(VerifyError::Namespace {
            found: sig.namespace().chars().take(64).collect(),
            expected: namespace.to_owned(),
        });
    }
    let key = sig.public_key();
    let fingerprint = signers::fingerprint(key);
    let mut listed = signers.for_key(key).peekable();
    let Some(first) = listed.peek().copied() else {
        return Err(VerifyError::UnknownKey { fingerprint });
    };
    let Some(entry) = listed.find(|e| e.allows_namespace(namespace)) else {
        return Err(VerifyError::NamespaceNotAllowed {
            fingerprint,
            principals: first.principals.clone(),
            namespace: namespace.to_owned(),
        });
    };
    accepted(key).map_err(|why| VerifyError::KeyNotAccepted {
        fingerprint: fingerprint.clone(),
        why,
    })?;
    let public = ssh_key::PublicKey::new(key.clone(), "");
    public
        .verify(namespace, message, &sig)
        .map_err(|_| VerifyError::Mismatch {
            fingerprint: fingerprint.clone(),
            principals: entry.principals.clone(),
        })?;
    Ok(Signer {
        principals: entry.principals.clone(),
        fingerprint,
        algorithm: key.algorithm().as_str().to_owned(),
        line: entry.line,
    })
}

/// The key types and sizes gardefou accepts.
fn accepted(key: &KeyData) -> Result<(), String> {
    match key {
        KeyData::Ed25519(_) => Ok(()),
        KeyData::Rsa(rsa) => {
            let n = rsa.n.as_positive_bytes().unwrap_or_default();
            let bits = n.len() * 8 - n.first().map_or(8, |b| b.leading_zeros() as usize);
            if bits >= RSA_MIN_BITS {
                Ok(())
            } else {
                Err(format!(
                    "an RSA key of {bits} bits (at least {RSA_MIN_BITS} are required)"
                ))
            }
        }
        other => Err(format!(
            "{} keys are not supported (use ssh-ed25519 or ssh-rsa)",
            other.algorithm().as_str()
        )),
    }
}

/// Why a private key cannot sign. Never quotes the key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Not an OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`).
    #[error("not an OpenSSH private key (a public key, a PEM or PKCS#8 key, or another file)")]
    NotOpenssh,
    /// Protected by a passphrase: gardefou never asks for one.
    #[error("the key is protected by a passphrase, which gardefou does not ask for")]
    Encrypted,
    /// A key type or size gardefou does not sign with.
    #[error("{0}")]
    NotAccepted(String),
    /// The signature could not be made.
    #[error("the signature could not be made with this key")]
    Signing,
}

/// An unencrypted private key to sign with. Its `Debug` shows the algorithm and the
/// fingerprint only; the key is zeroed when dropped (by `ssh-key`).
pub struct SigningKey(PrivateKey);

impl SigningKey {
    /// Reads an OpenSSH private key (the file `ssh-keygen` writes). Ed25519 or RSA
    /// (≥ [`RSA_MIN_BITS`]), without passphrase.
    pub fn from_openssh(text: &Secret) -> Result<SigningKey, KeyError> {
        let key =
            PrivateKey::from_openssh(text.expose().trim()).map_err(|_| KeyError::NotOpenssh)?;
        if key.is_encrypted() {
            return Err(KeyError::Encrypted);
        }
        accepted(key.public_key().key_data()).map_err(KeyError::NotAccepted)?;
        Ok(SigningKey(key))
    }

    /// Signs `message` for `namespace` (SHA-512, as `ssh-keygen -Y sign`): the armoured
    /// signature, ending with a newline.
    pub fn sign(&self, message: &[u8], namespace: &str) -> Result<String, KeyError> {
        let sig = match self.0.key_data() {
            KeypairData::Rsa(keypair) => sign_rsa(keypair, message, namespace),
            _ => self.0.sign(namespace, HashAlg::Sha512, message).ok(),
        }
        .ok_or(KeyError::Signing)?;
        let mut pem = sig.to_pem(LineEnding::LF).map_err(|_| KeyError::Signing)?;
        if !pem.ends_with('\n') {
            pem.push('\n');
        }
        Ok(pem)
    }

    /// The public key as an OpenSSH line (`ssh-ed25519 AAAA…`), without comment: what an
    /// allowed signers entry lists.
    pub fn public_key_line(&self) -> String {
        let public = ssh_key::PublicKey::new(self.0.public_key().key_data().clone(), "");
        public.to_openssh().unwrap_or_default()
    }

    /// The key's fingerprint, `SHA256:…`.
    pub fn fingerprint(&self) -> String {
        signers::fingerprint(self.0.public_key().key_data())
    }

    /// The key's algorithm (`ssh-ed25519`, `ssh-rsa`).
    pub fn algorithm(&self) -> String {
        self.0.algorithm().as_str().to_owned()
    }

    /// The comment the key file carries (often `user@host`): public, like the key.
    pub fn comment(&self) -> &str {
        self.0.comment()
    }

    /// A fixed throwaway Ed25519 key for documentation examples: its secret half is
    /// derived from a constant, so it protects nothing.
    #[doc(hidden)]
    pub fn example_openssh() -> Secret {
        let keypair = ssh_key::private::Ed25519Keypair::from_seed(&[42; 32]);
        let key = PrivateKey::new(keypair.into(), "example").expect("a valid key");
        Secret::from(
            key.to_openssh(LineEnding::LF)
                .expect("encodable")
                .to_string(),
        )
    }
}

/// RSA signing done here: `ssh-key` 0.6 rebuilds the private key from the wrong primes
/// (`p` twice), so its own RSA signing always fails. PKCS#1 v1.5 with SHA-512 over the
/// SSHSIG signed data, as `ssh-keygen` signs (`rsa-sha2-512`).
fn sign_rsa(keypair: &RsaKeypair, message: &[u8], namespace: &str) -> Option<SshSig> {
    use rsa::signature::{SignatureEncoding, Signer as _};
    let int = |m: &ssh_key::Mpint| m.as_positive_bytes().map(rsa::BigUint::from_bytes_be);
    let key = rsa::RsaPrivateKey::from_components(
        int(&keypair.public.n)?,
        int(&keypair.public.e)?,
        int(&keypair.private.d)?,
        vec![int(&keypair.private.p)?, int(&keypair.private.q)?],
    )
    .ok()?;
    let data = SshSig::signed_data(namespace, HashAlg::Sha512, message).ok()?;
    let signature = rsa::pkcs1v15::SigningKey::<sha2::Sha512>::new(key)
        .try_sign(&data)
        .ok()?;
    let signature = ssh_key::Signature::new(
        ssh_key::Algorithm::Rsa {
            hash: Some(HashAlg::Sha512),
        },
        signature.to_vec(),
    )
    .ok()?;
    SshSig::new(
        KeyData::Rsa(keypair.public.clone()),
        namespace,
        HashAlg::Sha512,
        signature,
    )
    .ok()
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.0.algorithm().as_str())
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}
