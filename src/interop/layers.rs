//! The built-in network as PyTorch would write it: a `torch.nn.Sequential` of the same layers,
//! and each parameter's name there. PyTorch names a Sequential's parameters by the layer's index
//! (`0.weight`, `2.bias`), and its activations and pools take indices too, so an MLP 4-16-3
//! relu is `Linear(4, 16), ReLU(), Linear(16, 3)`: `hidden.0` is `0`, `output` is `2`.

use serde::Serialize;

use crate::config::{ActivationKind, OutputKind};
use crate::model::ModelConfig;

/// One layer of the Sequential, as its PyTorch constructor takes it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum TorchLayer {
    /// A row of `channels·height·width` numbers read as a picture `[channels, height, width]`.
    Unflatten {
        dim: usize,
        sizes: [usize; 3],
    },
    Conv2d {
        in_channels: usize,
        out_channels: usize,
        kernel_size: usize,
        padding: usize,
    },
    MaxPool2d {
        kernel_size: usize,
    },
    Flatten,
    Linear {
        in_features: usize,
        out_features: usize,
    },
    ReLU,
    Tanh,
    Sigmoid,
}

impl TorchLayer {
    /// The constructor's call, e.g. `nn.Linear(4, 16)`.
    pub fn python(&self) -> String {
        match self {
            TorchLayer::Unflatten { dim, sizes } => {
                format!(
                    "nn.Unflatten({dim}, ({}, {}, {}))",
                    sizes[0], sizes[1], sizes[2]
                )
            }
            TorchLayer::Conv2d {
                in_channels,
                out_channels,
                kernel_size,
                padding,
            } => format!(
                "nn.Conv2d({in_channels}, {out_channels}, {kernel_size}, padding={padding})"
            ),
            TorchLayer::MaxPool2d { kernel_size } => format!("nn.MaxPool2d({kernel_size})"),
            TorchLayer::Flatten => "nn.Flatten()".into(),
            TorchLayer::Linear {
                in_features,
                out_features,
            } => format!("nn.Linear({in_features}, {out_features})"),
            TorchLayer::ReLU => "nn.ReLU()".into(),
            TorchLayer::Tanh => "nn.Tanh()".into(),
            TorchLayer::Sigmoid => "nn.Sigmoid()".into(),
        }
    }

    /// Its weight's and bias's shapes in PyTorch's layout (a Linear's weight is `[out, in]`),
    /// for a layer with parameters.
    pub fn parameter_shapes(&self) -> Option<[Vec<usize>; 2]> {
        match *self {
            TorchLayer::Conv2d {
                in_channels,
                out_channels,
                kernel_size,
                ..
            } => Some([
                vec![out_channels, in_channels, kernel_size, kernel_size],
                vec![out_channels],
            ]),
            TorchLayer::Linear {
                in_features,
                out_features,
            } => Some([vec![out_features, in_features], vec![out_features]]),
            _ => None,
        }
    }
}

/// The Sequential, and where each of stepwise's layers sits in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sequential {
    pub layers: Vec<TorchLayer>,
    /// (stepwise's module path, e.g. `hidden.0`; the layer's index in `layers`).
    pub places: Vec<(String, usize)>,
}

impl Sequential {
    /// The layers of the network `model` describes, first to last.
    pub fn of(model: &ModelConfig) -> Sequential {
        let mut sequential = Sequential {
            layers: Vec::new(),
            places: Vec::new(),
        };
        if let Some(convolutions) = &model.convolutions {
            let image = convolutions.image;
            sequential.push(
                TorchLayer::Unflatten {
                    dim: 1,
                    sizes: [image.channels, image.height, image.width],
                },
                None,
            );
            for (index, pair) in convolutions.shapes().windows(2).enumerate() {
                let conv = TorchLayer::Conv2d {
                    in_channels: pair[0].channels,
                    out_channels: pair[1].channels,
                    kernel_size: crate::model::KERNEL,
                    padding: crate::model::KERNEL / 2,
                };
                sequential.push(conv, Some(format!("convolutions.layers.{index}")));
                sequential.push(TorchLayer::ReLU, None);
                let pool = TorchLayer::MaxPool2d {
                    kernel_size: crate::model::POOL,
                };
                sequential.push(pool, None);
            }
            sequential.push(TorchLayer::Flatten, None);
        }
        let widths = model.widths();
        let last = widths.len() - 2;
        for (index, pair) in widths.windows(2).enumerate() {
            let linear = TorchLayer::Linear {
                in_features: pair[0],
                out_features: pair[1],
            };
            if index < last {
                sequential.push(linear, Some(format!("hidden.{index}")));
                sequential.push(activation(model.activation), None);
            } else {
                sequential.push(linear, Some("output".into()));
            }
        }
        if model.output == Some(OutputKind::Sigmoid) {
            sequential.push(TorchLayer::Sigmoid, None);
        }
        sequential
    }

