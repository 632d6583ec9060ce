//! The pictures an artifact folder holds besides the model, drawn at the end of a run or again
//! by `stepwise plot`, `lr-find` and `approximate`.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::card::parse_config;
use super::{
    commit, ArtifactDir, APPROXIMATION_PLOT_FILE, BOUNDARY_DATA_FILE, BOUNDARY_PLOT_FILE,
    CONFIG_FILE, FIT_DATA_FILE, FIT_PLOT_FILE, LR_FIND_DATA_FILE,
};
use crate::learner::metrics::EpochMetrics;
use crate::learner::Kept;
use crate::model::ModelConfig;
use crate::pictures::{self, LossMarks, Picture};
use crate::teaching::lr_find::LrFinding;

impl ArtifactDir {
    /// Draws `loss.svg` from a history (from `metrics.csv` again, for `stepwise plot`), with
    /// the marks the folder's config and summary give, when they read.
    pub fn save_loss_plot(&self, history: &[EpochMetrics]) -> Result<()> {
        let card = self
            .read_text(CONFIG_FILE)
            .ok()
            .and_then(|text| parse_config::<ModelConfig>(&text, &self.config()).ok());
        let summary = self.load_summary().ok();
        let kept = summary.as_ref().and_then(|summary| summary.kept.as_ref());
        let marks = match card {
            Some(config) => LossMarks::new(
                config.card.task,
                kept.map(Kept::epoch),
                config.card.training.target_loss,
            ),
            None => LossMarks {
                name: "as trained",
                ..LossMarks::default()
            },
        };
        let marks = match &summary {
            Some(summary) => marks.stopped_by(&summary.stop),
            None => marks,
        };
        let svg = pictures::loss_svg(history, &marks)?;
        commit::write_atomic(&self.loss_plot(), svg.as_bytes())
    }

    /// Draws `lr_find.svg` again from `lr_find.json` (for `stepwise plot`); its path, if the
    /// folder has a range test.
    pub fn redraw_lr_find(&self) -> Result<Option<PathBuf>> {
        if !commit::exists(&self.dir, LR_FIND_DATA_FILE) {
            return Ok(None);
        }
        let text = self.read_text(LR_FIND_DATA_FILE)?;
        let damaged = || format!("{} is damaged", self.dir.join(LR_FIND_DATA_FILE).display());
        let finding: LrFinding = serde_json::from_str(&text).with_context(damaged)?;
        commit::write_atomic(
            &self.lr_find_plot(),
            pictures::lr_find_svg(&finding)?.as_bytes(),
        )?;
        Ok(Some(self.lr_find_plot()))
    }

    /// Draws `fit.svg` or `boundary.svg` again from the data saved beside it (for `stepwise
    /// plot`); the path of the picture redrawn, if the folder has one.
    pub fn redraw_picture(&self) -> Result<Option<PathBuf>> {
        let read = |name: &str| -> Result<Option<String>> {
            if !commit::exists(&self.dir, name) {
                return Ok(None);
            }
            self.read_text(name).map(Some)
        };
        let damaged = |name: &str| format!("{} is damaged", self.dir.join(name).display());
        let picture = if let Some(text) = read(FIT_DATA_FILE)? {
            Picture::Fit(serde_json::from_str(&text).with_context(|| damaged(FIT_DATA_FILE))?)
        } else if let Some(text) = read(BOUNDARY_DATA_FILE)? {
            let boundary = serde_json::from_str(&text);
            Picture::Boundary(boundary.with_context(|| damaged(BOUNDARY_DATA_FILE))?)
        } else {
            return Ok(None);
        };
        let [svg, _] = picture_files(&picture);
        let path = self.dir.join(svg);
        commit::write_atomic(&path, picture.svg()?.as_bytes())?;
        Ok(Some(path))
    }

    /// Saves `approximate.svg` (for `stepwise approximate`).
    pub fn save_approximation(&self, svg: &str) -> Result<()> {
        self.prepare()?;
        commit::write_atomic(&self.approximation_plot(), svg.as_bytes())
    }

    pub fn approximation_plot(&self) -> PathBuf {
        self.dir.join(APPROXIMATION_PLOT_FILE)
    }

    /// Draws `lr_find.svg` (for `stepwise lr-find`).
    pub fn save_lr_find(&self, finding: &LrFinding) -> Result<()> {
        self.prepare()?;
        commit::write_atomic(
            &self.lr_find_plot(),
            pictures::lr_find_svg(finding)?.as_bytes(),
        )?;
        let json = serde_json::to_vec(finding)?;
        commit::write_atomic(&self.dir.join(LR_FIND_DATA_FILE), &json)
    }
}

/// A picture's files: the SVG and the data it is drawn from.
pub(super) fn picture_files(picture: &Picture) -> [&'static str; 2] {
    match picture {
        Picture::Fit(_) => [FIT_PLOT_FILE, FIT_DATA_FILE],
        Picture::Boundary(_) => [BOUNDARY_PLOT_FILE, BOUNDARY_DATA_FILE],
    }
}
