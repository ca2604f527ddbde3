package io.github.sidecarshutdown.examples.spring;

import io.github.sidecarshutdown.TaskContext;
import io.github.sidecarshutdown.spring.autoconfigure.SidecarShutdownTask;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * The app's outbound cleanup: tells the downstream service this instance is going away. Runs in
 * the cleanup phase, after inbound requests drained and before any bean (the {@link RestClient}
 * included) is destroyed, while the sidecar still forwards outbound traffic.
 */
@Component
class DownstreamCleanup {

    private final RestClient downstream;

    DownstreamCleanup(RestClient downstream) {
        this.downstream = downstream;
    }

    @SidecarShutdownTask(name = "cleanup-calls", timeout = "${CLEANUP_TIMEOUT:5s}", retries = 1)
    void notifyDownstream(TaskContext ctx) {
        try {
            downstream.post().uri("/cleanup?attempt={n}", ctx.attempt()).body("{}").retrieve().toBodilessEntity();
            Env.event("cleanup-call ok");
        } catch (RestClientException e) {
            Env.event("cleanup-call failed " + e.getClass().getSimpleName() + ": " + e.getMessage());
            throw e;
        }
    }
}
