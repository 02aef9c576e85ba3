#include "otter/api/api_token.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace otter::api {
namespace {

struct TempDir {
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "otter-api-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

TEST(ApiToken, EnsureCreatesA256BitTokenReadableByTheOwnerOnly) {
  TempDir dir;
  const std::string token = ensure_api_token(dir.path);
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(mode_of(dir.path / kTokenFile), 0600u);
}

TEST(ApiToken, EnsureKeepsAnExistingToken) {
  TempDir dir;
  const std::string first = ensure_api_token(dir.path);
  EXPECT_EQ(ensure_api_token(dir.path), first);
  EXPECT_EQ(read_api_token(dir.path), first);
}

TEST(ApiToken, TwoDataDirsGetDifferentTokens) {
  TempDir a, b;
  EXPECT_NE(ensure_api_token(a.path), ensure_api_token(b.path));
}

TEST(ApiToken, RefusesATokenFileOthersCanRead) {
  TempDir dir;
  ensure_api_token(dir.path);
  std::filesystem::permissions(dir.path / kTokenFile, std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  EXPECT_THROW(read_api_token(dir.path), std::runtime_error);
}

TEST(ApiToken, ReadingAMissingTokenSaysToRunInit) {
  TempDir dir;
  try {
    read_api_token(dir.path);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("otterd init"), std::string::npos);
  }
}

TEST(ApiToken, CliConfigHoldsUrlAndTokenWithOwnerOnlyMode) {
  TempDir dir;
  write_cli_config(dir.path, "http://127.0.0.1:8080", "secret-token-value");
  EXPECT_EQ(mode_of(dir.path / kCliConfigFile), 0600u);
  std::ifstream in(dir.path / kCliConfigFile);
  const auto config = nlohmann::json::parse(in);
  EXPECT_EQ(config["url"], "http://127.0.0.1:8080");
  EXPECT_EQ(config["token"], "secret-token-value");
}

TEST(BearerTokenMatches, AcceptsTheExactToken) {
  EXPECT_TRUE(bearer_token_matches("Bearer abc123", "abc123"));
  EXPECT_TRUE(bearer_token_matches("bearer abc123", "abc123"));
}

TEST(BearerTokenMatches, RefusesAnyOtherValue) {
  EXPECT_FALSE(bearer_token_matches("Bearer abc124", "abc123"));
  EXPECT_FALSE(bearer_token_matches("Bearer abc1234", "abc123"));
  EXPECT_FALSE(bearer_token_matches("Bearer ", "abc123"));
  EXPECT_FALSE(bearer_token_matches("Basic abc123", "abc123"));
  EXPECT_FALSE(bearer_token_matches("abc123", "abc123"));
  EXPECT_FALSE(bearer_token_matches("", "abc123"));
}

TEST(BearerTokenMatches, AnEmptyExpectedTokenMatchesNothing) {
  EXPECT_FALSE(bearer_token_matches("Bearer ", ""));
}

}  // namespace
}  // namespace otter::api
