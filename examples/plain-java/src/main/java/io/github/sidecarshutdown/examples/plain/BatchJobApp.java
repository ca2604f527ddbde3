package io.github.sidecarshutdown.examples.plain;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.TaskContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A batch app for a Job's Pod (see {@code examples/kubernetes/batch-job-classic.yaml}): it does its
 * work in {@code main} and ends with {@code System.exit(code)}, or by returning (code 0). The
 * installed hook does the rest: in the {@code job} workload (the Job controller's label, or
 * {@code SIDECAR_SHUTDOWN_WORKLOAD=job}) it runs the cleanup task, then releases a classic sidecar,
 * and the JVM exits with the app's code, so the Job completes with the right status.
 */
public final class BatchJobApp {

    private BatchJobApp() {
    }

    public static void main(String[] args) throws Exception {
        String results = System.getenv().getOrDefault("RESULTS_URL", "http://results.default.svc.cluster.local:8080");
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .fromEnvironment()
                .task("publish-summary", ctx -> publish(results + "/summary", ctx))
                .build()
                .install();
        coordinator.awaitSidecarReady(); // outbound goes through the sidecar: wait until it forwards

        int failed = runTheBatch();
        // Non-zero marks the Job's Pod failed (and counts against backoffLimit); the hook keeps it.
        System.exit(failed == 0 ? 0 : 1);
    }

    /** The batch itself; returns how many items failed. */
    private static int runTheBatch() {
        System.out.println("BATCH processed 100 items");
        return 0;
    }

    private static void publish(String url, TaskContext ctx) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection(Proxy.NO_PROXY);
        int timeout = (int) Math.max(1, Math.min(Integer.MAX_VALUE, ctx.remaining().toMillis()));
        c.setConnectTimeout(timeout);
        c.setReadTimeout(timeout);
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        try (OutputStream out = c.getOutputStream()) {
            out.write("{\"processed\":100}".getBytes(StandardCharsets.UTF_8));
        }
        int status = c.getResponseCode();
        c.disconnect();
        if (status / 100 != 2) {
            throw new IOException(url + " answered " + status);
        }
    }
}
