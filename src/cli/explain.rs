//! What the commands that look inside the loop print: lr-find, gradcheck, derivative, plot.

use anyhow::{bail, Result};
use burn::tensor::Device;

use crate::artifacts::ArtifactDir;
use crate::pictures;
use crate::teaching::derivative::{self, readable, CRITICAL_POINT};
use crate::teaching::gradcheck::{ATOL, EPSILON, RTOL};
use crate::train::approximate;

use super::show::{print_lr_finding, print_plan};
use super::{ApproximateArgs, DerivativeArgs, GradcheckArgs, PlanArgs, PlotArgs};

/// The steps `derivative` prints from the start of a run (and a quarter as many at its end).
const SHOWN_STEPS: usize = 40;

/// The farthest `derivative --x` may start: x² must stay well inside 32-bit floats.
const MAX_X: f64 = 1e9;

pub fn lr_find(args: PlanArgs) -> Result<()> {
    let plan = args.prepare()?;
    print_plan(&plan)?;
    let finding = plan.find_learning_rate()?;
    print_lr_finding(&finding)?;
    plan.out.save_lr_find(&finding)?;
    say!("saved    {}", plan.out.lr_find_plot().display())?;
    say!(
        "try      stepwise train --dataset {} --lr {:.3e}   (or --lr auto)",
        plan.config().dataset,
        finding.suggestion
    )?;
    Ok(())
}

pub fn gradcheck(args: GradcheckArgs) -> Result<()> {
    if args.rows == 0 {
        bail!("--rows must be at least 1: the gradients are checked on that many training rows");
    }
    let plan = args.plan.prepare()?;
    print_plan(&plan)?;
    let checks = plan.gradient_check(args.rows)?;
    say!(
        "gradcheck  autodiff vs central differences (loss(p+e) - loss(p-e)) / 2e, e = {EPSILON}, \
         on the first {} training rows",
        args.rows.min(plan.train_rows())
    )?;
    // As wide as the longest name (a CNN's `convolutions.layers.0.weight`).
    let width = checks
        .iter()
        .map(|check| check.name.len())
        .fold(18, usize::max);
    say!(
        "{:<width$} {:>6}  {:>22}  {:>14}  {:>8}  {:>6}",
        "parameter",
        "values",
        "max |autodiff-numeric|",
        "relative error",
        "at kinks",
        "beyond"
    )?;
    for check in &checks {
        say!(
            "{:<width$} {:>6}  {:>22.3e}  {:>14.3e}  {:>8}  {:>6}",
            check.name,
            check.count,
            check.max_abs_error,
            check.relative_error,
            check.at_kinks,
            check.beyond_bound
        )?;
    }
    let kinks: usize = checks.iter().map(|check| check.at_kinks).sum();
    let beyond: usize = checks.iter().map(|check| check.beyond_bound).sum();
    let bound = format!(
        "|autodiff - numeric| <= {ATOL} + {RTOL} x |numeric| + the spread of the slopes over \
         [-e, e]"
    );
    let kinks = match kinks {
        0 => String::new(),
        kinks => format!(
            " ({kinks} at kinks: a ReLU's corner or a max-pool's tie, where a nudge changes the \
             slope and no finite difference can check it)"
        ),
    };
    if beyond == 0 {
        say!("every value within {bound}{kinks}: autodiff agrees with finite differences")?;
        Ok(())
    } else {
        bail!("{beyond} values beyond {bound}{kinks}: the gradients disagree")
    }
}

pub fn approximate(args: ApproximateArgs) -> Result<()> {
    let backend = args.plan.device.backend()?;
    let config = args.plan.config;
    // Named as `train` names its folder: from the data set's name, a file's stem.
    let name = crate::data::Source::resolve(&config.dataset)?.name();
    let out = match args.plan.out {
        Some(dir) => ArtifactDir::new(dir),
        None => ArtifactDir::for_dataset(&format!("approximate-{name}")),
    };
    say!(
        "approximate  {} with one hidden layer of {} neurons ({} activation, {} epochs each)",
        config.dataset,
        args.widths
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        config.activation,
        config.epochs
    )?;
    let approximation = approximate::approximate(&config, &args.widths, &backend)?;
    say!("{:>8} {:>11} {:>12}", "hidden", "parameters", "loss")?;
    for approximant in &approximation.approximants {
        say!(
            "{:>8} {:>11} {:>12.6}",
            approximant.width,
            approximant.parameters,
            approximant.loss
        )?;
    }
    out.save_approximation(&pictures::fit_svg(&approximation.picture())?)?;
    say!("saved    {}", out.approximation_plot().display())?;
    Ok(())
}

