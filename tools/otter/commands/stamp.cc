// otter stamp: writes the image descriptor (version, board, size, build id)
// into a raw firmware binary at 0x200, the build step that replaces the seed's
// APP_VERSION_MAJOR/MINOR/BUILD constants.
#include <cstdio>
#include <string>

#include "command_registry.h"
#include "otter/core/version.h"
#include "otter/crypto/signature.h"
#include "otter/image/board.h"
#include "otter/image/image_file.h"
#include "otter/image/stamp.h"

namespace otter::cli {
namespace {

struct StampArgs {
  std::string input;
  std::string output;
  std::string version;
  std::string board;
  std::string min_version;
  std::string build_id;
  std::string flags;
  bool force = false;
};

Version version_arg(const std::string& text, const char* option) {
  const auto v = parse_version(std::span<const char>(text.data(), text.size()));
  if (!v.ok()) throw CommandError{kExitUsage, std::string(option) + " '" + text + "' is not major.minor.build (e.g. 1.0.1, each part in range)"};
  return *v;
}

// Flags are a 32-bit field: decimal or 0x-prefixed hex, nothing else.
std::uint32_t flags_arg(const std::string& text) {
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const std::string digits = hex ? text.substr(2) : text;
  const char* allowed = hex ? "0123456789abcdefABCDEF" : "0123456789";
  if (digits.empty() || digits.size() > (hex ? 8u : 10u) || digits.find_first_not_of(allowed) != std::string::npos) {
    throw CommandError{kExitUsage, "--flags '" + text + "' is not a 32-bit number (decimal or 0x-prefixed hex)"};
  }
  const unsigned long long value = std::stoull(digits, nullptr, hex ? 16 : 10);
  if (value > 0xFFFFFFFFull) throw CommandError{kExitUsage, "--flags '" + text + "' does not fit in 32 bits"};
  return static_cast<std::uint32_t>(value);
}

std::string known_boards() {
  std::string names;
  for (const auto& b : image::kBoards) names += (names.empty() ? "" : ", ") + std::string(b.name);
  return names;
}

void stamp(const StampArgs& a) {
  image::StampOptions options;
  options.version = version_arg(a.version, "--version");
  const image::Board* board = image::find_board(a.board);
  if (board == nullptr) throw CommandError{kExitUsage, "unknown board '" + a.board + "'; known boards: " + known_boards()};
  options.hardware_id = board->hardware_id;
  if (!a.min_version.empty()) {
    const Version floor = version_arg(a.min_version, "--min-version");
    if (floor > options.version) {
      throw CommandError{kExitUsage, "--min-version " + a.min_version + " is above the image's own version " + a.version};
    }
    options.min_version = floor.encoded();
  }
  if (!a.build_id.empty()) {
    try {
      options.build_id = image::parse_build_id(a.build_id);
    } catch (const std::invalid_argument& e) {
      throw CommandError{kExitUsage, std::string("--build-id: ") + e.what()};
    }
  }
  if (!a.flags.empty()) options.flags = flags_arg(a.flags);
  options.force = a.force;
  const std::string out = a.output.empty() ? a.input : a.output;
  try {
    const auto stamped = image::stamp_image(image::read_file(a.input), options);
    image::write_file(out, stamped);
    const auto d = image::descriptor_of(stamped);
    std::printf("%s: v%u.%u.%u for %s, %u bytes, build id %s\n", out.c_str(), d->version.major, d->version.minor,
                d->version.build, std::string(board->name).c_str(), d->image_size,
                crypto::to_hex(d->build_id).c_str());
  } catch (const image::ImageFileError& e) {
    throw CommandError{kExitInputError, a.input + ": " + e.what()};
  }
}

const RegisterCommand reg{[](CLI::App& app) {
  auto a = std::make_shared<StampArgs>();
  CLI::App* cmd = app.add_subcommand("stamp", "Write the image descriptor (version, board, size) into a firmware binary");
  cmd->add_option("image", a->input, "Raw firmware binary (.bin) with a reserved descriptor slot at 0x200")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--version", a->version, "Application version major.minor.build (AWS encoding)")->required();
  cmd->add_option("--board", a->board, "Board the image is built for: " + known_boards())->required();
  cmd->add_option("--min-version", a->min_version, "Anti-rollback floor: devices refuse older images after this one");
  cmd->add_option("--build-id", a->build_id, "Build id, up to 40 hex digits (default: hash of the image)");
  cmd->add_option("--flags", a->flags,
                  "Descriptor flags word, decimal or 0x hex (bits 24-31: the simulator's firmware behaviour, docs/simulator.md)");
  cmd->add_option("--out", a->output, "Write here instead of stamping the image in place");
  cmd->add_flag("--force", a->force, "Overwrite the slot even if it does not look reserved");
  cmd->callback([a] { stamp(*a); });
}};

}  // namespace
}  // namespace otter::cli
