package io.github.sidecarshutdown;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A child JVM's output, read line by line on a daemon thread of its own into a list the test reads. */
final class ChildOutput {

    private ChildOutput() {
    }

    /** Starts reading {@code process}'s output into {@code lines} (a thread-safe list) until it ends. */
    static Thread capture(Process process, List<String> lines, String threadName) {
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, threadName);
        reader.setDaemon(true);
        reader.start();
        return reader;
    }
}
