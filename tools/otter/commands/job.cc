// otter job create/list/show/cancel (and watch, see watch.cc): OTA jobs.
#include <iostream>
#include <memory>

#include "command_registry.h"
#include "firmware_upload.h"
#include "job_watch.h"
#include "rest_client.h"

namespace otter::cli {
namespace {

struct CreateOptions {
  ServerOptions server;
  std::string job_id;
  std::string description;
  std::vector<std::string> things;
  std::vector<std::string> groups;
  FirmwareUploadArgs upload;
  std::string firmware_id;
  bool continuous = false;
  std::optional<int> rollout_per_minute;
  std::optional<double> rollout_increase;
  std::optional<int> rollout_increase_every;
  std::optional<double> abort_failure_percent;
  int abort_min = 1;
  std::optional<int> timeout_seconds;
  std::optional<int> retries;
  std::string certfile;
  std::string filepath;
};

nlohmann::json job_body(const CreateOptions& o, const std::string& firmware_id) {
  nlohmann::json body{{"firmwareId", firmware_id}, {"things", o.things}, {"groups", o.groups}};
  if (!o.job_id.empty()) body["jobId"] = o.job_id;
  if (!o.description.empty()) body["description"] = o.description;
  if (!o.certfile.empty()) body["certfile"] = o.certfile;
  if (!o.filepath.empty()) body["filepath"] = o.filepath;
  body["targetSelection"] = o.continuous ? "CONTINUOUS" : "SNAPSHOT";
  if (o.rollout_increase && !o.rollout_per_minute) {
    throw CommandError{kExitUsage, "--rollout-increase needs --rollout-per-minute (the starting rate)"};
  }
  if (o.rollout_per_minute) {
    if (o.rollout_increase) {
      // AWS's exponential rollout: start at N per minute and multiply by F
      // each time another N things were notified (or --rollout-increase-every).
      const int every = o.rollout_increase_every.value_or(*o.rollout_per_minute);
      body["jobExecutionsRolloutConfig"] = {
          {"exponentialRate",
           {{"baseRatePerMinute", *o.rollout_per_minute},
            {"incrementFactor", *o.rollout_increase},
            {"rateIncreaseCriteria", {{"numberOfNotifiedThings", every}}}}}};
    } else {
      body["jobExecutionsRolloutConfig"] = {{"maximumPerMinute", *o.rollout_per_minute}};
    }
  }
  if (o.abort_failure_percent) {
    body["abortConfig"] = {{"criteriaList",
                            {{{"failureType", "FAILED"},
                              {"action", "CANCEL"},
                              {"thresholdPercentage", *o.abort_failure_percent},
                              {"minNumberOfExecutedThings", o.abort_min}}}}};
  }
  if (o.timeout_seconds) body["timeoutConfig"] = {{"inProgressTimeoutInSeconds", *o.timeout_seconds}};
  if (o.retries) {
    body["jobExecutionsRetryConfig"] = {{"criteriaList", {{{"failureType", "ALL"}, {"numberOfRetries", *o.retries}}}}};
  }
  return body;
}

void create(CreateOptions& o) {
  if (o.things.empty() && o.groups.empty()) throw CommandError{kExitUsage, "give --targets THING[,THING] or --groups GROUP"};
  if (o.upload.file.empty() == o.firmware_id.empty()) {
    throw CommandError{kExitUsage, "give the image with --file FILE, or a stored image with --firmware ID"};
  }
  if (o.continuous && o.groups.empty()) {
    throw CommandError{kExitUsage, "--continuous jobs follow group membership: target at least one --groups GROUP"};
  }
  RestClient client(o.server);
  std::string firmware_id = o.firmware_id;
  nlohmann::json firmware;
  if (!firmware_id.empty() && (o.upload.sign_with_default_profile || !o.upload.signing_profile.empty())) {
    std::string profile = o.upload.signing_profile;
    if (profile.empty()) {
      const auto profiles = client.get_all("/api/v1/signing-profiles", "signingProfiles");
      if (profiles.size() != 1) throw CommandError{kExitUsage, "name the signing profile: --sign-with-profile NAME"};
      profile = profiles[0]["name"];
    }
    const auto stored = client.get("/api/v1/firmware/" + url_encode(firmware_id));
    if (!stored["signed"].get<bool>()) {
      client.post("/api/v1/firmware/" + url_encode(firmware_id) + "/sign", {{"signingProfile", profile}});
    }
  }
  if (!o.upload.file.empty()) {
    firmware = upload_firmware(client, o.upload);
    firmware_id = firmware["firmwareId"];
    if (!firmware["signed"].get<bool>()) {
      throw CommandError{kExitFailed, "firmware " + firmware_id.substr(0, 12) +
                                          " was uploaded but is not signed: pass --sig FILE or --sign-with-profile"};
    }
  }
  const auto job = client.post("/api/v1/jobs", job_body(o, firmware_id));
  if (o.server.json) return print_json(job);
  std::cout << "job " << job["jobId"].get<std::string>() << " created ("
            << job["targetSelection"].get<std::string>() << ", stream " << field_or_dash(job, "streamName") << ")\n";
  if (job.contains("firmware")) {
    const auto& f = job["firmware"];
    std::cout << "firmware " << f["firmwareId"].get<std::string>().substr(0, 12) << " " << f["name"].get<std::string>();
    if (f["descriptor"].is_object()) std::cout << " v" << f["descriptor"]["version"].get<std::string>();
    std::cout << ", " << f["size"].get<std::uint64_t>() << " bytes\n";
  }
  std::cout << "follow it with: otter job watch " << job["jobId"].get<std::string>() << "\n";
}

void list(const ServerOptions& s, const std::string& status) {
  RestClient client(s);
  const auto jobs = client.get_all(status.empty() ? "/api/v1/jobs" : "/api/v1/jobs?status=" + url_encode(status), "jobs");
  if (s.json) return print_json(jobs);
  std::vector<std::vector<std::string>> rows;
  for (const auto& j : jobs) {
    rows.push_back({j["jobId"], j["status"], j["targetSelection"], std::to_string(j["targets"].size()),
                    field_or_dash(j, "streamName")});
  }
  print_table({"JOB", "STATUS", "SELECTION", "TARGETS", "STREAM"}, rows);
}

void show(const ServerOptions& s, const std::string& id) {
  RestClient client(s);
  auto job = client.get("/api/v1/jobs/" + url_encode(id));
  const auto executions = client.get_all("/api/v1/jobs/" + url_encode(id) + "/executions", "executions");
  if (s.json) {
    job["executions"] = executions;
    return print_json(job);
  }
  std::cout << "job:       " << job["jobId"].get<std::string>() << "\n"
            << "status:    " << job["status"].get<std::string>();
  if (job.contains("reasonCode")) std::cout << " (" << job["reasonCode"].get<std::string>() << ")";
  std::cout << "\nselection: " << job["targetSelection"].get<std::string>() << "\n";
  std::string counts;
  for (const auto& [state, n] : job["executionCounts"].items()) {
    if (n.get<int>() > 0) counts += (counts.empty() ? "" : ", ") + state + " " + std::to_string(n.get<int>());
  }
  if (job["pendingRollout"].get<int>() > 0) {
    counts += (counts.empty() ? "" : ", ") + std::string("awaiting rollout ") + std::to_string(job["pendingRollout"].get<int>());
  }
  std::cout << "devices:   " << (counts.empty() ? "none yet" : counts) << "\n";
  if (!executions.empty()) {
    std::cout << "\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : executions) {
      std::string details;
      for (const auto& [k, v] : e["statusDetails"].items()) details += (details.empty() ? "" : " ") + k + "=" + v.get<std::string>();
      rows.push_back({e["thingName"], e["status"], details.empty() ? "-" : details});
    }
    print_table({"THING", "STATUS", "DETAILS"}, rows);
  }
}

void cancel(const ServerOptions& s, const std::string& id, bool force, const std::string& reason,
            const std::string& comment) {
  RestClient client(s);
  const auto job = client.post("/api/v1/jobs/" + url_encode(id) + "/cancel",
                               {{"force", force}, {"reasonCode", reason}, {"comment", comment}});
  if (s.json) return print_json(job);
  std::cout << "job " << id << " " << job["status"].get<std::string>() << (force ? " (forced)" : "") << "\n";
}

RegisterCommand registration([](CLI::App& app) {
  auto* job = app.add_subcommand("job", "OTA jobs: create, follow, cancel");
  job->require_subcommand(1);

  auto o = std::make_shared<CreateOptions>();
  auto* create_cmd = job->add_subcommand("create", "upload (or pick) firmware and roll it out to things or groups");
  create_cmd->add_option("--targets", o->things, "thing names")->delimiter(',');
  create_cmd->add_option("--groups", o->groups, "group names")->delimiter(',');
  create_cmd->add_option("--file", o->upload.file, "firmware image (or signed bundle) to upload")->check(CLI::ExistingFile);
  create_cmd->add_option("--firmware", o->firmware_id, "an already stored firmware id instead of --file");
  create_cmd->add_option("--sig", o->upload.signature_file, "signature of --file (base64 or DER)");
  create_cmd->add_option("--cert", o->upload.certificate_file, "signer certificate PEM for --sig");
  create_cmd->add_option("--sign-with-profile", o->upload.signing_profile,
                         "have otterd sign with this profile (no name: the only profile)")
      ->expected(0, 1);
  create_cmd->add_option("--job-id", o->job_id, "job id (default ota-<time>-<random>)");
  create_cmd->add_option("--description", o->description);
  create_cmd->add_flag("--continuous", o->continuous, "keep targeting things that join the groups later");
  create_cmd->add_option("--rollout-per-minute", o->rollout_per_minute, "release at most N executions per minute")
      ->check(CLI::Range(1, 1000));
  create_cmd->add_option("--rollout-increase", o->rollout_increase, "multiply the rate by F (1.1-5) as devices are notified")
      ->check(CLI::Range(1.1, 5.0));
  create_cmd->add_option("--rollout-increase-every", o->rollout_increase_every,
                         "raise the rate after this many more notified devices (default: the starting rate)");
  create_cmd->add_option("--abort-failure-percent", o->abort_failure_percent, "cancel the job when P% of devices fail")
      ->check(CLI::Range(0.0, 100.0));
  create_cmd->add_option("--abort-min", o->abort_min, "... once at least N devices finished")->capture_default_str();
  create_cmd->add_option("--timeout", o->timeout_seconds, "in-progress timeout per device, seconds")->check(CLI::PositiveNumber);
  create_cmd->add_option("--retries", o->retries, "retry a failed or timed-out device up to N times")->check(CLI::Range(0, 10));
  create_cmd->add_option("--certfile", o->certfile, "job document certfile (device's code-verify cert path)");
  create_cmd->add_option("--filepath", o->filepath, "job document filepath (default: the firmware name)");
  add_server_options(*create_cmd, o->server);
  create_cmd->callback([o, create_cmd] {
    if (create_cmd->count("--sign-with-profile") > 0 && o->upload.signing_profile.empty()) {
      o->upload.sign_with_default_profile = true;
    }
    create(*o);
  });

  auto l = std::make_shared<std::pair<ServerOptions, std::string>>();
  auto* list_cmd = job->add_subcommand("list", "list jobs, newest first");
  list_cmd->add_option("--status", l->second, "IN_PROGRESS, CANCELED or COMPLETED");
  add_server_options(*list_cmd, l->first);
  list_cmd->callback([l] { list(l->first, l->second); });

  auto s = std::make_shared<std::pair<ServerOptions, std::string>>();
  auto* show_cmd = job->add_subcommand("show", "a job, its counts per state and every device's execution");
  show_cmd->add_option("job", s->second)->required();
  add_server_options(*show_cmd, s->first);
  show_cmd->callback([s] { show(s->first, s->second); });

  struct CancelOptions {
    ServerOptions server;
    std::string id, reason, comment;
    bool force = false;
  };
  auto c = std::make_shared<CancelOptions>();
  auto* cancel_cmd = job->add_subcommand("cancel", "cancel a job (queued devices never start)");
  cancel_cmd->add_option("job", c->id)->required();
  cancel_cmd->add_flag("--force", c->force, "also cancel devices already in progress");
  cancel_cmd->add_option("--reason", c->reason, "reason code recorded with the job");
  cancel_cmd->add_option("--comment", c->comment);
  add_server_options(*cancel_cmd, c->server);
  cancel_cmd->callback([c] { cancel(c->server, c->id, c->force, c->reason, c->comment); });

  add_job_watch_command(*job);
});

}  // namespace
}  // namespace otter::cli
