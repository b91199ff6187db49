//! The one thing a proof needs from a connection: run a simple-protocol query and give
//! back its rows as text. A tokio-postgres client or transaction is a [`Session`]; so is
//! any connection another process holds and answers for (the npm package's node-postgres
//! clients, through `gardefou node prove`), which is how a connection the application
//! opened itself is proven by this crate's code, in its own session.

use std::future::Future;

/// One result row: every column as the server's text, `None` for NULL.
pub type Row = Vec<Option<String>>;

/// Why a query gave no rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryFailure {
    /// The server answered with an error (the statement failed; the connection is usable
    /// once the failed transaction or savepoint is rolled back). `false`: the connection
    /// itself failed.
    pub from_server: bool,
    /// The error as the server or the client put it (`ERROR: permission denied …`).
    pub message: String,
}

/// A connection that runs simple-protocol queries (several statements in one string;
/// the rows of all of them, in order).
pub trait Session {
    /// Runs `sql` and returns every row of every statement, in order.
    fn simple_query(
        &self,
        sql: &str,
    ) -> impl Future<Output = Result<Vec<Row>, QueryFailure>> + Send;
}

impl<C: tokio_postgres::GenericClient + Sync> Session for C {
    async fn simple_query(&self, sql: &str) -> Result<Vec<Row>, QueryFailure> {
        match tokio_postgres::GenericClient::simple_query(self, sql).await {
            Ok(messages) => Ok(messages
                .into_iter()
                .filter_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => {
                        Some((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect())
                    }
                    _ => None,
                })
                .collect()),
            Err(e) => Err(QueryFailure {
                from_server: e.as_db_error().is_some(),
                message: crate::identity::query_error(&e),
            }),
        }
    }
}

/// Column `i` of `row`, `None` when NULL, empty or absent.
pub(crate) fn column(row: &[Option<String>], i: usize) -> Option<String> {
    row.get(i)
        .and_then(|c| c.as_deref())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}
