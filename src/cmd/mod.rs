//! One module per subcommand.

pub mod check;
pub mod db;
pub mod deploy;
pub mod domains;
pub mod init;
pub mod node;
pub mod policy;
pub mod probe;
pub mod report;
pub mod rules;
pub mod run;
pub mod scan;
pub mod secrets;
pub mod seed;
