package io.github.sidecarshutdown.grpc;

import static java.util.Objects.requireNonNull;

import io.github.sidecarshutdown.InFlightTracker;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownTask;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Connects one grpc-java {@link Server} to a coordinator: an interceptor that tracks every call in
 * flight in the coordinator's {@link InFlightTracker}, and the {@link ShutdownPhase#INBOUND_DRAIN}
 * task that stops the server. Any transport works (Netty, Netty-shaded, OkHttp, in-process).
 *
 * <pre>{@code
 * GrpcServerSupport grpc = GrpcServerSupport.create(coordinator.inFlight());
 * Server server = ServerBuilder.forPort(port)
 *     .addService(new GreeterService())
 *     .intercept(grpc.interceptor())
 *     .build();
 * coordinator.register(grpc.drainTask(server, Duration.ofSeconds(10)));
 * }</pre>
 *
 * <p>The interceptor counts each call from its start until grpc-java reports it over, exactly once
 * whatever ends it: a close with any status, a client's cancel, a deadline, an exception thrown by
 * the handler, the server's {@code shutdownNow()}. The drain task calls {@code shutdown()} (no new
 * calls; those in progress go on), waits until they ended or {@code graceful} passed, closes what is
 * still open with {@code UNAVAILABLE} (a status clients may retry), and waits for the server to
 * terminate ({@code shutdownNow()} if needed), all within the task's time. The task fails, with the
 * number of calls it cut in its reason, when it had to cut any. Calls of the health and reflection
 * services are closed at the end too, but neither counted nor waited for: a health watch stays open
 * as long as its client likes.
 *
 * <p>grpc-java runs interceptors on the server's executor: a call the transport accepted just before
 * {@code shutdown()} that still waits there for a thread (a busy or shared executor) is in no count
 * yet. The drain does not end when the count is zero but when the server has terminated, which
 * grpc-java does only once every stream it accepted is closed: such a call is served, as by
 * grpc-java's own {@code shutdown()}.
 *
 * <p>One instance per server: the drain waits for, and cuts, the calls its interceptor saw. Install
 * the interceptor last on the builder (grpc-java runs the last one first), so it sees every call,
 * also those another interceptor rejects. Thread-safe.
 */
public final class GrpcServerSupport {

    /** What a call cut by the drain, or refused after it, ends with. */
    static final Status CUT_STATUS = Status.UNAVAILABLE.withDescription(
            "server shutting down: the call was still open at the end of the drain; retry on another instance");

    /** The drain task's default name. */
    public static final String DRAIN_TASK_NAME = "grpc-server-drain";

    private final CallRegistry calls = new CallRegistry();
    private final TrackingInterceptor interceptor;

    private GrpcServerSupport(CallCounter counter) {
        this.interceptor = new TrackingInterceptor(calls, counter);
    }

    /**
     * Support for one server whose calls are counted in {@code inFlight}.
     *
     * @param inFlight the coordinator's tracker ({@code coordinator.inFlight()})
     * @return the support; add its {@link #interceptor()} to the server and register its {@link #drainTask}
     */
    public static GrpcServerSupport create(InFlightTracker inFlight) {
        return new GrpcServerSupport(CallCounter.of(requireNonNull(inFlight, "inFlight")));
    }

    /** For tests: counts through {@code counter}. */
    static GrpcServerSupport create(CallCounter counter) {
        return new GrpcServerSupport(counter);
    }

    /** The interceptor to add to the server; the same instance every time. */
    public ServerInterceptor interceptor() {
        return interceptor;
    }

    /** Calls in flight now that are work (health and reflection calls left out). */
    public int callsInFlight() {
        return calls.countedOpen();
    }

    /**
     * The drain task, named {@value #DRAIN_TASK_NAME}.
     *
     * @see #drainTask(String, Server, Duration)
     */
    public ShutdownTask drainTask(Server server, Duration graceful) {
        return drainTask(DRAIN_TASK_NAME, server, graceful);
    }

    /**
     * An {@link ShutdownPhase#INBOUND_DRAIN} task that stops {@code server}: {@code shutdown()}, then
     * up to {@code graceful} for the calls in flight, then {@code UNAVAILABLE} for the calls still
     * open and the server's termination. Its timeout is {@code graceful} plus one second (the time
     * kept for the end); within a sequence that has less time left, the wait is shortened to fit.
     *
     * @param name     the task's name (a metric tag)
     * @param server   the server this support's interceptor is installed on
     * @param graceful how long calls in flight may take to end; whole milliseconds, at least 1 ms
     *                 (the coordinator's {@code drain-timeout} is a good value)
     * @return the task, not yet registered
     * @throws IllegalArgumentException if {@code graceful} is not positive or not whole milliseconds
     */
    public ShutdownTask drainTask(String name, Server server, Duration graceful) {
        requireNonNull(server, "server");
        return drainTask(name, () -> List.of(server), graceful);
    }

    /**
     * The same task for servers known only once they started (a framework's): it drains together
     * whatever {@code servers} returns when the task runs, every server this support's interceptor
     * is installed on. None: the task has nothing to do.
     *
     * @param name     the task's name (a metric tag)
     * @param servers  the servers to drain, read when the task runs
     * @param graceful how long calls in flight may take to end; whole milliseconds, at least 1 ms
     * @return the task, not yet registered
     * @throws IllegalArgumentException if {@code graceful} is not positive or not whole milliseconds
     */
    public ShutdownTask drainTask(String name, Supplier<? extends Collection<? extends Server>> servers, Duration graceful) {
        requireNonNull(servers, "servers");
        requireNonNull(graceful, "graceful");
        if (graceful.compareTo(Duration.ofMillis(1)) < 0 || graceful.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException("graceful: " + graceful + " (expected: whole milliseconds, at least 1 ms)");
        }
        return ShutdownTask.builder(name, new ServerDrain(servers, calls, graceful))
                .phase(ShutdownPhase.INBOUND_DRAIN)
                .timeout(graceful.plus(ServerDrain.END_RESERVE))
                .build();
    }

    @Override
    public String toString() {
        return "GrpcServerSupport{callsInFlight=" + calls.countedOpen() + ", drained=" + calls.isClosed() + "}";
    }
}
