#include "jobs/model.hpp"

namespace uslugi::jobs {

std::string_view to_string(JobState s) {
    switch (s) {
        case JobState::queued: return "queued";
        case JobState::running: return "running";
        case JobState::done: return "done";
        case JobState::dead: return "dead";
    }
    return "queued";
}

JobState job_state_from_string(std::string_view s) {
    if (s == "queued") return JobState::queued;
    if (s == "running") return JobState::running;
    if (s == "done") return JobState::done;
    if (s == "dead") return JobState::dead;
    throw std::invalid_argument("unknown job state '" + std::string(s) + "'");
}

bool can_transition(JobState from, JobState to) {
    switch (from) {
        case JobState::queued: return to == JobState::running;
        case JobState::running:
            return to == JobState::done || to == JobState::queued || to == JobState::dead || to == JobState::running;
        case JobState::dead: return to == JobState::queued;
        case JobState::done: return false;
    }
    return false;
}

std::string clip_error(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return std::string(text);
    std::size_t end = max_bytes;
    // Step back over UTF-8 continuation bytes (10xxxxxx) to a character start.
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return std::string(text.substr(0, end)) + "…";
}

}  // namespace uslugi::jobs
