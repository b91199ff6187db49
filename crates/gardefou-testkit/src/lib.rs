//! The test kit: real parts for tests, never mocks — throwaway PostgreSQL clusters
//! ([`Cluster`]), a TCP forwarder that can switch targets ([`Forwarder`]), hermetic git
//! repositories ([`git`]), fake secrets built at run time ([`fake`]), and commands run and
//! asserted in one step ([`run`]).
//!
//! [`Cluster::start`] runs `initdb` and `pg_ctl` (found on `PATH` or under
//! `/usr/lib/postgresql/*/bin`) in a fresh temporary directory, on a free loopback port,
//! with its Unix socket in that directory. Under root, where `initdb` refuses to run, the
//! cluster runs as the `postgres` user (`runuser`). Dropping the [`Cluster`] stops the
//! server (`pg_ctl stop -m immediate`) and removes the directory.
//!
//! Every cluster has:
//! - an administrator role ([`Cluster::ADMIN`], superuser) reachable without a password
//!   over the Unix socket only, used by [`Cluster::psql`];
//! - an application role ([`Cluster::APP_USER`], not a superuser) with a password
//!   generated at run time, authenticated with SCRAM over TCP; [`Cluster::url`] builds its
//!   URL and [`Cluster::create_database`] makes databases it owns.
//!
//! [`Builder::tls`] turns TLS on with a certificate for `localhost` and `127.0.0.1`, signed
//! by a CA generated for this cluster ([`Cluster::ca_cert`]), using the `openssl` command.
//! [`Builder::setting`] appends lines to `postgresql.conf` (their `pg_settings.source` is
//! `configuration file`), e.g. to play a Neon compute's `neon.branch_id`.
//!
//! ```no_run
//! let pg = gardefou_testkit::Cluster::start();
//! pg.create_database("koomy");
//! assert_eq!(pg.psql("koomy", "select 1").trim(), "1");
//! let _url = pg.url("koomy", "sslmode=disable");
//! ```
// Test support: it runs initdb, pg_ctl and psql and writes cluster files freely.
#![allow(clippy::disallowed_methods)]

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

pub mod run;

/// Configures a cluster before it starts.
#[derive(Default)]
pub struct Builder {
    tls: bool,
    san: Option<String>,
    settings: Vec<(String, String)>,
}

impl Builder {
    /// Serve TLS (`ssl = on`) with a generated certificate; plain connections still work.
    pub fn tls(mut self) -> Self {
        self.tls = true;
        self
    }

    /// The certificate's subjectAltName (default `DNS:localhost,IP:127.0.0.1`).
    pub fn tls_names(mut self, san: &str) -> Self {
        self.tls = true;
        self.san = Some(san.to_owned());
        self
    }

    /// Appends `name = 'value'` to `postgresql.conf`.
    pub fn setting(mut self, name: &str, value: &str) -> Self {
        self.settings.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Creates and starts the cluster. Panics with the server's log when it cannot.
    pub fn start(self) -> Cluster {
        let mut last = String::new();
        // A free port can be taken by another test between the probe and the bind: retry.
        for _ in 0..5 {
            match Cluster::try_start(&self) {
                Ok(c) => return c,
                Err(e) => last = e,
            }
        }
        panic!("cannot start a PostgreSQL cluster: {last}");
    }
}

/// A running throwaway cluster; stopped and removed on drop.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    password: String,
    as_postgres: bool,
    tls: bool,
}

impl Cluster {
    /// The superuser, reachable over the Unix socket without a password.
    pub const ADMIN: &'static str = "gardefou_admin";
    /// The application role: not a superuser, password over TCP.
    pub const APP_USER: &'static str = "koomy";

    /// A plain cluster.
    pub fn start() -> Cluster {
        Builder::default().start()
    }

    /// A cluster with options.
    pub fn builder() -> Builder {
        Builder::default()
    }

