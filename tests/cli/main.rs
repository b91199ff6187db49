//! The one integration-test binary of the `gardefou` command (one binary links faster than
//! many): each module covers one subcommand.

mod action;
mod canary;
mod check;
mod deploy;
mod docs;
mod domains;
mod formats;
mod init;
mod kinds;
mod lang;
mod policy;
mod probe;
mod report;
mod run_node;
mod scan;
mod secrets;
mod support;
mod usage;
