// Mounts the web dashboard on otterd's HTTP server: the single-page app at /
// (and its client-side routes), its assets under /ui/, the fleet view route
// /api/v1/dashboard/things, and conditional GETs (ETag / 304) for every GET
// under /api/v1/ and /ui/. The page holds the API token in sessionStorage and
// sends it as a bearer header; the HTML and scripts are public, the data is not.
#pragma once

#include <functional>
#include <string>

#include "otter/jobs/service.h"

namespace httplib {
class Server;
struct Request;
}  // namespace httplib

namespace otter::dashboard {

struct DashboardServices {
  jobs::Registry& registry;
  jobs::JobService& jobs;
  // The REST API's bearer-token check (true: the request may read data).
  std::function<bool(const httplib::Request&)> authorized;
};

// Paths the single-page app answers with its shell (index.html).
bool is_app_route(const std::string& path);

// Registers the routes and the post-routing handler. Call once, before the
// server starts; the services must outlive the server.
void mount_dashboard(httplib::Server& server, DashboardServices services);

}  // namespace otter::dashboard
