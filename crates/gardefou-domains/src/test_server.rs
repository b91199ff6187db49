//! A real authoritative DNS server on loopback, for tests (feature `test-server`).
//!
//! Zones are given as zone-file text; the server answers over UDP and TCP on one free port
//! of 127.0.0.1 and stops when dropped.
//!
//! ```
//! use gardefou_domains::test_server::DnsServer;
//!
//! let server = DnsServer::start(&[(
//!     "example.test.",
//!     "@ 60 IN SOA ns hostmaster 1 60 60 60 60\nwww 60 IN A 192.0.2.1\n",
//! )]);
//! assert!(server.addr().ip().is_loopback());
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_server::net::runtime::TokioRuntimeProvider;
use hickory_server::proto::rr::Name;
use hickory_server::proto::serialize::txt::Parser;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
use hickory_server::Server;

/// A running server. Dropping it stops it.
pub struct DnsServer {
    addr: SocketAddr,
    stop: Option<Box<dyn FnOnce() + Send>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DnsServer {
    /// Starts a server for these `(origin, zone text)` pairs. Panics on a bad zone: it is
    /// test input.
    pub fn start(zones: &[(&str, &str)]) -> DnsServer {
        let zones: Vec<(String, String)> = zones
            .iter()
            .map(|(o, t)| ((*o).to_owned(), (*t).to_owned()))
            .collect();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("test DNS runtime");
            runtime.block_on(async move {
                let mut catalog = Catalog::new();
                for (origin, text) in zones {
                    let origin = Name::from_ascii(&origin).expect("zone origin");
                    let (name, records) = Parser::new(text, None, Some(origin))
                        .parse()
                        .expect("zone text");
                    let handler = InMemoryZoneHandler::<TokioRuntimeProvider>::new(
                        name.clone(),
                        records,
                        ZoneType::Primary,
                        AxfrPolicy::Deny,
                    )
                    .expect("zone");
                    catalog.upsert(name.into(), vec![Arc::new(handler)]);
                }
                let (udp, tcp) = bind_udp_and_tcp().await;
                let addr = udp.local_addr().expect("local addr");
                let mut server = Server::new(catalog);
                server.register_socket(udp);
                server.register_listener(tcp, Duration::from_secs(5), 64);
                let token = server.shutdown_token().clone();
                tx.send((
                    addr,
                    Box::new(move || token.cancel()) as Box<dyn FnOnce() + Send>,
                ))
                .expect("report address");
                let _ = server.block_until_done().await;
            });
        });
        let (addr, stop) = rx.recv().expect("test DNS server started");
        DnsServer {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Where it listens (UDP and TCP).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A UDP socket and a TCP listener on the same free loopback port.
async fn bind_udp_and_tcp() -> (tokio::net::UdpSocket, tokio::net::TcpListener) {
    for _ in 0..100 {
        let udp = tokio::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("bind UDP on loopback");
        let port = udp.local_addr().expect("local addr").port();
        if let Ok(tcp) = tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
            return (udp, tcp);
        }
    }
    panic!("no free loopback port for both UDP and TCP");
}
