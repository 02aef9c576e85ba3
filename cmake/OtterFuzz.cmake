# Fuzz targets for parsers of untrusted input.
#
# otter_fuzz_target(NAME name SOURCES fuzz.cc LIBS ... [CORPUS dir])
# `fuzz.cc` defines LLVMFuzzerTestOneInput.
#  - fuzz build (clang): a libFuzzer binary, and a ctest entry that fuzzes it
#    for OTTER_FUZZ_SECONDS starting from the seed corpus.
#  - host builds: the same function linked with a replay main and run over the
#    seed corpus as a regression test (so ASan/UBSan see every seed too).
set(OTTER_FUZZ_SECONDS 15 CACHE STRING "Seconds each fuzz target runs under ctest")

if(OTTER_TARGET STREQUAL "fuzz")
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

function(otter_fuzz_target)
  cmake_parse_arguments(F "" "NAME;CORPUS" "SOURCES;LIBS" ${ARGN})
  if(F_CORPUS)
    set(corpus ${CMAKE_CURRENT_SOURCE_DIR}/${F_CORPUS})
  endif()
  if(OTTER_TARGET STREQUAL "fuzz")
    add_executable(${F_NAME} ${F_SOURCES})
    target_link_libraries(${F_NAME} PRIVATE ${F_LIBS})
    target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
    set_target_properties(${F_NAME} PROPERTIES EXCLUDE_FROM_ALL OFF)
    set(workdir ${CMAKE_CURRENT_BINARY_DIR}/${F_NAME}_corpus)
    file(MAKE_DIRECTORY ${workdir})
    add_test(NAME ${F_NAME}
      COMMAND ${F_NAME} -max_total_time=${OTTER_FUZZ_SECONDS} -print_final_stats=1 -rss_limit_mb=1024
              ${workdir} ${corpus})
    set_tests_properties(${F_NAME} PROPERTIES LABELS fuzz)
  elseif(OTTER_TARGET STREQUAL "host")
    add_executable(${F_NAME}_replay ${F_SOURCES} ${PROJECT_SOURCE_DIR}/cmake/fuzz_replay_main.cc)
    target_link_libraries(${F_NAME}_replay PRIVATE ${F_LIBS})
    if(corpus)
      add_test(NAME ${F_NAME}_replay COMMAND ${F_NAME}_replay ${corpus})
      set_tests_properties(${F_NAME}_replay PROPERTIES LABELS "fuzz-replay")
    endif()
  endif()
endfunction()
