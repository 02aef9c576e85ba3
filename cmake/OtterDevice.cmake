# Device code: the freestanding C++20 subset. Same flags on the host (so unit
# tests exercise exactly what ships) and on Cortex-M4.
set(OTTER_DEVICE_FLAGS -fno-exceptions -fno-rtti -fno-threadsafe-statics
    -ffunction-sections -fdata-sections)

# Cortex-M4 only: link-time optimization across device libraries and mbedTLS
# (inlining and dead-code removal across modules; about 2-3 KB per image).
# Fat objects keep ordinary code in the archives, so check-device-link still
# sees every real symbol reference. Host builds are unchanged.
if(OTTER_TARGET STREQUAL "m4")
  add_compile_options($<$<COMPILE_LANGUAGE:C,CXX>:-flto$<SEMICOLON>-ffat-lto-objects>)
  add_link_options(-flto)
endif()

# otter_device_library(name SOURCES ... [DEPS ...])
# A static library of device code with public headers in public/.
function(otter_device_library name)
  cmake_parse_arguments(D "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  if(D_SOURCES)
    add_library(${name} STATIC ${D_SOURCES})
    target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/public)
    target_compile_options(${name} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${OTTER_DEVICE_FLAGS}>)
    target_link_libraries(${name} PUBLIC ${D_DEPS} PRIVATE ${D_PRIVATE_DEPS})
    otter_warnings(${name})
    target_compile_options(${name} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wnull-dereference>)
    set_property(GLOBAL APPEND PROPERTY OTTER_DEVICE_LIBRARIES ${name})
  else()
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/public)
    target_link_libraries(${name} INTERFACE ${D_DEPS})
  endif()
  add_library(otter::${name} ALIAS ${name})
endfunction()

# otter_footprint(name SOURCES main.cc LIBS ... [BASELINE other] [IS_BASELINE])
# Cortex-M4 only: links a minimal firmware image (startup + linker script,
# --gc-sections) that uses one component, so the size report measures what
# that component really costs in flash and RAM. The report subtracts the
# runtime-only image, or footprint `other` when BASELINE is given (e.g. the
# stand-in ports a component is linked with, which are not the component's).
# An IS_BASELINE image is only subtracted, never reported.
function(otter_footprint name)
  cmake_parse_arguments(F "IS_BASELINE" "BASELINE" "SOURCES;LIBS" ${ARGN})
  if(NOT OTTER_TARGET STREQUAL "m4")
    return()
  endif()
  add_executable(footprint_${name} ${F_SOURCES})
  target_compile_options(footprint_${name} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${OTTER_DEVICE_FLAGS}>)
  target_link_libraries(footprint_${name} PRIVATE ${F_LIBS} otter_cortexm_runtime)
  target_link_options(footprint_${name} PRIVATE -Wl,-Map=${CMAKE_CURRENT_BINARY_DIR}/footprint_${name}.map)
  otter_warnings(footprint_${name})
  set_target_properties(footprint_${name} PROPERTIES SUFFIX ".elf")
  set_property(GLOBAL APPEND PROPERTY OTTER_FOOTPRINTS footprint_${name})
  if(F_IS_BASELINE)
    set_property(GLOBAL APPEND PROPERTY OTTER_FOOTPRINT_BASELINES footprint_${name})
  endif()
  if(F_BASELINE)
    set_property(GLOBAL PROPERTY OTTER_FOOTPRINT_BASELINE_footprint_${name} footprint_${F_BASELINE})
  endif()
endfunction()
