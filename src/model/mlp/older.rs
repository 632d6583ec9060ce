//! Records written before the one MLP (model format 2 and older) name the parameters under an
//! enum variant: `Linear.linear.weight`, `Mlp.hidden.0.weight`.

use burn::module::Module;
use burn::nn::Linear;
use burn::store::ModuleRecord;

use super::Mlp;

/// The layout of records before format 3.
#[derive(Module, Debug)]
#[allow(clippy::large_enum_variant)]
enum Older {
    Linear(OlderLinear),
    Mlp(Mlp),
}

#[derive(Module, Debug)]
struct OlderLinear {
    linear: Linear,
}

/// `fresh` (a network of the architecture) with the parameters of an older `record`; `None`
/// when the record is not in an older layout of it.
pub(super) fn load(fresh: Mlp, record: ModuleRecord) -> Option<Mlp> {
    let older = if fresh.hidden.is_empty() {
        Older::Linear(OlderLinear {
            linear: fresh.output.clone(),
        })
    } else {
        Older::Mlp(fresh.clone())
    };
    match older.try_load_record(record).ok()? {
        Older::Linear(OlderLinear { linear }) => Some(Mlp {
            output: linear,
            ..fresh
        }),
        Older::Mlp(mlp) => Some(mlp),
    }
}
