package dev.distillery.student.mcu;

import java.util.ArrayList;
import java.util.List;

/** The defined symbols of a linked ELF as {@code nm -S --defined-only} lists them. */
record ElfSymbols(List<Symbol> symbols) {

    /** One symbol: nm's type letter (t/T code, r/R read-only data, d/D data, b/B zero-initialised data). */
    record Symbol(String name, long address, long size, char type) {
        boolean code() {
            return Character.toLowerCase(type) == 't';
        }

        /** Read-only data, and data that is read-only after relocation (position-independent host builds). */
        boolean constant() {
            char t = Character.toLowerCase(type);
            return t == 'r' || t == 'd';
        }

        boolean zeroInitialised() {
            return Character.toLowerCase(type) == 'b';
        }
    }

    static ElfSymbols parse(String nmOutput) {
        List<Symbol> out = new ArrayList<>();
        for (String line : nmOutput.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && f[2].length() == 1) {
                out.add(new Symbol(f[3], Long.parseUnsignedLong(f[0], 16), Long.parseUnsignedLong(f[1], 16),
                        f[2].charAt(0)));
            } else if (f.length == 3 && f[1].length() == 1) {
                out.add(new Symbol(f[2], Long.parseUnsignedLong(f[0], 16), 0, f[1].charAt(0)));
            }
        }
        return new ElfSymbols(List.copyOf(out));
    }

    /** Symbols of an exported model: its prefix and an underscore (static kernels and clones included). */
    List<Symbol> ofModel(String prefix) {
        return symbols.stream().filter(s -> s.name().startsWith(prefix + "_")).toList();
    }

    Symbol require(String name) {
        return symbols.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new McuToolException("symbol " + name + " is missing from the linked program", false));
    }

    long sizeOf(String name) {
        return symbols.stream().filter(s -> s.name().equals(name)).mapToLong(Symbol::size).sum();
    }
}
