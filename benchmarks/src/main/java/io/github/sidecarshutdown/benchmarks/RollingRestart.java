package io.github.sidecarshutdown.benchmarks;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Deployment's rolling restart, played against real Pods: the deployment controller
 * ({@link RollingUpdate}) creates new Pods and deletes old ones as Pods turn Ready and go; the kubelet's
 * part (start a Pod, delete it with its preStop and SIGTERM, end it) is each {@link Replica}'s; a
 * {@link LoadBalancer} that forgets a deleted Pod only after a lag sits in front; {@link RolloutClients}
 * send throughout. The rollout runs from the first new Pod's creation to the last old Pod's end.
 */
final class RollingRestart {

    /** One Pod as the kubelet runs it. */
    interface Replica {
        /** Where the load balancer sends requests (the sidecar's inbound port). */
        int port();

        /** Deletes the Pod as the kubelet does and returns once it has ended. */
        Ended delete() throws Exception;

        /** Kills whatever is left of the Pod; idempotent. */
        void close();
    }

    /** Starts Pods: returns once the Pod is Ready. */
    interface ReplicaFactory {
        Replica start(String name) throws Exception;
    }

    /** What an old Pod delivered while it ended. */
    record Ended(int cleanupSent, int cleanupDelivered) {
    }

    /**
     * How to run a rollout.
     *
     * @param strategy        the Deployment's replicas, maxSurge and maxUnavailable
     * @param lag             how long the load balancer keeps routing to a deleted Pod
     * @param clients         client threads sending throughout
     * @param clientPause     each client's pause between requests
     * @param requestTimeout  each request's timeout
     * @param warmUp          traffic to the old Pods before the rollout starts
     * @param bound           the whole rollout's deadline; past it the run fails
     */
    record Settings(RollingUpdate strategy, Duration lag, int clients, Duration clientPause, Duration requestTimeout,
            Duration warmUp, Duration bound) {
    }

    /** What happened to a Pod, ms since the rollout started. */
    enum Kind { CREATED, READY, DELETED, ENDED }

    /** One Pod event, ms since the rollout started. */
    record Event(long atMs, String pod, Kind kind) {
    }

    /** One old Pod's deletion, ms since the rollout started. */
    record OldPod(String pod, long deletedAtMs, long endedAtMs, int cleanupSent, int cleanupDelivered) {
    }

    /** One request, sent and ended in ms since the rollout started (negative during the warm-up). */
    record Request(long sentAtMs, String pod, boolean ok, String detail, long endedAtMs) {
    }

    /**
     * The rollout.
     *
     * @param rolloutMs    first new Pod created to last old Pod ended
     * @param mostPods     the most Pods the ReplicaSets owned at once (at most replicas + maxSurge)
     * @param fewestAvailable the fewest available Pods at once (at least replicas - maxUnavailable)
     */
    record Result(Settings settings, List<Event> events, List<OldPod> oldPods, List<Request> requests, long rolloutMs,
            int mostPods, int fewestAvailable) {

        long failed() {
            return requests.stream().filter(r -> !r.ok()).count();
        }

        int cleanupSent() {
            return oldPods.stream().mapToInt(OldPod::cleanupSent).sum();
        }

        int cleanupDelivered() {
            return oldPods.stream().mapToInt(OldPod::cleanupDelivered).sum();
        }

        long lastDeletionMs() {
            return oldPods.stream().mapToLong(OldPod::deletedAtMs).max().orElse(0);
        }

        /** The median time from a new Pod's creation to its readiness. */
        double startMedianMs() {
            java.util.Map<String, Long> created = new java.util.HashMap<>();
            List<Double> starts = new ArrayList<>();
            for (Event e : events) {
                if (e.kind() == Kind.CREATED) {
                    created.put(e.pod(), e.atMs());
                } else if (e.kind() == Kind.READY) {
                    starts.add((double) (e.atMs() - created.get(e.pod())));
                }
            }
            return Figure.median(starts);
        }

        /** The median time from an old Pod's deletion to its end. */
        double podEndMedianMs() {
            return Figure.median(oldPods.stream().map(p -> (double) (p.endedAtMs() - p.deletedAtMs())).toList());
        }
    }

    private sealed interface Signal permits Ready, Gone, Failed {
    }

    private record Ready(String pod, Replica replica) implements Signal {
    }

    private record Gone(String pod, long deletedNanos, Ended ended) implements Signal {
    }

    private record Failed(String what, Exception cause) implements Signal {
    }

    private RollingRestart() {
    }