    fn push(&mut self, layer: TorchLayer, path: Option<String>) {
        if let Some(path) = path {
            self.places.push((path, self.layers.len()));
        }
        self.layers.push(layer);
    }

    /// `nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))`
    pub fn python(&self) -> String {
        let layers: Vec<String> = self.layers.iter().map(TorchLayer::python).collect();
        format!("nn.Sequential({})", layers.join(", "))
    }

    /// Every parameter: (stepwise's name, PyTorch's name, its shape in PyTorch's layout), in
    /// the Sequential's order.
    pub fn parameters(&self) -> Vec<(String, String, Vec<usize>)> {
        let mut parameters = Vec::new();
        for (path, index) in &self.places {
            let Some(shapes) = self.layers[*index].parameter_shapes() else {
                continue;
            };
            for (name, shape) in ["weight", "bias"].into_iter().zip(shapes) {
                parameters.push((format!("{path}.{name}"), format!("{index}.{name}"), shape));
            }
        }
        parameters
    }
}

fn activation(kind: ActivationKind) -> TorchLayer {
    match kind {
        ActivationKind::Relu => TorchLayer::ReLU,
        ActivationKind::Tanh => TorchLayer::Tanh,
        ActivationKind::Sigmoid => TorchLayer::Sigmoid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModelKind;
    use crate::data::images::ImageShape;
    use crate::model::ConvolutionsConfig;

    #[test]
    fn an_mlp_is_its_linear_layers_with_the_activation_between_them() {
        let model = ModelConfig::new(ModelKind::Mlp, 4, 3)
            .with_hidden(vec![16])
            .with_activation(ActivationKind::Tanh);
        let sequential = Sequential::of(&model);
        assert_eq!(
            sequential.python(),
            "nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))"
        );
        let names: Vec<(String, String, Vec<usize>)> = sequential.parameters();
        assert_eq!(
            names[0],
            ("hidden.0.weight".into(), "0.weight".into(), vec![16, 4])
        );
        assert_eq!(names[3], ("output.bias".into(), "2.bias".into(), vec![3]));
    }

    #[test]
    fn a_cnn_reads_its_rows_as_pictures_and_flattens_before_its_linear_layers() {
        let image = ImageShape::new(1, 8, 8);
        let model = ModelConfig::new(ModelKind::Cnn, 64, 10)
            .with_hidden(vec![16])
            .with_convolutions(Some(ConvolutionsConfig::new(image, vec![8])));
        let sequential = Sequential::of(&model);
        assert_eq!(
            sequential.python(),
            "nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 8, 3, padding=1), \
             nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(128, 16), nn.ReLU(), \
             nn.Linear(16, 10))"
        );
        let names: Vec<String> = sequential.parameters().into_iter().map(|p| p.1).collect();
        assert_eq!(
            names,
            ["1.weight", "1.bias", "5.weight", "5.bias", "7.weight", "7.bias"]
        );
    }

    #[test]
    fn a_linear_model_with_a_sigmoid_ends_in_the_sigmoid() {
        let model = ModelConfig::new(ModelKind::Linear, 2, 1)
            .with_hidden(vec![16])
            .with_output(Some(OutputKind::Sigmoid));
        assert_eq!(
            Sequential::of(&model).python(),
            "nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())"
        );
    }
}
