//! The learning rate of each epoch (`--schedule`): one of burn's schedulers, stepped once an
//! epoch. A resumed run steps a fresh one to where it stopped, so the rate needs no saving.

use anyhow::{anyhow, Result};
use burn::lr_scheduler::cosine::CosineAnnealingLrSchedulerConfig;
use burn::lr_scheduler::linear::LinearLrSchedulerConfig;
use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::lr_scheduler::step::StepLrSchedulerConfig;

use super::Learner;
use crate::config::{ScheduleKind, TrainConfig};
use crate::model::Architecture;

/// The learning rates of the epochs from `epoch` on, `rate` being the configured one.
pub struct Schedule(ModuleLrScheduler);

impl Schedule {
    pub fn starting_at(config: &TrainConfig, rate: f64, epoch: usize) -> Result<Schedule> {
        let built = match config.schedule {
            ScheduleKind::Constant => Ok(ModuleLrScheduler::new(rate)),
            ScheduleKind::Step => StepLrSchedulerConfig::new(rate, config.step_size)
                .with_gamma(config.gamma)
                .init(),
            // Down from `rate` at the first epoch to --min-lr at the last.
            ScheduleKind::Cosine => {
                let steps = config.epochs.saturating_sub(1).max(1);
                CosineAnnealingLrSchedulerConfig::new(rate, steps)
                    .with_min_lr(config.min_lr)
                    .init()
            }
            ScheduleKind::Warmup if config.warmup == 1 => Ok(ModuleLrScheduler::new(rate)),
            // rate / N at the first epoch, rate at the Nth and after.
            ScheduleKind::Warmup => {
                let first = rate / config.warmup as f64;
                LinearLrSchedulerConfig::new(first, rate, config.warmup - 1).init()
            }
        };
        let schedule = built
            .map_err(|err| anyhow!("--schedule {} with --lr {rate}: {err}", config.schedule))?;
        let mut schedule = Schedule(schedule);
        for _ in 1..epoch {
            schedule.next_rate();
        }
        Ok(schedule)
    }

    /// The rate of the next epoch.
    pub fn next_rate(&mut self) -> f64 {
        self.0.step().base()
    }
}

impl<A: Architecture> Learner<'_, A> {
    /// The learning rate of epoch `epoch` (the trace steps with it). A schedule burn refuses
    /// is refused by the run itself; here it falls back to the configured rate.
    pub fn rate_at(&self, epoch: usize) -> f64 {
        let schedule = Schedule::starting_at(self.config, self.learning_rate, epoch);
        schedule.map_or(self.learning_rate, |mut schedule| schedule.next_rate())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates(config: TrainConfig, from: usize, epochs: usize) -> Vec<f64> {
        let mut schedule = Schedule::starting_at(&config, 0.1, from).unwrap();
        (0..epochs).map(|_| schedule.next_rate()).collect()
    }

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(a, b)| (a - b).abs() < 1e-12)
    }

    #[test]
    fn each_schedule_gives_its_rate_per_epoch() {
        let constant = TrainConfig::new();
        assert!(close(&rates(constant, 1, 3), &[0.1, 0.1, 0.1]));
        let step = TrainConfig::new()
            .with_schedule(ScheduleKind::Step)
            .with_step_size(2)
            .with_gamma(0.5);
        assert!(close(&rates(step, 1, 5), &[0.1, 0.1, 0.05, 0.05, 0.025]));
        let warmup = TrainConfig::new()
            .with_schedule(ScheduleKind::Warmup)
            .with_warmup(4);
        assert!(close(
            &rates(warmup, 1, 6),
            &[0.025, 0.05, 0.075, 0.1, 0.1, 0.1]
        ));
        let cosine = TrainConfig::new()
            .with_schedule(ScheduleKind::Cosine)
            .with_epochs(5)
            .with_min_lr(0.01);
        let expected: Vec<f64> = (0..5)
            .map(|e| 0.01 + 0.5 * 0.09 * (1.0 + (e as f64 / 4.0 * std::f64::consts::PI).cos()))
            .collect();
        assert!(close(&rates(cosine, 1, 5), &expected));
    }

    #[test]
    fn a_resumed_run_takes_up_the_schedule_where_it_stopped() {
        let step = TrainConfig::new()
            .with_schedule(ScheduleKind::Step)
            .with_step_size(2)
            .with_gamma(0.5);
        assert!(close(&rates(step, 4, 2), &[0.05, 0.025]));
    }
}
