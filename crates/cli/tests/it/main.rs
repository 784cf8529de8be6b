//! Integration tests of the sijil command line.
