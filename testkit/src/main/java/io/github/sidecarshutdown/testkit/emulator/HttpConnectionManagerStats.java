package io.github.sidecarshutdown.testkit.emulator;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The few per-HTTP-connection-manager stats a client can use to watch inbound traffic, named as Envoy
 * names them under {@code http.<stat_prefix>.} (envoy {@code source/common/http/conn_manager_impl.h}
 * {@code ALL_HTTP_CONN_MAN_STATS}): {@code downstream_rq_total} (counter), {@code downstream_rq_active}
 * (gauge) and {@code downstream_cx_drain_close} (counter: connections closed because of a drain).
 */
final class HttpConnectionManagerStats {

    private final AtomicLong requestsTotal = new AtomicLong();
    private final AtomicLong requestsActive = new AtomicLong();
    private final AtomicLong drainCloses = new AtomicLong();

    void requestStarted() {
        requestsTotal.incrementAndGet();
        requestsActive.incrementAndGet();
    }

    void requestEnded() {
        requestsActive.decrementAndGet();
    }

    void drainClosed() {
        drainCloses.incrementAndGet();
    }

    long requestsTotal() {
        return requestsTotal.get();
    }

    long requestsActive() {
        return requestsActive.get();
    }

    long drainCloses() {
        return drainCloses.get();
    }
}
