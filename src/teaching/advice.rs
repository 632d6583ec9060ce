//! What to try next, read from a run's history the way the article reads the learning rate:
//! too big a rate and the parameters vary wildly (the loss blows up or swings up and down), too
//! small a rate and they are not updated enough (the loss barely moves).

use crate::data::Targets;
use crate::learner::metrics::EpochMetrics;
use crate::learner::stop::StopReason;

/// A decrease of the training loss smaller than this fraction of where it started: barely moved.
const BARELY_MOVED: f64 = 0.05;
/// An epoch whose training loss rose by more than this fraction swung up.
const SWING: f64 = 0.10;
/// Swings in more than this fraction of the later epochs, with no progress, is oscillation.
const OSCILLATING: f64 = 0.4;

/// Sentences for the person who ran `history` with `learning_rate`; `chance` is the validation
/// accuracy of always answering the most common class (classification only).
pub fn advise(
    history: &[EpochMetrics],
    stop: &StopReason,
    learning_rate: f64,
    chance: Option<f64>,
) -> Vec<String> {
    let mut advice = Vec::new();
    let smaller = learning_rate / 10.0;
    if stop.diverged() {
        advice.push(format!(
            "the loss blew up with learning rate {learning_rate}: with too big a rate the \
             parameters vary wildly; try a smaller one, e.g. --lr {smaller} (or --lr auto)"
        ));
        return advice;
    }
    let losses: Vec<f64> = history.iter().map(|epoch| epoch.train_loss).collect();
    if barely_moved(&losses) {
        advice.push(format!(
            "the training loss barely moved ({:.4} -> {:.4}): with learning rate {learning_rate} \
             the parameters may not be updated enough; try a larger one, e.g. --lr {} (or \
             --lr auto)",
            losses[0],
            losses[losses.len() - 1],
            learning_rate * 10.0
        ));
    } else if oscillates(&losses) {
        advice.push(format!(
            "the training loss went up and down instead of settling: with learning rate \
             {learning_rate} the steps may overshoot; try a smaller one, e.g. --lr {smaller}"
        ));
    }
    let best = history
        .iter()
        .filter_map(|epoch| epoch.valid_accuracy)
        .reduce(f64::max);
    if let (Some(best), Some(chance)) = (best, chance) {
        if best < chance + NEAR_CHANCE * (1.0 - chance) {
            advice.push(format!(
                "the best validation accuracy, {best:.3}, is little above what always answering \
                 the most common class scores ({chance:.3}): the network has not learned to tell \
                 the classes apart; try a larger one, e.g. --hidden 32,32, and more --epochs"
            ));
        }
    }
    advice
}

/// The share of `valid`'s rows in their most common class: what always answering it scores.
pub fn chance(targets: &Targets, valid: &[usize]) -> Option<f64> {
    let Targets::Classes { indices, names } = targets else {
        return None;
    };
    let mut counts = vec![0usize; names.len()];
    valid.iter().for_each(|&row| counts[indices[row]] += 1);
    let most = counts.into_iter().max()?;
    (!valid.is_empty()).then(|| most as f64 / valid.len() as f64)
}

/// A best accuracy less than this part of the way from chance to perfect is near chance.
const NEAR_CHANCE: f64 = 0.25;

/// Over at least 5 epochs, the loss fell by less than [`BARELY_MOVED`] of where it started.
fn barely_moved(losses: &[f64]) -> bool {
    let (Some(&first), Some(lowest)) = (losses.first(), losses.iter().copied().reduce(f64::min))
    else {
        return false;
    };
    losses.len() >= 5 && first > 0.0 && (first - lowest) < BARELY_MOVED * first
}

/// In the later half of at least 10 epochs, the loss often jumped up and ended no lower.
fn oscillates(losses: &[f64]) -> bool {
    if losses.len() < 10 {
        return false;
    }
    let later = &losses[losses.len() / 2..];
    let swings = later
        .windows(2)
        .filter(|pair| pair[1] > pair[0] * (1.0 + SWING))
        .count();
    let no_progress = later[later.len() - 1] >= later[0];
    swings as f64 > OSCILLATING * (later.len() - 1) as f64 && no_progress
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(losses: &[f64]) -> Vec<EpochMetrics> {
        losses
            .iter()
            .enumerate()
            .map(|(index, &loss)| EpochMetrics {
                epoch: index + 1,
                train_loss: loss,
                valid_loss: None,
                valid_accuracy: None,
                learning_rate: 0.1,
            })
            .collect()
    }

    fn max_epochs() -> StopReason {
        StopReason::MaxEpochs {
            epochs: 10,
            target: None,
            lowest: None,
            watched: crate::learner::stop::Watched::Training,
        }
    }

    #[test]
    fn a_loss_that_barely_moves_asks_for_a_larger_learning_rate() {
        let advice = advise(
            &history(&[1.0, 0.99, 0.985, 0.98, 0.979]),
            &max_epochs(),
            1e-5,
            None,
        );
        assert_eq!(advice.len(), 1);
        assert!(advice[0].contains("barely moved"), "{advice:?}");
        assert!(advice[0].contains("--lr 0.0001"), "{advice:?}");
    }

    #[test]
    fn a_loss_that_swings_asks_for_a_smaller_learning_rate() {
        let losses = [1.0, 0.5, 0.4, 0.6, 0.3, 0.7, 0.3, 0.8, 0.35, 0.9, 0.4, 1.0];
        let advice = advise(&history(&losses), &max_epochs(), 0.5, None);
        assert!(advice[0].contains("went up and down"), "{advice:?}");
        assert!(advice[0].contains("--lr 0.05"), "{advice:?}");
    }

    #[test]
    fn a_loss_that_falls_steadily_needs_no_advice() {
        let losses: Vec<f64> = (0..20).map(|epoch| 1.0 / (1.0 + epoch as f64)).collect();
        assert!(advise(&history(&losses), &max_epochs(), 0.1, None).is_empty());
    }

    #[test]
    fn an_accuracy_near_chance_asks_for_a_larger_network() {
        let losses: Vec<f64> = (0..20).map(|epoch| 1.0 / (1.0 + epoch as f64)).collect();
        let with_accuracy = |accuracy: f64| {
            let mut history = history(&losses);
            history
                .iter_mut()
                .for_each(|epoch| epoch.valid_accuracy = Some(accuracy));
            advise(&history, &max_epochs(), 0.01, Some(1.0 / 3.0))
        };
        // Three classes: 0.41 is under a quarter of the way from 0.333 to 1 (0.5).
        let advice = with_accuracy(0.41);
        assert!(advice[0].contains("0.410, is little above"), "{advice:?}");
        assert!(advice[0].contains("--hidden 32,32"), "{advice:?}");
        assert!(with_accuracy(0.6).is_empty());
    }
}
