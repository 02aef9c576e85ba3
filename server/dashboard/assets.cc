#include "otter/dashboard/assets.h"

#include <array>
#include <utility>

namespace otter::dashboard {

std::string_view content_type_of(std::string_view file_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
  }};
  for (const auto& [extension, type] : kTypes) {
    if (file_name.size() >= extension.size() && file_name.ends_with(extension)) return type;
  }
  return "application/octet-stream";
}

const Asset* find_asset(std::string_view path) {
  for (const Asset& asset : embedded_assets()) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

}  // namespace otter::dashboard
