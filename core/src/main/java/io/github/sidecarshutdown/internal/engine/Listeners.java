package io.github.sidecarshutdown.internal.engine;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownListener;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tells every listener of an event; one that throws is logged and the others still hear it. */
final class Listeners {

    /** Looked up at each use, not at class load: SLF4J then starts off the app's path to Ready (docs/timeline.md). */
    private static Logger logger() {
        return LoggerFactory.getLogger(ShutdownCoordinator.class);
    }

    private final List<ShutdownListener> listeners;

    /** @param listeners a live list: listeners added before the sequence starts are heard */
    Listeners(List<ShutdownListener> listeners) {
        this.listeners = listeners;
    }

    void tell(Consumer<ShutdownListener> event) {
        for (ShutdownListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                logger().warn("Shutdown listener {} failed", l, e);
            }
        }
    }
}
