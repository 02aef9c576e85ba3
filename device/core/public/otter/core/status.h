// Status codes shared by all device modules. Every fallible device function
// returns a Status or a Result<T>; there are no exceptions on the device.
#pragma once

#include <cstdint>

namespace otter {

enum class [[nodiscard]] Status : std::uint8_t {
  kOk = 0,
  kInvalidArgument,    // caller passed something that can never work
  kOutOfRange,         // offset/length/index outside the valid area
  kBufferTooSmall,     // output does not fit the caller's buffer
  kMalformed,          // input does not parse (JSON, CBOR, DER, base64, ...)
  kUnsupported,        // well-formed but not something we implement
  kNotFound,
  kAlreadyExists,
  kBusy,
  kTimeout,
  kIoError,            // the flash/transport reported a failure
  kMisaligned,         // flash access not on the device's write/erase unit
  kNotErased,          // NOR program over bits that are not erased
  kCorrupt,            // stored data fails its integrity check
  kDigestMismatch,     // image SHA-256 differs from the expected one
  kBadSignature,       // signature does not verify with the provisioned key
  kBadKey,             // provisioned key/certificate unusable
  kWrongBoard,         // image built for another hardware id
  kDowngrade,          // image version not newer than allowed
  kTooLarge,           // image larger than the destination area
  kAborted,
  kInternal,
};

// Short, stable, human-readable name ("ok", "bad signature", ...).
const char* to_string(Status status);

inline constexpr bool is_ok(Status status) { return status == Status::kOk; }

}  // namespace otter

// Propagates a non-ok Status from the current function.
#define OTTER_TRY(expr)                                   \
  do {                                                    \
    const ::otter::Status otter_try_status_ = (expr);     \
    if (otter_try_status_ != ::otter::Status::kOk) {      \
      return otter_try_status_;                           \
    }                                                     \
  } while (false)
