# Warnings are errors everywhere. Third-party headers are included as SYSTEM.
set(OTTER_WARNINGS
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast
  -Wnon-virtual-dtor -Woverloaded-virtual
  -Wimplicit-fallthrough -Wformat=2 -Wundef)
set(OTTER_C_WARNINGS -Wall -Wextra -Werror)

function(otter_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:${OTTER_WARNINGS}>
    $<$<COMPILE_LANGUAGE:C>:${OTTER_C_WARNINGS}>)
endfunction()
