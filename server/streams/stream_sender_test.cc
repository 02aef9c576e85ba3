#include "otter/streams/stream_sender.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

namespace otter::streams {
namespace {

namespace fs = std::filesystem;

class StreamSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() / ("otter-sender-" + std::to_string(std::random_device{}()) + ".bin");
    std::ofstream out(path_, std::ios::binary);
    for (int i = 0; i < 4096; ++i) out.put(static_cast<char>(i & 0xFF));
    out.close();
    std::string error;
    file_ = cache_.open(path_.string(), 4096, error);
    ASSERT_TRUE(file_) << error;
  }
  void TearDown() override { fs::remove(path_); }

  BlockBatch batch(const std::string& thing, std::vector<std::uint32_t> blocks) {
    BlockBatch b;
    b.thing = thing;
    b.stream_id = "s";
    b.block_size = 1024;
    b.file = file_;
    b.blocks.assign(blocks.begin(), blocks.end());
    return b;
  }

  // Waits (bounded) until `n` messages were published.
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return topics_.size() >= n; });
  }

  std::optional<int> publish(const std::string& topic, const std::vector<std::uint8_t>& payload) {
    std::lock_guard lock(mutex_);
    topics_.push_back(topic);
    payloads_.push_back(payload);
    cv_.notify_all();
    return next_mid_++;
  }

  fs::path path_;
  ImageCache cache_;
  std::shared_ptr<const MappedFile> file_;
  model::Metrics metrics_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> topics_;
  std::vector<std::vector<std::uint8_t>> payloads_;
  int next_mid_ = 1;
};

TEST_F(StreamSenderTest, SendsEachBlockAsItsOwnMessageOnTheDataTopic) {
  StreamSender sender([this](auto& t, auto& p) { return publish(t, p); }, metrics_);
  sender.set_connected(true);
  sender.submit(batch("dev-1", {0, 3}));
  ASSERT_TRUE(wait_for(2));
  {
    std::lock_guard lock(mutex_);
    EXPECT_EQ(topics_[0], "$aws/things/dev-1/streams/s/data/cbor");
    EXPECT_EQ(payloads_[1], encode_data_block(Format::Cbor, 0, 3, file_->bytes().subspan(3072, 1024)));
  }
  // Counted once publish() returned, so possibly a moment after the message left.
  for (int i = 0; i < 500 && metrics_.stream_bytes_served.load() < 2048u; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(metrics_.stream_bytes_served.load(), 2048u);
}

TEST_F(StreamSenderTest, StopsAtTheInFlightLimitUntilTheBrokerAcknowledges) {
  StreamSender sender([this](auto& t, auto& p) { return publish(t, p); }, metrics_, SenderLimits{64, 2048});
  sender.set_connected(true);
  sender.submit(batch("dev-1", {0, 1, 2, 3}));
  ASSERT_TRUE(wait_for(2));
  // Two 1 KiB blocks fill the 2 KiB window; the third waits for an acknowledgement.
  EXPECT_EQ(sender.blocks_waiting(), 2u);
  sender.published(1);
  ASSERT_TRUE(wait_for(3));
  sender.published(2);
  sender.published(3);
  ASSERT_TRUE(wait_for(4));
  EXPECT_EQ(sender.blocks_waiting(), 0u);
}

TEST_F(StreamSenderTest, SendsNothingWhileDisconnected) {
  StreamSender sender([this](auto& t, auto& p) { return publish(t, p); }, metrics_);
  sender.submit(batch("dev-1", {0}));
  EXPECT_EQ(sender.blocks_waiting(), 1u);
  sender.set_connected(true);
  ASSERT_TRUE(wait_for(1));
}

TEST(ImageCacheTest, RefusesAFileOfTheWrongSize) {
  auto path = fs::temp_directory_path() / ("otter-cache-" + std::to_string(std::random_device{}()) + ".bin");
  std::ofstream(path, std::ios::binary) << "12345";
  ImageCache cache;
  std::string error;
  EXPECT_FALSE(cache.open(path.string(), 6, error));
  EXPECT_NE(error.find("5 bytes"), std::string::npos);
  EXPECT_TRUE(cache.open(path.string(), 5, error));
  EXPECT_FALSE(cache.open((path.string() + ".missing"), 5, error));
  fs::remove(path);
}

}  // namespace
}  // namespace otter::streams
