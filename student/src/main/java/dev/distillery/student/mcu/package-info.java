/**
 * C99 export of integer students for microcontrollers, and the harness that builds the exported sources with real
 * toolchains and measures flash, RAM and executed instructions on emulated Cortex-M cores.
 */
package dev.distillery.student.mcu;
