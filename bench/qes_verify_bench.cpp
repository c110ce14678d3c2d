// Time to verify one detached GOST R 34.10-2012 CMS signature in process
// (core::cms::verify_detached: parse, signature, chain with CRL, subject),
// for bench/qes_verify.sh, which compares it with `openssl cms -verify` on
// the same files in the same run.
//
// Usage: build/qes_verify_bench DIR [ROUNDS]
//   DIR holds challenge.txt, challenge.sig (DER) and trust/ (CA + CRL), as
//   bench/qes_verify.sh prepares them with scripts/demo-qes.sh.
// Prints "median_us <µs> p90_us <µs> rounds <n>" after a Google Benchmark run.
#include <benchmark/benchmark.h>

#include "core/cms.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace cms = uslugi::core::cms;

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct Inputs {
    std::string challenge, signature;
    cms::TrustStore trust;
};

Inputs load(const std::filesystem::path& dir) {
    if (!cms::load_gost_engine()) throw std::runtime_error("the GOST engine does not load");
    Inputs in;
    in.challenge = slurp(dir / "challenge.txt");
    in.signature = slurp(dir / "challenge.sig");
    in.trust.add(slurp(dir / "trust/ca.pem"));
    in.trust.add(slurp(dir / "trust/crl.pem"));
    return in;
}

void verify_once(const Inputs& in) {
    const auto v = cms::verify_detached(in.challenge, in.signature, in.trust, std::time(nullptr));
    if (!v.ok()) throw std::runtime_error("verification failed: " + std::string(cms::to_string(v.failure)));
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR [ROUNDS]\n", argv[0]);
        return 2;
    }
    const Inputs in = load(argv[1]);
    const int rounds = argc > 2 ? std::stoi(argv[2]) : 500;
    benchmark::RegisterBenchmark("verify_detached/gost2012_256", [&in](benchmark::State& state) {
        for (auto _ : state) verify_once(in);
    })->Unit(benchmark::kMicrosecond);
    benchmark::RunSpecifiedBenchmarks();

    // The median of single verifications, as the script compares medians.
    std::vector<double> us;
    us.reserve(rounds);
    for (int i = 0; i < rounds; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        verify_once(in);
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(us.begin(), us.end());
    std::printf("median_us %.1f p90_us %.1f rounds %d\n", us[us.size() / 2], us[us.size() * 9 / 10], rounds);
    return 0;
}
