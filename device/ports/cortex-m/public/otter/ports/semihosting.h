// ARM semihosting calls (bkpt 0xAB) for Cortex-M images run under QEMU or a
// debugger: console output, host files and exit status.
#pragma once

#include <cstddef>
#include <cstdint>

namespace otter::semihosting {

void write(const char* text);          // NUL-terminated, to the host console
void write(const char* data, std::size_t size);
[[noreturn]] void exit(bool success);  // ends the QEMU run; status 0 or 1

enum class OpenMode : std::uint32_t { kReadBinary = 1, kReadWriteBinary = 3 /* "r+b" */, kWriteBinary = 5 };
// Returns a host file handle or -1.
int open(const char* path, OpenMode mode);
bool close(int handle);
// Returns the number of bytes NOT transferred (0 = all), as semihosting does.
std::size_t read(int handle, void* data, std::size_t size);
std::size_t write(int handle, const void* data, std::size_t size);
bool seek(int handle, std::size_t offset);
long file_length(int handle);

}  // namespace otter::semihosting
