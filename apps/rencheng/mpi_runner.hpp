// The MPI side of `rencheng stress-test`: when mpirun starts K processes, each runs a contiguous
// share of the realizations and rank 0 gathers them in index order and writes the run folder
// (docs/scenario.md "Running on several processes"). Built only when CMake finds MPI.
#pragma once

#include <cstdint>
#include <functional>

#include "sim/ensemble.hpp"

namespace rencheng::cli {

/// True when this process was started by an MPI launcher (mpirun/mpiexec of Open MPI, MPICH or
/// a PMIx launcher), told by the environment it sets. Other processes never initialise MPI.
bool launched_by_mpi();

/// MPI for the life of one stress test: MPI_Init in the constructor, MPI_Finalize in the
/// destructor — except when an exception is unwinding: a rank that fails exits without
/// finalising, which makes the launcher stop the other ranks rather than leave them waiting.
class MpiSession {
public:
    MpiSession();
    ~MpiSession();
    MpiSession(const MpiSession&) = delete;
    MpiSession& operator=(const MpiSession&) = delete;

    [[nodiscard]] int rank() const { return rank_; }
    [[nodiscard]] int size() const { return size_; }

    /// Rank 0's `status` goes to every rank (0: carry on; else the exit status to stop with).
    [[nodiscard]] int broadcast_status(int status) const;

    /// Realizations [first, first + count) of this rank's share of `total`: contiguous blocks in
    /// rank order, the first total % size ranks one more.
    void share(std::int32_t total, std::int32_t& first, std::int32_t& count) const;

    /// Sends this rank's results to rank 0. On rank 0, returns every rank's results appended in
    /// rank order (= realization order); on the others, returns an empty result.
    [[nodiscard]] sim::EnsembleResult gather(sim::EnsembleResult&& mine) const;

private:
    int rank_ = 0;
    int size_ = 1;
};

} // namespace rencheng::cli
