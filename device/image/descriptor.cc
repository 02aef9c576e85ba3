// Image descriptor: the fixed little-endian record at kDescriptorOffset.
#include "otter/core/crc32.h"
#include "otter/image/image.h"

namespace otter::image {
namespace {

constexpr std::size_t kCrcOffset = kDescriptorSize - 4;

std::uint32_t load32(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
         static_cast<std::uint32_t>(b[at + 2]) << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24;
}
std::uint16_t load16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | b[at + 1] << 8);
}
void store32(std::span<std::uint8_t> b, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void store16(std::span<std::uint8_t> b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v);
  b[at + 1] = static_cast<std::uint8_t>(v >> 8);
}

}  // namespace

Result<Descriptor> parse_descriptor(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 4 || load32(bytes, 0) != kDescriptorMagic) return Status::kNotFound;
  if (bytes.size() < 8) return Status::kOutOfRange;
  if (load16(bytes, 4) != kDescriptorFormatVersion) return Status::kUnsupported;
  if (load16(bytes, 6) != kDescriptorSize) return Status::kMalformed;
  if (bytes.size() < kDescriptorSize) return Status::kOutOfRange;
  if (crc32(bytes.first(kCrcOffset)) != load32(bytes, kCrcOffset)) return Status::kCorrupt;

  Descriptor d;
  d.version = Version::decode(load32(bytes, 8));
  d.hardware_id = load32(bytes, 12);
  d.image_size = load32(bytes, 16);
  d.min_version = load32(bytes, 20);
  d.flags = load32(bytes, 24);
  for (std::size_t i = 0; i < d.build_id.size(); ++i) d.build_id[i] = bytes[28 + i];
  // A descriptor claiming an image too small to contain itself was not
  // written by a correct stamping tool.
  if (d.image_size < kMinImageSize) return Status::kMalformed;
  return d;
}

void serialize_descriptor(const Descriptor& d, std::span<std::uint8_t, kDescriptorSize> out) {
  store32(out, 0, kDescriptorMagic);
  store16(out, 4, kDescriptorFormatVersion);
  store16(out, 6, kDescriptorSize);
  store32(out, 8, d.version.encoded());
  store32(out, 12, d.hardware_id);
  store32(out, 16, d.image_size);
  store32(out, 20, d.min_version);
  store32(out, 24, d.flags);
  for (std::size_t i = 0; i < d.build_id.size(); ++i) out[28 + i] = d.build_id[i];
  store32(out, kCrcOffset, crc32(std::span<const std::uint8_t>(out.data(), kCrcOffset)));
}

Result<Descriptor> read_descriptor(const flash::Partition& area) {
  std::uint8_t bytes[kDescriptorSize];
  OTTER_TRY(area.read(kDescriptorOffset, bytes));
  return parse_descriptor(bytes);
}

Status check_descriptor(const Descriptor& descriptor, std::uint32_t hardware_id, std::uint32_t file_size) {
  if (descriptor.hardware_id != hardware_id) return Status::kWrongBoard;
  if (descriptor.image_size != file_size) return Status::kCorrupt;
  return Status::kOk;
}

}  // namespace otter::image
