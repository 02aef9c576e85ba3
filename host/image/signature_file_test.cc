#include "otter/image/signature_file.h"

#include <gtest/gtest.h>

#include <string>

#include "otter/crypto/signature.h"
#include "otter/image/image_file.h"
#include "otter/image/test_image.h"

namespace otter::image {
namespace {

std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

class SignatureFileTest : public ::testing::Test {
 protected:
  TestSigner signer;
  std::vector<std::uint8_t> image = make_test_image({.size = 4096});
  std::vector<std::uint8_t> der = signer.sign(image);
};

TEST_F(SignatureFileTest, ReadsBase64WithTrailingNewline) {
  EXPECT_EQ(load_signature(bytes_of(crypto::encode_base64(der) + "\n")).der, der);
}

TEST_F(SignatureFileTest, ReadsRawDer) { EXPECT_EQ(load_signature(der).der, der); }

TEST_F(SignatureFileTest, ReadsBundle) {
  Bundle b;
  b.file_name = "fw.bin";
  b.image = image;
  b.signature = der;
  b.key_fingerprint = "00";
  const auto file = load_signature(encode_bundle(b));
  EXPECT_EQ(file.der, der);
  ASSERT_TRUE(file.bundle);
  EXPECT_EQ(file.bundle->image, image);
}

TEST_F(SignatureFileTest, MalformedBase64NamesTheProblem) {
  std::string text = crypto::encode_base64(der);
  text[10] = '%';
  try {
    load_signature(bytes_of(text));
    FAIL() << "accepted";
  } catch (const ImageFileError& e) {
    EXPECT_NE(std::string(e.what()).find("malformed base64"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("character 11"), std::string::npos) << e.what();
  }
}

TEST_F(SignatureFileTest, TruncatedBase64IsMalformed) {
  std::string text = crypto::encode_base64(der);
  text.pop_back();
  text.pop_back();
  EXPECT_THROW(load_signature(bytes_of(text)), ImageFileError);
}

TEST_F(SignatureFileTest, EmptyFileIsRejected) { EXPECT_THROW(load_signature({}), ImageFileError); }

}  // namespace
}  // namespace otter::image
