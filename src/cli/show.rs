//! What a plan, a learning-rate range test, the phase trace and a fitted curve look like in the
//! terminal: printed around `train`, and by `lr-find` and `gradcheck`.

use anyhow::Result;

use crate::config::OptimizerKind;
use crate::machine;
use crate::model::Architecture;
use crate::pictures::curve;
use crate::teaching::lr_find::{LrFinding, END, START};
use crate::teaching::trace::{ShownPrediction, Trace};
use crate::train::{Plan, TrainReport};

/// The data, the task, the notes, the model and its STEP rule, the device and the memory.
pub fn print_plan(plan: &Plan) -> Result<()> {
    let frame = &plan.frame;
    let answer = match &plan.card.class_names {
        Some(names) => format!("{} classes", names.len()),
        None => format!("target '{}'", frame.label_name),
    };
    let columns = frame.columns.len();
    let inputs = plan.card.model.inputs;
    let encoded = match frame.image {
        Some(shape) => format!(" (pixels of {shape} pictures)"),
        None if inputs == columns => String::new(),
        None => format!(" ({inputs} inputs once text is one-hot encoded)"),
    };
    say!(
        "data     {}: {} rows, {columns} feature{}{encoded}, {answer}; {} train / {} valid",
        frame.name,
        plan.rows(),
        if columns == 1 { "" } else { "s" },
        plan.train_rows(),
        plan.valid_rows()
    )?;
    say!("task     {}", frame.task_reason)?;
    for note in &plan.notes {
        say!("note     {note}")?;
    }
    let config = plan.config();
    let step = step_rule(plan);
    say!(
        "model    {} ({} parameters), {step}, batch {}, seed {}",
        plan.card.model.describe(),
        plan.parameter_count(),
        config.batch_size.min(plan.train_rows()),
        config.seed,
    )?;
    if let Some(weights) = &plan.card.starting_weights {
        say!(
            "init     the weights of {} ({}, checksum {}), not random ones",
            weights.file,
            weights.format,
            weights.checksum
        )?;
    }
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

/// STEP as this run takes it: the optimizer, its rate (and where it came from), momentum or
/// its decays, weight decay, clipping.
fn step_rule(plan: &Plan) -> String {
    let config = plan.config();
    let optimizer = match config.optimizer {
        OptimizerKind::Sgd => "SGD",
        OptimizerKind::Adam => "Adam",
        OptimizerKind::Adamw => "AdamW",
        OptimizerKind::Rmsprop => "RMSprop",
    };
    let mut step = match plan.lr_finding {
        Some(_) => format!(
            "{optimizer} lr {:.3e} (found by lr-find)",
            plan.learning_rate()
        ),
        None => format!("{optimizer} lr {}", plan.learning_rate()),
    };
    match config.optimizer {
        OptimizerKind::Sgd if config.momentum > 0.0 => {
            step += &format!(" momentum {}", config.momentum);
            if config.nesterov {
                step += " nesterov";
            }
        }
        OptimizerKind::Sgd => {}
        OptimizerKind::Adam | OptimizerKind::Adamw => {
            step += &format!(" betas {}, {}", config.beta1, config.beta2)
        }
        OptimizerKind::Rmsprop => step += &format!(" alpha {}", config.alpha),
    }
    if config.weight_decay > 0.0 {
        step += &format!(" weight decay {}", config.weight_decay);
    }
    if let Some(norm) = config.clip_grad_norm {
        step += &format!(" clip {norm}");
    }
    step
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

/// The phase trace, one block per phase in the loop's order (longer than most for that
/// reason).
pub fn print_trace(trace: &Trace, plan: &Plan) -> Result<()> {
    let classes = plan.card.class_names.as_deref();
    let width = print_init(trace, plan)?;
    let mut epoch = 0;
    for step in &trace.steps {
        if step.epoch != epoch {
            epoch = step.epoch;
            let what = match epoch {
                1 => "the first pass over the training rows".to_string(),
                _ => format!(
                    "repeat: epoch {} used every row; the loop runs over them again, reshuffled",
                    epoch - 1
                ),
            };
            say!("epoch {epoch}  {what}")?;
        }
        say!("step {}   a batch of {} rows", step.step, step.batch_rows)?;
        for (row, shown) in step.predictions.iter().enumerate() {
            let text = prediction_text(shown, classes);
            let phase = if row == 0 { "PREDICT " } else { "        " };
            say!("  {phase} row {}: {text}", row + 1)?;
        }
        say!("  LOSS     {:.6}", step.loss)?;
        for (index, parameter) in step.parameters.iter().enumerate() {
            let phase = if index == 0 { "GRADIENT" } else { "        " };
            say!(
                "  {phase} |d loss/d {}| = {:.6}",
                parameter.name,
                parameter.gradient_norm
            )?;
        }
        for (index, parameter) in step.parameters.iter().enumerate() {
            let phase = if index == 0 { "STEP    " } else { "        " };
            // What the optimizer keeps for the next STEP: `|velocity| 0.4946`, Adam's moments.
            let state: String = (parameter.state.iter())
                .map(|(what, norm)| format!(", |{what}| {norm:.6}"))
                .collect();
            say!(
                "  {phase} {:<width$} lr x |gradient| = {:.6}, moved {:.6}{state}",
                parameter.name,
                parameter.sgd_step,
                parameter.moved
            )?;
        }
    }
    Ok(())
}

/// INIT's line and each parameter's spread as drawn; the width of the longest name.
fn print_init(trace: &Trace, plan: &Plan) -> Result<usize> {
    say!(
        "INIT     {} parameters, drawn at random (seed {})",
        trace.parameter_count,
        plan.config().seed
    )?;
    // As wide as the longest name (a CNN's `convolutions.layers.0.weight`).
    let width = trace
        .init
        .iter()
        .map(|layer| layer.name.len())
        .fold(16, usize::max);
    for layer in &trace.init {
        say!(
            "           {:<width$} {:>5} values  mean {:>8.4}  std {:.4}",
            layer.name,
            layer.count,
            layer.mean,
            layer.std
        )?;
    }
    Ok(width)
}

/// One traced row's prediction: the probabilities and the class they pick beside the label, or
/// the value beside the target.
fn prediction_text(shown: &ShownPrediction, classes: Option<&[String]>) -> String {
    let Some(names) = classes else {
        return format!(
            "{:.4} (target {:.4}, both standardised)",
            shown.prediction[0], shown.target
        );
    };
    let best = (shown.prediction.iter().enumerate())
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(index, _)| index);
    let probabilities: Vec<String> = shown.prediction.iter().map(|p| format!("{p:.2}")).collect();
    format!(
        "p = [{}] -> {} (label {})",
        probabilities.join(" "),
        names[best],
        names[shown.target as usize]
    )
}

/// What `fit.svg` shows, and for a linear model on one input the line it learned.
pub fn print_fit(report: &TrainReport) -> Result<()> {
    let Some(picture) = &report.picture else {
        return Ok(());
    };
    if let Some(regions) = picture.regions() {
        let moments: Vec<String> = regions.maps.iter().map(|map| moment(map.epoch)).collect();
        say!(
            "regions  {}: the class the network gives each point of the plane, at {}",
            report.out.boundary_plot().display(),
            moments.join(", ")
        )?;
    }
    let Some(kept) = picture.curves().last() else {
        return Ok(());
    };
    let moments: Vec<String> = picture.curves().iter().map(|c| moment(c.epoch)).collect();
    say!(
        "fit      {}: the network's curve at {}",
        report.out.fit_plot().display(),
        moments.join(", ")
    )?;
    if report.card.model.hidden_widths().is_empty() && report.card.model.output.is_none() {
        if let Some((slope, intercept)) = curve::equation(kept) {
            let sign = if intercept < 0.0 { '-' } else { '+' };
            say!(
                "learned  {} = {slope:.3} {} {sign} {:.3}",
                report.card.label_name,
                report.card.feature_names[0],
                intercept.abs()
            )?;
        }
    }
    Ok(())
}

/// `INIT`, or `epoch 30`.
fn moment(epoch: usize) -> String {
    match epoch {
        0 => "INIT".to_string(),
        epoch => format!("epoch {epoch}"),
    }
}
