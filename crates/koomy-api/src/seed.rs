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

/// An association and its members: (slug, name, city, RNA number, yearly fee in cents).
type Org = (&'static str, &'static str, &'static str, &'static str, i32);
/// (first name, last name, role, joined on).
type Person = (&'static str, &'static str, &'static str, &'static str);

const DEMO: &[(Org, &[Person])] = &[
    (
        (
            "les-amis-du-velo-nantais",
            "Les Amis du Vélo Nantais",
            "Nantes",
            "W442001234",
            2500,
        ),
        &[
            ("Camille", "Martin", "presidence", "2019-09-14"),
            ("Hugo", "Bernard", "tresorerie", "2020-01-08"),
            ("Léa", "Dubois", "secretariat", "2021-03-22"),
            ("Mathis", "Thomas", "membre", "2022-06-01"),
            ("Chloé", "Robert", "membre", "2023-09-10"),
        ],
    ),
    (
        (
            "chorale-saint-michel",
            "Chorale Saint-Michel",
            "Bordeaux",
            "W332004567",
            4000,
        ),
        &[
            ("Françoise", "Petit", "presidence", "2012-10-02"),
            ("Jean-Pierre", "Richard", "tresorerie", "2014-09-15"),
            ("Élodie", "Durand", "secretariat", "2018-01-20"),
            ("Nathalie", "Leroy", "membre", "2019-09-03"),
        ],
    ),
    (
        (
            "as-foot-villeurbanne",
            "AS Football Villeurbanne",
            "Villeurbanne",
            "W691007890",
            12000,
        ),
        &[
            ("Karim", "Moreau", "presidence", "2016-07-01"),
            ("Sophie", "Simon", "tresorerie", "2017-08-28"),
            ("Lucas", "Laurent", "secretariat", "2020-08-31"),
            ("Inès", "Lefebvre", "membre", "2023-09-02"),
            ("Noah", "Michel", "membre", "2024-09-07"),
            ("Manon", "Garcia", "membre", "2024-09-07"),
        ],
    ),
    (
        (
            "jardins-partages-belleville",
            "Jardins Partagés de Belleville",
            "Paris",
            "W751012345",
            1500,
        ),
        &[
            ("Aïcha", "David", "presidence", "2015-04-11"),
            ("Théo", "Bertrand", "tresorerie", "2018-05-19"),
            ("Margaux", "Roux", "membre", "2021-04-03"),
        ],
    ),
    (
        (
            "ludotheque-des-pentes",
            "Ludothèque des Pentes",
            "Lyon",
            "W691015678",
            1000,
        ),
        &[
            ("Julien", "Vincent", "presidence", "2017-02-04"),
            ("Clara", "Fournier", "secretariat", "2019-11-16"),
            ("Gabriel", "Morel", "membre", "2022-01-29"),
        ],
    ),
];

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
    for ((slug, name, city, rna, fee), members) in DEMO {
        orgs += tx
            .execute(
                "INSERT INTO koomy_api.organisations (slug, name, city, rna, yearly_fee_cents)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (slug) DO NOTHING",
                &[slug, name, city, rna, fee],
            )
            .await?;
        for (first, last, role, joined) in *members {
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
