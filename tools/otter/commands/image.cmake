# Libraries of the image command group (keygen, stamp, sign, verify, inspect).
find_package(nlohmann_json 3 REQUIRED)
target_link_libraries(otter PRIVATE otter_host_image otter_host_crypto otter_image nlohmann_json::nlohmann_json)
