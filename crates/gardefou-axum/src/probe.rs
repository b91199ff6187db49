//! The live identity, through `gardefou-pgprobe`: connect (TLS per `sslmode`), read the
//! identity and the stamp, and turn them into findings with the same rules as
//! `gardefou run` (or `gardefou seed`).

use gardefou_findings::{Finding, Report};
use gardefou_pgprobe::verify::{verify, Purpose};
use gardefou_pgprobe::{Probe, ProbeError, StampState};
use gardefou_pgurl::ConnUrl;
use gardefou_policy::model::DisplayHost;
use gardefou_policy::{DatabaseTarget, Environment, Policy};

use crate::config::{LiveIdentity, StampView};

/// What the probe concluded: the identity (when the server answered) and every finding.
pub(crate) struct Probed {
    pub identity: Option<LiveIdentity>,
    pub findings: Vec<Finding>,
}

impl Probed {
    pub fn is_denied(&self) -> bool {
        Report::new(self.findings.clone()).is_denied()
    }
}

/// Asks the server of `url` what it is, within the policy's time limit, and verifies it
/// for `environment`.
pub(crate) async fn identify(
    policy: &Policy,
    environment: Environment,
    url: &ConnUrl,
    purpose: Purpose,
) -> Probed {
    let timeout = gardefou_pgprobe::timeout_for(url, policy.database.connect_timeout_ms);
    let probe = match tokio::time::timeout(timeout, async {
        let client = gardefou_pgprobe::connect(url).await?;
        gardefou_pgprobe::read(&client).await
    })
    .await
    {
        Ok(result) => result,
        Err(_) => Err(ProbeError::Timeout(timeout)),
    };
    let target = DatabaseTarget {
        url: url.clone(),
        owner: None,
    }
    .describe();
    let findings = verify(policy, environment, &target, &probe, purpose);
    Probed {
        identity: probe.ok().map(|p| view(p, environment, url)),
        findings,
    }
}

/// The public facts of a probe: an allowlist, never the URL, the user or a password.
fn view(probe: Probe, environment: Environment, url: &ConnUrl) -> LiveIdentity {
    let id = probe.identity;
    LiveIdentity {
        environment: environment.as_str().to_owned(),
        database: id.database,
        host: DisplayHost(url.host()).to_string(),
        port: url.port(),
        server_version: id.server_version,
        system_identifier: id.system_identifier,
        database_oid: id.database_oid,
        stamp: match probe.stamp {
            StampState::Absent => None,
            StampState::Invalid(_) | StampState::Outdated(_) | StampState::NotGranted(_) => {
                Some(StampView {
                    environment: None,
                    stamped_at: None,
                    valid: false,
                })
            }
            StampState::Present(s) => Some(StampView {
                environment: Some(s.environment.as_str().to_owned()),
                stamped_at: Some(s.stamped_at),
                valid: true,
            }),
        },
        neon: id.neon,
    }
}
