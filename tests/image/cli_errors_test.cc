// `otter keygen/stamp/sign/verify/inspect` from a user's side: each mistake
// gets its own message and a meaningful exit code (0 ok, 1 rejected, 2 usage,
// 3 unreadable input).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "otter/image/board.h"
#include "otter/image/image.h"
#include "workdir.h"

namespace otter::image {
namespace {

using testing::CommandResult;
using testing::WorkDir;

class OtterCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A raw firmware binary as a build would produce it: code everywhere,
    // the descriptor slot at 0x200 left blank by the linker script.
    std::vector<std::uint8_t> fw(40000);
    for (std::size_t i = 0; i < fw.size(); ++i) fw[i] = static_cast<std::uint8_t>((i * 131) ^ (i >> 7));
    std::fill_n(fw.begin() + kDescriptorOffset, kDescriptorSize, 0xFF);
    write_file(dir / "fw.bin", fw);
    ASSERT_EQ(otter("keygen --out-key k.pem --out-cert c.pem").exit_code, 0);
    ASSERT_EQ(otter("stamp fw.bin --version 1.0.1 --board numaker-iot-m487").exit_code, 0);
    ASSERT_EQ(otter("sign fw.bin --key k.pem --bundle fw.otter --cert c.pem").exit_code, 0);
  }

  CommandResult otter(const std::string& args) const { return dir.run(testing::otter_cli() + " " + args); }

  void expect(const CommandResult& r, int code, const std::string& text) {
    EXPECT_EQ(r.exit_code, code) << r.output;
    EXPECT_NE(r.output.find(text), std::string::npos) << "expected \"" << text << "\" in:\n" << r.output;
  }

  void modify(const std::string& file, std::size_t at, std::uint8_t xor_mask) {
    auto bytes = read_file(dir / file);
    bytes[at] ^= xor_mask;
    write_file(dir / file, bytes);
  }

  WorkDir dir;
};

TEST_F(OtterCliTest, ValidImageVerifies) { expect(otter("verify fw.bin --sig fw.bin.sig --cert c.pem"), 0, "signature valid"); }

TEST_F(OtterCliTest, BundleVerifiesOnItsOwn) { expect(otter("verify fw.otter --cert c.pem"), 0, "signature valid"); }

TEST_F(OtterCliTest, WrongKeyWithBareSignatureSaysEitherCause) {
  ASSERT_EQ(otter("keygen --out-key k2.pem --out-cert c2.pem").exit_code, 0);
  expect(otter("verify fw.bin --sig fw.bin.sig --cert c2.pem"), 1, "signed by another key");
}

TEST_F(OtterCliTest, WrongKeyWithBundleIsNamed) {
  ASSERT_EQ(otter("keygen --out-key k2.pem --out-cert c2.pem").exit_code, 0);
  expect(otter("verify fw.bin --sig fw.otter --cert c2.pem"), 1, "wrong key");
}

TEST_F(OtterCliTest, SignatureOfAnotherFileIsNamed) {
  modify("fw.bin", 30000, 0x01);
  expect(otter("verify fw.bin --sig fw.otter --cert c.pem"), 1, "belongs to another file");
}

TEST_F(OtterCliTest, TamperedImageWithBareSignatureIsRejected) {
  modify("fw.bin", 30000, 0x01);
  expect(otter("verify fw.bin --sig fw.bin.sig --cert c.pem"), 1, "not the file that was signed");
}

TEST_F(OtterCliTest, TruncatedImageIsNamed) {
  auto bytes = read_file(dir / "fw.bin");
  bytes.resize(bytes.size() - 1);
  write_file(dir / "fw.bin", bytes);
  expect(otter("verify fw.bin --sig fw.bin.sig --cert c.pem"), 1, "truncated");
}

TEST_F(OtterCliTest, ExtendedImageIsNamed) {
  auto bytes = read_file(dir / "fw.bin");
  bytes.push_back(0xFF);
  write_file(dir / "fw.bin", bytes);
  expect(otter("verify fw.bin --sig fw.bin.sig --cert c.pem"), 1, "extended");
}

TEST_F(OtterCliTest, MalformedBase64IsAnInputError) {
  write_file(dir / "bad.sig", std::string("MEUCIQ!!notbase64\n"));
  expect(otter("verify fw.bin --sig bad.sig --cert c.pem"), 3, "malformed base64");
}

TEST_F(OtterCliTest, MalformedDerIsAnInputError) {
  write_file(dir / "bad.sig", std::string("MEUCAAAA\n"));  // base64 of a broken SEQUENCE
  expect(otter("verify fw.bin --sig bad.sig --cert c.pem"), 3, "not a DER ECDSA signature");
}

TEST_F(OtterCliTest, MissingDescriptorIsNamed) {
  std::vector<std::uint8_t> plain(5000, 0x5A);
  write_file(dir / "plain.bin", plain);
  ASSERT_EQ(otter("sign plain.bin --key k.pem --raw").exit_code, 0);
  expect(otter("verify plain.bin --sig plain.bin.sig --cert c.pem"), 1, "no image descriptor");
  expect(otter("verify plain.bin --sig plain.bin.sig --cert c.pem --raw"), 0, "signature valid");
}

