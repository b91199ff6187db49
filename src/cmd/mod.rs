//! One module per subcommand.

pub mod check;
pub mod db;
pub mod probe;
pub mod run;
pub mod seed;
