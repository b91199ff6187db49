//! Differential test against the real clients: the Node ones, installed from the npm
//! registry (node-postgres' `pg-connection-string`, postgres.js, `@neondatabase/serverless`),
//! and libpq itself (the system library's `PQconninfoParse`, through Python's ctypes).
//! Thousands of URLs, generated deterministically from the pieces that clients read
//! differently (percent-escapes in user, host and database, the socket idiom, query hosts,
//! options, ports, case, trailing dots). For every URL gardefou accepts with every client
//! in use (the default policy), each client must read the same host, port, database and
//! user — or refuse the URL itself. Zero cases where gardefou allows and a client reads
//! another target.

use std::process::Command;

use gardefou_pgurl::{check_clients, parse, Client, Host};
use gardefou_testkit::fake::Rng;
use gardefou_testkit::run::{Run, Runs};

/// libpq's reading of each URL: `PQconninfoParse`, keyword by keyword.
const LIBPQ: &str = r#"
import ctypes, ctypes.util, json, sys
lib = ctypes.CDLL(ctypes.util.find_library("pq") or "libpq.so.5")
class Opt(ctypes.Structure):
    _fields_ = [("keyword", ctypes.c_char_p), ("envvar", ctypes.c_char_p), ("compiled", ctypes.c_char_p),
                ("val", ctypes.c_char_p), ("label", ctypes.c_char_p), ("dispchar", ctypes.c_char_p), ("dispsize", ctypes.c_int)]
lib.PQconninfoParse.restype = ctypes.POINTER(Opt)
lib.PQconninfoParse.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p)]
out = []
for url in open(sys.argv[1], encoding="utf-8").read().split("\n"):
    if not url:
        continue
    err = ctypes.c_char_p()
    opts = lib.PQconninfoParse(url.encode(), ctypes.byref(err))
    if not opts:
        out.append(None)
        continue
    got, i = {}, 0
    while opts[i].keyword:
        if opts[i].val is not None:
            got[opts[i].keyword.decode()] = opts[i].val.decode("utf-8", "replace")
        i += 1
    lib.PQconninfoFree(opts)
    if "hostaddr" in got:
        out.append({"host": "hostaddr:" + got["hostaddr"]})
        continue
    host = got.get("host", "").lower().rstrip(".")
    out.append({"host": host, "port": int(got.get("port") or 5432),
                "database": got.get("dbname"), "user": got.get("user")})
json.dump(out, open(sys.argv[2], "w"))
"#;

const SCRIPT: &str = r#"
const fs = require('fs');
const { parse } = require('pg-connection-string');
const postgres = require('postgres');
const { Client } = require('@neondatabase/serverless');
const urls = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
const norm = (h) => (h == null ? null : String(h).toLowerCase().replace(/\.$/, ''));
const out = [];
for (const u of urls) {
  const r = {};
  try {
    const c = parse(u);
    r.pg = { host: norm(c.host), port: Number(c.port || 5432), database: c.database, user: c.user };
  } catch (e) { r.pg = null; }
  try {
    const s = postgres(u, { max: 1, onnotice() {} });
    const o = s.options;
    r['postgres.js'] = { host: norm(o.host[0]), port: Number(o.port[0]), database: o.database, user: o.user };
    s.end({ timeout: 0 }).catch(() => {});
  } catch (e) { r['postgres.js'] = null; }
  try {
    const c = new Client(u);
    r['@neondatabase/serverless'] = { host: norm(c.host), port: Number(c.port), database: c.database, user: c.user };
  } catch (e) { r['@neondatabase/serverless'] = null; }
  out.push(r);
}
fs.writeFileSync(process.argv[3], JSON.stringify(out));
process.exit(0);
"#;

