//! The PEM files a URL names (`sslrootcert`, `sslcert`, `sslkey`) are read before the
//! connection, where the probe's timeout cannot interrupt: a device or a FIFO there must be
//! refused, not read for ever.

use std::time::Duration;

use gardefou_pgprobe::{probe, ProbeError};

fn url(query: &str) -> gardefou_pgurl::ConnUrl {
    // Port 1 on loopback: nothing is ever reached; the files are read first.
    gardefou_pgurl::parse(&format!("postgresql://koomy@127.0.0.1:1/koomy?{query}")).unwrap()
}

#[test]
fn sslrootcert_naming_an_endless_file_is_refused_instead_of_read_whole() {
    // Stands for /dev/zero, which used to be read until the OOM killer; a sparse file costs
    // no disk.
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.pem");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(64 << 20)
        .unwrap();
    let huge = huge.to_str().unwrap();
    for query in [
        format!("sslmode=verify-full&sslrootcert={huge}"),
        format!("sslmode=require&sslcert={huge}&sslkey={huge}"),
    ] {
        let err = probe(&url(&query), Duration::from_secs(5)).unwrap_err();
        assert!(
            matches!(&err, ProbeError::Config(m) if m.contains("larger than")),
            "{query}: {err}"
        );
    }
}

#[test]
fn sslrootcert_naming_a_fifo_is_refused_instead_of_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("roots.pem");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // Without the fix the open blocked until a writer came: this writer lets that version
    // finish (and fail the assertion) instead of hanging the test.
    let writer_path = fifo.clone();
    std::thread::spawn(move || drop(std::fs::OpenOptions::new().write(true).open(writer_path)));
    let query = format!("sslmode=verify-full&sslrootcert={}", fifo.display());
    let err = probe(&url(&query), Duration::from_secs(5)).unwrap_err();
    assert!(
        matches!(&err, ProbeError::Config(m) if m.contains("not a regular file")),
        "{err}"
    );
}
