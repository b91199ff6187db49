//! The strict PostgreSQL connection-URL grammar of gardefou.
//!
//! A guard that looks for `prod` in `DATABASE_URL` is wrong both ways. This
//! crate reads the URL **the way the client libraries will** — libpq,
//! node-postgres (`pg-connection-string`) and tokio-postgres — and accepts
//! only the strict subset that all three read the same way. Anything else is
//! refused with a [`UrlError`] whose [`kind`](UrlError::kind) says why and
//! whose [`fix`](UrlError::fix) says, in one line, how to write it instead.
//! What is not explicitly allowed is forbidden.
//!
//! ```
//! use gardefou_pgurl::{parse, Host, SslMode, UrlErrorKind};
//!
//! // Built at run time: no secret-shaped literal in the sources.
//! let password = ["correct", "horse"].join("-");
//! let userinfo = format!("koomy:{password}");
//! let url = format!(
//!     "postgresql://{userinfo}@ep-cool-darkness-123456-pooler.eu-west-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require"
//! );
//! let conn = parse(&url).unwrap();
//! assert_eq!(
//!     conn.host(),
//!     &Host::Neon {
//!         endpoint: "ep-cool-darkness-123456".into(),
//!         pooler: true,
//!         domain: "eu-west-2.aws.neon.tech".into(),
//!     }
//! );
//! assert_eq!(conn.port(), 5432);
//! assert_eq!(conn.dbname(), "neondb");
//! assert_eq!(conn.sslmode(), Some(SslMode::Require));
//! assert_eq!(conn.password().unwrap().expose(), password);
//! assert!(!format!("{conn:?}").contains(&password));
//! let masked = "koomy:****";
//! assert_eq!(
//!     conn.redacted().to_string(),
//!     format!("postgresql://{masked}@ep-cool-darkness-123456-pooler.eu-west-2.aws.neon.tech:5432/neondb?sslmode=require&channel_binding=require")
//! );
//!
//! // A query `host=` would send libpq and node-postgres elsewhere.
//! let err = parse("postgresql://koomy@localhost/koomy_dev?host=db.example.com").unwrap_err();
//! assert_eq!(err.kind(), UrlErrorKind::HostParamOverride);
//! assert_eq!(err.to_string(), "DATABASE_URL has host= in its query, which overrides the host");
//! println!("{err}\n  fix: {}", err.fix());
//! ```
//!
//! # The grammar
//!
//! ```text
//! url       = scheme "://" [ userinfo "@" ] hostport "/" dbname [ "?" query ]
//! scheme    = "postgresql" | "postgres"                 ; lower case only
//! userinfo  = user [ ":" password ]                     ; both non-empty
//! hostport  = host [ ":" port ] | "[" ipv6 "]" [ ":" port ] | ""   ; "" only with ?host=/dir
//! port      = 1-65535 in decimal, no sign, no leading zero          ; default 5432
//! dbname    = non-empty, no "/", not "." or ".."
//! query     = pair *( "&" pair ),  pair = key "=" value  ; allowlisted keys, once each
//! ```
//!
//! The whole string is printable ASCII: non-ASCII, spaces, control
//! characters, `\` and `#` are refused anywhere, and so are whitespace around
//! the value (a common `.env` quoting mistake). Percent-escapes are decoded as
//! the clients decode them; a malformed escape, `%00`, encoded control
//! characters and non-UTF-8 text are refused.
//!
//! # Why each refusal exists
//!
//! The numbers (T1…T15) are the threat categories of `docs/threats.md`.
//!
//! * **Only `postgresql://` / `postgres://`, lower case.** libpq compares the
//!   prefix byte for byte; the `key=value` conninfo form is refused because
//!   node-postgres cannot read it ([`UrlErrorKind::ConninfoForm`]).
//! * **At most one `@`, and it ends the user info** (T6). libpq splits at the
//!   first `@` before a `/`, WHATWG parsers (node) at the last `@`,
//!   tokio-postgres at the first `@` anywhere — even in the query. So a second
//!   `@` ([`UrlErrorKind::MultipleAt`]) or an `@` after a `/` or `?`
//!   ([`UrlErrorKind::AmbiguousAt`]) is refused: the three would connect as
//!   different users, to different hosts.
//! * **User and password use only unreserved characters, sub-delims and
//!   `%XX`.** A raw `/ ? # [ ]` ends the authority for some parsers and not for
//!   others ([`UrlErrorKind::UserinfoRawChar`]). An empty user or password
//!   makes clients fall back to `PGUSER`/`PGPASSWORD`/`.pgpass` (T8).
//! * **No `endpoint=<id>;…` / `endpoint=<id>$…` / `project=<id>;…` password** (T4):
//!   without SNI, Neon routes to the endpoint named in the password, not the host's.
//! * **Exactly one host** (T3, T8). An empty host means a Unix socket to libpq
//!   and localhost to node; `h1,h2` fails over. The one empty-host form
//!   allowed is libpq's socket idiom, `postgresql://u@/db?host=/run/postgresql`,
//!   which all three clients read as that socket directory.
//! * **The host is decoded and normalised** (T5, T9, T10). Every client
//!   percent-decodes the host, so `ep-alpha%2D1…` *is* `ep-alpha-1…`; a decoded
//!   host starting with `/` is a socket directory. Names are lower-cased and
//!   lose one trailing dot; they must be LDH labels (1–63 characters, no
//!   leading/trailing `-`, no `_`, ≤ 253 in all).
//! * **Numeric hosts are read as `getaddrinfo` reads them** (T10): `127.1`,
//!   `2130706433`, `0x7f.0.0.1`, `0177.0.0.1` are all [`Host::Ip`]`(127.0.0.1)`.
//!   A host whose last label is a number but which `inet_aton` would not
//!   accept (`127.0.0.256`, `1.2.3.4.5`) is refused. IPv6 only in brackets,
//!   without zone id; `[::ffff:127.0.0.1]` is `127.0.0.1`. `0.0.0.0` and `::`
//!   connect to this machine and are refused.
//! * **Neon hosts have one form** (T9): a host under `neon.tech` must be
//!   `ep-<id>[-pooler].<labels>.(aws|azure).neon.tech`, and the whole endpoint
//!   id is returned (`ep-beta-12` is not `ep-beta-1`). The pooler form is the
//!   same endpoint, so the policy can keep its environment.
//! * **A database name is required** (T8): without one, clients use
//!   `PGDATABASE` or the user name. A `/` inside it, `.`/`..` (dropped by
//!   WHATWG path parsing), and percent-encoded `; / ? : @ & = + $ , #` (left
//!   encoded by node's `decodeURI`, decoded by libpq) are refused.
//! * **Only allowlisted query keys** (T1, T2, T4, T7, T8, T13): `sslmode`
//!   (with node-postgres' `no-verify`), `channel_binding`, `connect_timeout`,
//!   `application_name`, `sslrootcert`, `sslcert`, `sslkey`, `sslsni=1`, `host`
//!   (socket idiom only), and the forms Prisma, Neon and the Node drivers
//!   document, each with a closed set of values, none of which can change the
//!   server, database or role any client reaches: `schema` (an identifier),
//!   `pgbouncer=true|false`, `connection_limit`, `pool_timeout` (digits),
//!   `target_session_attrs` (one host: it can refuse, never redirect),
//!   `keepalives=0|1`, `sslnegotiation=postgres|direct`, `client_encoding`,
//!   `ssl=true|false|1|0`. A client that does not know a key either ignores it
//!   (node-postgres) or refuses to connect (libpq): neither reaches another
//!   server. `host`, `hostaddr`, `port`, `dbname`, `user`, `password` override
//!   the URL's own parts; `options` sets server settings and Neon's
//!   `endpoint=`; `service` and `passfile` read files that can point anywhere.
//!   Other keys are refused. Duplicates (node keeps the last), empty values
//!   (libpq falls back to the environment), a raw `+` (a space to node, a `+`
//!   to libpq) and a second `=` (an error in libpq, part of the value
//!   elsewhere) are refused.
//!
//! # What this crate does not decide
//!
//! It says *where* a client connects, not *which environment* that is: the
//! policy layer maps a [`ConnUrl`] to production/sandbox/local with exact
//! allowlists. [`ConnUrl::port`] returns 5432 when the URL has no port and a
//! missing user is `None`: libpq would take `PGPORT`/`PGUSER` instead, so the
//! caller must also refuse `PG*` variables in the environment (T8). A loopback
//! host is not proof of a local database (T12).

