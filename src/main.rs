//! The `bubbla` binary: parse the command line, start logging, hand over.

use clap::Parser;

fn main() {
    let cli = bubbla::cli::Cli::parse();
    bubbla::cli::init_tracing(&cli);
    std::process::exit(bubbla::cli::run(cli));
}
