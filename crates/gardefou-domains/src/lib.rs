//! §9 of Koomy's policy: "No SANDBOX domain may point to production."
//!
//! Two checks over the policy's domain table ([`gardefou_policy::DomainTable`]):
//!
//! - [`check_table`], static: production and sandbox have names, every name is a valid
//!   domain name, and no name is listed under two environments;
//! - [`resolve`] then [`analyze`], with DNS: every production and sandbox name is followed
//!   through its CNAME chain to its addresses; a sandbox chain that reaches a production
//!   name, or a name that a production chain also reaches, is refused; addresses shared by
//!   both are warnings (CDNs share addresses) unless the policy makes them errors; a name
//!   that does not resolve, or a loop, is refused (fail closed).
//!
//! ```
//! use gardefou_domains::check_table;
//! use gardefou_policy::DomainTable;
//!
//! let mut table = DomainTable::koomy();
//! assert!(check_table(&table).is_empty());
//! table.sandbox.insert("api".into(), "api.koomy.app".into());
//! assert_eq!(check_table(&table)[0].rule, "domain-name-in-two-environments");
//! ```
#![warn(missing_docs)]

mod resolve;
pub mod rules;
mod table;
#[cfg(feature = "test-server")]
pub mod test_server;

pub use resolve::{
    analyze, resolve, Nameserver, NameserverError, Outcome, Resolution, ResolveError,
    ResolveOptions, MAX_CHAIN,
};
pub use table::check_table;
