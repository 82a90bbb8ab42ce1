/** Side-by-side comparison of finished evaluations: reads the report.json of two or more runs (the documented
 * contract, not in-memory objects) and writes accuracy, size, latency and gate results next to each other. */
package dev.distillery.evaluation.compare;
