//! The data path's own tests: loading, preparing, hostile CSV input, the generated sets.

mod fuzz;
mod generated;
mod images;
mod loading;
mod plain_rows;
mod preparing;
