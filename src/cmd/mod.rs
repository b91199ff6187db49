//! One module per subcommand.

pub mod check;
pub mod deploy;
pub mod domains;
pub mod run;
pub mod secrets;
