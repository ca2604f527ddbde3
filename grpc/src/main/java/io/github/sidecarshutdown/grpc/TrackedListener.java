package io.github.sidecarshutdown.grpc;

import io.grpc.ForwardingServerCallListener;
import io.grpc.ServerCall;

/**
 * Ends the call's count when grpc-java says the call is over: {@code onComplete} (closed, whatever
 * its status) or {@code onCancel} (client cancel, deadline, a handler's exception, the server's
 * {@code shutdownNow}). Both run after the handler's last callback returned, so a handler still
 * working keeps its call counted.
 */
final class TrackedListener<ReqT> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {

    private final TrackedCall<ReqT, ?> call;

    TrackedListener(ServerCall.Listener<ReqT> delegate, TrackedCall<ReqT, ?> call) {
        super(delegate);
        this.call = call;
    }

    @Override
    public void onComplete() {
        try {
            if (call.wasCut()) {
                // The stream ended cleanly on the wire, but the handler's call did not finish: for
                // the handler it was cancelled (its cancel handler runs, further sends fail).
                super.onCancel();
            } else {
                super.onComplete();
            }
        } finally {
            call.finish();
        }
    }

    @Override
    public void onCancel() {
        try {
            super.onCancel();
        } finally {
            call.finish();
        }
    }
}
