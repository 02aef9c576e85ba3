#include "otter/firmware/firmware_image.h"

#include <cstdio>
#include <stdexcept>

#include "otter/core/status.h"
#include "otter/image/board.h"
#include "otter/image/image.h"

namespace otter::firmware {

ImageDescriptor read_image_descriptor(std::span<const std::uint8_t> image) {
  if (image.size() <= image::kDescriptorOffset) {
    throw std::invalid_argument("the file is " + std::to_string(image.size()) +
                                " bytes, too short to hold an Otter descriptor at 0x200");
  }
  const auto parsed = image::parse_descriptor(image.subspan(image::kDescriptorOffset));
  if (!parsed.ok()) {
    throw std::invalid_argument(std::string("no valid Otter descriptor at 0x200 (") + to_string(parsed.status()) + ")");
  }
  const image::Descriptor& d = parsed.value();
  if (d.image_size != image.size()) {
    throw std::invalid_argument("the descriptor declares " + std::to_string(d.image_size) + " bytes but the file has " +
                                std::to_string(image.size()));
  }
  ImageDescriptor out;
  char version[32];
  std::snprintf(version, sizeof(version), "%u.%u.%u", unsigned{d.version.major}, unsigned{d.version.minor},
                unsigned{d.version.build});
  out.version = version;
  out.version_encoded = d.version.encoded();
  out.hardware_id = d.hardware_id;
  if (const image::Board* board = image::find_board(d.hardware_id)) out.board = std::string(board->name);
  out.image_size = d.image_size;
  out.min_version = d.min_version;
  out.flags = d.flags;
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::uint8_t b : d.build_id) {
    out.build_id.push_back(kHex[b >> 4]);
    out.build_id.push_back(kHex[b & 0xF]);
  }
  return out;
}

}  // namespace otter::firmware
