// Byte encoding of ensemble results, so the realizations computed by one process (an MPI rank)
// can be shipped to another and merged exactly (docs/metrics.md "Monte Carlo", "MPI").
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/ensemble.hpp"

namespace rencheng::sim {

/// Encodes every field of `ens` (realizations, compared policies, events) into bytes. Numbers are
/// copied bit for bit, so decode_ensemble(encode_ensemble(e)) equals e exactly and a merged run
/// gives the same summary.json bytes as one process. The layout is this build's own (host byte
/// order, a format version up front); it is for processes of one run, not for files. A field
/// added to RealizationResult must be added to the encoder and decoder too.
std::vector<std::uint8_t> encode_ensemble(const EnsembleResult& ens);

/// Decodes bytes written by encode_ensemble. Throws Error(kInternal) when the bytes are
/// truncated or were written by another format version.
EnsembleResult decode_ensemble(std::span<const std::uint8_t> bytes);

/// Appends `part` to `into` (realizations of a later index range).
void append_ensemble(EnsembleResult& into, EnsembleResult&& part);

} // namespace rencheng::sim
