#include "otter/firmware/signing_profiles.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "otter/firmware/code_signing.h"
#include "test_images.h"

namespace otter::firmware {
namespace {

using testing::TempDir;

TEST(SigningProfiles, CreateMakesAP256CodeSigningCertificate) {
  TempDir dir;
  SigningProfiles profiles(dir.path());
  const auto profile = profiles.create("release", "Otter Release Signer");
  EXPECT_EQ(profile.name, "release");
  EXPECT_EQ(profile.subject, "Otter Release Signer");
  const std::vector<std::uint8_t> image{1, 2, 3};
  EXPECT_EQ(signature_problem(image, profiles.sign("release", image), profile.certificate_pem), "");
}

TEST(SigningProfiles, KeyFileIsReadableByTheOwnerOnly) {
  TempDir dir;
  SigningProfiles profiles(dir.path());
  profiles.create("release", "signer");
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() / "release" / "key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(SigningProfiles, SurviveARestart) {
  TempDir dir;
  std::string cert;
  {
    SigningProfiles profiles(dir.path());
    cert = profiles.create("release", "signer").certificate_pem;
  }
  SigningProfiles reopened(dir.path());
  const auto found = reopened.find("release");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->certificate_pem, cert);
  const std::vector<std::uint8_t> image{4, 5};
  EXPECT_EQ(signature_problem(image, reopened.sign("release", image), cert), "");
}

TEST(SigningProfiles, RefusesADuplicateName) {
  TempDir dir;
  SigningProfiles profiles(dir.path());
  profiles.create("release", "signer");
  EXPECT_THROW(profiles.create("release", "signer"), std::runtime_error);
}

TEST(SigningProfiles, RefusesNamesThatCouldEscapeTheDirectory) {
  TempDir dir;
  SigningProfiles profiles(dir.path());
  EXPECT_THROW(profiles.create("../evil", "signer"), std::invalid_argument);
  EXPECT_THROW(profiles.create(".hidden", "signer"), std::invalid_argument);
  EXPECT_THROW(profiles.create("", "signer"), std::invalid_argument);
  EXPECT_FALSE(profiles.find("../evil").has_value());
}

TEST(SigningProfiles, SigningWithAnUnknownProfileThrowsOutOfRange) {
  TempDir dir;
  SigningProfiles profiles(dir.path());
  const std::vector<std::uint8_t> image{1};
  EXPECT_THROW(profiles.sign("nope", image), std::out_of_range);
}

TEST(SigningProfiles, ImportRefusesAKeyThatDoesNotMatchTheCertificate) {
  TempDir dir;
  SigningProfiles source(dir.path() / "a");
  source.create("one", "one");
  source.create("two", "two");
  // Keys are never exported by the API; read them from disk for the test.
  std::ifstream key_in(dir.path() / "a" / "one" / "key.pem");
  const std::string key((std::istreambuf_iterator<char>(key_in)), {});
  SigningProfiles target(dir.path() / "b");
  EXPECT_THROW(target.import("mixed", key, source.find("two")->certificate_pem), std::invalid_argument);
  EXPECT_NO_THROW(target.import("one", key, source.find("one")->certificate_pem));
}

TEST(SigningProfiles, ListIsSortedByName) {
  TempDir dir;
  SigningProfiles profiles(dir.path());
  profiles.create("zeta", "z");
  profiles.create("alpha", "a");
  const auto list = profiles.list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "alpha");
  EXPECT_EQ(list[1].name, "zeta");
}

TEST(SigningProfiles, RemoveDeletesTheProfile) {
  TempDir dir;
  SigningProfiles profiles(dir.path());
  profiles.create("old", "o");
  profiles.remove("old");
  EXPECT_FALSE(profiles.find("old").has_value());
  EXPECT_THROW(profiles.remove("old"), std::out_of_range);
}

}  // namespace
}  // namespace otter::firmware