mod error;
mod host;
mod parse;

use std::fmt;

pub use clients::{check_clients, Client};
pub use error::{UrlError, UrlErrorKind};

mod clients;
pub use host::Host;

/// Parses a PostgreSQL connection URL with the strict grammar described in
/// the [crate documentation](crate).
pub fn parse(input: &str) -> Result<ConnUrl, UrlError> {
    parse::parse(input)
}

/// The host of a URL authority (`host`, `host:port`, `[v6]:port`, `%2Fsocket%2Fdir`), read
/// and normalised exactly as [`parse`] reads the host of a URL: what a policy file lists is
/// compared with `DATABASE_URL` in one grammar.
pub fn parse_authority_host(authority: &str) -> Result<Host, UrlError> {
    parse::authority_host(authority)
}

/// The URL scheme, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `postgresql://`
    Postgresql,
    /// `postgres://`
    Postgres,
}

impl Scheme {
    /// `"postgresql"` or `"postgres"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Postgresql => "postgresql",
            Scheme::Postgres => "postgres",
        }
    }
}

/// `sslmode`, libpq's six values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
    /// node-postgres' `no-verify`: encrypted, certificate not checked (libpq refuses the
    /// value and does not connect).
    NoVerify,
}

impl SslMode {
    /// The value as written in a URL.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
            SslMode::NoVerify => "no-verify",
        }
    }

    fn from_str_exact(s: &str) -> Option<Self> {
        Some(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            "no-verify" => SslMode::NoVerify,
            _ => return None,
        })
    }
}

