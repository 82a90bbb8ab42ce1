package dev.distillery.student.tflite;

/** An exported TFLite model in memory: the flatbuffer's bytes and the quantization of its input and output. */
public record TfliteModel(byte[] bytes, TfliteIo io) {
}
