//! The cost of proving every connection, on loopback against a throwaway cluster (SCRAM
//! over TCP, as `gardefou-testkit` sets it up, database stamped sandbox):
//!
//! 1. a new connection alone, against a new connection and its full proof (identity,
//!    gardefou's objects, stamp and marks in one round trip, then `verify`) — what the
//!    pool's first connection and every `ProvenPool::check` pay;
//! 2. a new connection alone, against `pool.get()` opening a new connection (pool growth,
//!    reconnects): the identity compared with the fully proven one;
//! 3. a query over a plain connection, against the same query over a proven one, and the
//!    cost of taking an idle proven connection and giving it back.
//!
//! `cargo bench -p gardefou-pgprobe --bench proof [-- ROUNDS]`. Each round measures both
//! sides of a pair, in alternating order; the figures are medians, and the ratio is the
//! median of the per-round ratios (steadier than the ratio of medians on 2 cores shared
//! with the server).

use std::future::Future;
use std::time::{Duration, Instant};

use gardefou_pgprobe::stamp::{self, StampOptions};
use gardefou_pgprobe::verify::{verify, Purpose};
use gardefou_pgprobe::ProvenPool;
use gardefou_policy::{Environment, Policy};
use gardefou_testkit::Cluster;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn timed<F: Future<Output = ()>>(f: F) -> Duration {
    let t = Instant::now();
    f.await;
    t.elapsed()
}

/// Runs `warm + rounds` rounds of `a` and `b` in alternating order; prints and returns
/// (median a, median b, median ratio b/a).
async fn pair<A, FA, B, FB>(label: &str, unit: f64, rounds: usize, mut a: A, mut b: B)
where
    A: FnMut() -> FA,
    FA: Future<Output = ()>,
    B: FnMut() -> FB,
    FB: Future<Output = ()>,
{
    let (mut xa, mut xb, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
    let warm = rounds / 10 + 5;
    for round in 0..warm + rounds {
        let (da, db) = if round % 2 == 0 {
            let da = timed(a()).await;
            (da, timed(b()).await)
        } else {
            let db = timed(b()).await;
            (timed(a()).await, db)
        };
        if round >= warm {
            xa.push(da.as_secs_f64() * unit);
            xb.push(db.as_secs_f64() * unit);
            ratio.push(db.as_secs_f64() / da.as_secs_f64());
        }
    }
    let name = if unit == 1e3 { "ms" } else { "µs" };
    println!(
        "{label}: {:.3} {name} vs {:.3} {name}, ratio {:.3}x",
        median(xa),
        median(xb),
        median(ratio)
    );
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(300);
    let pg = Cluster::start();
    pg.create_database("koomy");
    let url = gardefou_pgurl::parse(&pg.url("koomy", "sslmode=disable")).expect("URL parses");
    let policy = Policy::from_toml(
        &format!(
            "[database.sandbox]\nhosts = [\"127.0.0.1:{}\"]\n",
            pg.port()
        ),
        "bench",
    )
    .expect("policy");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let pool = |size| {
        ProvenPool::new(
            url.clone(),
            policy.clone(),
            Environment::Sandbox,
            Purpose::Run,
            "bench".into(),
            size,
        )
    };
    rt.block_on(async {
        let c = gardefou_pgprobe::connect(&url).await.expect("connect");
        stamp::write(&c, Environment::Sandbox, &StampOptions::default())
            .await
            .expect("stamp");

        let plain = || async {
            let c = gardefou_pgprobe::connect(&url).await.expect("connect");
            c.simple_query("").await.expect("round trip");
        };
        pair(
            "1. new connection (+ empty round trip) vs new connection + full proof",
            1e3,
            rounds,
            plain,
            || async {
                let c = gardefou_pgprobe::connect(&url).await.expect("connect");
                let p = gardefou_pgprobe::read(&c).await;
                let f = verify(&policy, Environment::Sandbox, "bench", &p, Purpose::Run);
                assert!(f.is_empty(), "{f:?}");
            },
        )
        .await;

        let grown = pool(1);
        grown.get().await.expect("first: full proof").discard();
        pair(
            "2. new connection (+ empty round trip) vs pool.get() opening a new proven connection",
            1e3,
            rounds,
            plain,
            || async {
                grown.get().await.expect("proven").discard();
            },
        )
        .await;

        // Eight connections a side, taken in turn: which core a backend lands on weighs
        // more than anything else at this scale, and evens out over several.
        const N: usize = 8;
        let idle = pool(N);
        let mut raw = Vec::new();
        let mut proven = Vec::new();
        for _ in 0..N {
            raw.push(gardefou_pgprobe::connect(&url).await.expect("connect"));
            proven.push(idle.get().await.expect("proven"));
        }
        let stmt = "SELECT count(*) FROM pg_catalog.pg_class";
        let (next_raw, next_proven) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
        pair(
            "3. a query on a plain connection vs on a proven one",
            1e6,
            rounds * 10,
            || {
                let c = &raw[next_raw.replace((next_raw.get() + 1) % N)];
                async move {
                    c.simple_query(stmt).await.expect("query");
                }
            },
            || {
                let c = &proven[next_proven.replace((next_proven.get() + 1) % N)];
                async move {
                    c.simple_query(stmt).await.expect("query");
                }
            },
        )
        .await;
        drop(proven);
        let mut checkout = Vec::new();
        for _ in 0..rounds * 10 {
            let d = timed(async { drop(idle.get().await.expect("idle")) }).await;
            checkout.push(d.as_secs_f64() * 1e6);
        }
        println!(
            "   pool.get() + drop of an idle proven connection: {:.2} µs",
            median(checkout)
        );
    });
}
