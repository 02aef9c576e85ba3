#include "otter/ports/semihosting.h"

#include <cstring>

namespace otter::semihosting {

namespace {

enum Op : std::uint32_t {
  kSysOpen = 0x01, kSysClose = 0x02, kSysWrite0 = 0x04, kSysWrite = 0x05,
  kSysRead = 0x06, kSysSeek = 0x0A, kSysFlen = 0x0C, kSysExit = 0x18,
};
constexpr std::uint32_t kApplicationExit = 0x20026;  // ADP_Stopped_ApplicationExit
constexpr std::uint32_t kRunTimeErrorUnknown = 0x20023;

std::uint32_t call(std::uint32_t op, const void* arg) {
  register std::uint32_t r0 asm("r0") = op;
  register const void* r1 asm("r1") = arg;
  asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

}  // namespace

void write(const char* text) { call(kSysWrite0, text); }

// SYS_WRITE0 needs no host file handle, so longer output goes out in
// NUL-terminated chunks.
void write(const char* data, std::size_t size) {
  char chunk[65];
  while (size > 0) {
    const std::size_t n = size < 64 ? size : 64;
    std::memcpy(chunk, data, n);
    chunk[n] = '\0';
    call(kSysWrite0, chunk);
    data += n;
    size -= n;
  }
}

void exit(bool success) {
  call(kSysExit, reinterpret_cast<const void*>(static_cast<std::uintptr_t>(
                     success ? kApplicationExit : kRunTimeErrorUnknown)));
  for (;;) {
  }
}

int open(const char* path, OpenMode mode) {
  const std::uint32_t args[3] = {reinterpret_cast<std::uintptr_t>(path), static_cast<std::uint32_t>(mode),
                                 static_cast<std::uint32_t>(std::strlen(path))};
  return static_cast<int>(call(kSysOpen, args));
}

bool close(int handle) {
  const std::uint32_t args[1] = {static_cast<std::uint32_t>(handle)};
  return call(kSysClose, args) == 0;
}

std::size_t read(int handle, void* data, std::size_t size) {
  const std::uint32_t args[3] = {static_cast<std::uint32_t>(handle), reinterpret_cast<std::uintptr_t>(data),
                                 static_cast<std::uint32_t>(size)};
  return call(kSysRead, args);
}

std::size_t write(int handle, const void* data, std::size_t size) {
  const std::uint32_t args[3] = {static_cast<std::uint32_t>(handle), reinterpret_cast<std::uintptr_t>(data),
                                 static_cast<std::uint32_t>(size)};
  return call(kSysWrite, args);
}

bool seek(int handle, std::size_t offset) {
  const std::uint32_t args[2] = {static_cast<std::uint32_t>(handle), static_cast<std::uint32_t>(offset)};
  return call(kSysSeek, args) == 0;
}

long file_length(int handle) {
  const std::uint32_t args[1] = {static_cast<std::uint32_t>(handle)};
  return static_cast<long>(call(kSysFlen, args));
}

}  // namespace otter::semihosting

// C entry points for the C startup code.
extern "C" void otter_semihosting_exit(int success) { otter::semihosting::exit(success != 0); }
extern "C" void otter_semihosting_write0(const char* text) { otter::semihosting::write(text); }
