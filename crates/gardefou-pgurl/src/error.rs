//! The refusal type. Nothing here ever holds a byte of the input except the
//! name of an unknown query parameter, and only when that name is short and
//! made of ASCII letters, digits and `_`.

use std::fmt;

use crate::Param;

/// Why a connection URL was refused.
///
/// `Display` gives one short sentence naming what is wrong; [`UrlError::fix`]
/// gives one line saying how to fix it. Neither, nor `Debug`, contains the
/// user, the password, the host or any other part of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct UrlError {
    kind: UrlErrorKind,
    param: Option<Param>,
    /// The name of an unknown parameter, already sanitised by [`safe_name`].
    unknown: Option<Box<str>>,
}

impl UrlError {
    pub(crate) fn new(kind: UrlErrorKind) -> Self {
        UrlError {
            kind,
            param: None,
            unknown: None,
        }
    }

    pub(crate) fn with_param(kind: UrlErrorKind, param: Param) -> Self {
        UrlError {
            kind,
            param: Some(param),
            unknown: None,
        }
    }

    pub(crate) fn unknown_param(raw_key: &str) -> Self {
        UrlError {
            kind: UrlErrorKind::UnknownParam,
            param: None,
            unknown: safe_name(raw_key).map(Into::into),
        }
    }

    /// What kind of refusal this is.
    pub fn kind(&self) -> UrlErrorKind {
        self.kind
    }

    /// The allowed query parameter the refusal is about, if any
    /// (for [`UrlErrorKind::InvalidParamValue`], [`UrlErrorKind::DuplicateParam`],
    /// [`UrlErrorKind::EmptyParamValue`]).
    pub fn param(&self) -> Option<Param> {
        self.param
    }

    /// One line telling the user how to fix the URL.
    pub fn fix(&self) -> &'static str {
        if self.kind == UrlErrorKind::InvalidParamValue {
            if let Some(p) = self.param {
                return match p {
                    Param::SslMode => {
                        "use sslmode=disable, allow, prefer, require, verify-ca or verify-full"
                    }
                    Param::ChannelBinding => "use channel_binding=disable, prefer or require",
                    Param::ConnectTimeout => {
                        "write connect_timeout as a number of seconds (digits only)"
                    }
                    Param::SslSni => {
                        "remove sslsni, or write sslsni=1 (turning SNI off is refused)"
                    }
                    _ => self.kind.fix(),
                };
            }
        }
        self.kind.fix()
    }

    fn message(&self) -> String {
        let what = match (self.param, &self.unknown) {
            (Some(p), _) => format!(" `{}`", p.as_str()),
            (None, Some(name)) => format!(" `{name}`"),
            (None, None) => String::new(),
        };
        match self.kind {
            UrlErrorKind::UnknownParam => {
                format!("DATABASE_URL has an unknown query parameter{what}")
            }
            UrlErrorKind::InvalidParamValue => {
                format!("DATABASE_URL has an invalid value for{what}")
            }
            UrlErrorKind::DuplicateParam => {
                format!("DATABASE_URL sets the query parameter{what} more than once")
            }
            UrlErrorKind::EmptyParamValue => {
                format!("DATABASE_URL has an empty value for the query parameter{what}")
            }
            kind => kind.message().to_owned(),
        }
    }
}

/// Keeps a query-parameter name for an error message only when it cannot carry
/// a secret in a readable way: 1–32 ASCII letters, digits or `_`.
fn safe_name(raw: &str) -> Option<&str> {
    let ok = !raw.is_empty()
        && raw.len() <= 32
        && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    ok.then_some(raw)
}

