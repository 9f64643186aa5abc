// Test support: runs the `rencheng` binary and captures its exit status, stdout and stderr.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "support/files.hpp"

extern char** environ;

namespace rencheng::test {

struct CommandResult {
    int status = -1; ///< exit status, or -1 when the process did not exit normally
    std::string out;
    std::string err;
};

/// Runs the rencheng binary (RENCHENG_BINARY, defined by tests/CMakeLists.txt) with `args`,
/// capturing stdout and stderr through temporary files (no pipes, so a chatty child cannot
/// dead-lock against the test).
inline CommandResult run_rencheng(const std::vector<std::string>& args) {
    static int counter = 0;
    const std::filesystem::path base =
        std::filesystem::temp_directory_path() /
        ("rencheng-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    const std::string out_file = base.string() + ".out";
    const std::string err_file = base.string() + ".err";

    std::vector<std::string> argv_s = {RENCHENG_BINARY};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    CommandResult r;
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        r.err = "posix_spawn failed: " + std::to_string(rc);
        return r;
    }
    int wstatus = 0;
    while (::waitpid(pid, &wstatus, 0) < 0) {
    }
    if (WIFEXITED(wstatus))
        r.status = WEXITSTATUS(wstatus);
    r.out = slurp(out_file);
    r.err = slurp(err_file);
    std::error_code ec;
    std::filesystem::remove(out_file, ec);
    std::filesystem::remove(err_file, ec);
    return r;
}

} // namespace rencheng::test
