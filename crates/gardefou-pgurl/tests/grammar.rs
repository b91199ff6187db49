//! Table-driven proof of the grammar: what must pass (with the target it must
//! yield) and what must be refused (with the reason), for each threat
//! category of docs/threats.md the grammar can see (T1–T11), in both directions.
//!
//! No secret-shaped literal is written here: templates use tokens that
//! [`fill`] replaces at run time.
//! - `{pw}`    a password built at run time, containing [`planted`]
//! - `{cred}`  `koomy` + `:` + `{pw}`
//! - `{colon}` `:` (to write other user/password pairs)
//! - `{R}`     `.eu-west-2.aws.neon.tech`

use std::net::IpAddr;

use gardefou_pgurl::{parse, ChannelBinding, Host, Param, Scheme, SslMode, UrlErrorKind as K};

/// The string that must never show up in an error or a Debug output.
fn planted() -> String {
    format!("x{}y", "S3cr3t")
}

fn password() -> String {
    format!("Pw-{}-7", planted())
}

fn fill(template: &str) -> String {
    template
        .replace("{cred}", &format!("koomy{}{}", ':', password()))
        .replace("{pw}", &password())
        .replace("{colon}", ":")
        .replace("{R}", ".eu-west-2.aws.neon.tech")
}

fn neon(endpoint: &str, pooler: bool, domain: &str) -> Host {
    Host::Neon {
        endpoint: endpoint.into(),
        pooler,
        domain: domain.into(),
    }
}

fn dom(name: &str) -> Host {
    Host::Domain(name.into())
}

fn ip(addr: &str) -> Host {
    Host::Ip(addr.parse::<IpAddr>().unwrap())
}

fn unix(dir: &str) -> Host {
    Host::Unix(dir.into())
}

const R: &str = "eu-west-2.aws.neon.tech";

/// What `redacted()` writes for a password, after the user.
const MASK: &str = ":****";

trait WithoutHost {
    fn params_without_host(&self) -> Vec<(Param, String)>;
}

impl WithoutHost for gardefou_pgurl::ConnUrl {
    /// The redacted form writes a socket directory as the authority host.
    fn params_without_host(&self) -> Vec<(Param, String)> {
        self.params()
            .iter()
            .filter(|(p, _)| *p != Param::Host)
            .cloned()
            .collect()
    }
}

