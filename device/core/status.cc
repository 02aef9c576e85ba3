#include "otter/core/status.h"

namespace otter {

const char* to_string(Status status) {
  switch (status) {
    case Status::kOk: return "ok";
    case Status::kInvalidArgument: return "invalid argument";
    case Status::kOutOfRange: return "out of range";
    case Status::kBufferTooSmall: return "buffer too small";
    case Status::kMalformed: return "malformed input";
    case Status::kUnsupported: return "unsupported";
    case Status::kNotFound: return "not found";
    case Status::kAlreadyExists: return "already exists";
    case Status::kBusy: return "busy";
    case Status::kTimeout: return "timeout";
    case Status::kIoError: return "i/o error";
    case Status::kMisaligned: return "misaligned flash access";
    case Status::kNotErased: return "program over non-erased flash";
    case Status::kCorrupt: return "corrupt data";
    case Status::kDigestMismatch: return "digest mismatch";
    case Status::kBadSignature: return "bad signature";
    case Status::kBadKey: return "bad key";
    case Status::kWrongBoard: return "wrong board";
    case Status::kDowngrade: return "downgrade refused";
    case Status::kTooLarge: return "image too large";
    case Status::kAborted: return "aborted";
    case Status::kInternal: return "internal error";
  }
  return "unknown status";
}

}  // namespace otter
