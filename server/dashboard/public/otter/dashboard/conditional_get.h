// Conditional GET for polled JSON routes and assets: a strong ETag from the
// body's digest, and 304 Not Modified without a body when the client's
// If-None-Match names it. A dashboard polling an unchanged rollout every
// second then costs a few hundred bytes instead of the page of executions.
#pragma once

#include <string>
#include <string_view>

namespace otter::dashboard {

// "\"<first 128 bits of SHA-256, hex>\"".
std::string etag_of(std::string_view body);
// True when an If-None-Match header value ("*", one tag, or a comma list,
// weak or strong) names `etag`.
bool if_none_match_hits(std::string_view if_none_match, std::string_view etag);

}  // namespace otter::dashboard