/// Every way a URL can be refused. Each kind has its own message
/// ([`UrlErrorKind::message`]) and one-line fix ([`UrlErrorKind::fix`]).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrlErrorKind {
    // --- the string as a whole ---
    /// The input is empty.
    Empty,
    /// The input is longer than 4096 bytes.
    TooLong,
    /// Spaces, tabs or line breaks before or after the URL.
    SurroundingWhitespace,
    /// A space or a control character inside the URL.
    WhitespaceOrControl,
    /// A `\` anywhere (WHATWG parsers treat it like `/` for some schemes).
    Backslash,
    /// A byte outside ASCII anywhere in the raw URL.
    NonAscii,
    /// A `#`: node-postgres cuts a fragment off, libpq keeps it.
    Fragment,
    /// The `key=value` conninfo form instead of a URI.
    ConninfoForm,
    /// A scheme other than `postgresql://` or `postgres://`.
    UnsupportedScheme,
    /// `POSTGRESQL://` and the like: libpq only reads the lower-case scheme.
    SchemeNotLowercase,

    // --- user and password ---
    /// More than one raw `@`.
    MultipleAt,
    /// The `@` comes after a `/` or `?`: clients disagree on where the
    /// user info ends.
    AmbiguousAt,
    /// A raw character in the user or password that must be percent-encoded.
    UserinfoRawChar,
    /// `:password@` with no user.
    EmptyUser,
    /// `user:@`: an empty password (clients fall back to `PGPASSWORD`/`.pgpass`).
    EmptyPassword,
    /// A password of the form `endpoint=<id>;…`, `endpoint=<id>$…` or `project=<id>;…`,
    /// which Neon uses to route a connection to another endpoint than the host's.
    NeonEndpointPassword,

    // --- percent-encoding, anywhere ---
    /// A `%` not followed by two hexadecimal digits.
    InvalidPercentEncoding,
    /// `%00`.
    EncodedNul,
    /// A percent-encoded control character (`%0A`, `%7F`, …).
    EncodedControl,
    /// Percent-encoded bytes that are not UTF-8.
    InvalidUtf8,

    // --- host and port ---
    /// No host (libpq would use a Unix socket, node-postgres localhost).
    EmptyHost,
    /// Several hosts (`h1,h2`): libpq fails over to the next one.
    MultipleHosts,
    /// A malformed IPv6 address, or an IPv6 address outside brackets.
    InvalidIpv6,
    /// An IPv6 zone id (`%25eth0`) or a `%` inside brackets.
    Ipv6ZoneId,
    /// A host that looks numeric but is not an address `inet_aton` accepts.
    InvalidIpv4,
    /// `0.0.0.0` (or `0.x.x.x`) or `::`: connects to this machine.
    UnspecifiedAddress,
    /// A host name that is not made of valid LDH labels.
    InvalidDomain,
    /// A host under `neon.tech` that is not an endpoint host.
    UnknownNeonHost,
    /// A Unix-socket directory that is not a clean absolute path.
    InvalidSocketDir,
    /// A port that is not a decimal number in 1–65535.
    InvalidPort,

    // --- path ---
    /// No `/<database>` after the host.
    MissingDbname,
    /// A database name that clients would read differently (`/`, `.`, `..`,
    /// or a percent-encoded reserved character).
    InvalidDbname,

    // --- query ---
    /// An empty query, an empty `&&` pair, a pair without `=` or with two `=`.
    MalformedQuery,
    /// A raw `+` in the query: node-postgres reads it as a space, libpq as `+`.
    PlusInQuery,
    /// A raw character in the host, path or query that must be
    /// percent-encoded.
    MustBeEncoded,
    /// A query parameter that is not in the allowlist.
    UnknownParam,
    /// An allowed parameter given twice.
    DuplicateParam,
    /// An allowed parameter with an empty value.
    EmptyParamValue,
    /// An allowed parameter with a value outside its allowed set.
    InvalidParamValue,
    /// `host=` in the query beside a host in the authority: clients connect
    /// to the query's host.
    HostParamOverride,
    /// `host=` in the query that is not an absolute Unix-socket directory.
    HostParamNotSocket,
    /// A percent-escape in the host, which postgres.js and Prisma read literally.
    ClientPercentInHost,
    /// A percent-escape in the database name, which postgres.js and Prisma read literally
    /// and Neon's serverless driver decodes twice.
    ClientPercentInDbname,
    /// The `host=` socket idiom, which postgres.js ignores (it goes to localhost:5432).
    ClientSocketHostParam,
    /// A percent-escape in the user or password, which Neon's serverless driver splits or
    /// decodes differently.
    ClientPercentInUserinfo,
    /// `hostaddr=`: beats the host for the TCP connection.
    HostaddrParam,
    /// `port=` in the query.
    PortParam,
    /// `dbname=` in the query: overrides the path for libpq, not for node.
    DbnameParam,
    /// `user=` in the query.
    UserParam,
    /// `password=` in the query.
    PasswordParam,
    /// `options=`: sets server settings and Neon's `endpoint=`.
    OptionsParam,
    /// `service=`: reads a service file that can point anywhere.
    ServiceParam,
    /// `passfile=`.
    PassfileParam,
}

