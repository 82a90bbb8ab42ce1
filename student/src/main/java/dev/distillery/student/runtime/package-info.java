/**
 * Reference inference engines that run a converted student without the training engine, so that what ships to a
 * device can be checked bit for bit on the build machine.
 */
package dev.distillery.student.runtime;
