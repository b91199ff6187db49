//! Which branch a CI build is for, from the CI's own variables.
//!
//! [`CI_SYSTEMS`] is the one place that declares every variable read. A CI counts only when
//! its marker variable is set (non-empty), so a generic name such as `BRANCH` is read only
//! on Netlify. An empty variable counts as unset.
//!
//! Pull/merge-request and tag builds are refused rather than read: a pull request's head
//! branch name is chosen by whoever opens it (a fork's `main` is not our `main`), and a tag
//! is not a branch.

use gardefou_findings::{tr, Text};

/// How a branch variable's value becomes a branch name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// The value is the branch name.
    Name,
    /// A full ref: only `refs/heads/<branch>` is a branch; `refs/tags/…`, `refs/pull/…`
    /// and anything else is refused.
    FullRef,
    /// Jenkins' `GIT_BRANCH`: `origin/<branch>` (the `origin/` is removed) or a name.
    OriginPrefixed,
}

/// A variable that, when set, means the build deploys no branch.
#[derive(Clone, Copy, Debug)]
pub struct Refusal {
    /// The variable.
    pub var: &'static str,
    /// A value that does not refuse (e.g. Buildkite's `BUILDKITE_PULL_REQUEST=false`).
    pub except: Option<&'static str>,
    /// What a set value means, e.g. `a pull-request build`.
    pub means: &'static str,
}

/// One CI system.
#[derive(Clone, Copy, Debug)]
pub struct CiSystem {
    /// Its name.
    pub name: &'static str,
    /// Set (non-empty) on that CI only.
    pub marker: &'static str,
    /// Variables that refuse the build.
    pub refusals: &'static [Refusal],
    /// Variables naming the branch, in order; when several are set they must agree.
    pub branch_vars: &'static [(&'static str, Form)],
}

const fn refuse(var: &'static str, means: &'static str) -> Refusal {
    Refusal {
        var,
        except: None,
        means,
    }
}

/// Every CI system gardefou reads, with every variable it reads.
pub const CI_SYSTEMS: &[CiSystem] = &[
    CiSystem {
        name: "GitHub Actions",
        marker: "GITHUB_ACTIONS",
        refusals: &[refuse("GITHUB_HEAD_REF", "a pull-request build")],
        branch_vars: &[("GITHUB_REF", Form::FullRef)],
    },
    CiSystem {
        name: "GitLab CI",
        marker: "GITLAB_CI",
        refusals: &[
            refuse("CI_MERGE_REQUEST_IID", "a merge-request pipeline"),
            refuse("CI_COMMIT_TAG", "a tag pipeline"),
        ],
        branch_vars: &[("CI_COMMIT_BRANCH", Form::Name)],
    },
    CiSystem {
        name: "CircleCI",
        marker: "CIRCLECI",
        refusals: &[
            refuse("CIRCLE_PR_NUMBER", "a forked pull-request build"),
            refuse("CIRCLE_TAG", "a tag build"),
        ],
        branch_vars: &[("CIRCLE_BRANCH", Form::Name)],
    },
    CiSystem {
        name: "Bitbucket Pipelines",
        marker: "BITBUCKET_BUILD_NUMBER",
        refusals: &[
            refuse("BITBUCKET_PR_ID", "a pull-request pipeline"),
            refuse("BITBUCKET_TAG", "a tag pipeline"),
        ],
        branch_vars: &[("BITBUCKET_BRANCH", Form::Name)],
    },
    CiSystem {
        name: "Buildkite",
        marker: "BUILDKITE",
        refusals: &[
            Refusal {
                var: "BUILDKITE_PULL_REQUEST",
                except: Some("false"),
                means: "a pull-request build",
            },
            refuse("BUILDKITE_TAG", "a tag build"),
        ],
        branch_vars: &[("BUILDKITE_BRANCH", Form::Name)],
    },
    CiSystem {
        name: "Azure Pipelines",
        marker: "TF_BUILD",
        refusals: &[refuse(
            "SYSTEM_PULLREQUEST_PULLREQUESTID",
            "a pull-request build",
        )],
        branch_vars: &[("BUILD_SOURCEBRANCH", Form::FullRef)],
    },
    CiSystem {
        name: "Jenkins",
        marker: "JENKINS_URL",
        refusals: &[
            refuse("CHANGE_ID", "a pull-request build"),
            refuse("TAG_NAME", "a tag build"),
        ],
        branch_vars: &[
            ("BRANCH_NAME", Form::Name),
            ("GIT_BRANCH", Form::OriginPrefixed),
        ],
    },
    CiSystem {
        name: "Vercel",
        marker: "VERCEL",
        refusals: &[refuse(
            "VERCEL_GIT_PULL_REQUEST_ID",
            "a pull-request deployment",
        )],
        branch_vars: &[("VERCEL_GIT_COMMIT_REF", Form::Name)],
    },
    CiSystem {
        name: "Netlify",
        marker: "NETLIFY",
        refusals: &[Refusal {
            var: "PULL_REQUEST",
            except: Some("false"),
            means: "a pull-request deploy",
        }],
        branch_vars: &[("BRANCH", Form::Name)],
    },
];

