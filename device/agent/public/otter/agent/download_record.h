// The persisted state of one download: which blocks of the staged file are
// already in flash, so a reset, disconnect or broker restart resumes where it
// stopped. Power-fail safe with bounded write amplification (docs/agent.md,
// docs/staging-media.md):
//
// The `download` partition holds two log units (each one or more erase units).
// A unit starts with a snapshot (header + block bitmap, header written last, so
// a torn snapshot is simply invalid) followed by fixed-size "block i received"
// records, each with its own CRC, appended one per block. When a unit is full,
// the current bitmap is written as a new snapshot into the other unit with the
// next generation number; the highest valid generation wins at load. Nothing
// is ever erased-then-rewritten in place: a cut at any flash operation leaves
// either the old or the new state.
//
// On media without erase (SD cards: 512-byte blocks written in place) a unit
// is one snapshot slot and there are no records: each received block writes
// a whole new snapshot into the older slot, header block last. One 512-byte
// block write per received block up to 3,840 blocks (docs/staging-media.md).
#pragma once

#include <array>
#include <cstdint>

#include "otter/core/bitmap.h"
#include "otter/core/result.h"
#include "otter/flash/partition.h"

namespace otter::agent {

// Largest file in blocks the agent tracks (512 bytes of RAM for the bitmap):
// 1 MiB in 256-byte blocks, 8 MiB in 2 KiB blocks.
inline constexpr std::size_t kMaxBlocks = 4096;

// What a download is: a resumed record must match in every field.
struct DownloadIdentity {
  std::uint32_t job_hash = 0;  // CRC-32 over job id, stream, file id and signature
  std::uint32_t file_size = 0;
  std::uint32_t block_size = 0;
  friend bool operator==(const DownloadIdentity&, const DownloadIdentity&) = default;
};

class DownloadRecord {
 public:
  explicit DownloadRecord(const flash::Partition& area) : area_(area) {}

  // kOk if the partition can hold the record (two units; NOR with a program
  // unit <= 32 bytes, or a medium without erase, e.g. an SD card, with one
  // dividing 512 bytes), else kUnsupported / kTooLarge.
  Status check_geometry() const;

  // Loads the record of `identity` into `received` (sized to the block count):
  // kOk, or kNotFound when the stored record is absent or for another download.
  Status resume(const DownloadIdentity& identity, BitmapView received);
  // Starts a record whose current state is `received` (all clear for a new
  // download; a corrected bitmap to rebase an existing one).
  Status start(const DownloadIdentity& identity, const BitmapView& received);
  // Persists that `block` is in flash. `received` must already have the block
  // set: it is the snapshot written when the unit is full.
  Status mark(std::uint32_t block, const BitmapView& received);
  // Forgets the record (download finished, refused or superseded).
  Status clear();

  // Erase operations issued so far (for write-amplification figures).
  std::uint32_t erase_count() const { return erases_; }

 private:
  // The record's layout on the partition's medium, read by every public
  // operation (resume, start, clear) before it touches the flash.
  struct Layout {
    std::uint32_t unit = 0;     // bytes per log unit
    std::uint32_t slot = 0;     // bytes per record slot
    std::uint32_t program = 1;  // the medium's program unit
    std::uint8_t erased = 0xFF;
    bool nor = true;            // erase before program; per-block records
  };
  Status read_layout(Layout& layout) const;
  // A snapshot header's words (little-endian on flash, as on the targets).
  using HeaderWords = std::array<std::uint32_t, 8>;
  // Both units' headers as read, the unit holding the valid snapshot with
  // the highest generation (-1 when none) and that generation (0 when none).
  struct Snapshots {
    std::array<HeaderWords, 2> headers;  // unit 0's, unit 1's
    int newest;
    std::uint32_t generation;
  };
  Status load(Snapshots& snapshots);
  std::uint32_t records_offset(std::uint32_t block_count) const;
  // Leaves `unit_index` without a snapshot: erased on NOR; without erase, a
  // blank header written over the snapshot's.
  Status wipe(std::uint32_t unit_index);
  Status write_snapshot(std::uint32_t unit_index, std::uint32_t generation, const DownloadIdentity& identity,
                        const BitmapView& received);
  // Makes `unit_index` the active unit of this download, appending after its
  // snapshot (open_ is the caller's: set once the unit is fully loaded).
  void select(const DownloadIdentity& identity, std::uint32_t block_count, std::uint32_t unit_index,
              std::uint32_t generation);
  // Programs head[0, head_size) ++ tail up to `total` bytes.
  Status program_chunks(std::uint32_t offset, const std::uint8_t* head, std::uint32_t head_size,
                        const std::uint8_t* tail, std::uint32_t total);

  flash::Partition area_;
  Layout layout_{};
  DownloadIdentity identity_{};
  std::uint32_t block_count_ = 0;
  std::uint32_t active_unit_ = 0;
  std::uint32_t generation_ = 0;
  std::uint32_t next_slot_ = 0;  // offset inside the active unit
  bool open_ = false;
  std::uint32_t erases_ = 0;
};

}  // namespace otter::agent
