//! The numbers a person can get wrong in a training configuration, checked before any work
//! starts, each refusal saying what would work.

use super::{LearningRate, ModelKind, ScheduleKind, TrainConfig, MAX_IMAGE_SIZE};

impl TrainConfig {
    /// Checks the numbers a person can get wrong, before any work starts.
    pub fn validate(&self) -> anyhow::Result<()> {
        use anyhow::bail;
        if let LearningRate::Fixed(rate) = self.learning_rate {
            if !(rate > 0.0 && rate.is_finite()) {
                bail!("--lr must be a positive number or `auto`, got {rate}; try 0.01");
            }
        }
        if self.epochs == 0 {
            bail!("--epochs must be at least 1");
        }
        if self.batch_size == 0 {
            bail!("--batch-size must be at least 1");
        }
        if !(0.0..1.0).contains(&self.momentum) {
            bail!(
                "--momentum must be in [0, 1), got {}; 0.9 is usual, 0 turns it off",
                self.momentum
            );
        }
        if !(self.weight_decay >= 0.0 && self.weight_decay.is_finite()) {
            bail!(
                "--weight-decay must be 0 or positive, got {}",
                self.weight_decay
            );
        }
        if let Some(norm) = self.clip_grad_norm {
            if !(norm > 0.0 && norm.is_finite()) {
                bail!("--clip-grad-norm must be a positive number, got {norm}");
            }
        }
        if let Some(fraction) = self.valid_fraction {
            if !(0.0..1.0).contains(&fraction) {
                bail!("--valid-fraction must be in [0, 1), got {fraction}; try 0.2");
            }
        }
        if self.model != ModelKind::Linear && (self.hidden.is_empty() || self.hidden.contains(&0)) {
            bail!("--hidden needs one or more positive layer widths, e.g. `--hidden 16,16`");
        }
        if self.channels.is_empty() || self.channels.contains(&0) {
            bail!("--channels needs one or more positive channel counts, e.g. `--channels 8,16`");
        }
        if self.checkpoint_every == Some(0) {
            bail!("--checkpoint-every must be at least 1 (epochs between checkpoints)");
        }
        if self.nesterov && self.momentum == 0.0 {
            bail!("--nesterov needs a --momentum above 0, e.g. `--momentum 0.9`");
        }
        self.validate_optimizer()?;
        self.validate_schedule()?;
        self.validate_stop()?;
        self.validate_image_size()?;
        self.validate_columns()
    }

    /// Adam's, AdamW's and RMSprop's numbers: the running means' decays and epsilon.
    fn validate_optimizer(&self) -> anyhow::Result<()> {
        for (option, decay, usual) in [
            ("--beta1", self.beta1, 0.9),
            ("--beta2", self.beta2, 0.999),
            ("--alpha", self.alpha, 0.99),
        ] {
            if !(0.0..1.0).contains(&decay) {
                anyhow::bail!("{option} must be in [0, 1), got {decay}; {usual} is usual");
            }
        }
        if !(self.epsilon > 0.0 && self.epsilon.is_finite()) {
            anyhow::bail!(
                "--epsilon must be a positive number, got {}; try 1e-8",
                self.epsilon
            );
        }
        Ok(())
    }

    /// The schedule's numbers; burn's cosine and linear schedulers take rates up to 1.
    fn validate_schedule(&self) -> anyhow::Result<()> {
        use anyhow::bail;
        if self.step_size == 0 {
            bail!("--step-size must be at least 1 (epochs between cuts of the learning rate)");
        }
        if !(self.gamma > 0.0 && self.gamma <= 1.0) {
            bail!(
                "--gamma must be in (0, 1], got {}; 0.1 is usual",
                self.gamma
            );
        }
        if self.warmup == 0 {
            bail!("--warmup must be at least 1 (epochs to rise to --lr)");
        }
        if !(self.min_lr >= 0.0 && self.min_lr.is_finite()) {
            bail!(
                "--min-lr must be 0 or a positive number, got {}",
                self.min_lr
            );
        }
        let curved = matches!(self.schedule, ScheduleKind::Cosine | ScheduleKind::Warmup);
        if let (true, LearningRate::Fixed(rate)) = (curved, self.learning_rate) {
            if rate > 1.0 {
                bail!(
                    "--schedule {} takes an --lr of at most 1, got {rate}",
                    self.schedule
                );
            }
            if self.schedule == ScheduleKind::Cosine && self.min_lr > rate {
                bail!(
                    "--min-lr {} is above --lr {rate}: cosine goes down to it",
                    self.min_lr
                );
            }
        }
        Ok(())
    }

    /// STOP's numbers: the target loss, the patience and what counts as progress.
    fn validate_stop(&self) -> anyhow::Result<()> {
        use anyhow::bail;
        if let Some(target) = self.target_loss {
            if !(target >= 0.0 && target.is_finite()) {
                bail!("--target-loss must be 0 or a positive number, got {target}; try 0.05");
            }
        }
        if self.patience == Some(0) {
            bail!("--patience must be at least 1 (epochs without improvement before STOP)");
        }
        if !(self.min_delta >= 0.0 && self.min_delta.is_finite()) {
            bail!(
                "--min-delta must be 0 or a positive number, got {}; try 0.001",
                self.min_delta
            );
        }
        Ok(())
    }

    /// Pictures are resized as u32 sides: `--image-size` from 1 to [`MAX_IMAGE_SIZE`].
    fn validate_image_size(&self) -> anyhow::Result<()> {
        match self.image_size {
            Some(size) if !(1..=MAX_IMAGE_SIZE).contains(&size) => anyhow::bail!(
                "--image-size must be from 1 to {MAX_IMAGE_SIZE} (pixels a side), got {size}; \
                 e.g. `--image-size 28`"
            ),
            _ => Ok(()),
        }
    }

    /// --features, --ignore and --label must not contradict each other.
    fn validate_columns(&self) -> anyhow::Result<()> {
        use anyhow::bail;
        for (option, names) in [("--features", &self.features), ("--ignore", &self.ignore)] {
            if let Some(name) = names.iter().find(|name| name.trim().is_empty()) {
                bail!("{option} has an empty column name ('{name}'); separate names with commas");
            }
            if let Some(label) = &self.label {
                if names.contains(label) {
                    bail!(
                        "{option} names '{label}', the label column; the label is never a feature"
                    );
                }
            }
        }
        for (option, names) in [("--features", &self.features), ("--ignore", &self.ignore)] {
            let mut seen = std::collections::HashSet::new();
            if let Some(name) = names.iter().find(|name| !seen.insert(name.as_str())) {
                bail!("{option} names '{name}' twice; give each column once");
            }
        }
        if let Some(name) = self.features.iter().find(|name| self.ignore.contains(name)) {
            bail!("'{name}' is in both --features and --ignore; choose one");
        }
        Ok(())
    }
}