    fn try_start(opts: &Builder) -> Result<Cluster, String> {
        let bin = bin_dir().ok_or(
            "initdb not found on PATH or under /usr/lib/postgresql/*/bin (install postgresql)",
        )?;
        let dir = tempfile::Builder::new()
            .prefix("gardefou-pg-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let as_postgres = is_root();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .map_err(|e| e.to_string())?;
        let password = random_password();
        let port = free_port()?;
        let cluster = Cluster {
            dir,
            bin,
            port,
            password,
            as_postgres,
            tls: opts.tls,
        };
        let data = cluster.data_dir();
        let sock = cluster.socket_dir();
        std::fs::create_dir(&data).map_err(|e| e.to_string())?;
        std::fs::create_dir(&sock).map_err(|e| e.to_string())?;
        std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o777))
            .map_err(|e| e.to_string())?;
        cluster.give_to_server(&data)?;
        cluster.give_to_server(&sock)?;

        let out = cluster.server_cmd("initdb", |c| {
            c.arg("-D")
                .arg(&data)
                .args(["-U", Cluster::ADMIN, "-A", "trust", "-E", "UTF8"])
                .args(["--no-sync", "--no-instructions", "--locale=C"]);
        })?;
        check(&out, "initdb")?;

        let mut conf = format!(
            "\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 40\nshared_buffers = 16MB\npassword_encryption = 'scram-sha-256'\n",
            sock.display()
        );
        if opts.tls {
            cluster
                .make_certificates(opts.san.as_deref().unwrap_or("DNS:localhost,IP:127.0.0.1"))?;
            conf.push_str("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
        }
        for (k, v) in &opts.settings {
            conf.push_str(&format!("{k} = '{}'\n", v.replace('\'', "''")));
        }
        append(&data.join("postgresql.conf"), &conf)?;
        // The superuser over the socket only; everyone else with a password over TCP.
        let hba = format!(
            "local all {admin} trust\nlocal all all scram-sha-256\nhost all {admin} all reject\nhost all all 127.0.0.1/32 scram-sha-256\n",
            admin = Cluster::ADMIN
        );
        std::fs::write(data.join("pg_hba.conf"), hba).map_err(|e| e.to_string())?;

        let log = cluster.dir.path().join("server.log");
        std::fs::write(&log, "").map_err(|e| e.to_string())?;
        cluster.give_to_server(&log)?;
        let out = cluster.server_cmd("pg_ctl", |c| {
            c.arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(&log)
                .args(["-w", "-t", "60", "start"]);
        })?;
        if !out.status.success() {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!(
                "pg_ctl start failed: {}\n{log}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        cluster.psql(
            "postgres",
            &format!(
                "CREATE ROLE {} LOGIN PASSWORD '{}'",
                Cluster::APP_USER,
                cluster.password
            ),
        );
        Ok(cluster)
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The directory holding the Unix socket `.s.PGSQL.<port>`.
    pub fn socket_dir(&self) -> PathBuf {
        self.dir.path().join("sock")
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The application role's password (generated at run time).
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The PEM file of the CA that signed the server certificate, for TLS clusters.
    pub fn ca_cert(&self) -> Option<PathBuf> {
        self.tls.then(|| self.dir.path().join("ca.crt"))
    }

    /// A URL for the application role over TCP to `127.0.0.1:<port>/<dbname>`, with an
    /// optional query (without `?`).
    pub fn url(&self, dbname: &str, query: &str) -> String {
        self.url_at("127.0.0.1", self.port, dbname, query)
    }

    /// The same credentials and database, at another host and port (a forwarder, a name).
    pub fn url_at(&self, host: &str, port: u16, dbname: &str, query: &str) -> String {
        let q = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        let userinfo = [Cluster::APP_USER, self.password.as_str()].join(":");
        format!("postgresql://{userinfo}@{host}:{port}/{dbname}{q}")
    }

    /// Creates a database owned by the application role.
    pub fn create_database(&self, name: &str) {
        self.psql(
            "postgres",
            &format!("CREATE DATABASE \"{name}\" OWNER {}", Cluster::APP_USER),
        );
    }

    /// Runs SQL as the superuser over the Unix socket; returns unaligned tuples. Panics on
    /// error, with psql's message.
    pub fn psql(&self, dbname: &str, sql: &str) -> String {
        let out = self.try_psql(dbname, sql);
        match out {
            Ok(s) => s,
            Err(e) => panic!("psql failed on {dbname}: {e}"),
        }
    }

    /// Like [`Cluster::psql`], returning psql's error instead of panicking.
    pub fn try_psql(&self, dbname: &str, sql: &str) -> Result<String, String> {
        run_psql(self.client_cmd("psql"), dbname, sql)
    }

    /// Like [`Cluster::try_psql`], as `user` with `password` over TCP to `port` on
    /// loopback (the cluster's own port, or a forwarder's).
    pub fn try_psql_at(
        &self,
        port: u16,
        user: &str,
        password: &str,
        dbname: &str,
        sql: &str,
    ) -> Result<String, String> {
        let mut cmd = self.client_cmd("psql");
        cmd.env("PGHOST", "127.0.0.1")
            .env("PGPORT", port.to_string())
            .env("PGUSER", user)
            .env("PGPASSWORD", password)
            .env("PGSSLMODE", "disable");
        run_psql(cmd, dbname, sql)
    }

    /// A client command (`psql`, `pg_dump`, `pg_restore`, …) of this cluster's version,
    /// preset to reach the server as the superuser over the Unix socket.
    pub fn client_cmd(&self, program: &str) -> Command {
        let mut c = Command::new(self.bin.join(program));
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("PGHOST", self.socket_dir())
            .env("PGPORT", self.port.to_string())
            .env("PGUSER", Cluster::ADMIN)
            .stdin(Stdio::null());
        c
    }

    /// Copies database `from` of this cluster into a new database `to` of `target` with
    /// `pg_dump | psql`, the way a production dump is restored elsewhere. Owners are
    /// kept as the application role.
    pub fn dump_into(&self, from: &str, target: &Cluster, to: &str) {
        let dump = self
            .client_cmd("pg_dump")
            .args(["--no-owner", "-d", from])
            .output()
            .expect("pg_dump runs");
        check(&dump, "pg_dump").unwrap();
        target.create_database(to);
        let file = target.dir.path().join(format!("{to}.sql"));
        std::fs::write(&file, &dump.stdout).unwrap();
        // Restored by the application role over TCP, as a developer would.
        let out = target
            .client_cmd("psql")
            .env("PGHOST", "127.0.0.1")
            .env("PGUSER", Cluster::APP_USER)
            .env("PGPASSWORD", &target.password)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", to, "-f"])
            .arg(&file)
            .output()
            .unwrap();
        check(&out, "psql restore").unwrap();
    }

    fn server_cmd(&self, program: &str, args: impl FnOnce(&mut Command)) -> Result<Output, String> {
        let path = self.bin.join(program);
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        args(&mut c);
        c.current_dir(self.dir.path())
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", path.display()))
    }

    fn give_to_server(&self, path: &Path) -> Result<(), String> {
        if !self.as_postgres {
            return Ok(());
        }
        let out = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(path)
            .output()
            .map_err(|e| e.to_string())?;
        check(&out, "chown")
    }

    fn make_certificates(&self, san: &str) -> Result<(), String> {
        let d = self.dir.path();
        let data = self.data_dir();
        let openssl = |args: &[&str]| -> Result<(), String> {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(d)
                .stdin(Stdio::null())
                .output()
                .map_err(|e| format!("cannot run openssl (install it): {e}"))?;
            check(&out, "openssl")
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let mut ca = vec!["req", "-x509"];
        ca.extend(ec);
        ca.extend([
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "3",
            "-subj",
            "/CN=gardefou test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        openssl(&ca)?;
        let mut csr = vec!["req"];
        csr.extend(ec);
        csr.extend([
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ]);
        openssl(&csr)?;
        std::fs::write(
            d.join("server.ext"),
            format!("subjectAltName={san}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"),
        )
        .map_err(|e| e.to_string())?;
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "3",
            "-extfile",
            "server.ext",
        ])?;
        for f in ["server.crt", "server.key"] {
            std::fs::copy(d.join(f), data.join(f)).map_err(|e| e.to_string())?;
        }
        std::fs::set_permissions(
            data.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .map_err(|e| e.to_string())?;
        self.give_to_server(&data)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data_dir();
        let _ = self.server_cmd("pg_ctl", |c| {
            c.arg("-D")
                .arg(&data)
                .args(["-m", "immediate", "-w", "stop"]);
        });
    }
}

/// The directory of `initdb`: `PATH` first, then the newest `/usr/lib/postgresql/*/bin`.
pub fn bin_dir() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            // Debian's /usr/bin has wrappers for clients but not initdb.
            // A symlinked initdb (e.g. /usr/local/bin/initdb) leads to the directory that
            // also holds psql, pg_dump and postgres of the same version.
            if let Ok(real) = std::fs::canonicalize(dir.join("initdb")) {
                let real_dir = real.parent()?.to_path_buf();
                if real_dir.join("pg_ctl").is_file() && real_dir.join("psql").is_file() {
                    return Some(real_dir);
                }
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b)
}

/// A loopback port that nothing listens on (at the time of asking).
pub fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// `psql` with `sql` on `dbname`, unaligned and tuples only, stopping at the first error:
/// its output, or its error. Panics when psql cannot be started, so that a test expecting
/// an error cannot pass on a missing psql.
fn run_psql(mut psql: Command, dbname: &str, sql: &str) -> Result<String, String> {
    let out = psql
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            dbname,
            "-c",
            sql,
        ])
        .output()
        .expect("psql runs");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn random_password() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
        ^ (u64::from(std::process::id()) << 32)
        ^ N.fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
    fake::word(&mut fake::Rng(seed | 1), 24)
}

fn append(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| e.to_string())?;
    f.write_all(text.as_bytes()).map_err(|e| e.to_string())
}

fn check(out: &Output, what: &str) -> Result<(), String> {
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// A TCP forwarder on a free loopback port, for the life of the value: an SSH tunnel, a
/// pooler or a fail-over as a client sees it. Each new connection goes to the upstream
/// port its route names at that moment: the first `first` connections to one port and the
/// rest to another ([`Forwarder::switching`]), or wherever [`Forwarder::point_to`] last
/// said. Connections already open keep their upstream.
pub struct Forwarder {
    port: u16,
    route: std::sync::Arc<std::sync::Mutex<Route>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

struct Route {
    first: u16,
    count: usize,
    then: u16,
    opened: usize,
}

impl Forwarder {
    /// Every connection to `upstream`.
    pub fn to(upstream: u16) -> Forwarder {
        Forwarder::switching(upstream, 0, upstream)
    }

    /// The first `count` connections to `first`, every later one to `then`.
    pub fn switching(first: u16, count: usize, then: u16) -> Forwarder {
        use std::net::TcpStream;
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("local address").port();
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let route = std::sync::Arc::new(std::sync::Mutex::new(Route {
            first,
            count,
            then,
            opened: 0,
        }));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (r, s) = (route.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let client = match listener.accept() {
                    Ok((c, _)) => c,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        continue;
                    }
                    Err(_) => continue,
                };
                let _ = client.set_nonblocking(false);
                let upstream = {
                    let mut route = r.lock().unwrap_or_else(|p| p.into_inner());
                    route.opened += 1;
                    if route.opened <= route.count {
                        route.first
                    } else {
                        route.then
                    }
                };
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                let (Ok(mut c2), Ok(mut s2)) = (client.try_clone(), server.try_clone()) else {
                    continue;
                };
                let (mut c1, mut s1) = (client, server);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c1, &mut s1);
                    let _ = s1.shutdown(std::net::Shutdown::Write);
                });
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut s2, &mut c2);
                    let _ = c2.shutdown(std::net::Shutdown::Write);
                });
            }
        });
        Forwarder { port, route, stop }
    }

    /// The loopback port clients connect to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Sends every later connection to `upstream`.
    pub fn point_to(&self, upstream: u16) {
        let mut route = self.route.lock().unwrap_or_else(|p| p.into_inner());
        route.count = 0;
        route.then = upstream;
    }

    /// How many connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.route.lock().unwrap_or_else(|p| p.into_inner()).opened
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Fake secrets and generated inputs, built at run time so that no test file holds a
/// secret-shaped literal (the repository scans itself).
pub mod fake {
    /// A deterministic pseudo-random sequence (xorshift64): the same seed, the same
    /// choices on every machine. The seed must not be 0.
    pub struct Rng(pub u64);