fn must_allow() -> Vec<(&'static str, Host, u16, &'static str)> {
    vec![
        // The query forms Prisma, Neon and the Node drivers document: none moves the target.
        (
            "postgresql://{cred}@ep-cool-darkness-123456-pooler.eu-west-2.aws.neon.tech/neondb?sslmode=require&pgbouncer=true&connection_limit=1&pool_timeout=20&schema=public",
            neon("ep-cool-darkness-123456", true, R),
            5432,
            "neondb",
        ),
        (
            "postgresql://{cred}@ep-cool-darkness-123456.eu-west-2.aws.neon.tech/neondb?sslmode=require&sslnegotiation=direct&target_session_attrs=read-write&keepalives=1&client_encoding=UTF8",
            neon("ep-cool-darkness-123456", false, R),
            5432,
            "neondb",
        ),
        (
            "postgres://{cred}@ep-cool-darkness-123456.eu-west-2.aws.neon.tech/neondb?ssl=true",
            neon("ep-cool-darkness-123456", false, R),
            5432,
            "neondb",
        ),
        (
            "postgresql://{cred}@localhost:6543/koomy?sslmode=no-verify",
            Host::Domain("localhost".into()),
            6543,
            "koomy",
        ),
        // Neon's own strings (the other direction of the threat model).
        (
            "postgresql://{cred}@ep-cool-darkness-123456-pooler.eu-west-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require",
            neon("ep-cool-darkness-123456", true, R),
            5432,
            "neondb",
        ),
        (
            "postgresql://{cred}@ep-cool-darkness-123456.eu-west-2.aws.neon.tech/neondb?sslmode=require",
            neon("ep-cool-darkness-123456", false, R),
            5432,
            "neondb",
        ),
        (
            "postgres://{cred}@ep-cool-darkness-123456.eu-west-2.aws.neon.tech:5432/neondb?sslmode=verify-full",
            neon("ep-cool-darkness-123456", false, R),
            5432,
            "neondb",
        ),
        (
            "postgresql://{cred}@ep-x-pooler.c-2.us-east-2.aws.neon.tech/neondb?sslmode=require",
            neon("ep-x", true, "c-2.us-east-2.aws.neon.tech"),
            5432,
            "neondb",
        ),
        (
            "postgresql://{cred}@ep-x.westus3.azure.neon.tech/neondb",
            neon("ep-x", false, "westus3.azure.neon.tech"),
            5432,
            "neondb",
        ),
        // Local development.
        (
            "postgresql://koomy@localhost:5432/koomy_dev",
            dom("localhost"),
            5432,
            "koomy_dev",
        ),
        (
            "postgresql://koomy@127.0.0.1/koomy?sslmode=disable",
            ip("127.0.0.1"),
            5432,
            "koomy",
        ),
        ("postgresql://localhost/koomy_dev", dom("localhost"), 5432, "koomy_dev"),
        ("postgresql://koomy@[::1]:5433/koomy", ip("::1"), 5433, "koomy"),
        (
            "postgresql://koomy@[2001:DB8::1]/koomy",
            ip("2001:db8::1"),
            5432,
            "koomy",
        ),
        (
            "postgresql://{cred}@db.example.com:65535/app?sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca.pem&sslcert=/home/k/.postgresql/client.crt&sslkey=/home/k/.postgresql/client.key",
            dom("db.example.com"),
            65535,
            "app",
        ),
        (
            "postgresql://koomy@localhost:1/koomy_dev?connect_timeout=10&application_name=koomy%20api&sslsni=1&sslmode=prefer&channel_binding=disable",
            dom("localhost"),
            1,
            "koomy_dev",
        ),
        // The Unix-socket idiom, and a percent-encoded socket host.
        (
            "postgresql://koomy@/koomy_dev?host=/var/run/postgresql",
            unix("/var/run/postgresql"),
            5432,
            "koomy_dev",
        ),
        (
            "postgresql:///koomy_dev?host=%2Frun%2Fpostgresql%2F",
            unix("/run/postgresql"),
            5432,
            "koomy_dev",
        ),
        (
            "postgresql://koomy@%2Fvar%2Frun%2Fpostgresql:5433/koomy_dev",
            unix("/var/run/postgresql"),
            5433,
            "koomy_dev",
        ),
        // T5: percent-encoding in the host is decoded, as every client does.
        (
            "postgresql://{cred}@ep-alpha%2D1{R}/neondb",
            neon("ep-alpha-1", false, R),
            5432,
            "neondb",
        ),
        (
            "postgresql://{cred}@%65%70-alpha-1-pooler{R}/neondb",
            neon("ep-alpha-1", true, R),
            5432,
            "neondb",
        ),
        // T9: prefixes and substrings are other names.
        (
            "postgresql://{cred}@ep-beta-12{R}/neondb",
            neon("ep-beta-12", false, R),
            5432,
            "neondb",
        ),
        (
            "postgresql://koomy@localhost.example.net/koomy",
            dom("localhost.example.net"),
            5432,
            "koomy",
        ),
        (
            "postgresql://koomy@db.prod.local/koomy",
            dom("db.prod.local"),
            5432,
            "koomy",
        ),
        // T10: one host, several spellings.
        (
            "postgresql://{cred}@EP-BETA-1-POOLER.EU-WEST-2.AWS.NEON.TECH./neondb",
            neon("ep-beta-1", true, R),
            5432,
            "neondb",
        ),
        ("postgresql://koomy@LocalHost./koomy", dom("localhost"), 5432, "koomy"),
        ("postgresql://koomy@127.1/koomy", ip("127.0.0.1"), 5432, "koomy"),
        ("postgresql://koomy@2130706433/koomy", ip("127.0.0.1"), 5432, "koomy"),
        ("postgresql://koomy@0x7f.0.0.1/koomy", ip("127.0.0.1"), 5432, "koomy"),
        ("postgresql://koomy@0X7F000001/koomy", ip("127.0.0.1"), 5432, "koomy"),
        ("postgresql://koomy@0177.0.0.1/koomy", ip("127.0.0.1"), 5432, "koomy"),
        (
            "postgresql://koomy@[::ffff:127.0.0.1]/koomy",
            ip("127.0.0.1"),
            5432,
            "koomy",
        ),
        (
            "postgresql://koomy@[::FFFF:7f00:1]/koomy",
            ip("127.0.0.1"),
            5432,
            "koomy",
        ),
        ("postgresql://koomy@10.0.0.7/koomy", ip("10.0.0.7"), 5432, "koomy"),
        // T11: words in the wrong place do not change the target.
        (
            "postgresql://sandbox{colon}{pw}@ep-alpha-1{R}/neondb",
            neon("ep-alpha-1", false, R),
            5432,
            "neondb",
        ),
        (
            "postgresql://koomy{colon}prod-{pw}@ep-beta-1{R}/neondb",
            neon("ep-beta-1", false, R),
            5432,
            "neondb",
        ),
        // Passwords with percent-encoded delimiters, and sub-delims raw.
        (
            "postgresql://koomy{colon}{pw}%40%2F%3F%23%5B%5D%25@localhost/koomy",
            dom("localhost"),
            5432,
            "koomy",
        ),
        (
            "postgresql://koomy{colon}{pw}!$&'()*;=,{colon}~@localhost/koomy",
            dom("localhost"),
            5432,
            "koomy",
        ),
        // Database names.
        ("postgresql://koomy@localhost/koomy%5Fdev", dom("localhost"), 5432, "koomy_dev"),
        ("postgresql://koomy@localhost/my%20db", dom("localhost"), 5432, "my db"),
        ("postgresql://koomy@localhost/caf%C3%A9", dom("localhost"), 5432, "café"),
        ("postgresql://koomy@localhost/a:b$c", dom("localhost"), 5432, "a:b$c"),
    ]
}

