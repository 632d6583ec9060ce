//! What a plan and a learning-rate range test look like in the terminal: printed before
//! `train` starts, and by `lr-find` and `gradcheck`.

use anyhow::Result;

use stepwise::lr_find::{LrFinding, END, START};
use stepwise::machine;
use stepwise::model::Architecture;
use stepwise::train::Plan;

/// The data, the task, the notes, the model and its STEP rule, the device and the memory.
pub fn print_plan(plan: &Plan) -> Result<()> {
    let frame = &plan.frame;
    let answer = match &plan.card.class_names {
        Some(names) => format!("{} classes", names.len()),
        None => format!("target '{}'", frame.label_name),
    };
    let columns = frame.columns.len();
    let inputs = plan.card.model.inputs;
    let encoded = if inputs == columns {
        String::new()
    } else {
        format!(" ({inputs} inputs once text is one-hot encoded)")
    };
    say!(
        "data     {}: {} rows, {columns} feature{}{encoded}, {answer}; {} train / {} valid",
        frame.name,
        frame.rows(),
        if columns == 1 { "" } else { "s" },
        plan.train_rows,
        plan.valid_rows
    )?;
    say!("task     {}", frame.task_reason)?;
    for note in &plan.notes {
        say!("note     {note}")?;
    }
    let config = plan.config();
    let mut step = match plan.lr_finding {
        Some(_) => format!("SGD lr {:.3e} (found by lr-find)", plan.learning_rate()),
        None => format!("SGD lr {}", plan.learning_rate()),
    };
    if config.momentum > 0.0 {
        step += &format!(" momentum {}", config.momentum);
        if config.nesterov {
            step += " nesterov";
        }
    }
    if config.weight_decay > 0.0 {
        step += &format!(" weight decay {}", config.weight_decay);
    }
    if let Some(norm) = config.clip_grad_norm {
        step += &format!(" clip {norm}");
    }
    say!(
        "model    {} ({} parameters), {step}, batch {}, seed {}",
        plan.card.model.describe(),
        plan.parameter_count(),
        config.batch_size.min(plan.train_rows),
        config.seed,
    )?;
    say!(
        "device   {}: {}",
        plan.backend.name,
        plan.backend.description
    )?;
    say!(
        "memory   about {} ({})",
        machine::bytes(plan.memory.total()),
        plan.memory
    )?;
    Ok(())
}

/// What the range test tried, and what it suggests.
pub fn print_lr_finding(finding: &LrFinding) -> Result<()> {
    let last = finding
        .points
        .last()
        .map_or(START, |point| point.learning_rate);
    let end = if finding.stopped_early {
        format!("stopped at {last:.1e}, where the loss exploded (over 4x its minimum)")
    } else {
        format!("up to {last:.1e}")
    };
    say!(
        "lr-find  {} steps, learning rate from {START:.0e} to {END}: {end}",
        finding.points.len()
    )?;
    say!(
        "         steepest descent at {:.2e}, minimum at {:.2e} -> suggestion {:.2e} (minimum / 10)",
        finding.steepest, finding.minimum, finding.suggestion
    )?;
    Ok(())
}
