// On-target check under QEMU (mps2-an386, a Cortex-M4): verifies an image
// signed by the openssl CLI with the same device code and mbedTLS build that
// ships, reading the image through a FlashDevice in 256-byte chunks, and
// measures what verification really uses: peak stack (painted stack) and the
// smallest crypto heap that works. The files come from the host through
// semihosting (qemu_verify.sh prepares them).
#include <cstring>

#include "otter/image/crypto_heap.h"
#include "otter/image/image.h"
#include "otter/ports/semihosting.h"

namespace sh = otter::semihosting;

extern "C" std::uint32_t _ebss;

namespace {

// A host file seen as flash: every read is a semihosting seek + read.
class HostFileFlash : public otter::flash::FlashDevice {
 public:
  explicit HostFileFlash(int handle) : handle_(handle), size_(static_cast<std::uint32_t>(sh::file_length(handle))) {}
  otter::flash::Geometry geometry() const override { return {size_, 0, 1, 0, 0xFF, false}; }
  otter::Status read(std::uint32_t address, std::span<std::uint8_t> out) override {
    if (!sh::seek(handle_, address) || sh::read(handle_, out.data(), out.size()) != 0) return otter::Status::kIoError;
    return otter::Status::kOk;
  }
  otter::Status program(std::uint32_t, std::span<const std::uint8_t>) override { return otter::Status::kUnsupported; }
  otter::Status erase(std::uint32_t, std::uint32_t) override { return otter::Status::kUnsupported; }
  static void operator delete(void*, std::size_t) {}  // never heap-allocated

 private:
  int handle_;
  std::uint32_t size_;
};

std::uint8_t g_file[2048];

// Reads a whole small host file into g_file.
std::span<const std::uint8_t> load(const char* path) {
  const int h = sh::open(path, sh::OpenMode::kReadBinary);
  if (h < 0) return {};
  const long n = sh::file_length(h);
  if (n <= 0 || static_cast<std::size_t>(n) > sizeof(g_file) || sh::read(h, g_file, static_cast<std::size_t>(n)) != 0) {
    sh::close(h);
    return {};
  }
  sh::close(h);
  return {g_file, static_cast<std::size_t>(n)};
}

void print(const char* text) { sh::write(text); }

// printf would pull newlib's allocating stdio into the image.
void print(std::size_t value) {
  char digits[12];
  char* p = digits + sizeof(digits) - 1;
  *p = '\0';
  do {
    *--p = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  sh::write(p);
}

constexpr std::uint8_t kPaint = 0xA5;

std::uintptr_t stack_pointer() {
  std::uintptr_t sp;
  asm volatile("mov %0, sp" : "=r"(sp));
  return sp;
}

// Paints the free stack below the caller, returns the painted top.
__attribute__((noinline)) std::uintptr_t paint_stack() {
  const std::uintptr_t top = stack_pointer() - 64;
  auto* p = reinterpret_cast<volatile std::uint8_t*>(&_ebss);
  while (reinterpret_cast<std::uintptr_t>(p) < top) *p++ = kPaint;
  return top;
}

std::size_t stack_used(std::uintptr_t top) {
  auto* p = reinterpret_cast<const volatile std::uint8_t*>(&_ebss);
  while (reinterpret_cast<std::uintptr_t>(p) < top && *p == kPaint) ++p;
  return top - reinterpret_cast<std::uintptr_t>(p);
}

std::uint8_t g_heap_probe[otter::image::kCryptoHeapSize];

// noinline here and below: with link-time optimization an inlined callee's
// frame would be part of main's, above the painted stack, and go uncounted.
__attribute__((noinline)) bool verify_file(const char* image_path, std::span<const std::uint8_t> signature, const otter::image::PublicKey& key,
                 otter::Status expected, const char* what) {
  const int h = sh::open(image_path, sh::OpenMode::kReadBinary);
  if (h < 0) {
    print("cannot open image\n");
    return false;
  }
  HostFileFlash flash(h);
  const otter::flash::Partition area(flash, 0, flash.geometry().size, "staging");
  const otter::Status status = otter::image::verify_image(area, area.size(), signature, key);
  sh::close(h);
  print(what);
  print(": ");
  print(otter::to_string(status));
  print(" (expected ");
  print(otter::to_string(expected));
  print(")\n");
  return status == expected;
}

__attribute__((noinline)) otter::Result<otter::image::PublicKey> parse_key(std::span<const std::uint8_t> pem) {
  return otter::image::parse_public_key(pem);
}

}  // namespace

int main() {
  std::uint8_t signature[otter::image::kMaxSignatureSize];
  const auto sig_file = load("image.sig.der");
  if (sig_file.empty() || sig_file.size() > sizeof(signature)) {
    print("cannot read image.sig.der\n");
    return 1;
  }
  std::memcpy(signature, sig_file.data(), sig_file.size());
  const std::span<const std::uint8_t> sig(signature, sig_file.size());

  const std::uintptr_t painted = paint_stack();
  const auto key = parse_key(load("cert.pem"));
  const std::size_t parse_stack = stack_used(painted);
  if (!key.ok()) {
    print("certificate rejected\n");
    return 1;
  }
  bool ok = true;
  const std::uintptr_t painted2 = paint_stack();
  ok &= verify_file("image.bin", sig, *key, otter::Status::kOk, "signed image");
  const std::size_t verify_stack = stack_used(painted2);
  ok &= verify_file("tampered.bin", sig, *key, otter::Status::kBadSignature, "tampered image");
  ok &= verify_file("truncated.bin", sig, *key, otter::Status::kBadSignature, "truncated image");

  // Smallest crypto heap that verifies, on this target's allocator layout.
  std::size_t minimum = 0;
  const auto digest_file = load("image.sha256");
  otter::image::Digest digest{};
  if (digest_file.size() == digest.size()) std::memcpy(digest.data(), digest_file.data(), digest.size());
  for (std::size_t size = 1024; size <= sizeof(g_heap_probe); size += 32) {
    otter::image::crypto_init(std::span<std::uint8_t>(g_heap_probe, size));
    if (otter::image::verify_digest(*key, digest, sig) == otter::Status::kOk) {
      minimum = size;
      break;
    }
  }
  otter::image::crypto_init();
  ok &= minimum != 0 && minimum + minimum / 8 <= otter::image::kCryptoHeapSize;  // headroom

  print("stack: parse_public_key ");
  print(parse_stack);
  print(" B, verify_image ");
  print(verify_stack);
  print(" B; crypto heap: smallest working ");
  print(minimum);
  print(" B of ");
  print(otter::image::kCryptoHeapSize);
  print(" B\n");
  print(ok ? "PASS\n" : "FAIL\n");
  return ok ? 0 : 1;
}
