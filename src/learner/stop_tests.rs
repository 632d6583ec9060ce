//! The stop rule, case by case.

use super::*;

fn policy(target: Option<f64>, epochs: usize, patience: Option<usize>) -> StopPolicy {
    StopPolicy::new(target, epochs, patience, 0.0, Watched::Validation)
}

#[test]
fn a_diverged_loss_reads_in_full_below_a_million_and_in_powers_of_ten_above() {
    let diverged = |loss| StopReason::Diverged {
        loss,
        epoch: 3,
        lowest: None,
        watched: Watched::Training,
    };
    let said = |loss| diverged(loss).to_string();
    assert_eq!(
        said(1234.5),
        "the training loss diverged to 1234.5000 at epoch 3"
    );
    assert_eq!(
        said(-1234.5),
        "the training loss diverged to -1234.5000 at epoch 3"
    );
    assert_eq!(
        said(2.5e9),
        "the training loss diverged to 2.500e9 at epoch 3"
    );
    assert_eq!(
        said(1e6),
        "the training loss diverged to 1.000e6 at epoch 3"
    );
    assert_eq!(
        said(f64::NAN),
        "the training loss diverged to NaN at epoch 3"
    );
}

#[test]
fn exactly_a_thousand_times_the_lowest_is_not_yet_divergence() {
    let mut policy = policy(None, 100, None);
    assert_eq!(policy.check(1, 1.0), None);
    assert_eq!(policy.check(2, 0.0625), None);
    assert_eq!(policy.check(3, DIVERGENCE_FACTOR * 0.0625), None);
    assert!(policy.check(4, 62.6).unwrap().diverged());
}

#[test]
fn far_above_the_lowest_but_back_where_it_started_is_not_yet_divergence() {
    let mut back = policy(None, 100, None);
    assert_eq!(back.check(1, 1.0), None);
    assert_eq!(back.check(2, 0.0009765625), None);
    assert_eq!(back.check(3, 1.0), None);
    assert!(back.check(4, 1.5).unwrap().diverged());
}

#[test]
fn non_finite_loss_stops_first() {
    let mut policy = policy(Some(1.0), 10, Some(1));
    assert!(policy.check(1, f64::NAN).unwrap().diverged());
    assert!(policy.check(1, f64::INFINITY).unwrap().diverged());
}

#[test]
fn a_loss_a_thousand_times_its_lowest_diverged_and_names_the_last_good_epoch() {
    let mut policy = policy(None, 100, None);
    assert_eq!(policy.check(1, 0.8), None);
    assert_eq!(policy.check(2, 0.1), None);
    assert_eq!(policy.check(3, 50.0), None); // 500×: still learning, maybe
    let stop = policy.check(4, 100.5).expect("1005× the lowest");
    assert_eq!(
        stop,
        StopReason::Diverged {
            loss: 100.5,
            epoch: 4,
            lowest: Some(Lowest {
                epoch: 2,
                loss: 0.1
            }),
            watched: Watched::Validation
        }
    );
}

#[test]
fn a_small_loss_that_grows_but_stays_below_where_it_started_has_not_diverged() {
    let mut policy = policy(None, 100, None);
    assert_eq!(policy.check(1, 0.5), None);
    assert_eq!(policy.check(2, 1e-6), None);
    assert_eq!(policy.check(3, 0.01), None); // 10 000× the lowest, below the start
}

#[test]
fn target_loss_stops_when_reached() {
    let mut policy = policy(Some(0.1), 100, None);
    assert_eq!(policy.check(1, 0.5), None);
    assert_eq!(
        policy.check(2, 0.1),
        Some(StopReason::TargetLoss {
            target: 0.1,
            loss: 0.1,
            epoch: 2,
            watched: Watched::Validation
        })
    );
}

#[test]
fn patience_counts_epochs_without_enough_improvement() {
    let mut policy = StopPolicy::new(None, 100, Some(2), 0.01, Watched::Training);
    assert_eq!(policy.check(1, 1.0), None);
    assert_eq!(policy.check(2, 0.995), None); // improved by less than min_delta
    assert_eq!(
        policy.check(3, 0.999),
        Some(StopReason::Patience {
            patience: 2,
            best: 1.0,
            epoch: 3,
            watched: Watched::Training
        })
    );
}

#[test]
fn an_equal_loss_is_no_improvement() {
    let mut policy = policy(None, 100, Some(1));
    assert_eq!(policy.check(1, 0.5), None);
    assert!(matches!(
        policy.check(2, 0.5),
        Some(StopReason::Patience { epoch: 2, .. })
    ));
}

#[test]
fn max_epochs_says_the_target_was_missed_and_where_the_loss_was_lowest() {
    let mut policy = policy(Some(0.01), 3, None);
    assert_eq!(policy.check(1, 1.0), None);
    assert_eq!(policy.check(2, 0.5), None);
    let stop = policy.check(3, 0.7).unwrap();
    assert_eq!(
        stop.to_string(),
        "max epochs 3 reached without the validation loss reaching --target-loss 0.01; \
         lowest validation loss 0.500000 at epoch 2"
    );
}

#[test]
fn the_lowest_loss_is_remembered_with_its_epoch() {
    let mut policy = policy(None, 10, None);
    for (epoch, loss) in [(1, 0.9), (2, 0.3), (3, 0.3), (4, 0.4)] {
        policy.check(epoch, loss);
    }
    assert_eq!(
        policy.lowest(),
        Some(Lowest {
            epoch: 2,
            loss: 0.3
        })
    );
}