/// `channel_binding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelBinding {
    Disable,
    Prefer,
    Require,
}

impl ChannelBinding {
    /// The value as written in a URL.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelBinding::Disable => "disable",
            ChannelBinding::Prefer => "prefer",
            ChannelBinding::Require => "require",
        }
    }

    fn from_str_exact(s: &str) -> Option<Self> {
        Some(match s {
            "disable" => ChannelBinding::Disable,
            "prefer" => ChannelBinding::Prefer,
            "require" => ChannelBinding::Require,
            _ => return None,
        })
    }
}

/// The query parameters the grammar allows.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Param {
    SslMode,
    ChannelBinding,
    ConnectTimeout,
    ApplicationName,
    SslRootCert,
    SslCert,
    SslKey,
    /// Only `sslsni=1`: without SNI Neon routes by other means (T4).
    SslSni,
    /// Only in the Unix-socket idiom `postgresql://u@/db?host=/dir`.
    Host,
    /// Prisma's `schema` (an identifier): the search path, not the server.
    Schema,
    /// Prisma's `pgbouncer=true|false`.
    PgBouncer,
    /// Prisma's `connection_limit` (digits).
    ConnectionLimit,
    /// Prisma's `pool_timeout` (digits).
    PoolTimeout,
    /// libpq's `target_session_attrs`: with one host, it can refuse, never redirect.
    TargetSessionAttrs,
    /// libpq's `keepalives` (0 or 1).
    Keepalives,
    /// libpq 17's `sslnegotiation=postgres|direct` (Neon documents `direct`).
    SslNegotiation,
    /// `client_encoding` (letters, digits, `_`, `-`).
    ClientEncoding,
    /// node-postgres' and postgres.js' `ssl=true|false|1|0`.
    Ssl,
}

impl Param {
    /// The key as written in a URL.
    pub fn as_str(self) -> &'static str {
        match self {
            Param::SslMode => "sslmode",
            Param::ChannelBinding => "channel_binding",
            Param::ConnectTimeout => "connect_timeout",
            Param::ApplicationName => "application_name",
            Param::SslRootCert => "sslrootcert",
            Param::SslCert => "sslcert",
            Param::SslKey => "sslkey",
            Param::SslSni => "sslsni",
            Param::Host => "host",
            Param::Schema => "schema",
            Param::PgBouncer => "pgbouncer",
            Param::ConnectionLimit => "connection_limit",
            Param::PoolTimeout => "pool_timeout",
            Param::TargetSessionAttrs => "target_session_attrs",
            Param::Keepalives => "keepalives",
            Param::SslNegotiation => "sslnegotiation",
            Param::ClientEncoding => "client_encoding",
            Param::Ssl => "ssl",
        }
    }
}

