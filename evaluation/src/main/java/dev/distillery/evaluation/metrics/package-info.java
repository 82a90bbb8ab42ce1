/** Classification quality of a variant on labelled examples: accuracy, per-class precision and recall, confusion,
 * and agreement between two variants' predictions. */
package dev.distillery.evaluation.metrics;
