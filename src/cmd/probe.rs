//! The live probe as the commands use it: after the static check, ask the server.

use gardefou_findings::Finding;
use gardefou_pgprobe::verify::{verify, Purpose};
use gardefou_pgprobe::{Identity, Probe};
use gardefou_policy::{DatabaseTarget, Environment, Evaluation, Policy};

/// Probes the database of an evaluation that passed the static check and appends the
/// live findings to its report. Does nothing when the static check refused (the URL may
/// not even parse): the static findings already say why. Returns what the server said it
/// is, when it could be asked.
pub fn append_live_findings(
    policy: &Policy,
    evaluation: &mut Evaluation,
    purpose: Purpose,
) -> Option<Identity> {
    if !evaluation.is_allowed() {
        return None;
    }
    let (Some(env), Some(target)) = (evaluation.environment, &evaluation.database) else {
        return None;
    };
    let (probe, findings) = probe_target(policy, env, target, purpose);
    evaluation.report.findings.extend(findings);
    probe.map(|p| p.identity)
}

/// Asks the server of `target` what it is and judges the answer for `env`: what the server
/// said (when it could be asked) and the live findings.
pub fn probe_target(
    policy: &Policy,
    env: Environment,
    target: &DatabaseTarget,
    purpose: Purpose,
) -> (Option<Probe>, Vec<Finding>) {
    let timeout = gardefou_pgprobe::timeout_for(&target.url, policy.database.connect_timeout_ms);
    let probe = gardefou_pgprobe::probe(&target.url, timeout);
    let findings = verify(policy, env, &target.describe(), &probe, purpose);
    (probe.ok(), findings)
}