/// A password. `Debug` prints `Password(****)`; there is no `Display`. It is held in a
/// [`gardefou_redact::Secret`], which zeroes it when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(pub(crate) gardefou_redact::Secret);

impl Password {
    /// The decoded password, for handing to a client. Never log it.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(****)")
    }
}

/// A connection URL that passed the grammar.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnUrl {
    scheme: Scheme,
    user: Option<String>,
    password: Option<Password>,
    host: Host,
    port: Option<u16>,
    dbname: String,
    sslmode: Option<SslMode>,
    channel_binding: Option<ChannelBinding>,
    params: Vec<(Param, String)>,
}

impl ConnUrl {
    /// `postgresql` or `postgres`.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The percent-decoded user, if the URL has one. `None` means libpq
    /// would use `PGUSER` or the OS user.
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The percent-decoded password, if any.
    pub fn password(&self) -> Option<&Password> {
        self.password.as_ref()
    }

    /// Where the client connects.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The explicit port, else 5432.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(5432)
    }

    /// The port only if the URL writes it (libpq would otherwise use
    /// `PGPORT` when set).
    pub fn explicit_port(&self) -> Option<u16> {
        self.port
    }

    /// The percent-decoded database name (never empty).
    pub fn dbname(&self) -> &str {
        &self.dbname
    }

    /// `sslmode`, if given.
    pub fn sslmode(&self) -> Option<SslMode> {
        self.sslmode
    }

    /// `channel_binding`, if given.
    pub fn channel_binding(&self) -> Option<ChannelBinding> {
        self.channel_binding
    }

    /// The allowed query parameters present, in order, with decoded values.
    pub fn params(&self) -> &[(Param, String)] {
        &self.params
    }

    /// The decoded value of one query parameter, if present.
    pub fn param(&self, param: Param) -> Option<&str> {
        self.params
            .iter()
            .find(|(p, _)| *p == param)
            .map(|(_, v)| v.as_str())
    }

    /// The URL with the password replaced by `****`, the port always written
    /// and every component re-encoded; it parses back to the same target.
    /// A Unix socket is written as an encoded authority host.
    pub fn redacted(&self) -> impl fmt::Display + '_ {
        Redacted(self)
    }
}

impl fmt::Debug for ConnUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnUrl")
            .field("scheme", &self.scheme)
            .field("user", &self.user)
            .field("password", &self.password)
            .field("host", &self.host)
            .field("port", &self.port())
            .field("dbname", &self.dbname)
            .field("params", &self.params)
            .finish()
    }
}

struct Redacted<'a>(&'a ConnUrl);

/// Percent-encodes everything but RFC 3986 unreserved characters.
struct Enc<'a>(&'a str);

/// For a database name: also keeps sub-delims and `:` raw, because the
/// grammar refuses them percent-encoded there.
struct EncPath<'a>(&'a str);

impl fmt::Display for EncPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0.bytes() {
            if b"!$&'()*+,;=:".contains(&b) {
                write!(f, "{}", b as char)?;
            } else {
                write_enc(f, b)?;
            }
        }
        Ok(())
    }
}

fn write_enc(f: &mut fmt::Formatter<'_>, b: u8) -> fmt::Result {
    if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
        write!(f, "{}", b as char)
    } else {
        write!(f, "%{b:02X}")
    }
}

impl fmt::Display for Enc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.bytes().try_for_each(|b| write_enc(f, b))
    }
}

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.0;
        write!(f, "{}://", c.scheme.as_str())?;
        if let Some(user) = &c.user {
            write!(f, "{}", Enc(user))?;
            if c.password.is_some() {
                f.write_str(":****")?;
            }
            f.write_str("@")?;
        }
        match &c.host {
            Host::Unix(dir) => write!(f, "{}", Enc(dir))?,
            other => write!(f, "{other}")?,
        }
        write!(f, ":{}/{}", c.port(), EncPath(&c.dbname))?;
        let mut sep = '?';
        for (p, v) in &c.params {
            if *p == Param::Host {
                continue;
            }
            write!(f, "{sep}{}={}", p.as_str(), Enc(v))?;
            sep = '&';
        }
        Ok(())
    }
}
