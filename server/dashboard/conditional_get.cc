#include "otter/dashboard/conditional_get.h"

#include <openssl/sha.h>

#include <array>

namespace otter::dashboard {

std::string etag_of(std::string_view body) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag = "\"";
  for (std::size_t i = 0; i < 16; ++i) {
    tag += kHex[digest[i] >> 4];
    tag += kHex[digest[i] & 0x0f];
  }
  tag += '"';
  return tag;
}

bool if_none_match_hits(std::string_view header, std::string_view etag) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find(',', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view candidate = header.substr(pos, end - pos);
    while (!candidate.empty() && (candidate.front() == ' ' || candidate.front() == '\t')) candidate.remove_prefix(1);
    while (!candidate.empty() && (candidate.back() == ' ' || candidate.back() == '\t')) candidate.remove_suffix(1);
    // If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x".
    if (candidate.starts_with("W/")) candidate.remove_prefix(2);
    if (candidate == "*" || (!candidate.empty() && candidate == etag)) return true;
    pos = end + 1;
  }
  return false;
}

}  // namespace otter::dashboard