#[test]
fn must_allow_table() {
    let mut checked = 0;
    for (template, host, port, dbname) in must_allow() {
        let url = fill(template);
        let conn = parse(&url).unwrap_or_else(|e| panic!("{template}: refused: {e}"));
        assert_eq!(conn.host(), &host, "{template}");
        assert_eq!(conn.port(), port, "{template}");
        assert_eq!(conn.dbname(), dbname, "{template}");
        // The redacted form parses back to the same target.
        let again = parse(&conn.redacted().to_string())
            .unwrap_or_else(|e| panic!("{template}: redacted form refused: {e}"));
        assert_eq!(again.host(), conn.host(), "{template}");
        assert_eq!(again.port(), conn.port(), "{template}");
        assert_eq!(again.dbname(), conn.dbname(), "{template}");
        assert_eq!(again.user(), conn.user(), "{template}");
        assert_eq!(again.params(), conn.params_without_host(), "{template}");
        checked += 1;
    }
    assert!(checked >= 35, "only {checked} rows checked");
}

fn must_refuse() -> Vec<(&'static str, K)> {
    vec![
        // The string as a whole.
        ("", K::Empty),
        (
            " postgresql://koomy@localhost/koomy",
            K::SurroundingWhitespace,
        ),
        (
            "postgresql://koomy@localhost/koomy\n",
            K::SurroundingWhitespace,
        ),
        (
            "postgresql://koomy@localhost/koomy\r",
            K::SurroundingWhitespace,
        ),
        (
            "postgresql://koomy@local host/koomy",
            K::WhitespaceOrControl,
        ),
        (
            "postgresql://koomy{colon}{pw}\t@localhost/koomy",
            K::WhitespaceOrControl,
        ),
        (
            "postgresql://koomy@localhost/koomy\u{7f}x",
            K::WhitespaceOrControl,
        ),
        (
            "postgresql://koomy{colon}{pw}\\@localhost/koomy",
            K::Backslash,
        ),
        (
            "postgresql://koomy{colon}{pw}é@localhost/koomy",
            K::NonAscii,
        ),
        ("postgresql://koomy@lôcalhost/koomy", K::NonAscii),
        (
            "postgresql://koomy{colon}{pw}#@localhost/koomy",
            K::Fragment,
        ),
        ("postgresql://koomy@localhost/koomy#frag", K::Fragment),
        ("host=localhost dbname=koomy user=koomy", K::ConninfoForm),
        ("dbname=koomy", K::ConninfoForm),
        ("mysql://koomy@localhost/koomy", K::UnsupportedScheme),
        (
            "jdbc:postgresql://koomy@localhost/koomy",
            K::UnsupportedScheme,
        ),
        ("postgresql:/localhost/koomy", K::UnsupportedScheme),
        ("postgresql:koomy", K::UnsupportedScheme),
        ("pg://koomy@localhost/koomy", K::UnsupportedScheme),
        ("/var/run/postgresql koomy", K::UnsupportedScheme),
        (
            "socket://koomy@/var/run/postgresql?db=koomy",
            K::UnsupportedScheme,
        ),
        ("POSTGRESQL://koomy@localhost/koomy", K::SchemeNotLowercase),
        ("Postgres://koomy@localhost/koomy", K::SchemeNotLowercase),
        // T6: two '@', or an '@' the clients split differently.
        (
            "postgresql://{cred}@ep-beta-1{R}@ep-alpha-1{R}/neondb",
            K::MultipleAt,
        ),
        (
            "postgresql://koomy{colon}{pw}@@ep-alpha-1{R}/neondb",
            K::MultipleAt,
        ),
        ("postgresql://{cred}/x@ep-alpha-1{R}/neondb", K::AmbiguousAt),
        (
            "postgresql://koomy{colon}{pw}?x@ep-alpha-1{R}/neondb",
            K::AmbiguousAt,
        ),
        (
            "postgresql://ep-beta-1{R}/neondb?application_name=a@ep-alpha-1{R}",
            K::AmbiguousAt,
        ),
        (
            "postgresql://ep-beta-1{R}?x=@ep-alpha-1{R}/neondb",
            K::AmbiguousAt,
        ),
        ("postgresql://ep-beta-1{R}/neon@db", K::AmbiguousAt),
        (
            "postgresql://koomy{colon}{pw}[@localhost/koomy",
            K::UserinfoRawChar,
        ),
        (
            "postgresql://koomy{colon}{pw}]@localhost/koomy",
            K::UserinfoRawChar,
        ),
        (
            "postgresql://koomy{colon}{pw}\"@localhost/koomy",
            K::UserinfoRawChar,
        ),
        (
            "postgresql://koomy{colon}{pw}|@localhost/koomy",
            K::UserinfoRawChar,
        ),
        ("postgresql://{colon}{pw}@localhost/koomy", K::EmptyUser),
        ("postgresql://@localhost/koomy", K::EmptyUser),
        (
            "postgresql://koomy{colon}@localhost/koomy",
            K::EmptyPassword,
        ),
        // T4: Neon routing by password or options, and SNI turned off.
        (
            "postgresql://koomy{colon}endpoint=ep-alpha-1;{pw}@ep-beta-1{R}/neondb",
            K::NeonEndpointPassword,
        ),
        (
            "postgresql://koomy{colon}endpoint=ep-alpha-1${pw}@1.2.3.4/neondb",
            K::NeonEndpointPassword,
        ),
        (
            "postgresql://koomy{colon}endpoint%3Dep-alpha-1%3B{pw}@1.2.3.4/neondb",
            K::NeonEndpointPassword,
        ),
        (
            "postgresql://koomy{colon}ENDPOINT=ep-alpha-1;{pw}@1.2.3.4/neondb",
            K::NeonEndpointPassword,
        ),
        // Neon's proxy also routes by the older `project=<id>;` prefix.
        (
            "postgresql://koomy{colon}project=ep-alpha-1;{pw}@ep-beta-1{R}/neondb",
            K::NeonEndpointPassword,
        ),
        (
            "postgresql://koomy{colon}Project%3Dep-alpha-1%24{pw}@1.2.3.4/neondb",
            K::NeonEndpointPassword,
        ),
        (
            "postgresql://{cred}@ep-beta-1{R}/neondb?options=endpoint%3Dep-alpha-1",
            K::OptionsParam,
        ),
        (
            "postgresql://{cred}@ep-beta-1{R}/neondb?options=-c%20app.env%3Dsandbox",
            K::OptionsParam,
        ),
        (
            "postgresql://{cred}@1.2.3.4/neondb?sslsni=0",
            K::InvalidParamValue,
        ),
        // Percent-encoding anywhere.
        (
            "postgresql://koomy{colon}{pw}%2@localhost/koomy",
            K::InvalidPercentEncoding,
        ),
        (
            "postgresql://koomy{colon}{pw}%zz@localhost/koomy",
            K::InvalidPercentEncoding,
        ),
        (
            "postgresql://koomy@local%host/koomy",
            K::InvalidPercentEncoding,
        ),
        (
            "postgresql://koomy@localhost/koomy%",
            K::InvalidPercentEncoding,
        ),
        (
            "postgresql://koomy@localhost/koomy?application_name=%G1",
            K::InvalidPercentEncoding,
        ),
        (
            "postgresql://koomy{colon}{pw}%00@localhost/koomy",
            K::EncodedNul,
        ),
        ("postgresql://koomy@localhost%00.evil/koomy", K::EncodedNul),
        ("postgresql://koomy@localhost/koomy%00", K::EncodedNul),
        (
            "postgresql://koomy@localhost/koomy?application_name=a%00",
            K::EncodedNul,
        ),
        (
            "postgresql://koomy{colon}{pw}%0A@localhost/koomy",
            K::EncodedControl,
        ),
        ("postgresql://koomy@localhost%0A/koomy", K::EncodedControl),
        ("postgresql://koomy@localhost/koomy%7F", K::EncodedControl),
        ("postgresql://koomy%FF@localhost/koomy", K::InvalidUtf8),
        ("postgresql://koomy@local%C3%A9host/koomy", K::NonAscii),
        // T8: what is left out comes from the environment; T1: query host.
        ("postgresql:///koomy", K::EmptyHost),
        ("postgresql://{cred}@/koomy", K::EmptyHost),
        ("postgresql://{cred}@:5432/koomy", K::EmptyHost),
        ("postgresql://:5433/koomy?host=/tmp", K::EmptyHost),
        (
            "postgresql://{cred}@ep-beta-1{R}/neondb?host=ep-alpha-1{R}",
            K::HostParamOverride,
        ),
        (
            "postgresql://koomy@localhost/koomy?host=/var/run/postgresql",
            K::HostParamOverride,
        ),
        (
            "postgresql://{cred}@/neondb?host=ep-alpha-1{R}",
            K::HostParamNotSocket,
        ),
        ("postgresql:///koomy?host=localhost", K::HostParamNotSocket),
        (
            "postgresql:///koomy?host=/tmp,/var/run/postgresql",
            K::MultipleHosts,
        ),
        ("postgresql:///koomy?host=/var/../etc", K::InvalidSocketDir),
        ("postgresql:///koomy?host=/var//run", K::InvalidSocketDir),
        (
            "postgresql:///koomy?host=/var/run/post%20gres",
            K::InvalidSocketDir,
        ),
        ("postgresql:///koomy?host=/caf%C3%A9", K::NonAscii),
        (
            "postgresql://koomy@%2Fvar%2F.%2Frun/koomy",
            K::InvalidSocketDir,
        ),
        ("postgresql://{cred}@ep-beta-1{R}", K::MissingDbname),
        ("postgresql://{cred}@ep-beta-1{R}/", K::MissingDbname),
        (
            "postgresql://{cred}@ep-beta-1{R}?sslmode=require",
            K::MissingDbname,
        ),
        (
            "postgresql://{cred}@ep-beta-1{R}/?sslmode=require",
            K::MissingDbname,
        ),
        (
            "postgresql://{cred}@ep-beta-1{R}/neondb?port=5433",
            K::PortParam,
        ),
        ("postgresql://ep-beta-1{R}/neondb?user=koomy", K::UserParam),
        (
            "postgresql://koomy@ep-beta-1{R}/neondb?password={pw}",
            K::PasswordParam,
        ),
        (
            "postgresql://{cred}@ep-beta-1{R}/neondb?service=prod",
            K::ServiceParam,
        ),
        (
            "postgresql://{cred}@ep-beta-1{R}/neondb?passfile=/tmp/pgpass",
            K::PassfileParam,
        ),
        // T2: hostaddr beats host.
        (
            "postgresql://{cred}@ep-beta-1{R}/neondb?hostaddr=10.0.0.1",
            K::HostaddrParam,
        ),
        // T3: several hosts.
        (
            "postgresql://{cred}@ep-beta-1{R},ep-alpha-1{R}/neondb",
            K::MultipleHosts,
        ),
        (
            "postgresql://{cred}@ep-beta-1{R}:5432,ep-alpha-1{R}:5432/neondb",
            K::MultipleHosts,
        ),
        (
            "postgresql://{cred}@ep-beta-1%2Cep-alpha-1{R}/neondb",
            K::MultipleHosts,
        ),
        ("postgresql://koomy@localhost,/koomy", K::MultipleHosts),
        // T7: dbname in the query; paths read differently.
        (
            "postgresql://{cred}@ep-beta-1{R}/neondb?dbname=prod",
            K::DbnameParam,
        ),
        ("postgresql://koomy@localhost/koomy/extra", K::InvalidDbname),
        ("postgresql://koomy@localhost/a%2Fb", K::InvalidDbname),
        ("postgresql://koomy@localhost/a%3Ab", K::InvalidDbname),
        ("postgresql://koomy@localhost/a%40b", K::InvalidDbname),
        ("postgresql://koomy@localhost/a%2bb", K::InvalidDbname),
        ("postgresql://koomy@localhost/..", K::InvalidDbname),
        ("postgresql://koomy@localhost/%2e", K::InvalidDbname),
        ("postgresql://koomy@localhost/a\"b", K::MustBeEncoded),
        ("postgresql://koomy@localhost/a[b]", K::MustBeEncoded),
        // T9: names that look like something else; Neon's one form.
        (
            "postgresql://koomy@localhost%40ep-alpha-1{R}/koomy",
            K::InvalidDomain,
        ),
        (
            "postgresql://{cred}@ep-alpha-1.neon.tech/neondb",
            K::UnknownNeonHost,
        ),
        (
            "postgresql://{cred}@ep-alpha-1.aws.neon.tech/neondb",
            K::UnknownNeonHost,
        ),
        (
            "postgresql://{cred}@ep-alpha-1.eu-west-2.gcp.neon.tech/neondb",
            K::UnknownNeonHost,
        ),
        (
            "postgresql://{cred}@console.neon.tech/neondb",
            K::UnknownNeonHost,
        ),
        ("postgresql://{cred}@neon.tech/neondb", K::UnknownNeonHost),
        ("postgresql://{cred}@ep{R}/neondb", K::UnknownNeonHost),
        (
            "postgresql://{cred}@ep-.eu-west-2.aws.neon.tech/neondb",
            K::InvalidDomain,
        ),
        (
            "postgresql://{cred}@ep-alpha-1--pooler{R}/neondb",
            K::UnknownNeonHost,
        ),
        (
            "postgresql://{cred}@pooler.ep-alpha-1{R}/neondb",
            K::UnknownNeonHost,
        ),
        ("postgresql://koomy@db_prod.local/koomy", K::InvalidDomain),
        ("postgresql://koomy@-db.local/koomy", K::InvalidDomain),
        ("postgresql://koomy@db-.local/koomy", K::InvalidDomain),
        ("postgresql://koomy@db..local/koomy", K::InvalidDomain),
        ("postgresql://koomy@.local/koomy", K::InvalidDomain),
        ("postgresql://koomy@./koomy", K::InvalidDomain),
        ("postgresql://koomy@local!host/koomy", K::InvalidDomain),
        // T10: numeric hosts read as getaddrinfo would; IPv6 in brackets.
        ("postgresql://koomy@127.0.0.256/koomy", K::InvalidIpv4),
        ("postgresql://koomy@1.2.3.4.5/koomy", K::InvalidIpv4),
        ("postgresql://koomy@08.0.0.1/koomy", K::InvalidIpv4),
        ("postgresql://koomy@4294967296/koomy", K::InvalidIpv4),
        ("postgresql://koomy@127.0.0.1./koomy", K::InvalidIpv4),
        ("postgresql://koomy@example.123/koomy", K::InvalidIpv4),
        ("postgresql://koomy@127.0.0.0x/koomy", K::InvalidIpv4),
        ("postgresql://koomy@0.0.0.0/koomy", K::UnspecifiedAddress),
        ("postgresql://koomy@0/koomy", K::UnspecifiedAddress),
        ("postgresql://koomy@0.1.2.3/koomy", K::UnspecifiedAddress),
        ("postgresql://koomy@[::]/koomy", K::UnspecifiedAddress),
        (
            "postgresql://koomy@[::ffff:0.0.0.0]/koomy",
            K::UnspecifiedAddress,
        ),
        ("postgresql://koomy@[fe80::1%25eth0]/koomy", K::Ipv6ZoneId),
        ("postgresql://koomy@[::%31]/koomy", K::Ipv6ZoneId),
        ("postgresql://koomy@::1/koomy", K::InvalidIpv6),
        ("postgresql://koomy@::1:5432/koomy", K::InvalidIpv6),
        ("postgresql://koomy@[::1/koomy", K::InvalidIpv6),
        ("postgresql://koomy@[::1]x/koomy", K::InvalidIpv6),
        ("postgresql://koomy@[localhost]/koomy", K::InvalidIpv6),
        ("postgresql://koomy@[127.0.0.1]/koomy", K::InvalidIpv6),
        ("postgresql://koomy@%3A%3A1/koomy", K::InvalidIpv6),
        ("postgresql://koomy@local[host]/koomy", K::InvalidIpv6),
        // Ports.
        ("postgresql://koomy@localhost:0/koomy", K::InvalidPort),
        ("postgresql://koomy@localhost:65536/koomy", K::InvalidPort),
        ("postgresql://koomy@localhost:+5432/koomy", K::InvalidPort),
        ("postgresql://koomy@localhost:-1/koomy", K::InvalidPort),
        ("postgresql://koomy@localhost:05432/koomy", K::InvalidPort),
        ("postgresql://koomy@localhost:/koomy", K::InvalidPort),
        ("postgresql://koomy@localhost:54a/koomy", K::InvalidPort),
        ("postgresql://koomy@localhost:%35432/koomy", K::InvalidPort),
        ("postgresql://koomy@localhost:123456/koomy", K::InvalidPort),
        ("postgresql://koomy@[::1]:0/koomy", K::InvalidPort),
        // The query.
        ("postgresql://koomy@localhost/koomy?", K::MalformedQuery),
        (
            "postgresql://koomy@localhost/koomy?sslmode",
            K::MalformedQuery,
        ),
        (
            "postgresql://koomy@localhost/koomy?&sslmode=require",
            K::MalformedQuery,
        ),
        (
            "postgresql://koomy@localhost/koomy?sslmode=require&",
            K::MalformedQuery,
        ),
        (
            "postgresql://koomy@localhost/koomy?sslmode=require=x",
            K::MalformedQuery,
        ),
        (
            "postgresql://koomy@localhost/koomy?=require",
            K::MalformedQuery,
        ),
        (
            "postgresql://koomy@localhost/koomy?application_name=a+b",
            K::PlusInQuery,
        ),
        (
            "postgresql://koomy@localhost/koomy?application_name=a|b",
            K::MustBeEncoded,
        ),
        (
            "postgresql://koomy@localhost/koomy?application_name=[x]",
            K::MustBeEncoded,
        ),
        (
            "postgresql://koomy@localhost/koomy?sslmode=",
            K::EmptyParamValue,
        ),
        (
            "postgresql://koomy@localhost/koomy?sslmode=require&sslmode=disable",
            K::DuplicateParam,
        ),
        (
            "postgresql://koomy@localhost/koomy?sslmode=require&sslmode=require",
            K::DuplicateParam,
        ),
        (
            "postgresql://koomy@localhost/koomy?sslmode=REQUIRE",
            K::InvalidParamValue,
        ),
        (
            "postgresql://koomy@localhost/koomy?sslmode=No-Verify",
            K::InvalidParamValue,
        ),
        (
            "postgresql://koomy@localhost/koomy?channel_binding=yes",
            K::InvalidParamValue,
        ),
        (
            "postgresql://koomy@localhost/koomy?connect_timeout=-1",
            K::InvalidParamValue,
        ),
        (
            "postgresql://koomy@localhost/koomy?connect_timeout=1e3",
            K::InvalidParamValue,
        ),
        (
            "postgresql://koomy@localhost/koomy?sslsni=true",
            K::InvalidParamValue,
        ),
        (
            "postgresql://koomy@localhost/koomy?ssl=yes",
            K::InvalidParamValue,
        ),
        (
            "postgresql://koomy@localhost/koomy?schema=1public",
            K::InvalidParamValue,
        ),
        (
            "postgresql://koomy@localhost/koomy?schema=a.b",
            K::InvalidParamValue,
        ),
        (
            "postgresql://koomy@localhost/koomy?pgbouncer=1",
            K::InvalidParamValue,
        ),
        (
            "postgresql://koomy@localhost/koomy?connection_limit=-1",
            K::InvalidParamValue,
        ),
        (
            "postgresql://koomy@localhost/koomy?sslnegotiation=tls",
            K::InvalidParamValue,
        ),
        (
            "postgresql://koomy@localhost/koomy?keepalives=2",
            K::InvalidParamValue,
        ),
        (
            "postgresql://koomy@localhost/koomy?pgbouncer=true&pgbouncer=false",
            K::DuplicateParam,
        ),
        (
            "postgresql://koomy@localhost/koomy?SSLMODE=require",
            K::UnknownParam,
        ),
        (
            "postgresql://koomy@localhost/koomy?ssl%6Dode=require",
            K::UnknownParam,
        ),
        (
            "postgresql://koomy@localhost/koomy?target_session_attrs=readwrite",
            K::InvalidParamValue,
        ),
        (
            "postgresql://koomy@localhost/koomy?sslcompression=1",
            K::UnknownParam,
        ),
        (
            "postgresql://koomy@localhost/koomy?gssencmode=disable",
            K::UnknownParam,
        ),
    ]
}

