#include "otter/simboard/device_files.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace otter::simboard {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_ident(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Skips whitespace and C comments.
std::size_t skip(std::string_view s, std::size_t i) {
  for (;;) {
    while (i < s.size() && is_space(s[i])) ++i;
    if (s.substr(i, 2) == "/*") {
      const auto end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else if (s.substr(i, 2) == "//") {
      const auto end = s.find('\n', i);
      i = end == std::string_view::npos ? s.size() : end + 1;
    } else {
      return i;
    }
  }
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DeviceFilesError(fmt::format("cannot read {}", path.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string decode_c_string_literals(std::string_view text) {
  std::string out;
  std::size_t i = skip(text, 0);
  if (i >= text.size() || text[i] != '"') throw DeviceFilesError("expected a C string literal");
  while (i < text.size() && text[i] == '"') {
    ++i;
    for (;;) {
      if (i >= text.size()) throw DeviceFilesError("unterminated C string literal");
      const char c = text[i++];
      if (c == '"') break;
      if (c == '\n') throw DeviceFilesError("newline inside a C string literal");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i >= text.size()) throw DeviceFilesError("dangling backslash");
      const char e = text[i++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        case '\'': out += '\''; break;
        case '?': out += '?'; break;
        case 'x': {
          int value = 0;
          int digits = 0;
          while (i < text.size() && hex_value(text[i]) >= 0) {
            value = value * 16 + hex_value(text[i++]);
            if (++digits > 2 && value > 0xFF) throw DeviceFilesError("hex escape out of range");
          }
          if (digits == 0) throw DeviceFilesError("\\x without hex digits");
          out += static_cast<char>(value);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            int value = e - '0';
            for (int k = 0; k < 2 && i < text.size() && text[i] >= '0' && text[i] <= '7'; ++k) {
              value = value * 8 + (text[i++] - '0');
            }
            out += static_cast<char>(value);
          } else {
            throw DeviceFilesError(fmt::format("unknown escape \\{}", e));
          }
      }
    }
    i = skip(text, i);
  }
  if (skip(text, i) != text.size()) throw DeviceFilesError("unexpected text after the string literals");
  return out;
}

std::map<std::string, std::string> c_string_definitions(std::string_view source) {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  while ((pos = source.find("const char ", pos)) != std::string_view::npos) {
    std::size_t i = pos + 11;
    const std::size_t name_start = i;
    while (i < source.size() && is_ident(source[i])) ++i;
    const std::string name(source.substr(name_start, i - name_start));
    i = skip(source, i);
    if (source.substr(i, 2) != "[]") {
      pos = i;
      continue;
    }
    i = skip(source, i + 2);
    if (i >= source.size() || source[i] != '=') {
      pos = i;  // a declaration, not a definition
      continue;
    }
    // The literals end at the first ';' outside a string.
    std::size_t j = i + 1;
    bool in_string = false;
    for (; j < source.size(); ++j) {
      if (in_string && source[j] == '\\') {
        ++j;
      } else if (source[j] == '"') {
        in_string = !in_string;
      } else if (!in_string && source[j] == ';') {
        break;
      }
    }
    out[name] = decode_c_string_literals(source.substr(i + 1, j - i - 1));
    pos = j;
  }
  return out;
}

std::map<std::string, std::string> c_defines(std::string_view header) {
  std::map<std::string, std::string> out;
  std::istringstream in{std::string(header)};
  std::string line;
  while (std::getline(in, line)) {
    std::string_view l = line;
    const auto h = l.find_first_not_of(" \t");
    if (h == std::string_view::npos || l.substr(h, 7) != "#define") continue;
    std::size_t i = h + 7;
    while (i < l.size() && (l[i] == ' ' || l[i] == '\t')) ++i;
    const std::size_t name_start = i;
    while (i < l.size() && is_ident(l[i])) ++i;
    const std::string name(l.substr(name_start, i - name_start));
    auto value = l.substr(i);
    const auto v = value.find_first_not_of(" \t");
    if (v == std::string_view::npos) {
      out[name] = "";
      continue;
    }
    value = value.substr(v);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) value.remove_suffix(1);
    out[name] = value.front() == '"' ? decode_c_string_literals(value) : std::string(value);
  }
  return out;
}

DeviceFiles load_device_files(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir / "otter_credentials.c") && std::filesystem::exists(dir / "ca.pem")) {
    DeviceFiles f;
    f.root_ca_pem = read_file(dir / "ca.pem");
    f.device_certificate_pem = read_file(dir / "cert.pem");
    f.device_private_key_pem = read_file(dir / "key.pem");
    f.code_verify_certificate_pem = read_file(dir / "code_verify.pem");
    f.thing_name = std::filesystem::absolute(dir).lexically_normal().filename().string();
    if (f.thing_name.empty()) f.thing_name = std::filesystem::absolute(dir).parent_path().filename().string();
    f.port = 0;
    return f;
  }
  const auto strings = c_string_definitions(read_file(dir / "otter_credentials.c"));
  const auto defines = c_defines(read_file(dir / "otter_config.h"));
  auto need = [&](const std::map<std::string, std::string>& m, const char* key, const char* file) {
    auto it = m.find(key);
    if (it == m.end()) throw DeviceFilesError(fmt::format("{}/{} does not define {}", dir.string(), file, key));
    return it->second;
  };
  DeviceFiles f;
  f.root_ca_pem = need(strings, "otter_root_ca_pem", "otter_credentials.c");
  f.device_certificate_pem = need(strings, "otter_device_certificate_pem", "otter_credentials.c");
  f.device_private_key_pem = need(strings, "otter_device_private_key_pem", "otter_credentials.c");
  f.code_verify_certificate_pem = need(strings, "otter_code_verify_certificate_pem", "otter_credentials.c");
  f.endpoint = need(defines, "OTTER_MQTT_ENDPOINT", "otter_config.h");
  const auto port = need(defines, "OTTER_MQTT_PORT", "otter_config.h");
  try {
    const auto p = std::stoul(port);
    if (p == 0 || p > 65535) throw std::out_of_range("port");
    f.port = static_cast<std::uint16_t>(p);
  } catch (const std::exception&) {
    throw DeviceFilesError(fmt::format("{}/otter_config.h: OTTER_MQTT_PORT '{}' is not a port", dir.string(), port));
  }
  f.thing_name = need(defines, "OTTER_THING_NAME", "otter_config.h");
  auto board = defines.find("OTTER_BOARD_NAME");
  if (board != defines.end()) f.board = board->second;
  return f;
}

void write_tls_files(const DeviceFiles& files, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& text, bool secret) {
    const auto path = dir / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw DeviceFilesError(fmt::format("cannot write {}", path.string()));
    out << text;
    out.close();
    if (secret) ::chmod(path.c_str(), 0600);
  };
  write("ca.pem", files.root_ca_pem, false);
  write("cert.pem", files.device_certificate_pem, false);
  write("key.pem", files.device_private_key_pem, true);
}

}  // namespace otter::simboard
