#pragma once
#include <spdlog/spdlog.h>

#include <string>

namespace uslugi::core {

// Sets up the process-wide loggers: "uslugi" for the application and "http" for
// the request log. Both write UTC timestamps to stderr; the request log is async
// so that a slow terminal never slows a request down.
void init_logging(const std::string& level);

spdlog::logger& app_log();
spdlog::logger& request_log();

}  // namespace uslugi::core