impl UrlErrorKind {
    /// A short sentence saying what is wrong (no input is ever quoted).
    pub fn message(self) -> &'static str {
        use UrlErrorKind::*;
        match self {
            Empty => "DATABASE_URL is empty",
            TooLong => "DATABASE_URL is longer than 4096 bytes",
            SurroundingWhitespace => "DATABASE_URL has whitespace before or after it",
            WhitespaceOrControl => "DATABASE_URL contains a space or a control character",
            Backslash => "DATABASE_URL contains a backslash",
            NonAscii => "DATABASE_URL contains a non-ASCII character",
            Fragment => "DATABASE_URL contains a '#', which clients read differently",
            ConninfoForm => "DATABASE_URL is in the key=value form, not a URL",
            UnsupportedScheme => "DATABASE_URL does not start with postgresql:// or postgres://",
            SchemeNotLowercase => "DATABASE_URL's scheme is not in lower case",
            MultipleAt => "DATABASE_URL has more than one '@'",
            AmbiguousAt => "DATABASE_URL has an '@' after a '/' or '?', which clients split differently",
            UserinfoRawChar => "DATABASE_URL's user or password has a character that must be percent-encoded",
            EmptyUser => "DATABASE_URL has a password but no user",
            EmptyPassword => "DATABASE_URL has a ':' but an empty password",
            NeonEndpointPassword => "DATABASE_URL's password starts with 'endpoint=' or 'project=', which routes to another Neon endpoint",
            InvalidPercentEncoding => "DATABASE_URL has a '%' not followed by two hex digits",
            EncodedNul => "DATABASE_URL contains %00",
            EncodedControl => "DATABASE_URL contains a percent-encoded control character",
            InvalidUtf8 => "DATABASE_URL has percent-encoded bytes that are not UTF-8",
            EmptyHost => "DATABASE_URL has no host",
            MultipleHosts => "DATABASE_URL lists several hosts",
            InvalidIpv6 => "DATABASE_URL has an invalid or unbracketed IPv6 address",
            Ipv6ZoneId => "DATABASE_URL has an IPv6 zone id or a '%' inside brackets",
            InvalidIpv4 => "DATABASE_URL's host looks numeric but is not a valid IPv4 address",
            UnspecifiedAddress => "DATABASE_URL's host is the unspecified address, which means this machine",
            InvalidDomain => "DATABASE_URL's host is not a valid host name",
            UnknownNeonHost => "DATABASE_URL's host is under neon.tech but is not a Neon endpoint host",
            InvalidSocketDir => "DATABASE_URL's Unix socket directory is not a clean absolute path",
            InvalidPort => "DATABASE_URL's port is not a number from 1 to 65535",
            MissingDbname => "DATABASE_URL has no database name",
            InvalidDbname => "DATABASE_URL's database name would be read differently by clients",
            MalformedQuery => "DATABASE_URL has a malformed query string",
            PlusInQuery => "DATABASE_URL has a raw '+' in its query, which clients read differently",
            MustBeEncoded => "DATABASE_URL has a character that must be percent-encoded",
            UnknownParam => "DATABASE_URL has an unknown query parameter",
            DuplicateParam => "DATABASE_URL sets a query parameter more than once",
            EmptyParamValue => "DATABASE_URL has a query parameter with an empty value",
            InvalidParamValue => "DATABASE_URL has a query parameter with an invalid value",
            HostParamOverride => "DATABASE_URL has host= in its query, which overrides the host",
            HostParamNotSocket => "DATABASE_URL's host= query parameter is not a Unix socket directory",
            ClientPercentInHost => "DATABASE_URL has a percent-escape in its host, which postgres.js and Prisma read literally (another host than libpq's and node-postgres')",
            ClientPercentInDbname => "DATABASE_URL has a percent-escape in its database name, which postgres.js and Prisma read literally and Neon's serverless driver decodes twice",
            ClientSocketHostParam => "DATABASE_URL uses the host= socket idiom, which postgres.js ignores (it connects to localhost:5432)",
            ClientPercentInUserinfo => "DATABASE_URL has a percent-escape in its user, which Neon's serverless driver splits at an escaped ':' and decodes differently",
            HostaddrParam => "DATABASE_URL has hostaddr=, which overrides the host's address",
            PortParam => "DATABASE_URL has port= in its query",
            DbnameParam => "DATABASE_URL has dbname= in its query",
            UserParam => "DATABASE_URL has user= in its query",
            PasswordParam => "DATABASE_URL has password= in its query",
            OptionsParam => "DATABASE_URL has options= in its query",
            ServiceParam => "DATABASE_URL has service= in its query",
            PassfileParam => "DATABASE_URL has passfile= in its query",
        }
    }

    /// One line telling the user how to fix the URL.
    pub fn fix(self) -> &'static str {
        use UrlErrorKind::*;
        match self {
            Empty => "set DATABASE_URL to a postgresql:// URL with a user, a host and a /<database>",
            TooLong => "shorten DATABASE_URL (drop unneeded query parameters)",
            SurroundingWhitespace => "remove the spaces or line break around the value (check quoting in your .env)",
            WhitespaceOrControl => "percent-encode spaces as %20 and remove control characters",
            Backslash => "percent-encode a backslash in the password as %5C",
            NonAscii => "percent-encode non-ASCII characters as UTF-8 (e.g. é as %C3%A9)",
            Fragment => "percent-encode '#' as %23 (in a password too)",
            ConninfoForm => "use the URI form postgresql://<user>@<host>:<port>/<database> (password as :<password> after the user)",
            UnsupportedScheme => "start DATABASE_URL with postgresql:// (or postgres://)",
            SchemeNotLowercase => "write the scheme in lower case: postgresql://",
            MultipleAt => "percent-encode '@' in the user or password as %40",
            AmbiguousAt => "percent-encode '/' '?' '@' in the password as %2F %3F %40, and '@' in the database name or query as %40",
            UserinfoRawChar => "percent-encode the character in the user or password (e.g. '/' as %2F, '?' as %3F, '[' as %5B)",
            EmptyUser => "write the user before the ':' that precedes the password",
            EmptyPassword => "remove the ':' after the user, or write the password after it",
            NeonEndpointPassword => "put only the password in DATABASE_URL and select the endpoint with the host name",
            InvalidPercentEncoding => "write a literal '%' as %25",
            EncodedNul => "remove %00 from DATABASE_URL",
            EncodedControl => "remove the percent-encoded control character",
            InvalidUtf8 => "percent-encode text as UTF-8",
            EmptyHost => "write the host (e.g. localhost), or a Unix socket as postgresql://<user>@/<database>?host=/var/run/postgresql",
            MultipleHosts => "keep a single host in DATABASE_URL (failover lists are refused)",
            InvalidIpv6 => "write an IPv6 address in brackets, e.g. postgresql://<user>@[::1]:5432/<database>",
            Ipv6ZoneId => "remove the zone id (%25…) from the IPv6 address",
            InvalidIpv4 => "write the IPv4 address as four decimal numbers 0-255 (e.g. 127.0.0.1), or fix the host name",
            UnspecifiedAddress => "write 127.0.0.1 (or localhost) for this machine",
            InvalidDomain => "use a host name of letters, digits, '-' and '.' (no '_', labels of 1-63 characters)",
            UnknownNeonHost => "copy the host from the Neon console: ep-<name>[-pooler].<region>.aws.neon.tech",
            InvalidSocketDir => "write the socket directory as a plain absolute path, e.g. /var/run/postgresql",
            InvalidPort => "write the port in decimal, 1-65535, without sign or leading zero, or omit it for 5432",
            MissingDbname => "add /<database> after the host (e.g. …neon.tech/neondb)",
            InvalidDbname => "write a plain database name after the host, without '/', and unencoded ; : @ & = + $ ,",
            MalformedQuery => "write the query as ?key=value&key=value (percent-encode '=' in a value as %3D)",
            PlusInQuery => "write '+' as %2B (or a space as %20) in the query",
            MustBeEncoded => "percent-encode the character (e.g. '[' as %5B, '\"' as %22, '|' as %7C)",
            UnknownParam => "remove it; allowed: sslmode, channel_binding, connect_timeout, application_name, sslrootcert, sslcert, sslkey, sslsni",
            DuplicateParam => "keep one occurrence of the query parameter",
            EmptyParamValue => "remove the parameter or give it a value",
            InvalidParamValue => "give the parameter one of its documented values",
            HostParamOverride => "remove host= from the query and keep the host in the authority",
            HostParamNotSocket => "put the host in the authority (postgresql://<user>@<host>/<database>); host= is only for /socket/dirs",
            ClientPercentInHost => "write the host without percent-escapes, or list the clients in use in [database] clients",
            ClientPercentInDbname => "name the database without characters that need escaping, or list the clients in use in [database] clients",
            ClientSocketHostParam => "connect over TCP, or list the clients in use in [database] clients (without postgres.js)",
            ClientPercentInUserinfo => "use a user name without characters that need escaping, or list the clients in use in [database] clients",
            HostaddrParam => "remove hostaddr= and write the address as the host",
            PortParam => "remove port= from the query and write :<port> after the host",
            DbnameParam => "remove dbname= from the query and write /<database> after the host",
            UserParam => "remove user= from the query and write <user>@ before the host",
            PasswordParam => "remove password= from the query and write it after the user, before the '@'",
            OptionsParam => "remove options= (server settings and Neon endpoint routing are refused)",
            ServiceParam => "remove service= and write the target in DATABASE_URL itself",
            PassfileParam => "remove passfile= from DATABASE_URL",
        }
    }
}

impl fmt::Display for UrlErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}
