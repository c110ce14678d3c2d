// The ceiling for sign-in throughput: raw Argon2id verifications per second
// with the portal's parameters (core::password_verify: t=2, m=19 MiB, p=1),
// on N threads at once for a few seconds. bench/signin_vs_argon2.sh sets the
// HTTP sign-in rate against it.
//
// Usage: build/argon2_bench [--threads N] [--seconds S] [--quiet]
//   N defaults to the number of cores; --quiet prints only the rate and the
//   CPU milliseconds one verification took (user + system, all threads), which
//   a shared machine disturbs far less than the rate.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.hpp"

namespace {

struct Options {
    unsigned threads = std::thread::hardware_concurrency();
    double seconds = 5;
    bool quiet = false;
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--threads" && i + 1 < argc) {
            o.threads = static_cast<unsigned>(std::atoi(argv[++i]));
        } else if (arg == "--seconds" && i + 1 < argc) {
            o.seconds = std::atof(argv[++i]);
        } else if (arg == "--quiet") {
            o.quiet = true;
        } else {
            std::fprintf(stderr, "usage: %s [--threads N] [--seconds S] [--quiet]\n", argv[0]);
            std::exit(2);
        }
    }
    if (o.threads == 0) o.threads = 1;
    if (o.seconds <= 0) o.seconds = 5;
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    const std::string password = "violet tractor umbrella justice marble";
    const std::string hash = uslugi::core::password_hash(password);
    if (!uslugi::core::password_verify(hash, password)) {
        std::fprintf(stderr, "the hash does not verify\n");
        return 1;
    }

    const auto cpu_ms = [] {
        rusage u{};
        getrusage(RUSAGE_SELF, &u);
        return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000.0 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000.0;
    };
    const double cpu_before = cpu_ms();
    std::atomic<bool> stop{false};
    std::atomic<long> verified{0};
    std::vector<std::thread> threads;
    const auto start = std::chrono::steady_clock::now();
    for (unsigned i = 0; i < o.threads; ++i)
        threads.emplace_back([&] {
            long n = 0;
            while (!stop.load(std::memory_order_relaxed)) {
                if (!uslugi::core::password_verify(hash, password)) std::abort();
                ++n;
            }
            verified += n;
        });
    std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
    stop = true;
    for (auto& t : threads) t.join();
    // Verifications in flight when the time ran out finish and count, so the
    // rate is over the whole time the threads ran.
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = static_cast<double>(verified.load()) / elapsed;
    const double cpu_each = verified.load() > 0 ? (cpu_ms() - cpu_before) / static_cast<double>(verified.load()) : 0;
    if (o.quiet) {
        std::printf("%.2f %.2f\n", rate, cpu_each);
    } else {
        std::printf("argon2id verify (t=%llu, m=%zu MiB, p=1): %u threads, %.1f s, %ld verifications, %.2f per second, "
                    "%.1f ms CPU each\n",
                    uslugi::core::kPasswordOpsLimit, uslugi::core::kPasswordMemLimit / (1024 * 1024), o.threads,
                    elapsed, verified.load(), rate, cpu_each);
    }
    return 0;
}
