package io.github.sidecarshutdown.pod;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Reads one downward-API file (the Pod's annotations or labels) the way a path a user names must be
 * read at startup: only a regular file (the kubelet writes a symbolic link to one), never a FIFO, a
 * device or a directory, which could block {@code build()} forever or never end; and at most
 * {@link #MAX_BYTES}, since Kubernetes caps an object's annotations at 256 KiB. Never throws.
 */
final class PodFile {

    /** Largest file read: twice what Kubernetes allows, so that a valid file always fits. */
    static final int MAX_BYTES = DownwardApiAnnotations.MAX_CHARS;

    /**
     * What reading gave: the content, or why there is none.
     *
     * @param content the text, when read
     * @param missing the file does not exist
     * @param problem why it was not read (not a regular file, too large, unreadable); null when read or missing
     */
    record Read(@Nullable String content, boolean missing, @Nullable String problem) {

        Optional<String> text() {
            return Optional.ofNullable(content);
        }
    }

    private PodFile() {
    }

    static Read read(Path file) {
        try {
            if (!Files.exists(file)) {
                return new Read(null, true, null);
            }
            if (!Files.isRegularFile(file)) {
                // Checked before opening: opening a FIFO blocks until a writer comes.
                String kind = Files.isDirectory(file) ? "a directory"
                        : Files.isSymbolicLink(file) && !Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? "a broken link"
                        : "not a regular file (a pipe, a socket or a device)";
                return new Read(null, false, kind);
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] bytes = in.readNBytes(MAX_BYTES + 1);
                if (bytes.length > MAX_BYTES) {
                    return new Read(null, false, "larger than " + MAX_BYTES + " bytes");
                }
                return new Read(new String(bytes, StandardCharsets.UTF_8), false, null);
            }
        } catch (NoSuchFileException e) {
            return new Read(null, true, null);
        } catch (IOException | RuntimeException e) {
            return new Read(null, false, "unreadable (" + e + ")");
        }
    }
}
