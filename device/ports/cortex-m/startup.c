/* Minimal Cortex-M4F runtime for Otter's firmware images (bootloader, QEMU
   tests, footprint images): vector table, .data/.bss init, FPU on, main().
   Written in C because C++ may not call main(). */
#include <stdint.h>
#include <string.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);
void Reset_Handler(void);
void Fault_Handler(void);
void otter_semihosting_exit(int success);
void otter_semihosting_write0(const char* text);

/* Static destructors never run on firmware that never returns; registering
   them needs no storage. */
int __aeabi_atexit(void* object, void (*destructor)(void*), void* dso) {
  (void)object; (void)destructor; (void)dso;
  return 0;
}
void* __dso_handle = 0;

typedef void (*Handler)(void);

__attribute__((section(".isr_vector"), used)) const Handler kVectorTable[16] = {
    (Handler)&_estack,
    Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    0, 0, 0, 0,
    Fault_Handler, /* SVCall */
    Fault_Handler, /* DebugMonitor */
    0,
    Fault_Handler, /* PendSV */
    Fault_Handler, /* SysTick */
};

void Reset_Handler(void) {
  /* Enable CP10/CP11 (the FPU) before any code that might use it. */
  volatile uint32_t* cpacr = (volatile uint32_t*)0xE000ED88;
  *cpacr |= (0xFU << 20);
  __asm volatile("dsb\n isb" ::: "memory");

  memcpy(&_sdata, &_sidata, (size_t)((uintptr_t)&_edata - (uintptr_t)&_sdata));
  memset(&_sbss, 0, (size_t)((uintptr_t)&_ebss - (uintptr_t)&_sbss));

  /* Static constructors. */
  extern void (*__init_array_start[])(void);
  extern void (*__init_array_end[])(void);
  for (void (**f)(void) = __init_array_start; f < __init_array_end; ++f) (*f)();

  otter_semihosting_exit(main() == 0);
}

void Fault_Handler(void) {
  otter_semihosting_write0("FAULT\n");
  otter_semihosting_exit(0);
}
