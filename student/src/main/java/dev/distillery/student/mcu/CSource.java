package dev.distillery.student.mcu;

/** The text of a generated header and source, before it is written anywhere. */
public record CSource(String prefix, String header, String source, long arenaBytes) {
}
