/**
 * Export of integer students as full-integer TensorFlow Lite flatbuffers (int8 activations, per-channel int8
 * weights, uint8 model input and output), the format LiteRT, TFLite Micro and accelerator compilers read.
 * The tables are written with the flatbuffers runtime and the project's own builders; docs/deployment.md says how.
 */
package dev.distillery.student.tflite;
