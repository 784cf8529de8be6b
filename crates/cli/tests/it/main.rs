//! Integration tests of the sijil command line: one binary (`it`), each
//! test in its own temporary folder with a cleared environment.

mod checkpoint;
mod contract;
mod corpus;
mod crash;
mod discovery;
mod errors;
mod export;
mod help_examples;
mod other_scenario;
mod report;
mod scenario;
mod support;
mod tables;
mod typed;
