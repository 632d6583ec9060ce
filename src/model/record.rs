//! A network's parameters as bytes (burn's burnpack record) and back: what `model.bpk` and the
//! checkpoint's records hold.

use anyhow::{anyhow, Result};
use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device};

use super::{Architecture, Network};

/// The parameters of `network` as a burnpack record.
pub fn encode(network: &impl Network) -> Result<Vec<u8>> {
    let bytes = network
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|err| anyhow!("cannot encode the parameters: {err}"))?;
    Ok(bytes.to_vec())
}

/// A network of `architecture`, on `device`, with the parameters of a burnpack record. The
/// errors say which part failed: the bytes are not a record, or the record does not fit.
pub fn decode<A: Architecture>(
    architecture: &A,
    record: Vec<u8>,
    device: &Device,
) -> Result<A::Network, DecodeError> {
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(record))
        .map_err(|err| DecodeError::Damaged(err.to_string()))?;
    architecture
        .init(device)
        .try_load_record(record.clone())
        .or_else(|err| {
            architecture
                .load_older(record, device)
                .ok_or_else(|| DecodeError::DoesNotFit(err.to_string()))
        })
}

/// Why a record did not become a network.
#[derive(Debug)]
pub enum DecodeError {
    /// The bytes are not a burnpack record.
    Damaged(String),
    /// A record, but of other parameters than the architecture's.
    DoesNotFit(String),
}
