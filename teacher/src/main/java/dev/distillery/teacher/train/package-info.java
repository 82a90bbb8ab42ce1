/** Teacher training on Spark through the shared data-parallel trainer. */
package dev.distillery.teacher.train;
