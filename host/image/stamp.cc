#include "otter/image/stamp.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "otter/crypto/signature.h"
#include "otter/image/board.h"
#include "otter/image/image_file.h"

namespace otter::image {
namespace {

bool slot_reserved(std::span<const std::uint8_t> slot) {
  const auto all = [&](std::uint8_t v) { return std::all_of(slot.begin(), slot.end(), [v](std::uint8_t b) { return b == v; }); };
  if (all(0x00) || all(0xFF)) return true;
  return parse_descriptor(slot).status() != Status::kNotFound;  // an earlier stamp, valid or not
}

}  // namespace

std::array<std::uint8_t, 20> default_build_id(std::span<const std::uint8_t> image) {
  std::vector<std::uint8_t> copy(image.begin(), image.end());
  if (copy.size() >= kMinImageSize) {
    std::fill_n(copy.begin() + kDescriptorOffset, kDescriptorSize, std::uint8_t{0});
  }
  const auto digest = crypto::sha256(copy);
  std::array<std::uint8_t, 20> id{};
  std::copy_n(digest.begin(), id.size(), id.begin());
  return id;
}

std::vector<std::uint8_t> stamp_image(std::span<const std::uint8_t> image, const StampOptions& options) {
  if (image.size() < kMinImageSize) {
    throw ImageFileError("image is " + std::to_string(image.size()) + " bytes; it must be at least " +
                         std::to_string(kMinImageSize) + " to hold the descriptor at 0x200");
  }
  if (image.size() > UINT32_MAX) throw ImageFileError("image larger than 4 GiB");
  const auto slot = image.subspan(kDescriptorOffset, kDescriptorSize);
  if (!options.force && !slot_reserved(slot)) {
    throw ImageFileError(
        "bytes 0x200-0x233 hold neither a blank slot nor a descriptor: the firmware does not reserve the "
        "descriptor slot (see docs/image-format.md); --force overwrites them anyway");
  }
  Descriptor d;
  d.version = options.version;
  d.hardware_id = options.hardware_id;
  d.image_size = static_cast<std::uint32_t>(image.size());
  d.min_version = options.min_version;
  d.flags = options.flags;
  d.build_id = options.build_id ? *options.build_id : default_build_id(image);
  std::vector<std::uint8_t> out(image.begin(), image.end());
  serialize_descriptor(d, std::span<std::uint8_t, kDescriptorSize>(out.data() + kDescriptorOffset, kDescriptorSize));
  return out;
}

std::array<std::uint8_t, 20> parse_build_id(std::string_view hex) {
  if (hex.empty() || hex.size() > 40 || hex.size() % 2 != 0) {
    throw std::invalid_argument("build id must be 2 to 40 hex digits (an even number)");
  }
  std::array<std::uint8_t, 20> id{};
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned value = 0;
    for (std::size_t j = i; j < i + 2; ++j) {
      const char c = hex[j];
      unsigned nibble = 0;
      if (c >= '0' && c <= '9') nibble = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') nibble = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') nibble = static_cast<unsigned>(c - 'A' + 10);
      else throw std::invalid_argument(std::string("build id: '") + c + "' is not a hex digit");
      value = value << 4 | nibble;
    }
    id[i / 2] = static_cast<std::uint8_t>(value);
  }
  return id;
}

Result<Descriptor> descriptor_of(std::span<const std::uint8_t> image) {
  if (image.size() < kDescriptorOffset + 4) return Status::kNotFound;
  return parse_descriptor(image.subspan(kDescriptorOffset));
}

std::string explain_descriptor_error(Status status) {
  switch (status) {
    case Status::kNotFound:
      return "no image descriptor at 0x200 (magic \"OTTR\" missing): stamp the firmware with `otter stamp`";
    case Status::kUnsupported:
      return "image descriptor has an unsupported format version: this otter is too old for the image";
    case Status::kMalformed:
      return "image descriptor is malformed (wrong descriptor size or impossible image size)";
    case Status::kOutOfRange:
      return "image is truncated inside its descriptor";
    case Status::kCorrupt:
      return "image descriptor is corrupt (CRC-32 mismatch): the image was modified after stamping";
    default:
      return std::string("image descriptor unreadable: ") + to_string(status);
  }
}

std::string board_label(std::uint32_t hardware_id) {
  if (const Board* board = find_board(hardware_id)) return std::string(board->name);
  char text[40];
  std::snprintf(text, sizeof(text), "unknown board 0x%08x", hardware_id);
  return text;
}

}  // namespace otter::image
