# Cortex-M4 build only: the no-allocation/no-exception link check and the size
# report, over every device library and footprint image.
if(NOT OTTER_TARGET STREQUAL "m4")
  return()
endif()

get_property(device_libs GLOBAL PROPERTY OTTER_DEVICE_LIBRARIES)
get_property(footprints GLOBAL PROPERTY OTTER_FOOTPRINTS)
get_property(baselines GLOBAL PROPERTY OTTER_FOOTPRINT_BASELINES)
set(check_inputs "")
set(footprint_files "")
foreach(lib IN LISTS device_libs ITEMS otter_mbedcrypto)
  list(APPEND check_inputs $<TARGET_FILE:${lib}>)
endforeach()
foreach(fp IN LISTS footprints)
  list(APPEND check_inputs $<TARGET_FILE:${fp}>)
  get_property(own_baseline GLOBAL PROPERTY OTTER_FOOTPRINT_BASELINE_${fp})
  if(own_baseline)
    # size-report reads IMAGE=BASELINE as "IMAGE minus BASELINE".
    list(APPEND footprint_files $<TARGET_FILE:${fp}>=$<TARGET_FILE:${own_baseline}>)
  elseif(NOT fp STREQUAL "footprint_baseline" AND NOT fp IN_LIST baselines)
    list(APPEND footprint_files $<TARGET_FILE:${fp}>)
  endif()
endforeach()

enable_testing()
set(check ${PROJECT_SOURCE_DIR}/scripts/check-device-link)
add_test(NAME device_link_check COMMAND ${check} ${CMAKE_NM} ${check_inputs})

# The check must catch a device source that allocates: compile one and expect
# the check to fail on it.
add_library(link_check_canary_new OBJECT EXCLUDE_FROM_ALL ${PROJECT_SOURCE_DIR}/cmake/link_check_canary_new.cc)
add_library(link_check_canary_malloc OBJECT EXCLUDE_FROM_ALL ${PROJECT_SOURCE_DIR}/cmake/link_check_canary_malloc.cc)
add_custom_target(link_check_canaries ALL DEPENDS link_check_canary_new link_check_canary_malloc)
add_test(NAME device_link_check_rejects_new
  COMMAND ${check} ${CMAKE_NM} $<TARGET_OBJECTS:link_check_canary_new>)
add_test(NAME device_link_check_rejects_malloc
  COMMAND ${check} ${CMAKE_NM} $<TARGET_OBJECTS:link_check_canary_malloc>)
set_tests_properties(device_link_check_rejects_new device_link_check_rejects_malloc PROPERTIES WILL_FAIL TRUE)

add_custom_target(size_report ALL
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/size-report ${CMAKE_SIZE} --objdump ${CMAKE_OBJDUMP}
          --baseline $<TARGET_FILE:footprint_baseline>
          ${footprint_files}
          > ${PROJECT_BINARY_DIR}/size-report.txt
  COMMAND cat ${PROJECT_BINARY_DIR}/size-report.txt
  DEPENDS ${footprints}
  VERBATIM)
add_test(NAME device_size_report COMMAND cat ${PROJECT_BINARY_DIR}/size-report.txt)
