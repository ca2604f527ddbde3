package io.github.sidecarshutdown.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The fenced java blocks of the project's Markdown pages. A block that is a complete file is preceded,
 * on the line just above its fence, by {@value #COMPLETE}; such a block must compile as pasted.
 */
final class DocBlocks {

    /** The line that marks the java block below it as a complete file. */
    static final String COMPLETE = "<!-- complete -->";

    /**
     * The line that marks a complete file for Spring Boot 3.5 only: it cannot be compiled beside Spring
     * Boot 4, whose class path these tests have, so it is listed as skipped.
     */
    static final String COMPLETE_BOOT3 = "<!-- complete: Spring Boot 3.5 -->";

    /** Every Markdown line that starts like a marker; anything but the two markers is a typo. */
    static final String MARKER_PREFIX = "<!-- complete";

    private static final String JAVA_FENCE = "```java";
    private static final String FENCE = "```";

    /**
     * One fenced java block.
     *
     * @param page      the page, relative to the repository (e.g. {@code docs/grpc.md})
     * @param fenceLine the 1-based line of its opening fence; its code starts on the next line
     * @param code      the code between the fences, each line ending with a newline
     * @param complete  whether {@link #COMPLETE} is the line just above the fence
     * @param boot3     whether {@link #COMPLETE_BOOT3} is the line just above the fence
     */
    record Block(String page, int fenceLine, String code, boolean complete, boolean boot3) {

        /** The Markdown line of the block's {@code n}-th code line (1-based). */
        int markdownLine(long n) {
            return fenceLine + (int) n;
        }

        /** Whether the block is written as a whole file: it starts with a package or an import. */
        boolean looksComplete() {
            String first = code.lines().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
            return first.startsWith("package ") || first.startsWith("import ");
        }

        @Override
        public String toString() {
            return page + ":" + fenceLine;
        }
    }

    /** What a page holds: its java blocks, and its markers that are not followed by a java block. */
    record Page(List<Block> blocks, List<String> strayMarkers) {
    }

    private DocBlocks() {
    }

    /**
     * The repository's root, found from the working directory upwards (Surefire runs in the module's
     * directory): the first directory with README.md, docs/ and pom.xml.
     */
    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs"))
                    && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no directory above " + Path.of("").toAbsolutePath()
                + " holds README.md, docs/ and pom.xml");
    }

    /** README.md, then every docs/*.md in name order. */
    static List<Path> pages(Path root) {
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(pages::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages;
    }

    /** Reads one page. */
    static Page read(Path root, Path page) {
        try {
            return parse(root.relativize(page).toString(), Files.readString(page));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a page's text; {@code page} names it in what is found. */
    static Page parse(String page, String text) {
        List<String> lines = text.lines().toList();
        List<Block> blocks = new ArrayList<>();
        List<String> stray = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.strip().startsWith(MARKER_PREFIX)) {
                boolean exact = line.equals(COMPLETE) || line.equals(COMPLETE_BOOT3);
                boolean javaNext = i + 1 < lines.size() && lines.get(i + 1).equals(JAVA_FENCE);
                if (!exact || !javaNext) {
                    stray.add(page + ":" + (i + 1) + ": '" + line + "'" + (exact ? " is not followed by a line '" + JAVA_FENCE
                            + "'" : " is not the marker '" + COMPLETE + "' (or '" + COMPLETE_BOOT3
                            + "'), exactly, on a line of its own"));
                }
            }
            if (line.equals(JAVA_FENCE)) {
                int fence = i;
                StringBuilder code = new StringBuilder();
                i++;
                while (i < lines.size() && !lines.get(i).equals(FENCE)) {
                    code.append(lines.get(i)).append('\n');
                    i++;
                }
                String above = fence > 0 ? lines.get(fence - 1) : "";
                blocks.add(new Block(page, fence + 1, code.toString(), above.equals(COMPLETE), above.equals(COMPLETE_BOOT3)));
            }
        }
        return new Page(List.copyOf(blocks), List.copyOf(stray));
    }
}
