// Deliberately allocates: the device link check must reject this object.
int* otter_canary_allocates() { return new int(42); }
