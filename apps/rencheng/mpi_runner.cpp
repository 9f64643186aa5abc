// MPI for `rencheng stress-test`: split realizations across ranks, gather them on rank 0.
#include "mpi_runner.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include <mpi.h>

#include "core/error.hpp"
#include "sim/ensemble_codec.hpp"

namespace rencheng::cli {

namespace {

constexpr int kTagSize = 1;
constexpr int kTagBytes = 2;
/// MPI counts are int: messages go in chunks of at most this many bytes.
constexpr std::size_t kChunkBytes = 1u << 30;

void check(int rc, const char* what) {
    if (rc != MPI_SUCCESS)
        throw Error(ErrorCode::kInternal, std::string("MPI: ") + what + " failed");
}

} // namespace

bool launched_by_mpi() {
    // Open MPI sets OMPI_COMM_WORLD_SIZE, MPICH's Hydra PMI_SIZE, PMIx launchers PMIX_RANK.
    for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
        if (std::getenv(var) != nullptr)
            return true;
    return false;
}

MpiSession::MpiSession() {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (initialised == 0)
        check(MPI_Init(nullptr, nullptr), "MPI_Init");
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
    // A rank failing with an error leaves without MPI_Finalize: main prints the error and exits
    // non-zero, and the launcher, seeing a process end without finalising, stops the others
    // (which may be waiting for it) instead of hanging.
    if (std::uncaught_exceptions() > 0)
        return;
    MPI_Finalize();
}

int MpiSession::broadcast_status(int status) const {
    check(MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast");
    return status;
}

void MpiSession::share(std::int32_t total, std::int32_t& first, std::int32_t& count) const {
    const std::int32_t base = total / size_, extra = total % size_;
    count = base + (rank_ < extra ? 1 : 0);
    first = rank_ * base + std::min<std::int32_t>(rank_, extra);
}

sim::EnsembleResult MpiSession::gather(sim::EnsembleResult&& mine) const {
    if (rank_ != 0) {
        const std::vector<std::uint8_t> bytes = sim::encode_ensemble(mine);
        const auto size = static_cast<std::uint64_t>(bytes.size());
        check(MPI_Send(&size, 1, MPI_UINT64_T, 0, kTagSize, MPI_COMM_WORLD), "MPI_Send");
        for (std::size_t at = 0; at < bytes.size(); at += kChunkBytes) {
            const auto n = static_cast<int>(std::min(kChunkBytes, bytes.size() - at));
            check(MPI_Send(bytes.data() + at, n, MPI_BYTE, 0, kTagBytes, MPI_COMM_WORLD),
                  "MPI_Send");
        }
        return {};
    }
    sim::EnsembleResult all = std::move(mine);
    for (int from = 1; from < size_; ++from) {
        std::uint64_t size = 0;
        check(MPI_Recv(&size, 1, MPI_UINT64_T, from, kTagSize, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
              "MPI_Recv");
        std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
        for (std::size_t at = 0; at < bytes.size(); at += kChunkBytes) {
            const auto n = static_cast<int>(std::min(kChunkBytes, bytes.size() - at));
            check(MPI_Recv(bytes.data() + at, n, MPI_BYTE, from, kTagBytes, MPI_COMM_WORLD,
                           MPI_STATUS_IGNORE),
                  "MPI_Recv");
        }
        sim::append_ensemble(all, sim::decode_ensemble(bytes));
    }
    return all;
}

} // namespace rencheng::cli
