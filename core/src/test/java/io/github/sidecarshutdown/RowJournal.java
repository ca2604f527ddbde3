package io.github.sidecarshutdown;

import io.github.sidecarshutdown.envoy.AdminCallListener;
import io.github.sidecarshutdown.envoy.AdminEndpoint;
import io.github.sidecarshutdown.sidecar.SidecarState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * What one decision-table row's run did, in order, each entry tagged with the phase that was
 * running when it happened: every request a loopback stand-in received, every admin call the
 * library reports having tried (so that a call to a port nobody listens on is seen too), and every
 * change of state the sidecar guard reported (it reports none for its first look when that is
 * UNKNOWN, its starting value, or when there is no sidecar to ask). The phase tag is exact: a stand-in records a request while the
 * caller still waits for its answer, so the phase cannot have moved on.
 */
final class RowJournal implements ShutdownListener, AdminCallListener {

    /** Before {@link #shutdownBegins()}: what the app did at startup. */
    static final String BEFORE = "before";
    /** From {@link #shutdownBegins()} until the first phase starts: the sequence's first look at the sidecar. */
    static final String START = "start";

    /** A request a stand-in received: {@code METHOD /path?query}. */
    record Request(String phase, String server, String line) {
    }

    /** A call the library tried, as its admin client reports it. */
    record Attempt(String phase, AdminEndpoint endpoint, String outcome) {

        /** {@code METHOD /path}, as the plan names a call (without a query). */
        String call() {
            return endpoint.method() + " " + endpoint.path();
        }
    }

    private volatile String phase = BEFORE;
    final List<Request> requests = new CopyOnWriteArrayList<>();
    final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    final List<SidecarState> states = new CopyOnWriteArrayList<>();
    private final List<Predicate<Attempt>> triggers = new CopyOnWriteArrayList<>();

    /** The test is about to call {@code shutdown()}. */
    void shutdownBegins() {
        phase = START;
    }

    String phase() {
        return phase;
    }

    void request(String server, String line) {
        requests.add(new Request(phase, server, line));
    }

    /** Runs {@code action} once, on the first attempt it matches (e.g. the first refused release call). */
    void onAttempt(Predicate<Attempt> match, Runnable action) {
        triggers.add(new Predicate<>() {
            private boolean fired;

            @Override
            public synchronized boolean test(Attempt a) {
                if (!fired && match.test(a)) {
                    fired = true;
                    action.run();
                }
                return fired;
            }
        });
    }

    @Override
    public void onAdminCall(AdminEndpoint endpoint, String outcome, int statusCode, Duration elapsed) {
        Attempt a = new Attempt(phase, endpoint, outcome);
        attempts.add(a);
        for (Predicate<Attempt> t : triggers) {
            t.test(a);
        }
    }

    @Override
    public void onPhaseStarted(ShutdownPhase started) {
        phase = started.name();
    }

    @Override
    public void onSidecarState(SidecarState state) {
        states.add(state);
    }

    /** Requests received during {@code phaseName} whose line starts with {@code prefix}. */
    List<Request> requests(@Nullable String phaseName, String prefix) {
        return requests.stream().filter(r -> (phaseName == null || r.phase().equals(phaseName)) && r.line().startsWith(prefix))
                .toList();
    }

    /** Calls tried to a port nobody listened on. */
    List<Attempt> refused() {
        return attempts.stream().filter(a -> a.outcome().equals("connection_refused")).toList();
    }
}