/// What the CI variables say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CiBranch {
    /// No known CI is running.
    NotCi,
    /// Every CI that runs names this branch, through these variables (`NAME=value`).
    Branch {
        /// The branch.
        name: String,
        /// `VAR=value` for each variable that named it.
        sources: Vec<String>,
    },
    /// The build deploys no branch that can be trusted; the reason, one line.
    Refused(Text),
}

/// A [`Refusal::means`] in French.
fn means_fr(means: &str) -> &str {
    match means {
        "a pull-request build" => "un build de pull request",
        "a merge-request pipeline" => "un pipeline de merge request",
        "a tag pipeline" => "un pipeline de tag",
        "a forked pull-request build" => "un build de pull request d'un fork",
        "a tag build" => "un build de tag",
        "a pull-request pipeline" => "un pipeline de pull request",
        "a pull-request deployment" => "un déploiement de pull request",
        "a pull-request deploy" => "un déploiement de pull request",
        other => other,
    }
}

/// Reads the CI variables through `var` (the process environment in the binary).
pub fn detect(var: &dyn Fn(&str) -> Option<String>) -> CiBranch {
    let get = |name: &str| var(name).filter(|v| !v.is_empty());
    let mut found: Vec<(String, String)> = Vec::new(); // (branch, "VAR=value")
    for ci in CI_SYSTEMS {
        if get(ci.marker).is_none() {
            continue;
        }
        for r in ci.refusals {
            if let Some(value) = get(r.var) {
                if r.except != Some(value.as_str()) {
                    let (ci, means, means_fr, var) = (ci.name, r.means, means_fr(r.means), r.var);
                    return CiBranch::Refused(tr!(
                        "{ci} says this is {means} ({var}={value}): it deploys no branch",
                        "{ci} dit qu'il s'agit d'{means_fr} ({var}={value}) : il ne déploie aucune branche"
                    ));
                }
            }
        }
        let mut named = false;
        for (name, form) in ci.branch_vars {
            let Some(value) = get(name) else { continue };
            let branch = match form {
                Form::Name => Some(value.clone()),
                Form::FullRef => value.strip_prefix("refs/heads/").map(str::to_owned),
                Form::OriginPrefixed => {
                    Some(value.strip_prefix("origin/").unwrap_or(&value).to_owned())
                }
            };
            match branch.filter(|b| !b.is_empty()) {
                Some(b) => found.push((b, format!("{name}={value}"))),
                None => {
                    let ci = ci.name;
                    return CiBranch::Refused(tr!(
                        "{ci} builds {value} ({name}), which is not a branch",
                        "{ci} construit {value} ({name}), qui n'est pas une branche"
                    ));
                }
            }
            named = true;
        }
        if !named {
            let vars: Vec<&str> = ci.branch_vars.iter().map(|(n, _)| *n).collect();
            let (ci, marker, vars) = (ci.name, ci.marker, vars.join(", "));
            return CiBranch::Refused(tr!(
                "{ci} is running ({marker} is set) but names no branch ({vars} unset)",
                "{ci} est en cours ({marker} est définie) mais ne nomme aucune branche ({vars} non définies)"
            ));
        }
    }
    let Some((first, _)) = found.first().cloned() else {
        return CiBranch::NotCi;
    };
    if found.iter().any(|(b, _)| *b != first) {
        let all: Vec<&str> = found.iter().map(|(_, s)| s.as_str()).collect();
        let all = all.join(", ");
        return CiBranch::Refused(tr!(
            "CI variables disagree on the branch: {all}",
            "les variables de CI ne s'accordent pas sur la branche : {all}"
        ));
    }
    CiBranch::Branch {
        name: first,
        sources: found.into_iter().map(|(_, s)| s).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> CiBranch {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        detect(&|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    fn branch(name: &str, sources: &[&str]) -> CiBranch {
        CiBranch::Branch {
            name: name.into(),
            sources: sources.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn no_ci_is_not_ci_even_with_stray_generic_variables() {
        assert_eq!(with(&[]), CiBranch::NotCi);
        assert_eq!(
            with(&[("BRANCH", "main"), ("GIT_BRANCH", "main")]),
            CiBranch::NotCi
        );
    }

    #[test]
    fn github_push_builds_read_the_full_ref() {
        assert_eq!(
            with(&[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_REF", "refs/heads/main"),
                ("GITHUB_REF_NAME", "main"),
            ]),
            branch("main", &["GITHUB_REF=refs/heads/main"])
        );
    }

    #[test]
    fn github_tag_and_pull_request_builds_are_refused() {
        let tag = with(&[("GITHUB_ACTIONS", "true"), ("GITHUB_REF", "refs/tags/main")]);
        assert!(matches!(tag, CiBranch::Refused(m) if m.contains("refs/tags/main")));
        // A fork's pull request from a branch it named `main`.
        let pr = with(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_HEAD_REF", "main"),
            ("GITHUB_REF", "refs/pull/7/merge"),
        ]);
        assert!(matches!(pr, CiBranch::Refused(m) if m.contains("pull-request")));
    }

    #[test]
    fn gitlab_branch_tag_and_merge_request_pipelines() {
        assert_eq!(
            with(&[("GITLAB_CI", "true"), ("CI_COMMIT_BRANCH", "staging")]),
            branch("staging", &["CI_COMMIT_BRANCH=staging"])
        );
        assert!(matches!(
            with(&[("GITLAB_CI", "true"), ("CI_COMMIT_TAG", "v1")]),
            CiBranch::Refused(_)
        ));
        assert!(matches!(
            with(&[
                ("GITLAB_CI", "true"),
                ("CI_MERGE_REQUEST_IID", "3"),
                ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "main"),
            ]),
            CiBranch::Refused(_)
        ));
    }

    #[test]
    fn a_ci_that_names_no_branch_is_refused() {
        assert!(matches!(
            with(&[("GITLAB_CI", "true")]),
            CiBranch::Refused(m) if m.contains("CI_COMMIT_BRANCH")
        ));
    }

    #[test]
    fn two_sources_that_disagree_are_refused() {
        let r = with(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REF", "refs/heads/main"),
            ("JENKINS_URL", "http://ci"),
            ("BRANCH_NAME", "feature"),
        ]);
        assert!(matches!(r, CiBranch::Refused(m) if m.contains("disagree")));
        let r = with(&[
            ("JENKINS_URL", "http://ci"),
            ("BRANCH_NAME", "main"),
            ("GIT_BRANCH", "origin/staging"),
        ]);
        assert!(matches!(r, CiBranch::Refused(_)));
    }

    #[test]
    fn agreeing_sources_are_all_named() {
        assert_eq!(
            with(&[
                ("JENKINS_URL", "http://ci"),
                ("BRANCH_NAME", "main"),
                ("GIT_BRANCH", "origin/main"),
            ]),
            branch("main", &["BRANCH_NAME=main", "GIT_BRANCH=origin/main"])
        );
    }

    #[test]
    fn negative_pull_request_markers_do_not_refuse() {
        assert_eq!(
            with(&[
                ("BUILDKITE", "true"),
                ("BUILDKITE_PULL_REQUEST", "false"),
                ("BUILDKITE_BRANCH", "main"),
            ]),
            branch("main", &["BUILDKITE_BRANCH=main"])
        );
        assert!(matches!(
            with(&[
                ("BUILDKITE", "true"),
                ("BUILDKITE_PULL_REQUEST", "12"),
                ("BUILDKITE_BRANCH", "main"),
            ]),
            CiBranch::Refused(_)
        ));
        assert_eq!(
            with(&[
                ("NETLIFY", "true"),
                ("PULL_REQUEST", "false"),
                ("BRANCH", "staging")
            ]),
            branch("staging", &["BRANCH=staging"])
        );
    }

    #[test]
    fn azure_full_refs() {
        assert_eq!(
            with(&[
                ("TF_BUILD", "True"),
                ("BUILD_SOURCEBRANCH", "refs/heads/main")
            ]),
            branch("main", &["BUILD_SOURCEBRANCH=refs/heads/main"])
        );
        assert!(matches!(
            with(&[("TF_BUILD", "True"), ("BUILD_SOURCEBRANCH", "refs/tags/v2")]),
            CiBranch::Refused(_)
        ));
    }
}
