package io.github.sidecarshutdown.examples.demo;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.TaskContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A batch job, the app container of a Job Pod: works {@code JOB_WORK} ms, then ends by itself,
 * returning from {@code main} for exit code 0 and through {@code System.exit(JOB_EXIT_CODE)}
 * otherwise (both ways a real job ends).
 *
 * <p>{@code USE_LIBRARY=true}: the library is installed ({@code SIDECAR_SHUTDOWN_*} from the
 * environment, e.g. {@code SIDECAR_SHUTDOWN_WORKLOAD=job}) with one cleanup task making
 * {@code CLEANUP_CALLS} POSTs to {@code DOWNSTREAM_URL}/cleanup through {@code OUTBOUND_PROXY}; the
 * library runs it at JVM exit and then releases the sidecar. {@code USE_LIBRARY=false}: the job
 * makes the same calls itself at the end of {@code main}, as jobs do today. {@code TRAP_QUIT_URL}:
 * on its way out, whatever the outcome, it POSTs there, standing for the shell-trap workaround
 * {@code trap 'curl -XPOST 127.0.0.1:15020/quitquitquit' EXIT} around the job's command (the
 * POST is made in-process so that the matrix needs no curl). Prints {@code APP_READY job} and
 * {@code APP_EVENT} lines.
 *
 * <p>{@code JOB_WORK_CALLS=N}: the work itself makes N POSTs to {@code JOB_INPUT_URL} through the proxy
 * (fetching its input); if one fails the job cannot do its work and exits 1. {@code JOB_FAIL_ONCE_MARKER}:
 * a file standing for an {@code emptyDir}: the first run that finds it missing creates it and fails with
 * {@code JOB_EXIT_CODE}; a run that finds it (a restart in place, {@code restartPolicy: OnFailure}) does
 * not fail by itself.
 */
public final class JobApp {

    private JobApp() {
    }

    /**
     * Runs the job.
     *
     * @param args unused; everything comes from the environment
     * @throws Exception if the library refuses its settings
     */
    public static void main(String[] args) throws Exception {
        boolean useLibrary = Boolean.parseBoolean(env("USE_LIBRARY", "true"));
        long workMs = Long.parseLong(env("JOB_WORK_MS", "300"));
        int exitCode = Integer.parseInt(env("JOB_EXIT_CODE", "0"));
        int calls = Integer.parseInt(env("CLEANUP_CALLS", "2"));
        String downstream = env("DOWNSTREAM_URL", "http://127.0.0.1:9090");
        String trapUrl = env("TRAP_QUIT_URL", "");
        Proxy proxy = proxy(env("OUTBOUND_PROXY", ""));
        int workCalls = Integer.parseInt(env("JOB_WORK_CALLS", "0"));
        String inputUrl = env("JOB_INPUT_URL", "http://127.0.0.1:9090/input");
        String failOnceMarker = env("JOB_FAIL_ONCE_MARKER", "");
        if (!failOnceMarker.isBlank()) {
            Path marker = Path.of(failOnceMarker);
            if (Files.exists(marker)) {
                exitCode = 0;
                event("retry: " + marker + " exists, not failing by itself");
            } else {
                Files.createFile(marker);
            }
        }

        if (useLibrary) {
            ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                    .fromEnvironment()
                    .task(ShutdownTask.builder("cleanup-calls", ctx -> cleanup(downstream, proxy, calls, ctx)).build())
                    .build();
            coordinator.install();
            coordinator.awaitSidecarReady();
        }
        System.out.println("APP_READY job library=" + useLibrary);
        System.out.flush();
        try {
            Thread.sleep(workMs);
            if (!work(inputUrl, proxy, workCalls)) {
                exitCode = 1;
            }
            event("job-done exit " + exitCode);
            if (!useLibrary) {
                cleanup(downstream, proxy, calls, null);
            }
        } finally {
            if (!trapUrl.isBlank()) {
                event("trap-quit " + quit(trapUrl));
            }
        }
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    /** The job's own outbound calls; whether all of them succeeded. */
    private static boolean work(String inputUrl, Proxy proxy, int calls) {
        boolean ok = true;
        for (int i = 1; i <= calls; i++) {
            try {
                int status = send("POST", inputUrl + "?call=" + i, proxy, Duration.ofSeconds(2));
                if (status != 200) {
                    throw new IOException("HTTP " + status);
                }
                event("work-call " + i + " ok");
            } catch (IOException e) {
                ok = false;
                event("work-call " + i + " failed " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        return ok;
    }

    private static void cleanup(String downstream, Proxy proxy, int calls, TaskContext ctx) throws IOException {
        int failed = 0;
        for (int i = 1; i <= calls; i++) {
            try {
                Duration budget = ctx == null ? Duration.ofSeconds(2) : ctx.remaining();
                int status = send("POST", downstream + "/cleanup?call=" + i, proxy, budget);
                if (status != 200) {
                    throw new IOException("HTTP " + status);
                }
                event("cleanup-call " + i + " ok");
            } catch (IOException e) {
                failed++;
                event("cleanup-call " + i + " failed " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        if (failed > 0) {
            throw new IOException(failed + " of " + calls + " cleanup calls failed");
        }
    }

    private static String quit(String url) {
        try {
            return String.valueOf(send("POST", url, Proxy.NO_PROXY, Duration.ofSeconds(2)));
        } catch (IOException e) {
            return "failed " + e.getMessage();
        }
    }

    private static int send(String method, String url, Proxy proxy, Duration budget) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection(proxy);
        int timeout = (int) Math.max(1, Math.min(2000, budget.toMillis()));
        c.setConnectTimeout(timeout);
        c.setReadTimeout(timeout);
        c.setRequestMethod(method);
        c.setDoOutput(true);
        try (OutputStream out = c.getOutputStream()) {
            out.write("{}".getBytes(StandardCharsets.UTF_8));
        }
        int status = c.getResponseCode();
        var in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        if (in != null) {
            try (in) {
                in.readAllBytes();
            }
        }
        return status;
    }

    private static Proxy proxy(String hostPort) {
        if (hostPort.isBlank()) {
            return Proxy.NO_PROXY;
        }
        int colon = hostPort.lastIndexOf(':');
        return new Proxy(Proxy.Type.HTTP, new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1))));
    }

    private static void event(String what) {
        System.out.println("APP_EVENT " + what);
        System.out.flush();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
