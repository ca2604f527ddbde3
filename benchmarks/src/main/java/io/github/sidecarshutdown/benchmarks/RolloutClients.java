package io.github.sidecarshutdown.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The Service's clients during a rollout: {@code clients} threads, each sending {@code GET /hello} to
 * the endpoint the {@link LoadBalancer} picks, waiting {@code pause}, and again, until stopped. A request
 * fails when no endpoint is routable, on any I/O error or timeout, or on a status other than 2xx. One
 * shared JDK {@link HttpClient} (HTTP/1.1, keep-alive per endpoint) like a client-side proxy's pool.
 * Mostly sleeping threads: 100 of them cost little on 2 cores.
 */
final class RolloutClients {

    /** One request: when it was sent and ended (nanoTime), where it went, and whether it succeeded. */
    record Sample(long sentNanos, long endNanos, String pod, boolean ok, String detail) {
    }

    private final LoadBalancer balancer;
    private final int clients;
    private final Duration pause;
    private final Duration requestTimeout;
    private final Queue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final List<Thread> threads = new ArrayList<>();
    private final HttpClient http;

    RolloutClients(LoadBalancer balancer, int clients, Duration pause, Duration requestTimeout) {
        if (clients < 1) {
            throw new IllegalArgumentException("clients: " + clients + " (expected: >= 1)");
        }
        if (requestTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("requestTimeout: " + requestTimeout + " (expected: >= 1 ms)");
        }
        this.balancer = balancer;
        this.clients = clients;
        this.pause = pause;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(requestTimeout)
                .proxy(HttpClient.Builder.NO_PROXY).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Starts every client, spread over one pause so that they do not send in lockstep. */
    synchronized void start() {
        if (!threads.isEmpty()) {
            throw new IllegalStateException("clients already started");
        }
        for (int i = 0; i < clients; i++) {
            long offsetNanos = pause.toNanos() * i / clients;
            Thread t = new Thread(() -> run(offsetNanos), "rollout-client-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /** Stops the clients and waits (bounded by the request timeout and a margin) for their last requests. */
    void stop() throws InterruptedException {
        stop.countDown();
        long deadline = System.nanoTime() + requestTimeout.plusSeconds(2).toNanos();
        List<Thread> all;
        synchronized (this) {
            all = List.copyOf(threads);
        }
        for (Thread t : all) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(t, left);
            }
            if (t.isAlive()) {
                t.interrupt();
            }
        }
    }

    /** Every request so far, in no particular order. */
    List<Sample> samples() {
        return List.copyOf(samples);
    }

    private void run(long offsetNanos) {
        try {
            if (stop.await(offsetNanos, TimeUnit.NANOSECONDS)) {
                return;
            }
            while (stop.getCount() > 0) {
                samples.add(send());
                if (stop.await(pause.toNanos(), TimeUnit.NANOSECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Sample send() throws InterruptedException {
        long sent = System.nanoTime();
        Optional<LoadBalancer.Target> target = balancer.pick();
        if (target.isEmpty()) {
            return new Sample(sent, sent, "", false, "no routable endpoint");
        }
        String pod = target.get().pod();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.get().port() + "/hello"))
                .GET().timeout(requestTimeout).build();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            return new Sample(sent, System.nanoTime(), pod, status >= 200 && status < 300, "HTTP " + status);
        } catch (java.io.IOException e) {
            return new Sample(sent, System.nanoTime(), pod, false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
