// The REST API's bearer token: generated once by `otterd init` into the data
// dir (mode 0600) next to cli.json, the file the `otter` CLI reads with
// --data-dir. Checked in constant time.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace otter::api {

inline constexpr const char* kTokenFile = "api-token";
inline constexpr const char* kCliConfigFile = "cli.json";

// Reads <data_dir>/api-token, creating it with a fresh random token (256 bits,
// hex) when absent. Throws std::runtime_error when it exists but is empty or
// readable by others than its owner.
std::string ensure_api_token(const std::filesystem::path& data_dir);
// Reads an existing token; throws std::runtime_error naming the file.
std::string read_api_token(const std::filesystem::path& data_dir);
// Writes <data_dir>/cli.json {"url": ..., "token": ...} (mode 0600).
void write_cli_config(const std::filesystem::path& data_dir, const std::string& url, const std::string& token);

// True when the Authorization header value is "Bearer <expected>". The
// comparison takes the same time wherever the first difference is.
bool bearer_token_matches(std::string_view authorization_header, std::string_view expected);

}  // namespace otter::api
