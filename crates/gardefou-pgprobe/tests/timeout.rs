//! The probe's time limit holds even when the work it waits on is stuck in a blocking
//! thread (tokio-postgres resolves host names with `getaddrinfo` in `spawn_blocking`, and a
//! silent DNS server keeps that call for the resolver's own timeout, 5 s × attempts).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use gardefou_pgprobe::{block_on, ProbeError};

#[test]
fn block_on_timeout_does_not_wait_for_a_stuck_blocking_lookup() {
    let (release, stuck) = mpsc::channel::<()>();
    let finished = Arc::new(AtomicBool::new(false));
    let flag = finished.clone();
    let result: Result<(), ProbeError> = block_on(
        async move {
            // Stands for a getaddrinfo call that a silent nameserver keeps for 30 s.
            let _ = tokio::task::spawn_blocking(move || {
                let _ = stuck.recv_timeout(Duration::from_secs(30));
                flag.store(true, Ordering::SeqCst);
            })
            .await;
            Ok(())
        },
        Duration::from_millis(100),
    );
    // Before the fix, dropping the runtime waited for the blocking thread: block_on
    // returned only after the 30 s, with the lookup finished.
    let waited_for_the_lookup = finished.load(Ordering::SeqCst);
    let _ = release.send(());
    assert!(matches!(result, Err(ProbeError::Timeout(_))), "{result:?}");
    assert!(
        !waited_for_the_lookup,
        "the timeout waited for the blocking lookup"
    );
}
