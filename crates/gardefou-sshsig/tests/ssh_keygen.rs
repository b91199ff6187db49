//! Against the real `ssh-keygen`: keys generated at run time in a temp dir (none is
//! committed), signatures exchanged both ways.

use std::path::{Path, PathBuf};
use std::process::Command;

use gardefou_redact::Secret;
use gardefou_sshsig::{verify, AllowedSigners, KeyError, SigningKey, VerifyError};
use gardefou_testkit::run::Runs;

const NS: &str = "gardefou-policy";
const POLICY: &[u8] = b"[database.production]\nneon_endpoints = [\"ep-alpha-1\"]\n";

/// A key pair made by `ssh-keygen` in `dir`: the private key's path.
fn keygen(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(name);
    Command::new("ssh-keygen")
        .args(["-q", "-C", name, "-f"])
        .arg(&path)
        .args(args)
        .run()
        .success();
    path
}

/// `ssh-keygen -Y sign` of `file` with `key`: the signature, as ssh-keygen wrote it beside
/// the file.
fn ssh_keygen_sign(key: &Path, file: &Path) -> String {
    let mut sig = file.as_os_str().to_owned();
    sig.push(".sig");
    let _ = std::fs::remove_file(&sig);
    Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", NS, "-f"])
        .arg(key)
        .arg(file)
        .run()
        .success();
    std::fs::read_to_string(sig).unwrap()
}

fn private(path: &Path) -> SigningKey {
    SigningKey::from_openssh(&Secret::from(std::fs::read_to_string(path).unwrap())).unwrap()
}

fn public(path: &Path) -> String {
    std::fs::read_to_string(path.with_extension("pub")).unwrap()
}

fn signers_of(line: &str) -> AllowedSigners {
    AllowedSigners::parse(line, "allowed_signers").unwrap()
}

fn kinds(dir: &Path) -> Vec<PathBuf> {
    vec![
        keygen(dir, "ed", &["-t", "ed25519", "-N", ""]),
        keygen(dir, "rsa", &["-t", "rsa", "-b", "3072", "-N", ""]),
    ]
}

#[test]
fn a_signature_by_gardefou_verifies_with_ssh_keygen() {
    let dir = tempfile::tempdir().unwrap();
    for key in kinds(dir.path()) {
        let sig = private(&key).sign(POLICY, NS).unwrap();
        let signers = dir.path().join("allowed_signers");
        std::fs::write(
            &signers,
            format!("cto@koomy.app namespaces=\"{NS}\" {}", public(&key)),
        )
        .unwrap();
        let file = dir.path().join("gardefou.toml");
        std::fs::write(&file, POLICY).unwrap();
        std::fs::write(dir.path().join("gardefou.toml.sig"), &sig).unwrap();
        Command::new("ssh-keygen")
            .args(["-Y", "verify", "-n", NS, "-I", "cto@koomy.app", "-f"])
            .arg(&signers)
            .arg("-s")
            .arg(dir.path().join("gardefou.toml.sig"))
            .stdin(std::fs::File::open(&file).unwrap())
            .run()
            .success();
        // And gardefou agrees with itself.
        let signer = verify(
            POLICY,
            &sig,
            NS,
            &signers_of(&std::fs::read_to_string(&signers).unwrap()),
        )
        .unwrap();
        assert_eq!(signer.principals, "cto@koomy.app");
        assert_eq!(signer.fingerprint, private(&key).fingerprint());
    }
}

#[test]
fn a_signature_by_ssh_keygen_verifies_with_gardefou() {
    let dir = tempfile::tempdir().unwrap();
    for key in kinds(dir.path()) {
        let file = dir.path().join("gardefou.toml");
        std::fs::write(&file, POLICY).unwrap();
        let sig = ssh_keygen_sign(&key, &file);
        let signers = signers_of(&format!("cto@koomy.app {}", public(&key)));
        let signer = verify(POLICY, &sig, NS, &signers).unwrap();
        assert_eq!(signer.principals, "cto@koomy.app");
        // ssh-keygen -l prints the same fingerprint.
        let listed = Command::new("ssh-keygen")
            .arg("-lf")
            .arg(&key)
            .run()
            .success()
            .stdout;
        assert!(
            listed.contains(&signer.fingerprint),
            "{listed} vs {}",
            signer.fingerprint
        );
    }
}

