#include "otter/agent/download_record.h"

#include <array>
#include <bit>

#include "otter/core/crc32.h"

namespace otter::agent {

namespace {

constexpr std::uint32_t kSnapshotMagic = 0x5244544F;  // "OTDR"
constexpr std::uint32_t kBlockMagic = 0x4244544F;     // "OTDB"
constexpr std::uint32_t kHeaderSize = 32;
constexpr std::uint32_t kRecordSize = 16;
constexpr std::uint32_t kMaxProgramUnit = 32;  // NOR: a record is programmed on its own
constexpr std::uint32_t kMinUnit = 2048;  // snapshot of kMaxBlocks bits + room for records
// Media without erase (SD cards) write whole blocks of up to this size.
constexpr std::uint32_t kMaxBlockUnit = 512;

// The stored words are little-endian, as both targets (Cortex-M, x86 hosts)
// are: a word array is the stored byte layout, no byte-by-byte packing.
static_assert(std::endian::native == std::endian::little);

// The words of a snapshot header and of a block record, in their order.
enum HeaderWord : std::size_t { kMagic, kGeneration, kJobHash, kFileSize, kBlockSize, kBlockCount, kBitmapCrc, kHeaderCrc };
enum RecordWord : std::size_t { kRecordMagic, kRecordBlock, kRecordGeneration, kRecordCrc };
using HeaderWords = std::array<std::uint32_t, kHeaderSize / 4>;  // DownloadRecord::HeaderWords
using RecordWords = std::array<std::uint32_t, kRecordSize / 4>;
static_assert(sizeof(HeaderWords) == kHeaderSize);

template <std::size_t N>
std::span<std::uint8_t, N * 4> bytes_of(std::array<std::uint32_t, N>& words) {
  return std::span<std::uint8_t, N * 4>(reinterpret_cast<std::uint8_t*>(words.data()), N * 4);
}
// CRC-32 over all but the last word (which holds it).
template <std::size_t N>
std::uint32_t crc_of(std::array<std::uint32_t, N>& words) {
  return crc32(bytes_of(words).first((N - 1) * 4));
}

std::uint32_t align_up(std::uint32_t v, std::uint32_t a) { return (v + a - 1) / a * a; }

std::uint32_t bitmap_bytes(std::uint32_t blocks) { return (blocks + 7) / 8; }

}  // namespace

namespace {

bool valid_header(HeaderWords& w) {
  return w[kMagic] == kSnapshotMagic && crc_of(w) == w[kHeaderCrc] && w[kBlockCount] <= kMaxBlocks;
}

}  // namespace

// Reads the layout into layout_, then both units' headers.
Status DownloadRecord::load(Snapshots& s) {
  s.newest = -1;
  s.generation = 0;
  OTTER_TRY(read_layout(layout_));
  for (std::uint32_t u = 0; u < 2; ++u) {
    HeaderWords& h = s.headers[u];
    OTTER_TRY(area_.read(u * layout_.unit, bytes_of(h)));
    if (valid_header(h) && (s.newest < 0 || h[kGeneration] > s.generation)) {
      s.newest = static_cast<int>(u);
      s.generation = h[kGeneration];
    }
  }
  return Status::kOk;
}

// Reads the geometry once per operation: kOk and the record's layout on it,
// or why the partition cannot hold the record.
Status DownloadRecord::read_layout(Layout& l) const {
  const flash::Geometry g = area_.geometry();
  if (!area_.valid() || g.program_size == 0) return Status::kUnsupported;
  const std::uint32_t max_unit = g.needs_erase ? kMaxProgramUnit : kMaxBlockUnit;
  // (A program unit above max_unit leaves a remainder too.)
  if (max_unit % g.program_size != 0) return Status::kUnsupported;
  l.program = g.program_size;
  l.erased = g.erased_value;
  l.nor = g.needs_erase;
  if (g.needs_erase) {
    l.slot = align_up(kRecordSize, g.program_size);
    l.unit = align_up(kMinUnit, g.erase_size == 0 ? 1 : g.erase_size);
  } else {
    // Without erase semantics a unit is just one snapshot slot: the two slots
    // are written alternately, one full snapshot per received block. A record
    // slot as large as the unit leaves no room for records after the
    // snapshot, so every mark writes a snapshot.
    l.unit = l.slot = align_up(kHeaderSize + kMaxBlocks / 8, g.program_size);
  }
  if (l.unit > area_.size() / 2) return Status::kTooLarge;  // two units; unit * 2 could overflow
  return Status::kOk;
}

Status DownloadRecord::check_geometry() const {
  Layout l;
  return read_layout(l);
}

std::uint32_t DownloadRecord::records_offset(std::uint32_t block_count) const {
  return align_up(kHeaderSize + align_up(bitmap_bytes(block_count), kMaxProgramUnit), layout_.slot);
}

Status DownloadRecord::program_chunks(std::uint32_t offset, const std::uint8_t* head, std::uint32_t head_size,
                                      const std::uint8_t* tail, std::uint32_t total) {
  // head ++ tail, padded with the erased value, in chunks of 32 bytes on NOR
  // (aligned, so never across a page) or of one block on an SD card, the last
  // chunk first: the one holding the start (a snapshot's header, its commit)
  // is written last. The chunk buffer is on the stack for this call only.
  const std::uint32_t chunk = layout_.program > kMaxProgramUnit ? layout_.program : kMaxProgramUnit;
  std::array<std::uint8_t, kMaxBlockUnit> buffer;
  for (std::uint32_t start = (total - 1) / chunk * chunk;; start -= chunk) {
    const std::uint32_t n = total - start < chunk ? total - start : chunk;
    for (std::uint32_t i = 0; i < chunk; ++i) {
      const std::uint32_t at = start + i;
      buffer[i] = i >= n ? layout_.erased : at < head_size ? head[at] : tail[at - head_size];
    }
    OTTER_TRY(area_.program(offset + start, buffer.data(), align_up(n, layout_.program)));
    if (start == 0) return Status::kOk;
  }
}

Status DownloadRecord::wipe(std::uint32_t unit_index) {
  const std::uint32_t base = unit_index * layout_.unit;
  if (layout_.nor) {
    ++erases_;
    return area_.erase(base, layout_.unit);
  }
  std::array<std::uint8_t, kHeaderSize> blank;
  blank.fill(layout_.erased);
  return program_chunks(base, blank.data(), kHeaderSize, nullptr, kHeaderSize);
}

Status DownloadRecord::write_snapshot(std::uint32_t unit_index, std::uint32_t generation,
                                      const DownloadIdentity& identity, const BitmapView& received) {
  const std::uint32_t base = unit_index * layout_.unit;
  if (layout_.nor) OTTER_TRY(wipe(unit_index));  // (card blocks are overwritten in place)
  const auto count = static_cast<std::uint32_t>(received.size());
  const auto bits = received.bytes();
  HeaderWords header = {kSnapshotMagic, generation, identity.job_hash, identity.file_size,
                        identity.block_size, count,       crc32(bits),       0};
  header[kHeaderCrc] = crc_of(header);
  // The header goes last: it is the commit of the whole snapshot. On an SD
  // card it overwrites the older of the two slots: whatever a cut leaves
  // there is invalid or older, so the other slot stays current.
  OTTER_TRY(program_chunks(base, bytes_of(header).data(), kHeaderSize, bits.data(),
                           kHeaderSize + static_cast<std::uint32_t>(bits.size())));
  select(identity, count, unit_index, generation);
  open_ = true;
  return Status::kOk;
}

// Out of line: inlined into both callers (write_snapshot, resume) it costs
// more flash than the call.
[[gnu::noinline]] void DownloadRecord::select(const DownloadIdentity& identity, std::uint32_t block_count,
                                              std::uint32_t unit_index, std::uint32_t generation) {
  identity_ = identity;
  block_count_ = block_count;
  active_unit_ = unit_index;
  generation_ = generation;
  next_slot_ = records_offset(block_count);
}

Status DownloadRecord::resume(const DownloadIdentity& identity, BitmapView received) {
  open_ = false;
  Snapshots snapshots;
  OTTER_TRY(load(snapshots));
  const Layout& l = layout_;
  const int best_unit = snapshots.newest;
  if (best_unit < 0) return Status::kNotFound;
  const HeaderWords& best = snapshots.headers[static_cast<std::size_t>(best_unit)];
  if (best[kJobHash] != identity.job_hash || best[kFileSize] != identity.file_size ||
      best[kBlockSize] != identity.block_size || best[kBlockCount] != received.size())
    return Status::kNotFound;
  const std::uint32_t block_count = best[kBlockCount];
  const std::uint32_t generation = snapshots.generation;
  const std::uint32_t base = static_cast<std::uint32_t>(best_unit) * l.unit;
  const auto bits = received.bytes();
  OTTER_TRY(area_.read(base + kHeaderSize, bits));
  if (crc32(bits) != best[kBitmapCrc]) return Status::kNotFound;

  // Replay the block records after the snapshot. A torn record fails its CRC
  // and is skipped; appends continue after the last programmed slot.
  select(identity, block_count, static_cast<std::uint32_t>(best_unit), generation);
  std::uint32_t next = next_slot_;
  for (; next + l.slot <= l.unit; next += l.slot) {
    RecordWords rec;
    OTTER_TRY(area_.read(base + next, bytes_of(rec)));
    const std::uint32_t erased_word = l.erased * 0x01010101U;  // the erased value in every byte
    if (rec[0] == erased_word && rec[1] == erased_word && rec[2] == erased_word && rec[3] == erased_word) break;
    if (rec[kRecordMagic] != kBlockMagic || crc_of(rec) != rec[kRecordCrc]) continue;
    if (rec[kRecordGeneration] != generation || rec[kRecordBlock] >= block_count) continue;
    received.set(rec[kRecordBlock]);
  }
  next_slot_ = next;
  open_ = true;
  return Status::kOk;
}

Status DownloadRecord::start(const DownloadIdentity& identity, const BitmapView& received) {
  // Always into the other unit than the newest snapshot, with a higher
  // generation, so the previous state survives until the new header is written.
  Snapshots snapshots;
  OTTER_TRY(load(snapshots));
  if (received.size() > kMaxBlocks) return Status::kTooLarge;
  return write_snapshot(snapshots.newest == 0 ? 1 : 0, snapshots.generation + 1, identity, received);
}

Status DownloadRecord::mark(std::uint32_t block, const BitmapView& received) {
  if (!open_) return Status::kInvalidArgument;
  if (block >= block_count_) return Status::kOutOfRange;
  const Layout& l = layout_;
  // A slot that a cut left half-programmed cannot be programmed again: skip it.
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (next_slot_ + l.slot > l.unit) {
      OTTER_TRY(write_snapshot(1 - active_unit_, generation_ + 1, identity_, received));
      return Status::kOk;  // the snapshot already contains `block`
    }
    RecordWords rec = {kBlockMagic, block, generation_, 0};
    rec[kRecordCrc] = crc_of(rec);
    const std::uint32_t at = active_unit_ * l.unit + next_slot_;
    next_slot_ += l.slot;
    const Status s = program_chunks(at, bytes_of(rec).data(), kRecordSize, nullptr, kRecordSize);
    if (s != Status::kNotErased) return s;
  }
  return Status::kIoError;
}

Status DownloadRecord::clear() {
  // The older unit first: a cut between the two leaves at most the newest
  // snapshot, never an older one that would look current. Without erase, a
  // blank header is written over each snapshot instead.
  Snapshots snapshots;
  OTTER_TRY(load(snapshots));
  const std::uint32_t last = snapshots.newest < 0 ? 0 : static_cast<std::uint32_t>(snapshots.newest);
  for (const std::uint32_t u : {1 - last, last}) OTTER_TRY(wipe(u));
  open_ = false;
  generation_ = 0;
  return Status::kOk;
}

}  // namespace otter::agent