    /** Starts the old Pods, sends traffic, rolls the Deployment and returns what happened. */
    static Result run(Settings s, ReplicaFactory factory) throws Exception {
        int n = s.strategy().replicas();
        LoadBalancer balancer = new LoadBalancer(s.lag(), System::nanoTime);
        List<Replica> all = new ArrayList<>();
        ExecutorService kubelet = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "rollout-kubelet");
            t.setDaemon(true);
            return t;
        });
        RolloutClients clients = new RolloutClients(balancer, s.clients(), s.clientPause(), s.requestTimeout());
        try {
            Map<String, Replica> oldReplicas = startOldPods(n, factory, balancer, all, s.bound());
            Deque<String> old = new ArrayDeque<>(oldReplicas.keySet());
            clients.start();
            Thread.sleep(s.warmUp().toMillis());
            long t0 = System.nanoTime();
            long deadline = t0 + s.bound().toNanos();
            BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
            List<Event> events = new ArrayList<>();
            List<OldPod> ended = new ArrayList<>();
            int created = 0;
            int ready = 0;
            int mostPods = old.size();
            int fewestAvailable = old.size();
            while (ready < n || ended.size() < n) {
                // One sync of the deployment controller: scale the new ReplicaSet up, then the old one down.
                for (int i = s.strategy().toCreate(old.size(), created); i > 0; i--) {
                    String pod = "new-" + (++created);
                    events.add(new Event(ms(t0), pod, Kind.CREATED));
                    kubelet.submit(() -> {
                        try {
                            Replica r = factory.start(pod);
                            synchronized (all) {
                                all.add(r);
                            }
                            signals.add(new Ready(pod, r));
                        } catch (Exception e) {
                            signals.add(new Failed("starting " + pod, e));
                        }
                    });
                }
                mostPods = Math.max(mostPods, old.size() + created);
                for (int i = s.strategy().toDelete(old.size(), ready); i > 0; i--) {
                    String pod = old.removeFirst();
                    Replica r = oldReplicas.get(pod);
                    balancer.deleted(pod);
                    long deleted = System.nanoTime();
                    events.add(new Event(ms(t0), pod, Kind.DELETED));
                    kubelet.submit(() -> {
                        try {
                            signals.add(new Gone(pod, deleted, r.delete()));
                        } catch (Exception e) {
                            signals.add(new Failed("deleting " + pod, e));
                        }
                    });
                }
                fewestAvailable = Math.min(fewestAvailable, old.size() + ready);
                if (ready == n && ended.size() == n) {
                    break;
                }
                long left = deadline - System.nanoTime();
                Signal signal = left > 0 ? signals.poll(left, TimeUnit.NANOSECONDS) : null;
                if (signal == null) {
                    throw new IllegalStateException("the rollout did not finish within " + s.bound() + " (" + ready + " of " + n
                            + " new Pods Ready, " + ended.size() + " of " + n + " old Pods ended)");
                }
                if (signal instanceof Failed f) {
                    throw new IllegalStateException(f.what() + " failed: " + f.cause().getMessage(), f.cause());
                } else if (signal instanceof Ready r) {
                    balancer.ready(r.pod(), r.replica().port());
                    ready++;
                    events.add(new Event(ms(t0), r.pod(), Kind.READY));
                } else if (signal instanceof Gone g) {
                    long endMs = ms(t0);
                    events.add(new Event(endMs, g.pod(), Kind.ENDED));
                    ended.add(new OldPod(g.pod(), (g.deletedNanos() - t0) / 1_000_000, endMs, g.ended().cleanupSent(),
                            g.ended().cleanupDelivered()));
                }
            }
            long rolloutMs = ended.stream().mapToLong(OldPod::endedAtMs).max().orElse(0);
            clients.stop();
            List<Request> requests = clients.samples().stream()
                    .map(x -> new Request((x.sentNanos() - t0) / 1_000_000, x.pod(), x.ok(), x.detail(),
                            (x.endNanos() - t0) / 1_000_000))
                    .sorted(java.util.Comparator.comparingLong(Request::sentAtMs)).toList();
            return new Result(s, List.copyOf(events), List.copyOf(ended), requests, rolloutMs, mostPods, fewestAvailable);
        } finally {
            clients.stop();
            kubelet.shutdownNow();
            kubelet.awaitTermination(60, TimeUnit.SECONDS);
            synchronized (all) {
                all.forEach(Replica::close);
            }
        }
    }

    /** The old Pods, started two at a time (2 cores), Ready and in the load balancer before any traffic. */
    private static Map<String, Replica> startOldPods(int n, ReplicaFactory factory, LoadBalancer balancer, List<Replica> all,
            Duration bound) throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        ExecutorService two = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "rollout-old-pods");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Future<Replica>> starts = new LinkedHashMap<>();
            for (int i = 1; i <= n; i++) {
                String pod = "old-" + i;
                starts.put(pod, two.submit(() -> {
                    Replica r = factory.start(pod);
                    synchronized (all) {
                        all.add(r);
                    }
                    return r;
                }));
            }
            Map<String, Replica> old = new LinkedHashMap<>();
            for (Map.Entry<String, Future<Replica>> e : starts.entrySet()) {
                Replica r = e.getValue().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                old.put(e.getKey(), r);
                balancer.ready(e.getKey(), r.port());
            }
            return old;
        } finally {
            two.shutdownNow();
            two.awaitTermination(60, TimeUnit.SECONDS);
        }
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
