package io.github.sidecarshutdown;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the pipe tables of a markdown page: the first table after a given heading, as a header and
 * rows of cells by column name. Cells are trimmed and otherwise kept as written (backticks too).
 */
final class MarkdownTables {

    /**
     * One row.
     *
     * @param id    the first cell (e.g. {@code E3})
     * @param cells every cell by its column's header
     * @param line  its line number in the page, for messages
     */
    record Row(String id, Map<String, String> cells, int line) {

        String cell(String column) {
            String v = cells.get(column);
            if (v == null) {
                throw new AssertionError("row " + id + " (line " + line + ") has no column '" + column + "'; columns: " + cells.keySet());
            }
            return v;
        }
    }

    /** A table: its header and rows, in page order. */
    record Table(String heading, List<String> header, List<Row> rows) {
    }

    private final Path page;
    private final List<String> lines;

    MarkdownTables(Path page) {
        this.page = page;
        try {
            this.lines = Files.readAllLines(page, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + page.toAbsolutePath(), e);
        }
    }

    /** The first table after the line {@code heading} (e.g. {@code ## The decision table: at the end}). */
    Table tableAfter(String heading) {
        int i = lines.indexOf(heading);
        if (i < 0) {
            throw new AssertionError(page + " has no heading '" + heading + "'");
        }
        while (i < lines.size() && !lines.get(i).startsWith("|")) {
            i++;
        }
        if (i + 1 >= lines.size() || !lines.get(i + 1).matches("\\|( *:?-+:? *\\|)+")) {
            throw new AssertionError(page + ": no table after '" + heading + "'");
        }
        List<String> header = cells(lines.get(i));
        List<Row> rows = new ArrayList<>();
        for (int j = i + 2; j < lines.size() && lines.get(j).startsWith("|"); j++) {
            List<String> c = cells(lines.get(j));
            if (c.size() != header.size()) {
                throw new AssertionError(page + " line " + (j + 1) + ": " + c.size() + " cells under a header of " + header.size()
                        + ": " + lines.get(j));
            }
            Map<String, String> byName = new LinkedHashMap<>();
            for (int k = 0; k < header.size(); k++) {
                byName.put(header.get(k), c.get(k));
            }
            rows.add(new Row(c.get(0), byName, j + 1));
        }
        return new Table(heading, header, rows);
    }

    private static List<String> cells(String line) {
        String inner = line.strip();
        inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
        return Arrays.stream(inner.split("\\|", -1)).map(String::strip).toList();
    }
}
