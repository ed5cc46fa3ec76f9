//! `synergies allocate`: cost pools that serve each other, allocated by the reciprocal or the
//! step-down method.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use synergies_domain::allocation::{reciprocal, step_down, CostPool};

use crate::output::{print_json, read_json};

#[derive(Args)]
pub struct AllocateArgs {
    /// JSON array of pools: [{"code", "direct_minor", "usage": [{"receiver", "weight"}]}].
    file: PathBuf,
    /// How pools that serve each other are allocated.
    #[arg(long, value_enum, default_value = "reciprocal")]
    method: Method,
    /// Step-down order of the pools, comma-separated.
    #[arg(long, value_delimiter = ',')]
    order: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Method {
    Reciprocal,
    StepDown,
}

pub fn run(args: AllocateArgs) -> Result<()> {
    let AllocateArgs {
        file,
        method,
        order,
    } = args;
    let pools: Vec<CostPool> = read_json(&file)?;
    let allocation = match method {
        Method::Reciprocal => reciprocal(&pools)?,
        Method::StepDown => {
            if order.is_empty() {
                bail!("--order is required for the step-down method");
            }
            step_down(&pools, &order)?
        }
    };
    print_json(&allocation)
}
