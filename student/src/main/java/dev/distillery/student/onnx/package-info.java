/**
 * Export of float students to ONNX, the interchange format hardware vendors' toolchains and ONNX Runtime read.
 * Only the model protobuf is written here; running exported models is left to ONNX Runtime.
 */
package dev.distillery.student.onnx;
