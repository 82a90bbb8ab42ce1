/** Teacher network architectures built from configuration. */
package dev.distillery.teacher.arch;
