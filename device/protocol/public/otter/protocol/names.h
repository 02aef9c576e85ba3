// The device side's single definition of the wire names: JSON fields of the
// AWS IoT Jobs MQTT API and the OTA job document, CBOR keys of the MQTT file
// stream messages, status strings and limits. See ../shared/docs/protocol.md.
#pragma once

#include <cstddef>
#include <string_view>

namespace otter::protocol {

// Limits (AWS: thing name <= 128, job id <= 64, stream id <= 128 characters).
inline constexpr std::size_t kMaxThingName = 128;
inline constexpr std::size_t kMaxJobId = 64;
inline constexpr std::size_t kMaxStreamName = 128;
// "$aws/things/" + thing + "/streams/" + stream + "/rejected/cbor" + NUL.
inline constexpr std::size_t kMaxTopic = 12 + kMaxThingName + 9 + kMaxStreamName + 14 + 1;
// AWS caps the request bitmap at 128 bytes (1,024 blocks).
inline constexpr std::size_t kMaxRequestBitmap = 128;

namespace json {
// Jobs API.
inline constexpr std::string_view kClientToken = "clientToken";
inline constexpr std::string_view kExecution = "execution";
inline constexpr std::string_view kJobId = "jobId";
inline constexpr std::string_view kStatus = "status";
inline constexpr std::string_view kStatusDetails = "statusDetails";
inline constexpr std::string_view kVersionNumber = "versionNumber";
inline constexpr std::string_view kExecutionNumber = "executionNumber";
inline constexpr std::string_view kJobDocument = "jobDocument";
inline constexpr std::string_view kCode = "code";
inline constexpr std::string_view kMessage = "message";
// statusDetails keys and values written by the agent.
inline constexpr std::string_view kReceive = "receive";
inline constexpr std::string_view kSelfTest = "self_test";
inline constexpr std::string_view kUpdatedBy = "updatedBy";
inline constexpr std::string_view kReason = "reason";
inline constexpr std::string_view kSelfTestReady = "ready";
inline constexpr std::string_view kSelfTestActive = "active";
// The OTA job document.
inline constexpr std::string_view kAfrOta = "afr_ota";
inline constexpr std::string_view kProtocols = "protocols";
inline constexpr std::string_view kProtocolMqtt = "MQTT";
inline constexpr std::string_view kStreamName = "streamname";
inline constexpr std::string_view kFiles = "files";
inline constexpr std::string_view kFilePath = "filepath";
inline constexpr std::string_view kFileSize = "filesize";
inline constexpr std::string_view kFileId = "fileid";
inline constexpr std::string_view kCertFile = "certfile";
inline constexpr std::string_view kSignature = "sig-sha256-ecdsa";
inline constexpr std::string_view kFileType = "fileType";
inline constexpr std::string_view kAttr = "attr";
// Otter's extension (absent in AWS documents): the operator explicitly allows
// installing an older version; the anti-rollback floor still applies.
inline constexpr std::string_view kAllowDowngrade = "allowDowngrade";
}  // namespace json

namespace stream {
// GetStream request, data block and rejected error keys (CBOR and JSON alike).
inline constexpr std::string_view kClientToken = "c";
inline constexpr std::string_view kFileId = "f";
inline constexpr std::string_view kBlockSize = "l";
inline constexpr std::string_view kBlockOffset = "o";
inline constexpr std::string_view kBitmap = "b";
inline constexpr std::string_view kNumberOfBlocks = "n";
inline constexpr std::string_view kBlockId = "i";
inline constexpr std::string_view kPayloadLength = "l";
inline constexpr std::string_view kPayload = "p";
inline constexpr std::string_view kErrorCode = "o";
inline constexpr std::string_view kErrorMessage = "m";
// The client token the AWS agent sends.
inline constexpr std::string_view kReadyToken = "rdy";
}  // namespace stream

enum class JobStatus : unsigned char { kUnknown, kQueued, kInProgress, kSucceeded, kFailed, kRejected, kCanceled, kTimedOut, kRemoved };

std::string_view to_string(JobStatus status);

}  // namespace otter::protocol
