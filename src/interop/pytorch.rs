//! The network's parameters in PyTorch's names and layouts: written as safetensors, and read
//! back — from safetensors or a PyTorch `.pt` file — as a run's starting weights. burn-store
//! does the reading, the writing and the layouts (a burn Linear's weight is `[in, out]`,
//! PyTorch's `[out, in]`: its adapters transpose); the names come from [`Sequential`].

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use burn::module::Module;
use burn::store::burn_pack::Tensor as PackTensor;
use burn::store::{
    BurnToPyTorchAdapter, KeyRemapper, ModuleSnapshot, ModuleStore, PyTorchToBurnAdapter,
    PytorchStore, SafetensorsStore,
};
use burn::tensor::DType;

use super::Sequential;
use crate::artifacts::StartingWeights;
use crate::machine::checksum::checksum;

/// The parameters of `network` as a safetensors file, under PyTorch's names, with `manifest`
/// in its metadata (key `stepwise`).
pub fn safetensors(
    network: &impl Module,
    sequential: &Sequential,
    manifest: &str,
) -> Result<Vec<u8>> {
    let renames = sequential
        .parameters()
        .into_iter()
        .map(|(ours, theirs, _)| (format!("^{}$", ours.replace('.', r"\.")), theirs));
    let remapper = KeyRemapper::from_pattern_iter(renames)?;
    let mut store = SafetensorsStore::from_bytes(None)
        .with_to_adapter(BurnToPyTorchAdapter)
        .remap(remapper)
        .metadata("stepwise", manifest);
    network
        .save_into(&mut store)
        .map_err(|err| anyhow!("cannot write the parameters as safetensors: {err}"))?;
    Ok(store.get_bytes()?)
}

/// Sets every parameter of `network` (whose layers `sequential` describes) from `file`, a
/// safetensors or PyTorch file with the Sequential's names and PyTorch's layouts — what
/// `stepwise export --format safetensors` writes and `torch.save(model.state_dict())` saves.
pub fn load_weights<N: Module>(
    network: &mut N,
    sequential: &Sequential,
    file: &Path,
) -> Result<StartingWeights> {
    let bytes = std::fs::read(file)
        .with_context(|| format!("cannot read --init-from {}", file.display()))?;
    let format = sniff(&bytes).ok_or_else(|| {
        anyhow!(
            "--init-from {} is neither a safetensors file nor a PyTorch file (torch.save); \
             give one of those, e.g. what `stepwise export --format safetensors` writes",
            file.display()
        )
    })?;
    let checksum = checksum(&bytes);
    let tensors = match format {
        Format::Safetensors => tensors_of(SafetensorsStore::from_bytes(Some(bytes))),
        Format::Pytorch => tensors_of(PytorchStore::from_file(file).map_indices_contiguous(false)),
    }
    .with_context(|| {
        format!(
            "cannot read the tensors of {} ({}); stepwise reads a state_dict, as \
             `torch.save(model.state_dict(), FILE)` or safetensors' `save_file` write it",
            file.display(),
            format.name()
        )
    })?;
    let tensors = matched(tensors, sequential, file)?;
    let result = network.apply(tensors, None, Some(Box::new(PyTorchToBurnAdapter)), false);
    if !result.errors.is_empty() || !result.missing.is_empty() || !result.unused.is_empty() {
        bail!("cannot set the weights of {}: {result}", file.display());
    }
    Ok(StartingWeights {
        file: file.display().to_string(),
        format: format.name().into(),
        checksum,
    })
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Format {
    Safetensors,
    Pytorch,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Safetensors => "safetensors",
            Format::Pytorch => "pytorch",
        }
    }
}

/// Which format the bytes are in: safetensors begin with their header's length and a JSON
/// object; `torch.save` writes a zip archive (since PyTorch 1.6) or, before, a pickle.
fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0x80, 0x02]) {
        return Some(Format::Pytorch);
    }
    let length = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    let header = bytes.get(8..8usize.checked_add(usize::try_from(length).ok()?)?)?;
    header
        .first()
        .filter(|&&first| first == b'{')
        .map(|_| Format::Safetensors)
}

/// Every tensor in a store, by name.
fn tensors_of<S: ModuleStore>(mut store: S) -> Result<BTreeMap<String, PackTensor>> {
    store
        .get_all_tensors()
        .cloned()
        .map_err(|err| anyhow!("{err}"))
}

/// The file's tensors under stepwise's names, once each has been found with the shape and type
/// the network needs; otherwise an error naming the tensor, and both shapes.
fn matched(
    tensors: BTreeMap<String, PackTensor>,
    sequential: &Sequential,
    file: &Path,
) -> Result<Vec<PackTensor>> {
    let wanted = sequential.parameters();
    let mut tensors = unnested(tensors, &wanted);
    let mut found = Vec::new();
    for (ours, theirs, shape) in &wanted {
        let Some(mut tensor) = tensors.remove(theirs) else {
            bail!(
                "{} has no tensor '{theirs}' ({:?}), which the network {} needs; it has {}",
                file.display(),
                shape,
                sequential.python(),
                listed(found.len(), tensors.keys())
            );
        };
        if tensor.shape.as_slice() != shape.as_slice() {
            bail!(
                "tensor '{theirs}' of {} has shape {:?}, and the network's is {:?} ({}): the file \
                 holds another network's weights",
                file.display(),
                tensor.shape.as_slice(),
                shape,
                sequential.python()
            );
        }
        if tensor.dtype != DType::F32 {
            bail!(
                "tensor '{theirs}' of {} is {:?}; stepwise trains in float32: save it as float32 \
                 (in PyTorch, `model.float()` before saving)",
                file.display(),
                tensor.dtype
            );
        }
        tensor.name = ours.clone();
        found.push(tensor);
    }
    if !tensors.is_empty() {
        bail!(
            "{} has tensors the network {} does not: {}; it holds another network's weights",
            file.display(),
            sequential.python(),
            listed(0, tensors.keys())
        );
    }
    Ok(found)
}

/// The tensors under the one prefix that holds every name the network needs, when they are not
/// at the top: a checkpoint often nests the weights (`{"model": model.state_dict()}` is read as
/// `model.0.weight`), beside other things (the optimizer's state) that are not read.
fn unnested(
    tensors: BTreeMap<String, PackTensor>,
    wanted: &[(String, String, Vec<usize>)],
) -> BTreeMap<String, PackTensor> {
    let Some((_, first, _)) = wanted.first() else {
        return tensors;
    };
    if tensors.contains_key(first) {
        return tensors;
    }
    let holds_all = |prefix: &&str| {
        let all = wanted.iter();
        all.into_iter()
            .all(|(_, theirs, _)| tensors.contains_key(&format!("{prefix}{theirs}")))
    };
    let prefix = (tensors.keys())
        .filter_map(|name| name.strip_suffix(first.as_str()))
        .filter(|prefix| prefix.ends_with('.'))
        .find(holds_all)
        .map(str::to_string);
    match prefix {
        Some(prefix) => (tensors.into_iter())
            .filter_map(|(name, tensor)| Some((name.strip_prefix(&prefix)?.to_string(), tensor)))
            .collect(),
        None => tensors,
    }
}

/// `'4.weight', '4.bias'` (the first few), or `none left` when `taken` were all there were.
fn listed<'a>(taken: usize, names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<String> = names.map(|name| format!("'{name}'")).collect();
    match (names.is_empty(), taken) {
        (true, 0) => "no tensors at all".into(),
        (true, _) => "no others".into(),
        _ if names.len() > 8 => format!("{}, … ({} in all)", names[..8].join(", "), names.len()),
        _ => names.join(", "),
    }
}
