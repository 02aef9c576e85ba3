#include "otter/firmware/image_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "test_images.h"

namespace otter::firmware {
namespace {

using testing::TempDir;

std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

TEST(ImageFiles, StoresUnderTheSha256OfTheContent) {
  TempDir dir;
  ImageFiles files(dir.path() / "firmware");
  const std::string digest = files.put(bytes_of("abc"));
  // FIPS 180-2 test vector for "abc".
  EXPECT_EQ(digest, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(files.contains(digest));
  EXPECT_EQ(files.read(digest), bytes_of("abc"));
  EXPECT_TRUE(std::filesystem::is_regular_file(dir.path() / "firmware" / (digest + ".bin")));
}

TEST(ImageFiles, StoringTheSameBytesTwiceKeepsOneFile) {
  TempDir dir;
  ImageFiles files(dir.path());
  EXPECT_EQ(files.put(bytes_of("same")), files.put(bytes_of("same")));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(ImageFiles, LeavesNoTemporaryFilesBehind) {
  TempDir dir;
  ImageFiles files(dir.path());
  files.put(bytes_of("one"));
  files.put(bytes_of("two"));
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_TRUE(is_sha256_hex(entry.path().stem().string())) << entry.path();
  }
}

TEST(ImageFiles, RefusesADigestThatIsNotSixtyFourHexDigits) {
  TempDir dir;
  ImageFiles files(dir.path());
  EXPECT_THROW(files.path_of("../../etc/passwd"), std::invalid_argument);
  EXPECT_THROW(files.path_of(std::string(64, 'G')), std::invalid_argument);
  EXPECT_FALSE(files.contains("../x"));
}

TEST(ImageFiles, ReadingAnAbsentDigestThrows) {
  TempDir dir;
  ImageFiles files(dir.path());
  EXPECT_THROW(files.read(std::string(64, 'a')), std::runtime_error);
}

TEST(ImageFiles, RemoveDeletesTheFile) {
  TempDir dir;
  ImageFiles files(dir.path());
  const auto digest = files.put(bytes_of("gone"));
  files.remove(digest);
  EXPECT_FALSE(files.contains(digest));
}

}  // namespace
}  // namespace otter::firmware
