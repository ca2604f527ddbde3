package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.Loggers;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The app's readiness as the library sees it: not ready while starting (until the sidecar can carry
 * traffic), ready, then not ready again for good once shutdown begins. An app without a framework
 * serves its readiness endpoint from {@link #isReady()}; frameworks subscribe with
 * {@link #onChange(Consumer)}. Thread-safe; listeners are called in the order of the changes, under
 * the gate's lock, so they must not block.
 */
public final class ReadinessGate {

    /** Looked up at each use, not at class load: SLF4J then starts off the app's path to Ready (docs/timeline.md). */
    private static Logger logger() {
        return Loggers.of(ReadinessGate.class);
    }

    /** The gate's states; {@code SHUTTING_DOWN} is final. */
    public enum State {
        /** Not ready yet (waiting for the sidecar or the app). */
        STARTING,
        /** Accepting traffic. */
        READY,
        /** Refusing new traffic for good. */
        SHUTTING_DOWN
    }

    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private final List<Consumer<State>> listeners = new CopyOnWriteArrayList<>();
    private final Object transitions = new Object();

    /** The current state. */
    public State state() {
        return Objects.requireNonNull(state.get()); // never set to null
    }

    /** Whether the readiness endpoint should answer 200. */
    public boolean isReady() {
        return state.get() == State.READY;
    }

    /** STARTING → READY; ignored once shutting down. */
    public void markReady() {
        // One lock orders each change with its notification: a subscriber can never hear READY
        // after SHUTTING_DOWN when SIGTERM races the startup.
        synchronized (transitions) {
            if (state.compareAndSet(State.STARTING, State.READY)) {
                fire(State.READY);
            }
        }
    }

    /** Any state → SHUTTING_DOWN. */
    public void markShuttingDown() {
        synchronized (transitions) {
            if (state.getAndSet(State.SHUTTING_DOWN) != State.SHUTTING_DOWN) {
                fire(State.SHUTTING_DOWN);
            }
        }
    }

    /** Called with each new state, on the thread that changed it. */
    public void onChange(Consumer<State> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private void fire(State s) {
        for (Consumer<State> l : listeners) {
            try {
                l.accept(s);
            } catch (RuntimeException e) {
                logger().warn("Readiness listener failed on {}", s, e);
            }
        }
    }
}
