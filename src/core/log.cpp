#include "core/log.hpp"

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace uslugi::core {

namespace {
std::shared_ptr<spdlog::logger> make_logger(const std::string& name, bool async) {
    if (auto existing = spdlog::get(name)) return existing;
    std::shared_ptr<spdlog::logger> logger;
    if (async) {
        if (!spdlog::thread_pool()) spdlog::init_thread_pool(8192, 1);
        logger = spdlog::create_async_nb<spdlog::sinks::stderr_sink_mt>(name);
    } else {
        logger = spdlog::stderr_logger_mt(name);
    }
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %n %v", spdlog::pattern_time_type::utc);
    return logger;
}
}  // namespace

void init_logging(const std::string& level) {
    auto lvl = spdlog::level::from_str(level);
    for (const char* name : {"uslugi", "http"}) {
        auto logger = make_logger(name, std::string(name) == "http");
        logger->set_level(lvl);
        logger->flush_on(spdlog::level::warn);
    }
    spdlog::flush_every(std::chrono::seconds(1));
}

spdlog::logger& app_log() {
    static auto logger = make_logger("uslugi", false);
    return *logger;
}

spdlog::logger& request_log() {
    static auto logger = make_logger("http", true);
    return *logger;
}

}  // namespace uslugi::core
