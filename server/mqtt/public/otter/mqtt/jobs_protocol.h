#pragma once
// The JSON of the AWS IoT Jobs MQTT API: device requests parsed (totally,
// never throwing) and responses built, with AWS's field names. Timestamps on
// the wire are seconds since the epoch.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "otter/jobs/engine.h"
#include "otter/model/job_execution.h"

namespace otter::mqtt {

constexpr std::size_t kMaxJobsRequestBytes = 32 * 1024;

struct RequestError {
  jobs::RejectCode code = jobs::RejectCode::InvalidRequest;
  std::string message;
  std::string client_token;
};

// $next/get, <jobId>/get and jobs/get bodies.
struct DescribeRequest {
  std::string client_token;
  std::optional<std::int64_t> execution_number;
  bool include_job_document = true;
};

struct UpdateJobRequest {
  std::string client_token;
  jobs::UpdateRequest update;
};

std::variant<DescribeRequest, RequestError> parse_describe_request(std::string_view payload);
std::variant<UpdateJobRequest, RequestError> parse_update_request(std::string_view payload);

// The `execution` object devices receive.
nlohmann::json execution_json(const model::JobExecution& e, const nlohmann::json& document, bool include_document);

// {"timestamp", "clientToken"?, "execution"?}: $next/get/accepted and notify-next.
nlohmann::json next_execution_message(const std::optional<model::JobExecution>& e, const nlohmann::json& document,
                                      const std::string& client_token, model::Millis now);
nlohmann::json describe_accepted(const model::JobExecution& e, const nlohmann::json& document,
                                 const DescribeRequest& request, model::Millis now);
nlohmann::json update_accepted(const jobs::UpdateOutcome& outcome, const UpdateJobRequest& request, model::Millis now);
nlohmann::json rejected(jobs::RejectCode code, const std::string& message, const std::string& client_token,
                        model::Millis now, const std::optional<model::JobExecution>& state = std::nullopt);
// jobs/get/accepted: {"inProgressJobs":[…],"queuedJobs":[…]}
nlohmann::json pending_jobs(const std::vector<model::JobExecution>& pending, const std::string& client_token,
                            model::Millis now);

}  // namespace otter::mqtt