    impl Rng {
        /// The next value of the sequence.
        pub fn step(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// One of `items`.
        pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
            items[(self.step() % items.len() as u64) as usize]
        }
    }

    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// Letters and digits no one misreads (no 0/O, 1/l/I): safe in a URL, in SQL quotes
    /// and in a shell.
    const UNAMBIGUOUS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    fn seeded(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// `n` letters and digits, the same for the same `seed`.
    pub fn alnum(seed: u64, n: usize) -> String {
        from(ALNUM, seed, n)
    }

    /// `n` lower-case hexadecimal digits, the same for the same `seed`.
    pub fn hex(seed: u64, n: usize) -> String {
        from(b"0123456789abcdef", seed, n)
    }

    /// `n` characters of `alphabet`, the same for the same `seed`.
    fn from(alphabet: &[u8], seed: u64, n: usize) -> String {
        let mut rng = seeded(seed);
        (0..n)
            .map(|_| char::from(alphabet[(rng.step() >> 24) as usize % alphabet.len()]))
            .collect()
    }

    /// `n` bytes, the same for the same `seed`.
    pub fn bytes(seed: u64, n: usize) -> Vec<u8> {
        let mut rng = seeded(seed);
        (0..n).map(|_| (rng.step() >> 24) as u8).collect()
    }

    /// `n` unambiguous letters and digits drawn from `rng`.
    pub fn word(rng: &mut Rng, n: usize) -> String {
        (0..n).map(|_| char::from(rng.pick(UNAMBIGUOUS))).collect()
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn seeds_decide_the_text() {
            assert_eq!(super::alnum(7, 32), super::alnum(7, 32));
            assert_ne!(super::alnum(7, 32), super::alnum(8, 32));
            assert_eq!(super::alnum(1, 40).len(), 40);
            assert!(super::alnum(3, 64)
                .bytes()
                .all(|b| b.is_ascii_alphanumeric()));
            assert_eq!(super::bytes(7, 16), super::bytes(7, 16));
            assert_eq!(super::bytes(7, 300).len(), 300);
            let mut rng = super::Rng(5);
            let word = super::word(&mut rng, 24);
            assert_eq!(word.len(), 24);
            assert!(!word.contains(['0', 'O', '1', 'l', 'I']), "{word}");
            assert_ne!(word, super::word(&mut rng, 24));
        }
    }
}

/// Real git repositories for tests, built with the `git` command in a hermetic
/// environment: no user or system configuration, one fixed author, committer and date, no
/// signing — so commit ids are the same on every machine.
pub mod git {
    use std::path::Path;
    use std::process::Command;

    use crate::run::Runs;

    /// `git -C dir ARGS`; panics with git's message when it fails. Its standard output.
    pub fn run(dir: &Path, args: &[&str]) -> String {
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.test")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.test")
            .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .run()
            .success()
            .stdout
    }

    /// A new repository in `dir` whose first branch is `branch`.
    pub fn init(dir: &Path, branch: &str) {
        run(dir, &["init", "-q", "-b", branch]);
    }

    /// Writes `text` to `file` (relative to `dir`) and commits it with `message`.
    pub fn commit(dir: &Path, file: &str, text: &str, message: &str) {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("the file's directory");
        }
        std::fs::write(&path, text).expect("the file is written");
        run(dir, &["add", "--", file]);
        run(dir, &["commit", "-q", "-m", message]);
    }
}