pub fn derivative(args: DerivativeArgs) -> Result<()> {
    if !args.x.is_finite() || !args.lr.is_finite() {
        bail!("--x and --lr must be finite numbers");
    }
    if args.x.abs() > MAX_X {
        bail!(
            "--x {:e} is too far out: the slope is computed in 32-bit floats, where x² beyond \
             x = ±{MAX_X:e} loses the answer or overflows; the top is at x = {CRITICAL_POINT}, \
             start near it (e.g. --x 0)",
            args.x
        );
    }
    let device = args.device.backend()?.device;
    let x = args.x;
    say!(
        "profit   P(x) = -x^2 + 6x; its slope P'(x) = 6 - 2x is 0 at x = {CRITICAL_POINT}, the top"
    )?;
    let slope = readable(derivative::analytic_slope(x));
    say!(
        "at x = {x}: P(x) = {}, exact slope P'(x) = {slope}",
        readable(derivative::profit(x)),
    )?;
    say!("(1) the limit definition: (P(x+h) - P(x)) / h as h shrinks")?;
    say!(
        "    algebra: (-(x+h)^2 + 6(x+h) + x^2 - 6x) / h = 6 - 2x - h = {slope} - h  ->  {slope} \
         as h -> 0"
    )?;
    for row in derivative::limit_table(x) {
        say!(
            "    h = {:<7}  slope {:>12.6}  error {:>10.6}",
            row.h,
            row.slope,
            row.error
        )?;
    }
    say!(
        "(2) burn's autodiff (backpropagation): slope {}",
        readable(derivative::autodiff_slope(x, &device))
    )?;
    print_gradient_steps(&args, &device)
}

pub fn plot(args: PlotArgs) -> Result<()> {
    let dir = ArtifactDir::new(&args.model);
    let history = dir.load_metrics()?;
    if history.is_empty() {
        bail!(
            "{} has no epochs to plot; train again with `stepwise train`",
            dir.metrics().display()
        );
    }
    dir.save_loss_plot(&history)?;
    say!("{}", pictures::loss_text(&history))?;
    say!("saved    {}", dir.loss_plot().display())?;
    for picture in [dir.redraw_picture()?, dir.redraw_lr_find()?]
        .into_iter()
        .flatten()
    {
        say!("saved    {}", picture.display())?;
    }
    Ok(())
}

/// (3) of `derivative`: the steps at `--lr`, the first and the last shown, and where other
/// learning rates end.
fn print_gradient_steps(args: &DerivativeArgs, device: &Device) -> Result<()> {
    let x = args.x;
    say!("(3) gradient steps x <- x + lr * P'(x), climbing towards x = {CRITICAL_POINT}:")?;
    say!(
        "    (training's STEP rule descends a loss: with the loss L = -P, x <- x - lr * L'(x) is \
         the same step)"
    )?;
    let ascent = derivative::gradient_ascent(x, args.lr, args.steps, device);
    // The first steps and the last: a long run's middle is the same step again.
    let shown = |step: usize| step <= SHOWN_STEPS || step + SHOWN_STEPS / 4 > args.steps;
    for (step, x) in ascent.x.iter().enumerate() {
        if shown(step) {
            say!(
                "    step {step:>3}  x = {x:>12.6}  P(x) = {:>12.6}",
                derivative::profit(*x)
            )?;
        } else if step == SHOWN_STEPS + 1 {
            say!("    ...")?;
        }
    }
    say!("    lr {}: {}", args.lr, ascent.verdict)?;
    say!(
        "    the same {} steps with other learning rates:",
        args.steps
    )?;
    for rate in [0.01, 0.25, 0.75, 1.1] {
        let other = derivative::gradient_ascent(x, rate, args.steps, device);
        say!(
            "    lr {rate:<5} ends at x = {:>12.6}: {}",
            other.x[other.x.len() - 1],
            other.verdict
        )?;
    }
    Ok(())
}
