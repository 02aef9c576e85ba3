# Libraries of the REST-backed command groups (thing, group, job, firmware,
# watch): the HTTP client, JSON, host/provision for credential headers and
# host/image for signature files and bundles.
find_package(PkgConfig REQUIRED)
pkg_check_modules(OTTER_CLI_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
find_package(nlohmann_json REQUIRED)
target_link_libraries(otter PRIVATE PkgConfig::OTTER_CLI_HTTPLIB nlohmann_json::nlohmann_json
  otter_host_provision otter_host_image)
