// The empty image: startup code only. The size report subtracts it from every
// component's footprint image.
int main() { return 0; }
