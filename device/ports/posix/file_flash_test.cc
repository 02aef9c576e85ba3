#include "otter/ports/posix/file_flash.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

namespace otter::ports::posix {
namespace {

const flash::Geometry kGeometry{.size = 64 * 1024, .erase_size = 4096, .program_size = 1, .program_page = 256};

std::filesystem::path temp_file(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / ("otter-file-flash-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::filesystem::remove(path);
  return path;
}

TEST(FileFlash, KeepsWhatWasProgrammedAcrossReopening) {
  const auto path = temp_file("persist.flash");
  std::string error;
  const std::uint8_t data[] = {1, 2, 3, 4};
  {
    auto f = FileFlash::open(path, kGeometry, error);
    ASSERT_NE(f, nullptr) << error;
    ASSERT_EQ(f->program(4096, data), Status::kOk);
  }
  auto f = FileFlash::open(path, kGeometry, error);
  ASSERT_NE(f, nullptr) << error;
  std::uint8_t back[4] = {};
  ASSERT_EQ(f->read(4096, back), Status::kOk);
  EXPECT_EQ(std::memcmp(back, data, 4), 0);
}

TEST(FileFlash, RefusesToProgramOverUnerasedBytes) {
  std::string error;
  auto f = FileFlash::open(temp_file("nor.flash"), kGeometry, error);
  const std::uint8_t data[] = {0x0F};
  ASSERT_EQ(f->program(10, data), Status::kOk);
  EXPECT_EQ(f->program(10, data), Status::kNotErased);
  ASSERT_EQ(f->erase(0, 4096), Status::kOk);
  EXPECT_EQ(f->program(10, data), Status::kOk);
}

TEST(FileFlash, RefusesAFileOfAnotherSize) {
  const auto path = temp_file("size.flash");
  std::string error;
  { ASSERT_NE(FileFlash::open(path, kGeometry, error), nullptr); }
  flash::Geometry bigger = kGeometry;
  bigger.size *= 2;
  EXPECT_EQ(FileFlash::open(path, bigger, error), nullptr);
  EXPECT_NE(error.find("delete it"), std::string::npos);
}

TEST(FileFlash, EnforcesAlignmentAndPages) {
  std::string error;
  auto f = FileFlash::open(temp_file("align.flash"), kGeometry, error);
  std::vector<std::uint8_t> data(16, 0);
  EXPECT_EQ(f->program(250, data), Status::kInvalidArgument);  // crosses a page
  EXPECT_EQ(f->erase(100, 4096), Status::kMisaligned);
  EXPECT_EQ(f->read(64 * 1024 - 2, data), Status::kOutOfRange);
}

}  // namespace
}  // namespace otter::ports::posix
