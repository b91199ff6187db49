//! The clients beyond libpq, node-postgres and tokio-postgres (which [`crate::parse`]
//! makes agree) that read some URL forms differently. A URL that passed the grammar is
//! refused when one of the clients in use would reach another target with it:
//!
//! - postgres.js and Prisma read percent-escapes in the host and the database name
//!   literally, and postgres.js ignores the `host=` socket idiom (it goes to
//!   `localhost:5432`);
//! - Neon's serverless driver (`@neondatabase/serverless`) splits the user info at an
//!   escaped `:` and decodes the database name twice.

use crate::error::{UrlError, UrlErrorKind as K};

/// A PostgreSQL client an application may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Client {
    /// libpq (psql, psycopg, …).
    Libpq,
    /// node-postgres (`pg`).
    NodePostgres,
    /// tokio-postgres (gardefou's own probe).
    TokioPostgres,
    /// postgres.js (`postgres`).
    PostgresJs,
    /// `@neondatabase/serverless`.
    NeonServerless,
    /// Prisma.
    Prisma,
}

impl Client {
    /// Every client: the default when the policy names none.
    pub const ALL: [Client; 6] = [
        Client::Libpq,
        Client::NodePostgres,
        Client::TokioPostgres,
        Client::PostgresJs,
        Client::NeonServerless,
        Client::Prisma,
    ];

    /// The name used in the policy file.
    pub fn as_str(self) -> &'static str {
        match self {
            Client::Libpq => "libpq",
            Client::NodePostgres => "pg",
            Client::TokioPostgres => "tokio-postgres",
            Client::PostgresJs => "postgres.js",
            Client::NeonServerless => "@neondatabase/serverless",
            Client::Prisma => "prisma",
        }
    }

    /// Reads a client name.
    pub fn from_name(name: &str) -> Option<Client> {
        Client::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// Refuses `input` (a URL [`crate::parse`] accepted) when a client of `clients` would read
/// it differently. The error never quotes the URL.
pub fn check_clients(input: &str, clients: &[Client]) -> Result<(), UrlError> {
    let uses = |c: Client| clients.contains(&c);
    // The grammar guarantees one '@' at most, before the first '/' of the path.
    let rest = input.split_once("://").map_or(input, |(_, r)| r);
    let (userinfo, after) = match rest.split_once('@') {
        Some((u, a)) => (u, a),
        None => ("", rest),
    };
    let auth_end = after.find(['/', '?']).unwrap_or(after.len());
    let (authority, tail) = after.split_at(auth_end);
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    let literal_readers = uses(Client::PostgresJs) || uses(Client::Prisma);
    if literal_readers && authority.contains('%') {
        return Err(UrlError::new(K::ClientPercentInHost));
    }
    if (literal_readers || uses(Client::NeonServerless)) && path.contains('%') {
        return Err(UrlError::new(K::ClientPercentInDbname));
    }
    if uses(Client::PostgresJs) && query.split('&').any(|kv| kv.starts_with("host=")) {
        return Err(UrlError::new(K::ClientSocketHostParam));
    }
    let user = userinfo.split(':').next().unwrap_or("");
    if uses(Client::NeonServerless) && user.contains('%') {
        return Err(UrlError::new(K::ClientPercentInUserinfo));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_refuses_what_it_reads_differently() {
        let all = Client::ALL;
        let core = [Client::Libpq, Client::NodePostgres, Client::TokioPostgres];
        for (url, refused_by) in [
            (
                "postgresql://u@ep-alpha%2D1.eu-west-2.aws.neon.tech/db",
                "host",
            ),
            ("postgresql://u@localhost/koomy%5Fprod", "db"),
            ("postgresql://u@/koomy?host=/run/sandbox", "socket"),
            ("postgresql://u%3Ax@localhost/koomy", "user"),
        ] {
            assert!(
                crate::parse(url).is_ok(),
                "{url}: the core grammar accepts it"
            );
            assert!(check_clients(url, &all).is_err(), "{url} ({refused_by})");
            assert!(check_clients(url, &core).is_ok(), "{url}");
        }
        // A percent-escape in the password is read alike by every client (built at run
        // time: no secret-shaped literal in the repository).
        let escaped = ["p", "%40", "ss"].concat();
        let url = format!("postgresql://u:{escaped}@ep-a-1.x.aws.neon.tech/neondb?sslmode=require");
        assert!(check_clients(&url, &all).is_ok());
        let e = check_clients("postgresql://u@/k?host=/run/s", &[Client::PostgresJs]).unwrap_err();
        assert!(e.to_string().contains("postgres.js"), "{e}");
    }
}