#[test]
fn must_refuse_table() {
    let rows = must_refuse();
    assert!(rows.len() >= 150, "only {} rows", rows.len());
    for (template, kind) in rows {
        let url = fill(template);
        match parse(&url) {
            Ok(conn) => panic!("{template}: accepted as {:?}", conn.host()),
            Err(e) => {
                assert_eq!(e.kind(), kind, "{template}: wrong refusal: {e}");
                let fix = e.fix();
                assert!(
                    !fix.is_empty() && !fix.contains('\n'),
                    "{template}: fix {fix:?}"
                );
                assert!(!e.kind().message().is_empty());
            }
        }
    }
}

#[test]
fn too_long_is_refused() {
    let url = format!("postgresql://koomy@localhost/{}", "a".repeat(5000));
    assert_eq!(parse(&url).unwrap_err().kind(), K::TooLong);
    let url = format!("postgresql://koomy@localhost/{}", "a".repeat(4000));
    assert!(parse(&url).is_ok());
}

#[test]
fn domain_length_limits() {
    let label63 = "a".repeat(63);
    let label64 = "a".repeat(64);
    assert!(parse(&format!("postgresql://koomy@{label63}.example/koomy")).is_ok());
    assert_eq!(
        parse(&format!("postgresql://koomy@{label64}.example/koomy"))
            .unwrap_err()
            .kind(),
        K::InvalidDomain
    );
    // 4 × 63 + 3 dots = 255 > 253
    let long = [label63.as_str(); 4].join(".");
    assert_eq!(
        parse(&format!("postgresql://koomy@{long}/koomy"))
            .unwrap_err()
            .kind(),
        K::InvalidDomain
    );
    let ok = format!("{}.{}", [label63.as_str(); 3].join("."), "a".repeat(61));
    assert_eq!(ok.len(), 253);
    assert!(parse(&format!("postgresql://koomy@{ok}/koomy")).is_ok());
    assert!(parse(&format!("postgresql://koomy@{ok}./koomy")).is_ok());
}

