// Stamping the descriptor into a raw firmware binary (what `otter stamp` does
// after the firmware build, replacing the seed's APP_VERSION_* constants as
// the source of the version), and reading it back.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "otter/image/image.h"

namespace otter::image {

struct StampOptions {
  Version version;
  std::uint32_t hardware_id = 0;
  std::uint32_t min_version = 0;
  std::uint32_t flags = 0;
  // Default: the first 20 bytes of SHA-256 over the image with its descriptor
  // slot zeroed, so the same build always gets the same id.
  std::optional<std::array<std::uint8_t, 20>> build_id;
  // Overwrite the slot even when it holds something that is neither blank
  // (all 0x00 / all 0xFF) nor an old descriptor.
  bool force = false;
};

// A copy of `image` with the descriptor written at kDescriptorOffset. Throws
// ImageFileError when the image is too small or its slot is not reserved.
std::vector<std::uint8_t> stamp_image(std::span<const std::uint8_t> image, const StampOptions& options);

std::array<std::uint8_t, 20> default_build_id(std::span<const std::uint8_t> image);

// "0123..." (up to 40 hex digits, right-padded with zeros). Throws
// std::invalid_argument on other text.
std::array<std::uint8_t, 20> parse_build_id(std::string_view hex);

// The descriptor of a whole image file (kNotFound when shorter than
// kMinImageSize or without a descriptor).
Result<Descriptor> descriptor_of(std::span<const std::uint8_t> image);

// What a descriptor error means and what to do about it.
std::string explain_descriptor_error(Status status);

// "numaker-iot-m487" or "unknown board 0x12345678".
std::string board_label(std::uint32_t hardware_id);

}  // namespace otter::image
