package io.github.sidecarshutdown.examples.spring;

import io.github.sidecarshutdown.TaskContext;
import io.github.sidecarshutdown.spring.SidecarShutdownTask;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * The app's outbound cleanup: tells the downstream service this instance is going away, in
 * {@code CLEANUP_CALLS} calls (default 1) spread over {@code CLEANUP_WORK} (default 0).
 *
 * <p>With the starter, it runs in the cleanup phase, after inbound requests drained and before
 * any bean (the {@link RestClient} included) is destroyed, while the sidecar still forwards
 * outbound traffic; a retry resumes after the calls already delivered. With the starter turned
 * off ({@code SIDECAR_SHUTDOWN_ENABLED=false}) it does what Spring apps do today: the same calls
 * in {@code @PreDestroy}, after Spring's graceful shutdown stopped the web server, knowing nothing
 * of the sidecar (the benchmarks' "Spring's graceful shutdown alone" baseline).
 */
@Component
class DownstreamCleanup {

    private final RestClient downstream;
    private final boolean starterEnabled;
    private final Duration work = Env.duration("CLEANUP_WORK", "0ms");
    private final int calls = Integer.parseInt(Env.get("CLEANUP_CALLS", "1"));
    /** Calls delivered so far: a retry of the task resumes after them. */
    private int delivered;

    DownstreamCleanup(RestClient downstream, Environment environment) {
        this.downstream = downstream;
        this.starterEnabled = environment.getProperty("sidecar.shutdown.enabled", Boolean.class, true);
    }

    @SidecarShutdownTask(name = "cleanup-calls", timeout = "${CLEANUP_TIMEOUT:5s}", retries = 1)
    void notifyDownstream(TaskContext ctx) throws InterruptedException {
        callAll(ctx.attempt());
    }

    /** Without the starter: the cleanup where Spring apps put it today. */
    @PreDestroy
    void withoutStarter() throws InterruptedException {
        if (!starterEnabled) {
            try {
                callAll(1);
            } catch (RestClientException e) {
                Env.event("cleanup-failed " + e.getMessage());
            }
        }
    }

    private synchronized void callAll(int attempt) throws InterruptedException {
        long pause = work.toMillis() / calls;
        RestClientException last = null;
        for (int i = delivered + 1; i <= calls; i++) {
            Thread.sleep(pause);
            try {
                downstream.post().uri("/cleanup?call={i}&attempt={n}", i, attempt).body("{}").retrieve().toBodilessEntity();
                Env.event("cleanup-call " + i + " ok");
                if (delivered == i - 1) {
                    delivered = i;
                }
            } catch (RestClientException e) {
                Env.event("cleanup-call " + i + " failed " + e.getClass().getSimpleName() + ": " + e.getMessage());
                last = e;
            }
        }
        if (last != null) {
            throw last;
        }
    }
}
