// Standalone driver for the fuzz targets: replays a corpus and deterministic mutations of it.
//
// Usage: fuzz_x [--mutations N] FILE_OR_DIR...
// Every input must return without crashing; sanitizers (debug preset) turn memory and UB errors
// into failures. The mutations (bit flips, byte insertions and deletions, splices of two inputs,
// truncations) come from a fixed-seed generator, so a failure is reproducible; with
// RENCHENG_FUZZ_LAST=FILE set, the input that failed is left in FILE.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// SplitMix64: a tiny fixed-seed generator for mutations only.
struct Mix {
    std::uint64_t s;
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
};

std::vector<std::uint8_t> mutate(const std::vector<std::vector<std::uint8_t>>& corpus, Mix& rng) {
    std::vector<std::uint8_t> v = corpus[rng.below(corpus.size())];
    static const char* tokens[] = {"\"",   "{", "}",    "[",     "]",   ",",    ":",
                                   "\n",   "=", "-1",   "1e999", "nan", "null", "true",
                                   "\"\"", "#", "\r\n", "0",     "-0.0"};
    const int edits = 1 + static_cast<int>(rng.below(8));
    for (int e = 0; e < edits; ++e) {
        switch (rng.below(6)) {
        case 0: // flip a bit
            if (!v.empty())
                v[rng.below(v.size())] ^= static_cast<std::uint8_t>(1u << rng.below(8));
            break;
        case 1: // delete a run
            if (!v.empty()) {
                std::size_t at = rng.below(v.size());
                std::size_t n = std::min(v.size() - at, 1 + rng.below(16));
                v.erase(v.begin() + static_cast<std::ptrdiff_t>(at),
                        v.begin() + static_cast<std::ptrdiff_t>(at + n));
            }
            break;
        case 2: { // insert a token
            const char* t = tokens[rng.below(std::size(tokens))];
            std::size_t at = rng.below(v.size() + 1);
            v.insert(v.begin() + static_cast<std::ptrdiff_t>(at), t,
                     t + std::char_traits<char>::length(t));
            break;
        }
        case 3: // truncate
            v.resize(rng.below(v.size() + 1));
            break;
        case 4: { // splice with another input
            const auto& o = corpus[rng.below(corpus.size())];
            if (!o.empty()) {
                std::size_t from = rng.below(o.size());
                std::size_t n = std::min(o.size() - from, 1 + rng.below(64));
                std::size_t at = rng.below(v.size() + 1);
                v.insert(v.begin() + static_cast<std::ptrdiff_t>(at),
                         o.begin() + static_cast<std::ptrdiff_t>(from),
                         o.begin() + static_cast<std::ptrdiff_t>(from + n));
            }
            break;
        }
        default: // duplicate a line-sized run
            if (!v.empty()) {
                std::size_t at = rng.below(v.size());
                std::size_t n = std::min(v.size() - at, 1 + rng.below(80));
                std::vector<std::uint8_t> run(v.begin() + static_cast<std::ptrdiff_t>(at),
                                              v.begin() + static_cast<std::ptrdiff_t>(at + n));
                v.insert(v.begin() + static_cast<std::ptrdiff_t>(at), run.begin(), run.end());
            }
            break;
        }
    }
    return v;
}

} // namespace

int main(int argc, char** argv) {
    long mutations = 0;
    std::vector<std::vector<std::uint8_t>> corpus;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--mutations" && i + 1 < argc) {
            mutations = std::strtol(argv[++i], nullptr, 10);
            continue;
        }
        std::filesystem::path p(arg);
        if (std::filesystem::is_directory(p)) {
            std::vector<std::filesystem::path> files;
            for (const auto& e : std::filesystem::recursive_directory_iterator(p))
                if (e.is_regular_file())
                    files.push_back(e.path());
            std::sort(files.begin(), files.end());
            for (const auto& f : files)
                corpus.push_back(read_bytes(f));
        } else if (std::filesystem::is_regular_file(p)) {
            corpus.push_back(read_bytes(p));
        } else {
            std::fprintf(stderr, "fuzz driver: no such input: %s\n", arg.c_str());
            return 2;
        }
    }
    if (corpus.empty())
        corpus.emplace_back();
    for (const auto& input : corpus)
        LLVMFuzzerTestOneInput(input.data(), input.size());
    Mix rng{0x5EED5EED12345678ULL};
    // RENCHENG_FUZZ_LAST=FILE: each mutation is written there before it runs, so that the input
    // of a crash is left behind.
    const char* last = std::getenv("RENCHENG_FUZZ_LAST");
    for (long m = 0; m < mutations; ++m) {
        auto v = mutate(corpus, rng);
        if (last != nullptr)
            std::ofstream(last, std::ios::binary)
                .write(reinterpret_cast<const char*>(v.data()),
                       static_cast<std::streamsize>(v.size()));
        LLVMFuzzerTestOneInput(v.data(), v.size());
    }
    std::printf("fuzz driver: %zu corpus inputs, %ld mutations, no crash\n", corpus.size(),
                mutations);
    return 0;
}