#[test]
fn one_changed_byte_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for key in kinds(dir.path()) {
        let sig = private(&key).sign(POLICY, NS).unwrap();
        let signers = signers_of(&format!("cto@koomy.app {}", public(&key)));
        for i in [0, POLICY.len() / 2, POLICY.len() - 1] {
            let mut changed = POLICY.to_vec();
            changed[i] ^= 0x01;
            assert!(
                matches!(
                    verify(&changed, &sig, NS, &signers),
                    Err(VerifyError::Mismatch { .. })
                ),
                "byte {i} changed"
            );
        }
        let mut longer = POLICY.to_vec();
        longer.push(b'\n');
        assert!(verify(&longer, &sig, NS, &signers).is_err());
    }
}

#[test]
fn a_key_that_is_not_an_allowed_signer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let [cto, intruder] = [
        keygen(dir.path(), "cto", &["-t", "ed25519", "-N", ""]),
        keygen(dir.path(), "intruder", &["-t", "ed25519", "-N", ""]),
    ];
    let signers = signers_of(&format!("cto@koomy.app {}", public(&cto)));
    let sig = private(&intruder).sign(POLICY, NS).unwrap();
    let e = verify(POLICY, &sig, NS, &signers).unwrap_err();
    assert_eq!(
        e,
        VerifyError::UnknownKey {
            fingerprint: private(&intruder).fingerprint()
        }
    );
}

#[test]
fn an_entry_for_another_namespace_and_a_signature_for_another_namespace_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "cto", &["-t", "ed25519", "-N", ""]);
    let git_only = signers_of(&format!(
        "cto@koomy.app namespaces=\"git\" {}",
        public(&key)
    ));
    let sig = private(&key).sign(POLICY, NS).unwrap();
    assert!(matches!(
        verify(POLICY, &sig, NS, &git_only),
        Err(VerifyError::NamespaceNotAllowed { .. })
    ));
    // A git commit signature of the same key is not a policy signature.
    let any = signers_of(&format!("cto@koomy.app {}", public(&key)));
    let git_sig = private(&key).sign(POLICY, "git").unwrap();
    assert!(matches!(
        verify(POLICY, &git_sig, NS, &any),
        Err(VerifyError::Namespace { .. })
    ));
}

#[test]
fn an_encrypted_key_a_public_key_and_a_short_rsa_key_cannot_sign_and_errors_show_no_key() {
    let dir = tempfile::tempdir().unwrap();
    let encrypted = keygen(dir.path(), "enc", &["-t", "ed25519", "-N", "a passphrase"]);
    let text = std::fs::read_to_string(&encrypted).unwrap();
    assert_eq!(
        SigningKey::from_openssh(&Secret::from(text)).unwrap_err(),
        KeyError::Encrypted
    );
    let pubkey = public(&encrypted);
    assert_eq!(
        SigningKey::from_openssh(&Secret::from(pubkey)).unwrap_err(),
        KeyError::NotOpenssh
    );
    let short = keygen(dir.path(), "short", &["-t", "rsa", "-b", "1024", "-N", ""]);
    let text = std::fs::read_to_string(&short).unwrap();
    let e = SigningKey::from_openssh(&Secret::from(text.clone())).unwrap_err();
    assert!(e.to_string().contains("1024 bits"), "{e}");
    // A signature by that short key, made by ssh-keygen, is refused too.
    let file = dir.path().join("p.toml");
    std::fs::write(&file, POLICY).unwrap();
    let sig = ssh_keygen_sign(&short, &file);
    let signers = signers_of(&format!("cto {}", public(&short)));
    let e = verify(POLICY, &sig, NS, &signers).unwrap_err();
    assert!(matches!(e, VerifyError::KeyNotAccepted { .. }), "{e}");
    // The Debug of a key shows its fingerprint, never the key.
    let key = private(&keygen(dir.path(), "k", &["-t", "ed25519", "-N", ""]));
    let shown = format!("{key:?}");
    assert!(
        shown.contains("SHA256:") && !shown.contains("PRIVATE"),
        "{shown}"
    );
}

#[test]
fn garbage_is_not_a_signature() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "cto", &["-t", "ed25519", "-N", ""]);
    let signers = signers_of(&format!("cto {}", public(&key)));
    for sig in [
        "",
        "hello",
        "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n",
    ] {
        assert_eq!(
            verify(POLICY, sig, NS, &signers),
            Err(VerifyError::Malformed),
            "{sig}"
        );
    }
}
