/** Analytic cost model: weight and activation memory, roofline latency and energy of an architecture on a profile.
 * Works from the layer list alone, so it judges a variant before (or without) running it on the device. */
package dev.distillery.evaluation.cost;