fn urls(n: usize) -> Vec<String> {
    let schemes = ["postgresql://", "postgres://", "Postgresql://"];
    let users = [
        "koomy", "ko%6Fmy", "u%3Ax", "u%40x", "u.x", "KOOMY", "u%20x",
    ];
    let passwords = [
        "",
        ":pw",
        ":p%40ss",
        ":p%3As",
        ":p%25s",
        ":endpoint%3Dep-x%3Bpw",
    ];
    let hosts = [
        "localhost",
        "db.koomy.internal",
        "DB.Koomy.Internal.",
        "ep-alpha-1.eu-west-2.aws.neon.tech",
        "ep-alpha-1-pooler.eu-west-2.aws.neon.tech",
        "ep-alpha%2D1.eu-west-2.aws.neon.tech",
        "db%2Ekoomy.internal",
        "10.1.2.3",
        "",
    ];
    let ports = ["", ":5432", ":6543", ":0", ":70000", ":65535"];
    let dbs = [
        "koomy",
        "koomy%5Fprod",
        "ko%2Fomy",
        "k%20y",
        "neondb",
        "a.b",
        "%2e",
        "k%25y",
        "K",
    ];
    let queries = [
        "",
        "?sslmode=require",
        "?host=/tmp",
        "?host=evil.example",
        "?sslmode=require&host=/var/run/postgresql",
        "?options=-c%20x%3Dy",
        "?schema=public&pgbouncer=true",
        "?ssl=true",
        "?application_name=a%26b",
        "?dbname=other",
        "?user=other",
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    (0..n)
        .map(|_| {
            format!(
                "{}{}{}@{}{}/{}{}",
                rng.pick(&schemes),
                rng.pick(&users),
                rng.pick(&passwords),
                rng.pick(&hosts),
                rng.pick(&ports),
                rng.pick(&dbs),
                rng.pick(&queries)
            )
        })
        .collect()
}

/// Host (as the clients spell a name: lower case, no trailing dot), port, database, user.
type Target = (String, u16, String, String);

/// What gardefou reads; `None` when it refuses the URL.
fn gardefou(url: &str) -> Option<Target> {
    let u = parse(url).ok()?;
    check_clients(url, &Client::ALL).ok()?;
    let host = match u.host() {
        Host::Neon {
            endpoint,
            pooler,
            domain,
        } => format!(
            "{endpoint}{}.{domain}",
            if *pooler { "-pooler" } else { "" }
        ),
        Host::Domain(d) => d.clone(),
        Host::Ip(ip) => ip.to_string(),
        Host::Unix(dir) => dir.clone(),
    };
    Some((host, u.port(), u.dbname().to_owned(), u.user()?.to_owned()))
}

#[test]
fn no_url_gardefou_allows_is_read_as_another_target_by_a_node_client() {
    let dir = tempfile::tempdir().unwrap();
    let install = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--silent",
            "pg-connection-string@2",
            "postgres@3",
            "@neondatabase/serverless@1",
        ])
        .current_dir(dir.path())
        .output()
        .expect("npm must be installed (scripts/test.sh installs it)");
    Run::from(install).success();
    let all = urls(30_000);
    let allowed: Vec<(&String, Target)> = all
        .iter()
        .filter_map(|u| gardefou(u).map(|t| (u, t)))
        .collect();
    // The generator must exercise both sides.
    assert!(allowed.len() > 100, "only {} allowed", allowed.len());
    assert!(allowed.len() < all.len() / 2, "{} allowed", allowed.len());
    let list = dir.path().join("urls.txt");
    let text: Vec<&str> = allowed.iter().map(|(u, _)| u.as_str()).collect();
    std::fs::write(&list, text.join("\n")).unwrap();
    std::fs::write(dir.path().join("read.js"), SCRIPT).unwrap();
    let result = dir.path().join("readings.json");
    Command::new("node")
        .arg("read.js")
        .arg(&list)
        .arg(&result)
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .run()
        .success();
    let mut readings: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&result).unwrap()).unwrap();
    assert_eq!(readings.len(), allowed.len());
    // libpq's reading, added to each.
    std::fs::write(dir.path().join("libpq.py"), LIBPQ).unwrap();
    let libpq_out = dir.path().join("libpq.json");
    // libpq5 comes with PostgreSQL.
    Command::new("python3")
        .arg(dir.path().join("libpq.py"))
        .arg(&list)
        .arg(&libpq_out)
        .run()
        .success();
    let libpq: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&libpq_out).unwrap()).unwrap();
    assert_eq!(libpq.len(), allowed.len());
    for (r, l) in readings.iter_mut().zip(libpq) {
        r["libpq"] = l;
    }
    let mut differ = Vec::new();
    let mut compared = 0;
    let mut per_client = std::collections::BTreeMap::new();
    for ((url, (host, port, db, user)), reading) in allowed.iter().zip(&readings) {
        for client in ["libpq", "pg", "postgres.js", "@neondatabase/serverless"] {
            let r = &reading[client];
            if r.is_null() {
                continue; // the client refuses the URL itself: no connection
            }
            compared += 1;
            *per_client.entry(client).or_insert(0) += 1;
            let same = r["host"] == serde_json::json!(host)
                && r["port"] == serde_json::json!(port)
                && r["database"] == serde_json::json!(db)
                && r["user"] == serde_json::json!(user);
            if !same {
                differ.push(format!(
                    "{client}: {url} -> {r} (gardefou: {host}:{port}/{db} as {user})"
                ));
            }
        }
    }
    assert!(compared > 300, "only {compared} readings compared");
    for client in ["libpq", "pg", "postgres.js", "@neondatabase/serverless"] {
        let n = per_client.get(client).copied().unwrap_or(0);
        assert!(
            n > 100,
            "only {n} readings of {client} compared: {per_client:?}"
        );
    }
    assert!(
        differ.is_empty(),
        "{} URLs read as another target:\n{}",
        differ.len(),
        differ[..differ.len().min(20)].join("\n")
    );
}
