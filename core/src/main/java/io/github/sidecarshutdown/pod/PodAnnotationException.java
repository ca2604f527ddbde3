package io.github.sidecarshutdown.pod;

/**
 * The annotations file, or an annotation in it, is not in a form the library reads. The message
 * names the line (1-based, within the file or the annotation's value) and what was expected.
 */
public final class PodAnnotationException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int line;

    /**
     * @param line    1-based line the problem is on, or 0 when it is not tied to a line
     * @param message what is wrong
     */
    public PodAnnotationException(int line, String message) {
        super(line > 0 ? "line " + line + ": " + message : message);
        this.line = line;
    }

    /** The 1-based line, or 0 when the problem is not tied to one. */
    public int line() {
        return line;
    }
}