#[test]
fn accessors() {
    let url = fill(
        "postgres://k%C3%B6%40my{colon}{pw}%2F%3A@ep-beta-1-pooler{R}:6543/neon%20db?sslmode=verify-ca&channel_binding=prefer&application_name=api%2Bv2&connect_timeout=5",
    );
    let conn = parse(&url).unwrap();
    assert_eq!(conn.scheme(), Scheme::Postgres);
    assert_eq!(conn.user(), Some("kö@my"));
    assert_eq!(
        conn.password().unwrap().expose(),
        format!("{}/:", password())
    );
    assert_eq!(conn.port(), 6543);
    assert_eq!(conn.explicit_port(), Some(6543));
    assert_eq!(conn.dbname(), "neon db");
    assert_eq!(conn.sslmode(), Some(SslMode::VerifyCa));
    assert_eq!(conn.channel_binding(), Some(ChannelBinding::Prefer));
    assert_eq!(conn.param(Param::ApplicationName), Some("api+v2"));
    assert_eq!(
        conn.params(),
        &[
            (Param::SslMode, "verify-ca".to_string()),
            (Param::ChannelBinding, "prefer".to_string()),
            (Param::ApplicationName, "api+v2".to_string()),
            (Param::ConnectTimeout, "5".to_string()),
        ]
    );
    assert!(!conn.host().is_loopback());
    assert_eq!(
        conn.redacted().to_string(),
        format!("postgres://k%C3%B6%40my{MASK}@ep-beta-1-pooler.eu-west-2.aws.neon.tech:6543/neon%20db?sslmode=verify-ca&channel_binding=prefer&application_name=api%2Bv2&connect_timeout=5")
    );

    let local = parse("postgresql://localhost/koomy_dev").unwrap();
    assert_eq!(local.scheme(), Scheme::Postgresql);
    assert_eq!(local.user(), None);
    assert!(local.password().is_none());
    assert_eq!(local.explicit_port(), None);
    assert_eq!(local.port(), 5432);
    assert_eq!(local.sslmode(), None);
    assert!(local.params().is_empty());
    assert_eq!(
        local.redacted().to_string(),
        "postgresql://localhost:5432/koomy_dev"
    );

    let sock =
        parse("postgresql://koomy@/koomy_dev?host=/var/run/postgresql&sslmode=disable").unwrap();
    assert_eq!(sock.param(Param::Host), Some("/var/run/postgresql"));
    assert_eq!(
        sock.redacted().to_string(),
        "postgresql://koomy@%2Fvar%2Frun%2Fpostgresql:5432/koomy_dev?sslmode=disable"
    );
}

