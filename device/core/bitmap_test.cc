#include "otter/core/bitmap.h"

#include <gtest/gtest.h>

namespace otter {
namespace {

TEST(Bitmap, BitsAreLsbFirstAsInAwsStreamRequests) {
  Bitmap<16> bm;
  bm->set(0);
  bm->set(9);
  EXPECT_EQ(bm->bytes()[0], 0x01);
  EXPECT_EQ(bm->bytes()[1], 0x02);
}

TEST(Bitmap, IgnoresBitsPastSize) {
  Bitmap<16> bm(10);
  bm->fill(true);
  EXPECT_EQ(bm->count(), 10U);
  EXPECT_EQ(bm->bytes().size(), 2U);
  EXPECT_EQ(bm->bytes()[1], 0x03);  // only bits 8 and 9 of the second byte
  bm->set(12);
  EXPECT_FALSE(bm->test(12));
  EXPECT_TRUE(bm->all());
}

TEST(Bitmap, FindFirstSkipsFullBytes) {
  Bitmap<100> bm;
  bm->fill(true);
  bm->clear(77);
  EXPECT_EQ(bm->find_first(false), 77U);
  EXPECT_EQ(bm->find_first(false, 78), BitmapView::kNone);
  EXPECT_EQ(bm->find_first(true, 77), 78U);
}

TEST(Bitmap, CountMatchesSetBits) {
  Bitmap<1024> bm;
  for (std::size_t i = 0; i < 1024; i += 3) bm->set(i);
  EXPECT_EQ(bm->count(), 342U);
  bm->fill(false);
  EXPECT_TRUE(bm->none());
}

TEST(Bitmap, ResetClearsEverythingAndResizes) {
  Bitmap<64> bm(64);
  bm->fill(true);
  bm.reset(10);
  EXPECT_EQ(bm->size(), 10U);
  EXPECT_TRUE(bm->none());
  EXPECT_EQ(bm->bytes()[1], 0x00);  // no stale bits past the new size either
  bm.reset(100);
  EXPECT_EQ(bm->size(), 64U);
}

TEST(Bitmap, ViewOverCallerStorage) {
  std::uint8_t raw[2] = {0xFF, 0x00};
  BitmapView view(raw, 12);
  EXPECT_EQ(view.count(), 8U);
  view.clear(3);
  EXPECT_EQ(raw[0], 0xF7);
  EXPECT_EQ(view.find_first(false), 3U);
}

TEST(Bitmap, FillChangesOnlyBitsBeforeSize) {
  std::uint8_t raw[2] = {0x00, 0xA0};
  BitmapView view(raw, 12);
  view.fill(true);
  EXPECT_EQ(raw[0], 0xFF);
  EXPECT_EQ(raw[1], 0xAF);
  view.fill(false);
  EXPECT_EQ(raw[0], 0x00);
  EXPECT_EQ(raw[1], 0xA0);
  BitmapView whole(raw, 16);
  whole.fill(true);
  EXPECT_EQ(raw[1], 0xFF);
}

TEST(Bitmap, SizeIsClampedToStorage) {
  std::uint8_t raw[1] = {};
  BitmapView view(raw, 100);
  EXPECT_EQ(view.size(), 8U);
}

}  // namespace
}  // namespace otter
