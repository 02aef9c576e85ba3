# A module is a folder with its own CMakeLists.txt. Areas (device/, server/,
# ...) add their modules automatically so a new module never edits a shared
# file. Targets may reference targets of modules added later: CMake resolves
# target_link_libraries names at generate time.
if(OTTER_TARGET STREQUAL "fuzz")
  set(OTTER_EXCLUDE EXCLUDE_FROM_ALL)
else()
  set(OTTER_EXCLUDE "")
endif()

function(otter_add_modules area)
  set(root ${PROJECT_SOURCE_DIR}/${area})
  if(NOT IS_DIRECTORY ${root})
    return()
  endif()
  if(EXISTS ${root}/CMakeLists.txt)
    add_subdirectory(${root} ${PROJECT_BINARY_DIR}/${area} ${OTTER_EXCLUDE})
    return()
  endif()
  # A folder without CMakeLists.txt groups modules (e.g. device/ports/).
  file(GLOB children LIST_DIRECTORIES true RELATIVE ${root} ${root}/*)
  list(SORT children)
  foreach(child IN LISTS children)
    if(IS_DIRECTORY ${root}/${child} AND NOT child MATCHES "^(public|testdata|corpus)$")
      otter_add_modules(${area}/${child})
    endif()
  endforeach()
endfunction()

# otter_test(NAME name SOURCES ... LIBS ... [LABELS ...])
# A GoogleTest executable registered with ctest, one ctest entry per test.
function(otter_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT OTTER_TARGET STREQUAL "host")
    return()
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  gtest_discover_tests(${T_NAME}
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endfunction()
