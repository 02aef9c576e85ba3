#include "otter/protocol/names.h"

#include "packed_strings.h"

namespace otter::protocol {

namespace {
constexpr std::string_view kStatusNames[] = {"UNKNOWN",   "QUEUED",   "IN_PROGRESS", "SUCCEEDED", "FAILED",
                                             "REJECTED",  "CANCELED", "TIMED_OUT",   "REMOVED"};
constexpr auto kPackedStatusNames = pack_strings<kStatusNames>();
}  // namespace

std::string_view to_string(JobStatus status) { return kPackedStatusNames[static_cast<unsigned>(status)]; }

}  // namespace otter::protocol
