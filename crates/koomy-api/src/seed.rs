//! `koomy-api seed`: sandbox demo data, through the seed guard (§6).
//!
//! The seed runs only when the whole start-up guard passes (static rules, secrets, live
//! identity) **and** the seed guard of `gardefou-pgprobe` does: the environment is one
//! where the policy allows seeds (sandbox; local only if the policy lists it), the
//! database carries a matching stamp, and nothing about the server ties it to production
//! (a production stamp, even on a copy; a Neon endpoint listed as production).

use crate::cli::SeedArgs;
use crate::{migrate, policy, server, Refused};
use anyhow::Result;
use gardefou_axum::Purpose;

/// An association of the demo data, with its members.
#[derive(Debug)]
struct Org {
    slug: &'static str,
    name: &'static str,
    city: &'static str,
    rna: &'static str,
    fee_cents: i32,
    members: Vec<Person>,
}

/// A member: first name, last name, role, joined on (`YYYY-MM-DD`).
#[derive(Debug)]
struct Person([&'static str; 4]);

/// The demo data, `demo.txt`: an association a line, its members indented below it.
fn demo() -> Vec<Org> {
    let mut orgs: Vec<Org> = Vec::new();
    let lines = include_str!("demo.txt").lines();
    for line in lines.filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let fields: Vec<&'static str> = line.split('|').map(str::trim).collect();
        match (line.starts_with(' '), fields.as_slice()) {
            (false, &[slug, name, city, rna, fee]) => orgs.push(Org {
                slug,
                name,
                city,
                rna,
                fee_cents: fee
                    .parse()
                    .expect("demo.txt: a fee is a whole number of cents"),
                members: Vec::new(),
            }),
            (true, &[first, last, role, joined]) => orgs
                .last_mut()
                .expect("demo.txt: a member comes after its association")
                .members
                .push(Person([first, last, role, joined])),
            _ => panic!("demo.txt: a line has the wrong number of fields: {line}"),
        }
    }
    orgs
}

/// Demo e-mail addresses live under the reserved `example.org` domain: no real inbox.
fn email(first: &str, last: &str) -> String {
    let fold = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                'à' | 'â' | 'ä' => 'a',
                'é' | 'è' | 'ê' | 'ë' | 'É' => 'e',
                'î' | 'ï' => 'i',
                'ô' | 'ö' => 'o',
                'ù' | 'û' | 'ü' => 'u',
                'ç' => 'c',
                ' ' => '-',
                c => c.to_ascii_lowercase(),
            })
            .collect()
    };
    format!("{}.{}@example.org", fold(first), fold(last))
}

/// Runs the seed through the guard.
pub async fn run(args: SeedArgs) -> Result<()> {
    // Read before anything is asked of the database.
    let demo_orgs = demo();
    let sources = policy::Sources::load(
        args.policy.policy.as_deref(),
        args.policy.registry.as_deref(),
    )?;
    let config = server::start_guard(sources).await?;
    // Every connection proves, in its own session, a sandbox stamp and no production marker.
    let pool = config.pool(Purpose::Seed, 1);
    let mut client = pool.get().await.map_err(server::refused)?;
    let tx = client.proven_transaction().await.map_err(server::refused)?;
    migrate::apply(&tx).await?;
    // And again inside the transaction that writes, right before writing.
    if let Err(refused) = config.prove_in_transaction(&tx, Purpose::Seed).await {
        let gardefou_axum::StartError::Refused(report) = &refused;
        let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
        tracing::error!(environment = %config.environment(), rules = ?rules, "seed refused");
        return Err(Refused(refused.to_string()).into());
    }
    let (mut orgs, mut people) = (0u64, 0u64);
    for org in demo_orgs {
        let Org {
            slug,
            name,
            city,
            rna,
            fee_cents,
            members,
        } = &org;
        orgs += tx
            .execute(
                "INSERT INTO koomy_api.organisations (slug, name, city, rna, yearly_fee_cents)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (slug) DO NOTHING",
                &[slug, name, city, rna, fee_cents],
            )
            .await?;
        for Person([first, last, role, joined]) in members {
            people += tx
                .execute(
                    "INSERT INTO koomy_api.members
                         (organisation_id, first_name, last_name, email, role, joined_on)
                     SELECT id, $2, $3, $4, $5, $6::text::date
                       FROM koomy_api.organisations WHERE slug = $1
                     ON CONFLICT (organisation_id, email) DO NOTHING",
                    &[slug, first, last, &email(first, last), role, joined],
                )
                .await?;
        }
    }
    tx.commit().await?;
    tracing::info!(organisations = orgs, members = people, "seeded");
    println!("seeded {orgs} organisations and {people} members (already present rows kept)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_data_reads_whole_and_each_association_has_a_president() {
        let orgs = demo();
        let listed = include_str!("demo.txt")
            .lines()
            .filter(|l| !l.starts_with(['#', ' ']) && !l.is_empty())
            .count();
        assert_eq!(orgs.len(), listed);
        let slugs: std::collections::BTreeSet<_> = orgs.iter().map(|o| o.slug).collect();
        assert_eq!(slugs.len(), orgs.len(), "slugs are unique");
        for org in &orgs {
            assert!(org.fee_cents > 0, "{}", org.slug);
            assert!(org
                .members
                .iter()
                .any(|Person([_, _, role, _])| *role == "presidence"));
            for Person([first, last, _, joined]) in &org.members {
                let date: Vec<&str> = joined.split('-').collect();
                assert!(
                    matches!(date[..], [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2),
                    "{joined}"
                );
                assert!(email(first, last).is_ascii(), "{first} {last}");
            }
        }
    }
}
