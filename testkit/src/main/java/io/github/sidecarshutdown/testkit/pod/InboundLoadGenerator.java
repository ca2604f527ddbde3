package io.github.sidecarshutdown.testkit.pod;

import static java.util.Objects.requireNonNull;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Runs an {@link InboundLoad}: one named daemon thread per client, blocking GETs through one
 * JDK {@link HttpClient} (HTTP/1.1, keep-alive, no proxy). Started once, stopped once.
 */
final class InboundLoadGenerator {

    private static final Duration JOIN_MARGIN = Duration.ofSeconds(2);

    private final InboundLoad config;
    private final LongSupplier nanoClock;
    private final Queue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final AtomicLong issued = new AtomicLong();
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final List<Thread> threads = new ArrayList<>();
    private final String threadPrefix;
    private volatile long startNanos;
    private volatile long stopNanos;
    private boolean started;

    InboundLoadGenerator(InboundLoad config, LongSupplier nanoClock, String threadPrefix) {
        this.config = requireNonNull(config, "config");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        this.threadPrefix = requireNonNull(threadPrefix, "threadPrefix");
    }

    InboundLoad config() {
        return config;
    }

    /** Starts the clients; returns at once. */
    synchronized void start() {
        if (started) {
            throw new IllegalStateException("inbound load already started");
        }
        started = true;
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .build();
        HttpRequest request = HttpRequest.newBuilder(config.url())
                .GET()
                .timeout(config.requestTimeout())
                .build();
        startNanos = nanoClock.getAsLong();
        long deadline = deadlineAfter(startNanos, config.maxDuration());
        for (int i = 0; i < config.clients(); i++) {
            int index = i;
            Thread thread = new Thread(() -> runClient(index, client, request, deadline),
                    threadPrefix + "-" + i);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    synchronized boolean isStarted() {
        return started;
    }

    long startNanos() {
        return startNanos;
    }

    long stopNanos() {
        return stopNanos;
    }

    /**
     * Signals the clients to stop and waits (bounded by the request timeout plus a margin) for
     * in-flight requests; clients still busy after that are interrupted.
     */
    void stop() throws InterruptedException {
        List<Thread> toJoin;
        synchronized (this) {
            if (!started) {
                return;
            }
            toJoin = List.copyOf(threads);
        }
        stopSignal.countDown();
        long deadline = deadlineAfter(System.nanoTime(), config.requestTimeout().plus(JOIN_MARGIN));
        try {
            for (Thread thread : toJoin) {
                long remaining = deadline - System.nanoTime();
                if (remaining > 0) {
                    TimeUnit.NANOSECONDS.timedJoin(thread, remaining);
                }
            }
        } finally {
            for (Thread thread : toJoin) {
                if (thread.isAlive()) {
                    thread.interrupt();
                }
            }
        }
        for (Thread thread : toJoin) {
            thread.join(JOIN_MARGIN.toMillis());
        }
        stopNanos = nanoClock.getAsLong();
    }

    /** Interrupts all clients without waiting; for {@code close()}. */
    void abort() {
        stopSignal.countDown();
        synchronized (this) {
            threads.forEach(Thread::interrupt);
        }
    }

    /**
     * Returns the result with times relative to {@code zeroNanos} (the Pod's deletion).
     */
    InboundLoadResult result(long zeroNanos) {
        List<InboundRequest> requests = new ArrayList<>(samples.size());
        for (Sample sample : samples) {
            requests.add(new InboundRequest(sample.client,
                    Duration.ofNanos(sample.sentNanos - zeroNanos),
                    Duration.ofNanos(sample.endNanos - sample.sentNanos),
                    sample.outcome, sample.status, sample.detail));
        }
        requests.sort(Comparator.comparing(InboundRequest::sentAt)
                .thenComparingInt(InboundRequest::client));
        return new InboundLoadResult(requests, config.clients());
    }

    private void runClient(int index, HttpClient client, HttpRequest request, long deadline) {
        try {
            while (stopSignal.getCount() > 0 && nanoClock.getAsLong() - deadline < 0
                    && issued.incrementAndGet() <= config.maxRequests()) {
                long sent = nanoClock.getAsLong();
                InboundOutcome outcome;
                int status = 0;
                String detail = "";
                try {
                    HttpResponse<Void> response =
                            client.send(request, HttpResponse.BodyHandlers.discarding());
                    status = response.statusCode();
                    outcome = status >= 200 && status < 300 ? InboundOutcome.OK
                            : InboundOutcome.HTTP_ERROR;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    outcome = classify(e);
                    detail = e.getClass().getName() + ": " + e.getMessage();
                }
                samples.add(new Sample(index, sent, nanoClock.getAsLong(), outcome, status, detail));
                if (!config.pause().isZero()
                        && stopSignal.await(config.pause().toNanos(), TimeUnit.NANOSECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Maps a failed request's exception (and its causes) to an outcome. */
    static InboundOutcome classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpTimeoutException || t instanceof SocketTimeoutException) {
                return InboundOutcome.TIMEOUT;
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return InboundOutcome.CONNECTION_REFUSED;
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (t instanceof EOFException || message.contains("reset")
                    || message.contains("received no bytes") || message.contains("broken pipe")
                    || message.contains("closed") || message.contains("eof")) {
                return InboundOutcome.CONNECTION_RESET;
            }
        }
        return InboundOutcome.OTHER_ERROR;
    }

    /** Returns {@code nowNanos + duration}, saturated so that it stays a usable deadline. */
    static long deadlineAfter(long nowNanos, Duration duration) {
        long nanos;
        try {
            nanos = duration.toNanos();
        } catch (ArithmeticException e) {
            nanos = duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        // Keep deadline - now comparisons valid: cap the distance at ~146 years.
        long capped = Math.max(Math.min(nanos, Long.MAX_VALUE / 2), Long.MIN_VALUE / 2);
        return nowNanos + capped;
    }

    private record Sample(int client, long sentNanos, long endNanos, InboundOutcome outcome,
            int status, String detail) {
    }
}
