package io.github.sidecarshutdown.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One call in flight: counted from its start until grpc-java tells the listener it is over, exactly
 * once ({@link #finish()}), and closable from the drain's thread ({@link #cut(Status)}).
 *
 * <p>{@code ServerCall} is not thread-safe, and the drain cuts calls from its own thread while their
 * handlers may be sending: the methods that write to the stream are serialized on this object, and
 * after a cut they do nothing (the client already has its status; the handler sees
 * {@link #isCancelled()}, as after a client's cancel).
 */
final class TrackedCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {

    private final CallRegistry registry;
    private final @Nullable CallCounter counter;
    private final int token;
    private final AtomicBoolean finished = new AtomicBoolean();
    private boolean closed; // guarded by this
    private volatile boolean cut;

    /** @param counter where the call is counted; null for calls that are not work (health watches) */
    TrackedCall(ServerCall<ReqT, RespT> delegate, CallRegistry registry, @Nullable CallCounter counter) {
        super(delegate);
        this.registry = registry;
        this.counter = counter;
        this.token = counter == null ? 0 : counter.enter();
    }

    /** Whether the call counts as work in flight (the drain waits for it). */
    boolean isCounted() {
        return counter != null;
    }

    /** Whether the drain cut it. */
    boolean wasCut() {
        return cut;
    }

    /**
     * Closes the call with {@code status} unless the app already closed it.
     *
     * @return whether this closed it
     */
    synchronized boolean cut(Status status) {
        if (closed) {
            return false;
        }
        closed = true;
        cut = true;
        super.close(status, new Metadata());
        return true;
    }

    /** The call is over: leaves the registry and the count, once, whoever calls it first. */
    void finish() {
        if (finished.compareAndSet(false, true)) {
            registry.remove(this);
            CallCounter c = counter;
            if (c != null) {
                c.exit(token);
            }
        }
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
        if (!cut) {
            super.sendHeaders(headers);
        }
    }

    @Override
    public synchronized void sendMessage(RespT message) {
        if (!cut) {
            super.sendMessage(message);
        }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
        if (cut) {
            return;
        }
        closed = true;
        super.close(status, trailers);
    }

    @Override
    public boolean isReady() {
        return !cut && super.isReady();
    }

    @Override
    public boolean isCancelled() {
        return cut || super.isCancelled();
    }
}
