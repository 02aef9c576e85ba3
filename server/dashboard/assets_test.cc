#include "otter/dashboard/assets.h"

#include <gtest/gtest.h>

#include <openssl/sha.h>

#include <string>

namespace otter::dashboard {
namespace {

TEST(DashboardAssets, EmbedsTheAppShellItsScriptsAndStyles) {
  for (const char* path : {"/ui/index.html", "/ui/app.js", "/ui/api.js", "/ui/style.css"}) {
    const Asset* asset = find_asset(path);
    ASSERT_NE(asset, nullptr) << path;
    EXPECT_FALSE(asset->body.empty()) << path;
  }
}

TEST(DashboardAssets, EtagIsTheQuotedSha256OfTheBody) {
  const Asset* asset = find_asset("/ui/index.html");
  ASSERT_NE(asset, nullptr);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(asset->body.data()), asset->body.size(), digest);
  std::string hex = "\"";
  for (unsigned char b : digest) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[b >> 4];
    hex += kHex[b & 0x0f];
  }
  hex += "\"";
  EXPECT_EQ(asset->etag, hex);
}

TEST(DashboardAssets, ContentTypesCarryCharsetForText) {
  EXPECT_EQ(content_type_of("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_of("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_of("style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_of("favicon.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_of("notes"), "application/octet-stream");
}

TEST(DashboardAssets, PagesLoadNothingFromOtherOrigins) {
  for (const Asset& asset : embedded_assets()) {
    std::string body(asset.body);
    // The SVG namespace is a name, not a place anything is fetched from.
    for (std::size_t at; (at = body.find("http://www.w3.org/2000/svg")) != std::string::npos;) body.erase(at, 26);
    EXPECT_EQ(body.find("http://"), std::string::npos) << asset.path;
    EXPECT_EQ(body.find("https://"), std::string::npos) << asset.path;
    EXPECT_EQ(body.find("//cdn"), std::string::npos) << asset.path;
  }
}

TEST(DashboardAssets, UnknownPathIsNotFound) { EXPECT_EQ(find_asset("/ui/nope.js"), nullptr); }

}  // namespace
}  // namespace otter::dashboard
