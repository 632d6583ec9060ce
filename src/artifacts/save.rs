//! Saving a trained model: its card, parameters, history, summary and pictures, as one commit.

use std::fs;

use anyhow::{bail, Result};

use super::card::{parse_config, ConfigFile};
use super::drawn::picture_files;
use super::{
    commit, to_json, ArtifactDir, ModelCard, Summary, BOUNDARY_DATA_FILE, BOUNDARY_PLOT_FILE,
    CONFIG_FILE, FIT_DATA_FILE, FIT_PLOT_FILE, LOSS_PLOT_FILE, LR_FIND_DATA_FILE,
    LR_FIND_PLOT_FILE, METRICS_FILE, MODEL_FILE, SUMMARY_FILE,
};
use crate::learner::metrics::EpochMetrics;
use crate::learner::Kept;
use crate::machine::checksum::checksum;
use crate::model::{self, Architecture};
use crate::pictures::{self, LossMarks, Picture};
use crate::teaching::lr_find::LrFinding;

impl ArtifactDir {
    /// Saves a trained model with its card, history and summary (and the range test's plot, and
    /// a picture of what it learned: `fit.svg` or `boundary.svg`), replacing the previous set as
    /// one commit.
    pub fn save<A: Architecture>(
        &self,
        card: &ModelCard<A>,
        model: &A::Network,
        history: &[EpochMetrics],
        summary: &Summary,
        lr_finding: Option<&LrFinding>,
        picture: Option<&Picture>,
    ) -> Result<()> {
        self.prepare()?;
        let card = &card.in_todays_format();
        let record = model::encode(model)?;
        let metrics = metrics_csv(history)?;
        let marks = LossMarks::new(
            card.task,
            summary.kept.as_ref().map(Kept::epoch),
            card.training.target_loss,
        )
        .stopped_by(&summary.stop);
        let summary = to_json(summary)?;
        let loss_plot = pictures::loss_svg(history, &marks)?;
        let config = to_json(&ConfigFile {
            card: card.clone(),
            model_checksum: Some(checksum(&record)),
            card_checksum: Some(card.checksum()?),
        })?;
        // Never replace a model with a config that would not load back as this card.
        let back = std::str::from_utf8(&config)
            .ok()
            .and_then(|text| parse_config::<A>(text, &self.config()).ok());
        if back.is_none_or(|back| back.card != *card) {
            bail!("the model's configuration does not read back as written; nothing was saved");
        }
        let mut files: Vec<(&str, &[u8])> = vec![
            (MODEL_FILE, &record),
            (METRICS_FILE, &metrics),
            (SUMMARY_FILE, &summary),
            (LOSS_PLOT_FILE, loss_plot.as_bytes()),
            (CONFIG_FILE, &config),
        ];
        let lr_find_plot = lr_finding.map(pictures::lr_find_svg).transpose()?;
        let lr_find_data = lr_finding.map(serde_json::to_vec).transpose()?;
        if let (Some(svg), Some(json)) = (&lr_find_plot, &lr_find_data) {
            files.push((LR_FIND_PLOT_FILE, svg.as_bytes()));
            files.push((LR_FIND_DATA_FILE, json));
        }
        let drawn = picture
            .map(|picture| -> Result<_> { Ok((picture.svg()?, picture.json()?)) })
            .transpose()?;
        if let (Some(picture), Some((svg, json))) = (picture, &drawn) {
            let [svg_name, json_name] = picture_files(picture);
            files.push((svg_name, svg.as_bytes()));
            files.push((json_name, json));
        }
        commit::commit(&self.dir, &files)?;
        self.remove_stale_pictures(&files);
        Ok(())
    }

    /// What the folder's saved model is, in a phrase (`an mlp of hidden 16 trained on iris`),
    /// when it holds one: what a run into the folder will replace.
    pub fn saved_model(&self) -> Option<String> {
        let text = commit::read(&self.dir, CONFIG_FILE).ok()?;
        let card: serde_json::Value = serde_json::from_slice(&text).ok()?;
        let training = &card["training"];
        let widths = |key: &str| -> String {
            let widths = training[key].as_array().into_iter().flatten();
            widths
                .map(|width| width.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        let model = match training["model"].as_str()? {
            "linear" => "a linear model".to_string(),
            "cnn" => format!(
                "a cnn of channels {} and hidden {}",
                widths("channels"),
                widths("hidden")
            ),
            kind => format!("an {kind} of hidden {}", widths("hidden")),
        };
        Some(format!(
            "{model} trained on {}",
            training["dataset"].as_str()?
        ))
    }

    /// A picture of an earlier model in this folder would be redrawn by `plot` as this one's:
    /// every picture file the save did not write goes.
    fn remove_stale_pictures(&self, saved: &[(&str, &[u8])]) {
        let pictures = [
            FIT_PLOT_FILE,
            FIT_DATA_FILE,
            BOUNDARY_PLOT_FILE,
            BOUNDARY_DATA_FILE,
        ];
        let stale = (pictures
            .into_iter()
            .chain([LR_FIND_PLOT_FILE, LR_FIND_DATA_FILE]))
        .filter(|name| !saved.iter().any(|(written, _)| written == name));
        for name in stale {
            fs::remove_file(self.dir.join(name)).ok();
        }
    }
}

fn metrics_csv(history: &[EpochMetrics]) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for metrics in history {
        writer.serialize(metrics)?;
    }
    Ok(writer.into_inner()?)
}
