/** Teachers trained elsewhere and exported to ONNX: the checks a model file passes before labelling runs it. */
package dev.distillery.teacher.onnx;
