// BootControlBootloader is defined in its header; this unit makes the library
// link its dependencies into every user.
#include "otter/agent/boot_control_bootloader.h"
