#include "otter/boards/board_profile.h"

#include <gtest/gtest.h>

#include <vector>

#include "otter/image/board.h"

namespace otter::boards {
namespace {

std::vector<std::pair<const char*, Area>> areas(const BoardProfile& b) {
  return {{"bootloader", b.bootloader}, {"app", b.app},           {"kv_store", b.kv_store},
          {"boot_state", b.boot_state}, {"staging", b.staging},   {"download", b.download},
          {"backup", b.backup},         {"public_key", b.public_key}};
}

const MemorySpec& memory(const BoardProfile& b, const Area& a) {
  return a.memory == Memory::kInternal ? b.internal : b.external;
}

TEST(BoardProfile, EveryBoardIsFoundByNameAndHardwareId) {
  for (const char* name : {"numaker-iot-m487", "numaker-pfm-m487", "numaker-m2354"}) {
    const BoardProfile* b = find_board(name);
    ASSERT_NE(b, nullptr) << name;
    EXPECT_EQ(find_board(b->hardware_id), b);
    // Same ids as the image descriptor's board table.
    ASSERT_NE(image::find_board(name), nullptr);
    EXPECT_EQ(image::find_board(name)->hardware_id, b->hardware_id);
  }
  EXPECT_EQ(find_board("numaker-unknown"), nullptr);
}

TEST(BoardProfile, AreasAreAlignedInsideTheirMemoryAndDoNotOverlap) {
  for (const BoardProfile& b : all_boards()) {
    const auto list = areas(b);
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto& [name, a] = list[i];
      const flash::Geometry g = memory(b, a).geometry;
      ASSERT_GT(a.size, 0u) << b.name << " " << name;
      EXPECT_LE(static_cast<std::uint64_t>(a.offset) + a.size, g.size) << b.name << " " << name;
      const std::uint32_t unit = g.erase_size != 0 ? g.erase_size : g.program_size;
      EXPECT_EQ(a.offset % unit, 0u) << b.name << " " << name;
      EXPECT_EQ(a.size % unit, 0u) << b.name << " " << name;
      for (std::size_t j = i + 1; j < list.size(); ++j) {
        const auto& [other_name, o] = list[j];
        if (o.memory != a.memory) continue;
        const bool disjoint = a.offset + a.size <= o.offset || o.offset + o.size <= a.offset;
        EXPECT_TRUE(disjoint) << b.name << ": " << name << " overlaps " << other_name;
      }
    }
  }
}

TEST(BoardProfile, BootStateHasTwoEraseUnitsOfInternalFlashAndDownloadTwoUnitsOfStagingStorage) {
  for (const BoardProfile& b : all_boards()) {
    EXPECT_EQ(b.boot_state.memory, Memory::kInternal) << b.name;
    EXPECT_GE(b.boot_state.size / b.internal.geometry.erase_size, 2u) << b.name;
    EXPECT_EQ(b.download.memory, b.staging.memory) << b.name;
    const std::uint32_t unit = b.external.geometry.erase_size != 0 ? b.external.geometry.erase_size : 4096;
    EXPECT_GE(b.download.size, 2 * unit) << b.name;
  }
}

TEST(BoardProfile, StagingAndBackupHoldAnyImageTheAppAreaCanRun) {
  for (const BoardProfile& b : all_boards()) {
    EXPECT_GE(b.staging.size, b.app.size) << b.name;
    EXPECT_GE(b.backup.size, b.app.size) << b.name;
  }
}

TEST(BoardProfile, M487KeepsTheSeedsMemoryMap) {
  for (const char* name : {"numaker-iot-m487", "numaker-pfm-m487"}) {
    const BoardProfile& b = *find_board(name);
    EXPECT_EQ(b.internal.geometry.size, 512u * 1024);
    EXPECT_EQ(b.internal.geometry.erase_size, 4096u);
    EXPECT_EQ(b.app.offset, 0x0u);
    EXPECT_EQ(b.app.size, 0x68000u);
    EXPECT_EQ(b.kv_store.offset, 0x68000u);
    EXPECT_EQ(b.boot_state.offset, 0x70000u);  // the seed's header + signature pages
    EXPECT_EQ(b.bootloader.offset, 0x72000u);  // the seed's Cloner
    EXPECT_EQ(b.external.geometry.size, 4u * 1024 * 1024);
    EXPECT_EQ(b.external.geometry.program_page, 256u);
    EXPECT_EQ(b.staging.offset, 0x0u);
    EXPECT_EQ(b.staging.size, 0x80000u);
    EXPECT_EQ(b.backup.offset, 0x81000u);
    EXPECT_EQ(b.default_mode, boot::Mode::kBackup);
  }
}

TEST(BoardProfile, M2354StagesOnAnSdCard) {
  const BoardProfile& b = *find_board("numaker-m2354");
  EXPECT_EQ(b.internal.geometry.size, 1024u * 1024);
  EXPECT_EQ(b.external.kind, MemoryKind::kSdCard);
  EXPECT_FALSE(b.external.geometry.needs_erase);
  EXPECT_EQ(b.external.geometry.program_size, 512u);
  EXPECT_EQ(b.default_mode, boot::Mode::kSdStaging);
}

}  // namespace
}  // namespace otter::boards
