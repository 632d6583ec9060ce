//! KEEP: which epoch's parameters a run hands back — the lowest watched loss (`--keep best`),
//! the last epoch (`--keep last`), or, when the loss diverged, the last good epoch.

use serde::{Deserialize, Serialize};

use crate::learner::stop::Watched;

/// Which epoch's parameters a run hands back, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Kept {
    /// `--keep best`: the epoch with the lowest watched loss.
    Lowest {
        epoch: usize,
        loss: f64,
        watched: Watched,
    },
    /// `--keep last`: the last finished epoch.
    Last { epoch: usize },
    /// The loss diverged: the last good epoch, the one with the lowest loss before it did.
    BeforeDivergence {
        epoch: usize,
        loss: f64,
        watched: Watched,
    },
}

impl Kept {
    pub fn epoch(&self) -> usize {
        match self {
            Kept::Lowest { epoch, .. }
            | Kept::Last { epoch }
            | Kept::BeforeDivergence { epoch, .. } => *epoch,
        }
    }
}

impl std::fmt::Display for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kept::Lowest {
                epoch,
                loss,
                watched,
            } => write!(
                f,
                "epoch {epoch}, the lowest {watched} loss ({loss:.4}; --keep best)"
            ),
            Kept::Last { epoch } => write!(f, "epoch {epoch}, the last (--keep last)"),
            Kept::BeforeDivergence {
                epoch,
                loss,
                watched,
            } => write!(
                f,
                "epoch {epoch}, the lowest {watched} loss ({loss:.4}) before the loss diverged"
            ),
        }
    }
}