#[test]
fn loopback() {
    let cases = [
        ("postgresql://koomy@localhost/k", true),
        ("postgresql://koomy@LOCALHOST./k", true),
        ("postgresql://koomy@127.0.0.1/k", true),
        ("postgresql://koomy@127.255.0.9/k", true),
        ("postgresql://koomy@127.1/k", true),
        ("postgresql://koomy@[::1]/k", true),
        ("postgresql://koomy@[::ffff:127.0.0.1]/k", true),
        ("postgresql://koomy@/k?host=/tmp", true),
        ("postgresql://koomy@localhost.example.net/k", false),
        ("postgresql://koomy@localhost6/k", false),
        ("postgresql://koomy@my-localhost/k", false),
        ("postgresql://koomy@128.0.0.1/k", false),
        ("postgresql://koomy@[::2]/k", false),
        ("postgresql://koomy@ep-x.r.aws.neon.tech/k", false),
    ];
    for (url, expected) in cases {
        assert_eq!(parse(url).unwrap().host().is_loopback(), expected, "{url}");
    }
}

#[test]
fn unknown_param_name_is_shown_only_when_safe() {
    let e = parse("postgresql://koomy@localhost/k?gssencmode=disable").unwrap_err();
    assert_eq!(
        e.to_string(),
        "DATABASE_URL has an unknown query parameter `gssencmode`"
    );
    let e = parse("postgresql://koomy@localhost/k?ssl%6Dode=require").unwrap_err();
    assert_eq!(e.to_string(), "DATABASE_URL has an unknown query parameter");
    let long = "a".repeat(33);
    let e = parse(&format!("postgresql://koomy@localhost/k?{long}=1")).unwrap_err();
    assert!(!e.to_string().contains(&long));
    let e = parse("postgresql://koomy@localhost/k?sslmode=require&sslmode=require").unwrap_err();
    assert_eq!(e.param(), Some(Param::SslMode));
    assert_eq!(
        e.to_string(),
        "DATABASE_URL sets the query parameter `sslmode` more than once"
    );
    let e = parse("postgresql://koomy@localhost/k?channel_binding=on").unwrap_err();
    assert_eq!(e.fix(), "use channel_binding=disable, prefer or require");
}