TEST_F(OtterCliTest, CorruptDescriptorIsNamed) {
  modify("fw.bin", kDescriptorOffset + 9, 0x01);
  expect(otter("verify fw.bin --sig fw.bin.sig --cert c.pem"), 1, "descriptor is corrupt");
}

TEST_F(OtterCliTest, BoardMismatchIsNamed) {
  expect(otter("verify fw.bin --sig fw.bin.sig --cert c.pem --board numaker-m2354"), 1,
         "built for numaker-iot-m487, expected numaker-m2354");
}

TEST_F(OtterCliTest, UnknownBoardIsAUsageError) {
  expect(otter("stamp fw.bin --version 1.0.2 --board numaker-iot-m999"), 2, "known boards: numaker-iot-m487");
}

TEST_F(OtterCliTest, BadVersionIsAUsageError) { expect(otter("stamp fw.bin --version 1.x --board numaker-iot-m487"), 2, "--version"); }

TEST_F(OtterCliTest, CertificateThatIsNotAKeyIsAnInputError) {
  expect(otter("verify fw.bin --sig fw.bin.sig --cert fw.bin.sig"), 3, "not a PEM/DER certificate");
}

TEST_F(OtterCliTest, SigningUnstampedImageIsRefused) {
  write_file(dir / "plain.bin", std::vector<std::uint8_t>(5000, 0x5A));
  expect(otter("sign plain.bin --key k.pem"), 3, "otter stamp");
}

TEST_F(OtterCliTest, SigningWithCertificateOfAnotherKeyIsRefused) {
  ASSERT_EQ(otter("keygen --out-key k2.pem --out-cert c2.pem").exit_code, 0);
  expect(otter("sign fw.bin --key k.pem --cert c2.pem --bundle x.otter"), 3, "not the certificate of");
}

TEST_F(OtterCliTest, SigningWithACertificateInsteadOfKeyIsRefused) {
  expect(otter("sign fw.bin --key c.pem"), 3, "not a private key");
}

TEST_F(OtterCliTest, KeygenRefusesToOverwriteAKey) {
  expect(otter("keygen --out-key k.pem --out-cert c3.pem"), 2, "already exists");
}

TEST_F(OtterCliTest, StampRefusesUnreservedSlot) {
  std::vector<std::uint8_t> code(5000, 0x5A);
  write_file(dir / "code.bin", code);
  expect(otter("stamp code.bin --version 1.0.0 --board numaker-m2354"), 3, "does not reserve the descriptor slot");
}

TEST_F(OtterCliTest, StampWithMinVersionAboveVersionIsAUsageError) {
  expect(otter("stamp fw.bin --version 1.0.1 --min-version 2.0.0 --board numaker-iot-m487"), 2, "--min-version");
}

TEST_F(OtterCliTest, StampFlagsReachTheDescriptor) {
  ASSERT_EQ(otter("stamp fw.bin --version 1.0.2 --board numaker-iot-m487 --flags 0x01000000").exit_code, 0);
  const auto r = otter("inspect fw.bin --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(nlohmann::json::parse(r.output)["descriptor"]["flags"], "0x01000000");
}

TEST_F(OtterCliTest, StampFlagsThatAreNotA32BitNumberAreAUsageError) {
  for (const char* flags : {"0x100000000", "-1", "0xZZ", "4294967296", "0x"}) {
    expect(otter(std::string("stamp fw.bin --version 1.0.2 --board numaker-iot-m487 --flags ") + flags), 2, "--flags");
  }
}

TEST_F(OtterCliTest, InspectJsonShowsDescriptorAndSignatureStatus) {
  const auto r = otter("inspect fw.bin --sig fw.bin.sig --cert c.pem --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["descriptor"]["version"], "1.0.1");
  EXPECT_EQ(j["descriptor"]["board"], "numaker-iot-m487");
  EXPECT_EQ(j["descriptor"]["image_size"], 40000);
  EXPECT_EQ(j["size"], 40000);
  EXPECT_EQ(j["signature_status"], "valid");
  EXPECT_EQ(j["sha256"].get<std::string>().size(), 64u);
}

TEST_F(OtterCliTest, InspectOfUnstampedFileExplainsMissingDescriptor) {
  write_file(dir / "plain.bin", std::vector<std::uint8_t>(5000, 0x5A));
  expect(otter("inspect plain.bin"), 0, "no image descriptor");
}

TEST_F(OtterCliTest, InspectReportsBadSignatureWithFailureExit) {
  modify("fw.bin", 100, 0x80);
  expect(otter("inspect fw.bin --sig fw.bin.sig --cert c.pem"), 1, "signature does not verify");
}

TEST_F(OtterCliTest, EveryCommandHasHelp) {
  for (const char* command : {"keygen", "stamp", "sign", "verify", "inspect"}) {
    const auto r = otter(std::string(command) + " --help");
    EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.output;
    EXPECT_NE(r.output.find("--"), std::string::npos) << command;
  }
}

}  // namespace
}  // namespace otter::image
