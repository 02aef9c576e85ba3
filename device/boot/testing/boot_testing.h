// Host-only support for the bootloader's tests, the power-cut replay and the
// install benchmark: signed test images (OpenSSL), and a simulated board with
// its boot layout and the steps of an update (factory image, staging as the
// agent leaves it, running the bootloader).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "otter/boards/board_profile.h"
#include "otter/boot/boot_control.h"
#include "otter/image/image.h"
#include "otter/sim/board_flash.h"

namespace otter::boot::testing {

// A P-256 code-signing key (generated per instance).
class Signer {
 public:
  Signer();
  ~Signer();
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  const image::PublicKey& public_key() const { return public_key_; }
  // DER ECDSA signature over `digest`.
  std::vector<std::uint8_t> sign(const image::Digest& digest) const;

 private:
  struct Key;
  std::unique_ptr<Key> key_;
  image::PublicKey public_key_;
};

image::Digest sha256(std::span<const std::uint8_t> bytes);

struct ImageSpec {
  std::uint32_t hardware_id = 0;
  Version version;
  std::uint32_t min_version = 0;
  std::uint32_t size = 16 * 1024;
  std::uint64_t seed = 1;  // content
};

// An image of `spec.size` pseudo-random bytes with a valid descriptor.
std::vector<std::uint8_t> make_image(const ImageSpec& spec);

// A simulated board with Otter's layout on it.
class TestBoard {
 public:
  TestBoard(const boards::BoardProfile& profile, Mode mode, std::uint64_t seed = 1);

  sim::BoardFlash& flash() { return flash_; }
  const Layout& layout() const { return layout_; }
  Signer& signer() { return *signer_; }

  // Writes `image` into app as the factory does (not flash operations).
  void factory_install(std::span<const std::uint8_t> image);
  // Writes `image` into staging as a finished download (not flash operations).
  void stage(std::span<const std::uint8_t> image);
  // What the agent hands over for `image`, signed by signer() (or by `other`).
  InstallRequest request_for(std::span<const std::uint8_t> image, const Signer* other = nullptr) const;

  BootControl control() { return BootControl(layout_, signer_->public_key()); }
  Result<BootStatus> boot() { return run_bootloader(layout_, signer_->public_key()); }
  // Restores power and runs the bootloader until it returns a bootable state
  // (a reboot after every failure), at most `attempts` times.
  Result<BootStatus> boot_until_bootable(int attempts = 4);

  // SHA-256 of the first `size` bytes of app, read without flash operations.
  image::Digest app_digest(std::uint32_t size);

 private:
  sim::BoardFlash flash_;
  Layout layout_;
  std::unique_ptr<Signer> signer_;
};

}  // namespace otter::boot::testing
