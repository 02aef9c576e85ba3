/* The one translation unit that compiles jsmn's functions (its header defines
   them unless JSMN_HEADER is set). JSMN_STRICT comes from the build. */
#include <jsmn.h>
