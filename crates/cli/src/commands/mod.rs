//! One module per `wvm` subcommand.

pub mod run;
