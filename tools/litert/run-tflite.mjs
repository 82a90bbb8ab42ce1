// Runs a full-integer .tflite model in LiteRT.js (XNNPACK compiled to WebAssembly) on the CPU, row by row.
//
//   node run-tflite.mjs MODEL.tflite INPUT.bin OUTPUT.bin
//
// INPUT.bin holds the model's uint8 input rows back to back (each row as many bytes as the input tensor has
// elements, in the tensor's NHWC order); OUTPUT.bin receives the uint8 output rows in the same order. One JSON line
// on stdout describes the run (shapes, types, rows, the wasm build, milliseconds). Install the pinned runtime once
// with `npm ci --prefix tools/litert`.
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadLiteRtForNode } from './litert-node.mjs';

const [modelPath, inputPath, outputPath] = process.argv.slice(2);
if (!modelPath || !inputPath || !outputPath) {
  console.error('usage: node run-tflite.mjs MODEL.tflite INPUT.bin OUTPUT.bin');
  process.exit(2);
}

const { litert, wasmFile } = await loadLiteRtForNode();
const model = await litert.loadAndCompile(new Uint8Array(readFileSync(modelPath)), { accelerator: 'wasm' });
const [input] = model.getInputDetails();
const [output] = model.getOutputDetails();
if (input.dtype !== 'uint8' || output.dtype !== 'uint8') {
  console.error(`expected uint8 model input and output, found ${input.dtype} and ${output.dtype}`);
  process.exit(2);
}
const inShape = Array.from(input.shape);
const outShape = Array.from(output.shape);
const inSize = inShape.reduce((a, b) => a * b, 1);
const outSize = outShape.reduce((a, b) => a * b, 1);
const rowsIn = new Uint8Array(readFileSync(inputPath));
if (rowsIn.length % inSize !== 0) {
  console.error(`${inputPath} has ${rowsIn.length} bytes, not a multiple of the input size ${inSize} (${inShape})`);
  process.exit(2);
}
const rows = rowsIn.length / inSize;
const rowsOut = new Uint8Array(rows * outSize);
const start = performance.now();
for (let r = 0; r < rows; r++) {
  const tensor = new litert.Tensor(rowsIn.slice(r * inSize, (r + 1) * inSize), inShape);
  const [result] = await model.run([tensor]);
  const values = result.toTypedArray();
  if (values.length !== outSize) {
    console.error(`row ${r}: expected ${outSize} outputs, got ${values.length}`);
    process.exit(1);
  }
  rowsOut.set(values, r * outSize);
  tensor.delete();
  result.delete();
}
const ms = performance.now() - start;
writeFileSync(outputPath, rowsOut);
console.log(JSON.stringify({
  rows, inputShape: inShape, inputType: input.dtype, outputShape: outShape, outputType: output.dtype,
  fullyAccelerated: model.isFullyAccelerated, wasm: wasmFile, ms: Math.round(ms),
}));
model.delete();
