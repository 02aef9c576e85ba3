// The agent's view of the bootloader and image verification. The production
// implementation (BootControlBootloader, otter_agent_boot) forwards to
// otter::boot::BootControl and otter::image; the interface keeps the agent's
// own footprint measurable apart from mbedTLS and the bootloader.
#pragma once

#include <cstdint>
#include <span>

#include "otter/boot/boot_control.h"
#include "otter/core/result.h"
#include "otter/image/image.h"

namespace otter::agent {

class Bootloader {
 public:
  virtual ~Bootloader() = default;
  virtual std::uint32_t hardware_id() const = 0;
  // Descriptor of the image in the staging partition (read at kDescriptorOffset).
  virtual Result<image::Descriptor> read_staged_descriptor() = 0;
  // SHA-256 over the first `size` bytes of staging, then the signature check
  // with the provisioned code-signing key. kOk or kBadSignature / kMalformed.
  virtual Status verify_staged(std::uint32_t size, std::span<const std::uint8_t> signature, image::Digest& digest) = 0;
  virtual Status request_install(const boot::InstallRequest& request) = 0;
  virtual Result<boot::BootStatus> status() = 0;
  virtual Status confirm() = 0;
  virtual Status reject(Status reason) = 0;
};

}  // namespace otter::agent
