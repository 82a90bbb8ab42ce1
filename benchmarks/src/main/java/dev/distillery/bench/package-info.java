/** Benchmark drivers run by the scripts in bench/; they print RESULT lines the scripts turn into tables. */
package dev.distillery.bench;
