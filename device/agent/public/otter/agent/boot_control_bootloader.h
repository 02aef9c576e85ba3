// The production Bootloader for the agent: otter::boot::BootControl for the
// install/confirm/reject state, otter::image for descriptor and signature.
#pragma once

#include "otter/agent/bootloader.h"
#include "otter/boot/boot_control.h"

namespace otter::agent {

class BootControlBootloader final : public Bootloader {
 public:
  // `layout` and `key` must outlive this object.
  BootControlBootloader(const boot::Layout& layout, const image::PublicKey& key)
      : layout_(layout), key_(key), control_(layout, key) {}

  std::uint32_t hardware_id() const override { return layout_.hardware_id; }
  Result<image::Descriptor> read_staged_descriptor() override { return image::read_descriptor(layout_.staging); }
  Status verify_staged(std::uint32_t size, std::span<const std::uint8_t> signature, image::Digest& digest) override {
    return image::verify_image(layout_.staging, size, signature, key_, &digest);
  }
  Status request_install(const boot::InstallRequest& request) override { return control_.request_install(request); }
  Result<boot::BootStatus> status() override { return control_.status(); }
  Status confirm() override { return control_.confirm(); }
  Status reject(Status reason) override { return control_.reject(reason); }

 private:
  const boot::Layout& layout_;
  const image::PublicKey& key_;
  boot::BootControl control_;
};

}  // namespace otter::agent