/// Error messages name no part of the input: not the password (planted in
/// every row that has one), not the user, not the host.
#[test]
fn refusals_leak_nothing() {
    let secret = planted();
    for (template, _) in must_refuse() {
        let url = fill(template);
        let e = parse(&url).unwrap_err();
        for shown in [
            e.to_string(),
            format!("{e:?}"),
            format!("{e:#?}"),
            e.fix().to_string(),
        ] {
            assert!(!shown.contains(&secret), "{template}: {shown}");
            assert!(!shown.contains("koomy"), "{template}: {shown}");
            assert!(!shown.contains("ep-alpha"), "{template}: {shown}");
            assert!(!shown.contains("ep-beta"), "{template}: {shown}");
        }
    }
}

/// Mutations of a good URL with a planted password: insert or replace a
/// character at every position; whether the result is accepted or refused,
/// no output carries the password.
#[test]
fn mutations_leak_no_password() {
    let secret = planted();
    let base =
        fill("postgresql://koomy{colon}{pw}@ep-beta-1-pooler{R}:5432/neondb?sslmode=require");
    let specials = [
        "@",
        ":",
        "/",
        "?",
        "#",
        "[",
        "]",
        "%",
        "%00",
        "%2",
        "\\",
        " ",
        "\n",
        ",",
        "=",
        "&",
        "+",
        "é",
        "endpoint=",
        "%40",
        "\"",
        "'",
        ";",
        "$",
    ];
    let mut outcomes = (0, 0);
    for i in 0..=base.len() {
        for s in specials {
            for replace in [false, true] {
                let mut url = base.clone();
                if replace && i < base.len() {
                    url.replace_range(i..i + 1, s);
                } else {
                    url.insert_str(i, s);
                }
                match parse(&url) {
                    Ok(conn) => {
                        // Replacing the ':' separator turns the password into
                        // part of the user name, which is not secret.
                        if !conn
                            .password()
                            .is_some_and(|p| p.expose().contains(&secret))
                        {
                            continue;
                        }
                        outcomes.0 += 1;
                        for shown in [
                            format!("{conn:?}"),
                            format!("{conn:#?}"),
                            conn.redacted().to_string(),
                            format!("{:?}", conn.password()),
                            conn.host().to_string(),
                        ] {
                            assert!(!shown.contains(&secret), "{shown}");
                        }
                    }
                    Err(e) => {
                        outcomes.1 += 1;
                        for shown in [e.to_string(), format!("{e:?}")] {
                            assert!(!shown.contains(&secret), "{shown}");
                        }
                    }
                }
            }
        }
    }
    // Both branches must have run for the test to mean anything.
    assert!(outcomes.0 > 100 && outcomes.1 > 1000, "{outcomes:?}");
}
