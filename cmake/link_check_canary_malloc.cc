// Deliberately calls malloc: the device link check must reject this object.
#include <cstdlib>
void* otter_canary_mallocs() { return std::malloc(16); }
