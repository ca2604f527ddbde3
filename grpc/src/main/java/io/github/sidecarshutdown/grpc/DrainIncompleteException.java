package io.github.sidecarshutdown.grpc;

import java.time.Duration;

/**
 * The drain had to cut calls, or the server did not terminate in time. Its text is what the
 * shutdown report shows for the task.
 */
final class DrainIncompleteException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int cut;

    DrainIncompleteException(int cut, Duration graceful, boolean terminated, Duration took) {
        super(text(cut, graceful, terminated, took));
        this.cut = cut;
    }

    /** How many calls that were work were cut. */
    int cut() {
        return cut;
    }

    private static String text(int cut, Duration graceful, boolean terminated, Duration took) {
        StringBuilder sb = new StringBuilder();
        if (cut > 0) {
            sb.append(cut).append(" call(s) still open after ").append(graceful.toMillis())
                    .append(" ms cut with UNAVAILABLE (the client may retry)");
        }
        if (!terminated) {
            sb.append(sb.length() > 0 ? "; " : "").append("the server did not terminate within ")
                    .append(took.toMillis()).append(" ms, even after shutdownNow()");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        // The report shows toString(): the text, not the class name.
        return "gRPC drain: " + getMessage();
    }
}
