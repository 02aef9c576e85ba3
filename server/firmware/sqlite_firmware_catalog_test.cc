#include "otter/firmware/sqlite_firmware_catalog.h"

#include <gtest/gtest.h>

#include "test_images.h"

namespace otter::firmware {
namespace {

FirmwareImage sample(const std::string& id, std::int64_t created_at) {
  FirmwareImage image;
  image.id = id;
  image.sha256 = id;
  image.name = "fw-" + id + ".bin";
  image.size = 1234;
  image.descriptor = ImageDescriptor{"1.0.1", 0x01000001, 0x04871001, "numaker-iot-m487", 1234, 0, 0,
                                     std::string(40, '0')};
  image.signature = {0x30, 0x44, 0x02};
  image.signer_certificate_pem = "PEM";
  image.signer = "Signer";
  image.created_at = created_at;
  return image;
}

TEST(SqliteFirmwareCatalog, KeepsEveryFieldAcrossAReopen) {
  testing::TempDir dir;
  const auto file = dir.path() / "catalog.db";
  { SqliteFirmwareCatalog(file).save(sample("aa", 10)); }
  SqliteFirmwareCatalog catalog(file);
  const auto found = catalog.find("aa");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->name, "fw-aa.bin");
  EXPECT_EQ(found->signature, (std::vector<std::uint8_t>{0x30, 0x44, 0x02}));
  ASSERT_TRUE(found->descriptor.has_value());
  EXPECT_EQ(found->descriptor->board, "numaker-iot-m487");
  EXPECT_EQ(found->descriptor->hardware_id, 0x04871001u);
}

TEST(SqliteFirmwareCatalog, KeepsARawImageWithoutDescriptor) {
  testing::TempDir dir;
  SqliteFirmwareCatalog catalog(dir.path() / "catalog.db");
  auto image = sample("bb", 1);
  image.descriptor.reset();
  catalog.save(image);
  EXPECT_FALSE(catalog.find("bb")->descriptor.has_value());
}

TEST(SqliteFirmwareCatalog, ListsNewestFirstWithPaging) {
  testing::TempDir dir;
  SqliteFirmwareCatalog catalog(dir.path() / "catalog.db");
  catalog.save(sample("a", 1));
  catalog.save(sample("b", 3));
  catalog.save(sample("c", 2));
  const auto page1 = catalog.list(0, 2);
  ASSERT_EQ(page1.size(), 2u);
  EXPECT_EQ(page1[0].id, "b");
  EXPECT_EQ(page1[1].id, "c");
  const auto page2 = catalog.list(2, 2);
  ASSERT_EQ(page2.size(), 1u);
  EXPECT_EQ(page2[0].id, "a");
  EXPECT_EQ(catalog.count(), 3u);
}

TEST(SqliteFirmwareCatalog, RemoveReportsWhetherTheRecordExisted) {
  testing::TempDir dir;
  SqliteFirmwareCatalog catalog(dir.path() / "catalog.db");
  catalog.save(sample("a", 1));
  EXPECT_TRUE(catalog.remove("a"));
  EXPECT_FALSE(catalog.remove("a"));
  EXPECT_FALSE(catalog.find("a").has_value());
}

}  // namespace
}  // namespace otter::firmware
