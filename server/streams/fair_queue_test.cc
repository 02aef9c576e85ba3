#include "otter/streams/fair_queue.h"

#include <gtest/gtest.h>

namespace otter::streams {
namespace {

BlockBatch batch(const std::string& thing, std::vector<std::uint32_t> blocks, const std::string& stream = "s") {
  BlockBatch b;
  b.thing = thing;
  b.stream_id = stream;
  b.block_size = 256;
  b.blocks.assign(blocks.begin(), blocks.end());
  return b;
}

std::vector<std::string> order(FairQueue& q) {
  std::vector<std::string> out;
  while (auto b = q.pop()) out.push_back(b->thing + std::to_string(b->index));
  return out;
}

TEST(FairQueue, ServesThingsInTurnSoNoneStarves) {
  FairQueue q(100);
  q.push(batch("a", {0, 1, 2, 3}));
  q.push(batch("b", {0}));
  q.push(batch("c", {0, 1}));
  EXPECT_EQ(order(q), (std::vector<std::string>{"a0", "b0", "c0", "a1", "c1", "a2", "a3"}));
}

TEST(FairQueue, ServesUpToATurnOfBlocksBeforeTheNextThing) {
  FairQueue q(100, 2);
  q.push(batch("a", {0, 1, 2, 3, 4}));
  q.push(batch("b", {0}));
  q.push(batch("c", {0, 1, 2}));
  EXPECT_EQ(order(q), (std::vector<std::string>{"a0", "a1", "b0", "c0", "c1", "a2", "a3", "c2", "a4"}));
}

TEST(FairQueue, AThingDroppedMidTurnDoesNotShortenTheNextOnesTurn) {
  FairQueue q(100, 2);
  q.push(batch("a", {0, 1, 2}));
  q.push(batch("b", {0, 1, 2}));
  ASSERT_EQ(q.pop()->thing, "a");
  q.drop("a");
  EXPECT_EQ(order(q), (std::vector<std::string>{"b0", "b1", "b2"}));
}

TEST(FairQueue, ANewRequestAddsToTheUnsentBlocksOfEarlierOnesWithoutDuplicates) {
  FairQueue q(100);
  q.push(batch("a", {0, 1, 2}));
  EXPECT_EQ(q.push(batch("a", {2, 7})), 1u);
  EXPECT_EQ(order(q), (std::vector<std::string>{"a0", "a1", "a2", "a7"}));
  EXPECT_EQ(q.blocks_waiting(), 0u);
}

TEST(FairQueue, ARequestWithAnotherBlockSizeReplacesTheOldBlocks) {
  FairQueue q(100);
  q.push(batch("a", {0, 1, 2}));
  BlockBatch bigger = batch("a", {5});
  bigger.block_size = 1024;
  q.push(bigger);
  EXPECT_EQ(order(q), (std::vector<std::string>{"a5"}));
}

TEST(FairQueue, CapsTheBlocksOneThingMayHaveQueued) {
  FairQueue q(3);
  EXPECT_EQ(q.push(batch("a", {0, 1}, "s1")), 2u);
  EXPECT_EQ(q.push(batch("a", {0, 1, 2}, "s2")), 1u);
  EXPECT_EQ(q.push(batch("b", {0, 1, 2, 3})), 3u);
  EXPECT_EQ(q.blocks_waiting(), 6u);
}

TEST(FairQueue, DropForgetsAThing) {
  FairQueue q(10);
  q.push(batch("a", {0, 1}));
  q.push(batch("b", {0}));
  q.drop("a");
  EXPECT_EQ(order(q), (std::vector<std::string>{"b0"}));
  EXPECT_EQ(q.things_waiting(), 0u);
}

}  // namespace
}  // namespace otter::streams
