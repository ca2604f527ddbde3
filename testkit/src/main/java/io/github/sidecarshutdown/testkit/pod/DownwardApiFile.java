package io.github.sidecarshutdown.testkit.pod;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A downward-API volume item for {@code metadata.annotations} or {@code metadata.labels}, written the
 * way the kubelet writes it (kubernetes {@code pkg/fieldpath/fieldpath.go} {@code FormatMap}): one
 * {@code key="value"} line per entry, keys sorted, each value quoted as Go's {@code %q} quotes it, no
 * line break after the last line. That is the format the library parses, so a test's annotations
 * reach the application exactly as in a Pod.
 */
final class DownwardApiFile {

    /** The item's file name for the annotations. */
    static final String ANNOTATIONS = "annotations";
    /** The item's file name for the labels. */
    static final String LABELS = "labels";

    private DownwardApiFile() {
    }

    /** The file's content for these entries. */
    static String format(Map<String, String> entries) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> entry : new TreeMap<>(entries).entrySet()) {
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append(entry.getKey()).append('=').append(quote(entry.getValue()));
        }
        return text.toString();
    }

    /** Writes the file atomically, as the kubelet swaps the volume's data directory. */
    static void write(Path file, Map<String, String> entries) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        Files.writeString(tmp, format(entries), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Deletes the directory and its files; best effort (a leftover temp file harms nothing). */
    static void deleteDirectory(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // Best effort: the directory is under the system's temporary directory.
        }
    }

    /** Go's {@code strconv.Quote}: printable characters as they are, the rest escaped. */
    static String quote(String value) {
        StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
        value.codePoints().forEach(c -> {
            switch (c) {
                case '"': quoted.append("\\\""); break;
                case '\\': quoted.append("\\\\"); break;
                case '\n': quoted.append("\\n"); break;
                case '\t': quoted.append("\\t"); break;
                case '\r': quoted.append("\\r"); break;
                case 0x07: quoted.append("\\a"); break;
                case '\b': quoted.append("\\b"); break;
                case '\f': quoted.append("\\f"); break;
                case 0x0b: quoted.append("\\v"); break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        quoted.append(String.format(Locale.ROOT, "\\x%02x", c));
                    } else if (Character.isISOControl(c) || !Character.isDefined(c)) {
                        quoted.append(c > 0xffff ? String.format(Locale.ROOT, "\\U%08x", c)
                                : String.format(Locale.ROOT, "\\u%04x", c));
                    } else {
                        quoted.appendCodePoint(c);
                    }
            }
        });
        return quoted.append('"').toString();
    }
}
