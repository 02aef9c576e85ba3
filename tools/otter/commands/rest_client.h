// The `otter` CLI's connection to otterd's REST API: where the server is and
// which token to present (flags, then OTTER_URL / OTTER_TOKEN, then the
// cli.json that `otterd init` writes into the data dir), and JSON requests
// whose failures become CommandErrors with meaningful exit codes.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace otter::cli {

struct ServerOptions {
  std::string url;       // --url / OTTER_URL
  std::string token;     // --token / OTTER_TOKEN
  std::string data_dir;  // --data-dir / OTTER_DATA_DIR: read <dir>/cli.json
  bool json = false;     // --json: machine-readable output
};

// Adds --url, --token, --data-dir and --json to a subcommand.
void add_server_options(CLI::App& command, ServerOptions& options);

class RestClient {
 public:
  // Resolves url and token (throws CommandError kExitUsage when none is set).
  explicit RestClient(const ServerOptions& options);
  ~RestClient();

  nlohmann::json get(const std::string& path);
  nlohmann::json post(const std::string& path, const nlohmann::json& body);
  nlohmann::json patch(const std::string& path, const nlohmann::json& body);
  nlohmann::json put(const std::string& path, const nlohmann::json& body = nlohmann::json::object());
  nlohmann::json del(const std::string& path);
  // POST of raw bytes (firmware upload); `path` carries the query string.
  nlohmann::json post_bytes(const std::string& path, const std::vector<std::uint8_t>& body);
  std::vector<std::uint8_t> get_bytes(const std::string& path);
  struct Part {
    std::string name;
    std::string content;
    std::string filename;  // non-empty: a file part
  };
  nlohmann::json post_multipart(const std::string& path, const std::vector<Part>& parts);

  // Every item of a paged list route (follows nextOffset).
  nlohmann::json get_all(const std::string& path, const std::string& key);

  const std::string& url() const { return url_; }

 private:
  std::string url_;
  std::string token_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits "a,b,c" (empty parts dropped).
std::vector<std::string> split_list(const std::string& text);

// Percent-encodes a path segment or query value.
std::string url_encode(const std::string& text);

// Reads a whole file; throws CommandError kExitInputError naming it.
std::vector<std::uint8_t> read_input_file(const std::string& path);
std::string read_text_file(const std::string& path);

// Prints `value` as indented JSON on stdout.
void print_json(const nlohmann::json& value);

// Prints rows as aligned columns with a header line.
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

// A string field of `object` or "-" when absent/null (for table cells).
std::string field_or_dash(const nlohmann::json& object, const char* key);

}  // namespace otter::cli
