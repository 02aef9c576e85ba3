#include "otter/protocol/names.h"

namespace otter::protocol {

namespace {
constexpr std::string_view kStatusNames[] = {"UNKNOWN",   "QUEUED",   "IN_PROGRESS", "SUCCEEDED", "FAILED",
                                             "REJECTED",  "CANCELED", "TIMED_OUT",   "REMOVED"};
}  // namespace

std::string_view to_string(JobStatus status) { return kStatusNames[static_cast<unsigned>(status)]; }

JobStatus job_status_from(std::string_view text) {
  for (unsigned i = 1; i < sizeof(kStatusNames) / sizeof(kStatusNames[0]); ++i) {
    if (kStatusNames[i] == text) return static_cast<JobStatus>(i);
  }
  return JobStatus::kUnknown;
}

}  // namespace otter::protocol
