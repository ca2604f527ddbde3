package io.github.sidecarshutdown.benchmarks;

import io.github.sidecarshutdown.PhaseResult;
import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownListener;
import io.github.sidecarshutdown.ShutdownPhase;
import io.github.sidecarshutdown.ShutdownPlan;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.SidecarReadiness;
import io.github.sidecarshutdown.TaskResult;
import io.github.sidecarshutdown.envoy.AdminCallListener;
import io.github.sidecarshutdown.envoy.AdminEndpoint;
import io.github.sidecarshutdown.internal.engine.StartupWork;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.LoggerFactory;

/**
 * The child JVM of {@link LatencyBenchmark}: one fresh process per sample. It stamps the instants
 * that matter with the wall clock (epoch nanoseconds, the clock the parent reads too: both run on one
 * machine) into a preallocated array, and prints them only at the end, so that the measurement adds
 * no class loading, string concatenation or I/O to the path it measures.
 *
 * <p>Modes (first argument):
 * <ul>
 *   <li>{@code empty}: the library with no task and no sidecar, propagation delay 0, started as the
 *       README's app (install, awaitSidecarReady); SIGTERM from the parent, stamps the first phase and
 *       the final report.</li>
 *   <li>{@code empty-early}: {@code empty}, but ready as soon as {@code install()} returned, while the
 *       startup work it leaves runs; the stamp hook notes whether that work was still running.</li>
 *   <li>{@code hook}: no library, one plain shutdown hook that stamps its start: the JVM's own floor.</li>
 *   <li>{@code startup ADMIN AGENT}: the app starts its logging (SLF4J), then build, install,
 *       awaitSidecarReady against a ready emulator; stamps each, and the end of the startup work
 *       install() left running.</li>
 *   <li>{@code startup-classes ADMIN AGENT}: {@code startup}, also printing what the JVM's own
 *       counters say of the path ({@link JvmClassCounters}): classes the application class loader
 *       defined and the time spent loading classes, as {@code CLS} lines.</li>
 *   <li>{@code startup-raw ADMIN AGENT}: one plain GET of the agent's readiness, no library: the floor.</li>
 *   <li>{@code startup-socket ADMIN AGENT}: the same GET written on a plain {@link Socket}: the JDK's
 *       own cost of a first loopback call in a fresh JVM, which any client pays.</li>
 *   <li>{@code gap}: the app of a Pod ({@code LatencyBenchmark.Pod}): one cleanup call through the
 *       sidecar's outbound proxy ({@code OUTBOUND_PROXY}, {@code DOWNSTREAM_URL}), the library
 *       configured from {@code SIDECAR_SHUTDOWN_*}; stamps the call, the task's result, the release
 *       phase, every admin call and the report.</li>
 *   <li>{@code gap-direct}: the same app without the library: a plain hook makes the call, then
 *       {@code POST /quitquitquit} on the admin URL, as a shell trap would: the floor of the gap.</li>
 * </ul>
 */
final class LatencyApp {

    /** Stamp slots, printed as {@code LAT name epochNanos} lines. */
    enum Stamp {
        MAIN, LOGGING, BUILT, INSTALLED, READY, WORK_DONE, FIRST_ADMIN_CALL_START, HOOK, STARTUP_WORK_ALIVE_AT_HOOK,
        SEQUENCE_STARTED, FIRST_PHASE, CALL_DONE, TASK_RECORDED, RELEASE_PHASE_STARTED, RELEASE_CALL_START, RELEASE_CALL_END,
        RELEASE_PHASE_DONE, REPORT_DONE
    }

    private static final long[] STAMPS = new long[Stamp.values().length];

    private LatencyApp() {
    }

    static long epochNanos() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static void stamp(Stamp s) {
        if (STAMPS[s.ordinal()] == 0) {
            STAMPS[s.ordinal()] = epochNanos();
        }
    }

    private static synchronized void printStamps() {
        StringBuilder sb = new StringBuilder();
        for (Stamp s : Stamp.values()) {
            if (STAMPS[s.ordinal()] != 0) {
                sb.append("LAT ").append(s.name()).append(' ').append(STAMPS[s.ordinal()]).append('\n');
            }
        }
        System.out.print(sb);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        // Warm the stamping itself (Instant, the array) before anything is measured.
        epochNanos();
        STAMPS[Stamp.MAIN.ordinal()] = epochNanos();
        String mode = args.length > 0 ? args[0] : "";
        switch (mode) {
            case "empty" -> empty(false);
            case "empty-early" -> empty(true);
            case "hook" -> hook();
            case "startup" -> startup(URI.create(args[1]), URI.create(args[2]), false);
            case "startup-classes" -> startup(URI.create(args[1]), URI.create(args[2]), true);
            case "startup-raw" -> startupRaw(URI.create(args[2]));
            case "startup-socket" -> startupSocket(URI.create(args[2]));
            case "gap" -> gap();
            case "gap-direct" -> gapDirect();
            default -> throw new IllegalArgumentException("mode: '" + mode
                    + "' (expected: empty, empty-early, hook, startup, startup-classes, startup-raw, startup-socket, gap or gap-direct)");
        }
    }

    private static void empty(boolean early) throws InterruptedException {
        // The app's logging first, as in startup(): SLF4J's start is the app's, not the measured path.
        LoggerFactory.getILoggerFactory();
        ShutdownCoordinator c = ShutdownCoordinator.builder().sidecarMode(SidecarMode.NONE).propagationDelay(Duration.ZERO)
                .listener(new Stamper()).build();
        stamp(Stamp.BUILT);
        c.install();
        stamp(Stamp.INSTALLED);
        // As an app does (README): no sidecar here, so this marks the app ready at once; the work install()
        // left waits for that before it starts.
        c.awaitSidecarReady();
        Thread work = early ? startupWork() : null;
        // Hooks start together: this one stamps when the JVM began running them (and whether the startup work still ran).
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stamp(Stamp.HOOK);
            if (work != null && work.isAlive()) {
                stamp(Stamp.STARTUP_WORK_ALIVE_AT_HOOK);
            }
        }, "stamp-hook"));
        ready();
    }

    /** The thread of the work install() left running, or null once it ended. */
    static Thread startupWork() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(StartupWork.THREAD_NAME)) {
                return t;
            }
        }
        return null;
    }

    private static void hook() throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stamp(Stamp.HOOK);
            printStamps();
        }, "plain-hook"));
        ready();
    }

    /**
     * @param classes whether to read the JVM's class-loading counters around the path (needs
     *                {@link JvmClassCounters#JVM_OPTIONS}) and print them as {@code CLS} lines
     */
    private static void startup(URI admin, URI agent, boolean classes) throws InterruptedException {
        AdminCallListener firstCall = (endpoint, outcome, status, elapsed) -> {
            if (STAMPS[Stamp.FIRST_ADMIN_CALL_START.ordinal()] == 0) {
                STAMPS[Stamp.FIRST_ADMIN_CALL_START.ordinal()] = epochNanos() - elapsed.toNanos();
            }
        };
        // The app starts its logging, as an app that logs does before it builds anything: SLF4J finds
        // its provider here. The library then logs through it on any thread without racing its start.
        LoggerFactory.getILoggerFactory();
        JvmClassCounters counters = classes ? JvmClassCounters.open() : null;
        long defined = counters == null ? 0 : counters.appClassesDefined();
        long loading = counters == null ? 0 : counters.classLoadingNanos();
        stamp(Stamp.LOGGING);
        ShutdownCoordinator c = ShutdownCoordinator.builder().sidecarMode(SidecarMode.ISTIO).adminUrl(admin).agentUrl(agent)
                .adminCallListener(firstCall).build();
        stamp(Stamp.BUILT);
        c.install();
        stamp(Stamp.INSTALLED);
        SidecarReadiness r = c.awaitSidecarReady(Duration.ofSeconds(10));
        stamp(Stamp.READY);
        if (counters != null) {
            // Read at once: the startup work starts when the app is released and may load classes of its own.
            defined = counters.appClassesDefined() - defined;
            loading = counters.classLoadingNanos() - loading;
            System.out.println("CLS defined " + defined);
            System.out.println("CLS loading-nanos " + loading);
        }
        Thread work = startupWork(); // after READY: looking for it is not the library's cost
        if (work != null) {
            work.join(30_000);
        }
        stamp(Stamp.WORK_DONE);
        printStamps();
        System.out.println("STARTUP_DONE " + r);
        System.out.flush();
        System.exit(r == SidecarReadiness.READY ? 0 : 1);
    }

    private static void startupRaw(URI agent) throws IOException {
        HttpURLConnection c = (HttpURLConnection) agent.resolve("/healthz/ready").toURL().openConnection(Proxy.NO_PROXY);
        c.setConnectTimeout(1000);
        c.setReadTimeout(1000);
        int status = c.getResponseCode();
        c.getInputStream().readAllBytes();
        stamp(Stamp.READY);
        printStamps();
        System.exit(status == 200 ? 0 : 1);
    }

    private static void startupSocket(URI agent) throws IOException {
        int status;
        try (Socket s = new Socket(Proxy.NO_PROXY)) {
            s.connect(new InetSocketAddress(agent.getHost(), agent.getPort()), 1000);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /healthz/ready HTTP/1.1\r\nHost: " + agent.getRawAuthority() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            byte[] head = new byte[12];
            int n = 0;
            for (int r; n < head.length && (r = s.getInputStream().read(head, n, head.length - n)) > 0; ) {
                n += r;
            }
            // "HTTP/1.1 200": the status is all the readiness check reads
            status = n == head.length ? Integer.parseInt(new String(head, 9, 3, StandardCharsets.ISO_8859_1)) : -1;
        }
        stamp(Stamp.READY);
        printStamps();
        System.exit(status == 200 ? 0 : 1);
    }

    private static void gap() throws InterruptedException {
        Proxy proxy = proxy(System.getenv("OUTBOUND_PROXY"));
        String downstream = System.getenv("DOWNSTREAM_URL");
        Duration work = Duration.ofMillis(Long.parseLong(System.getenv().getOrDefault("CLEANUP_WORK_MS", "200")));
        ShutdownCoordinator c = ShutdownCoordinator.builder().fromEnvironment()
                .task(ShutdownTask.builder("cleanup-call", ctx -> {
                    Thread.sleep(work.toMillis());
                    post(downstream, proxy);
                    stamp(Stamp.CALL_DONE);
                    System.out.println("APP_EVENT cleanup-call 1 ok");
                    System.out.flush();
                }).timeout(Duration.ofSeconds(5)).build())
                .listener(new Stamper())
                .adminCallListener((endpoint, outcome, status, elapsed) -> {
                    if (endpoint == AdminEndpoint.QUITQUITQUIT) {
                        long end = epochNanos();
                        STAMPS[Stamp.RELEASE_CALL_END.ordinal()] = end;
                        STAMPS[Stamp.RELEASE_CALL_START.ordinal()] = end - elapsed.toNanos();
                    }
                }).build();
        c.install();
        if (c.awaitSidecarReady() != SidecarReadiness.READY) {
            throw new IllegalStateException("sidecar not ready");
        }
        ready();
    }

    private static void gapDirect() throws InterruptedException {
        Proxy proxy = proxy(System.getenv("OUTBOUND_PROXY"));
        String downstream = System.getenv("DOWNSTREAM_URL");
        String admin = System.getenv("SIDECAR_SHUTDOWN_ADMIN_URL");
        Duration work = Duration.ofMillis(Long.parseLong(System.getenv().getOrDefault("CLEANUP_WORK_MS", "200")));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Thread.sleep(work.toMillis());
                post(downstream, proxy);
                stamp(Stamp.CALL_DONE);
                System.out.println("APP_EVENT cleanup-call 1 ok");
                System.out.flush();
                stamp(Stamp.RELEASE_CALL_START);
                post(admin + "/quitquitquit", Proxy.NO_PROXY);
                stamp(Stamp.RELEASE_CALL_END);
            } catch (Exception e) {
                System.out.println("APP_EVENT failed " + e);
            }
            stamp(Stamp.REPORT_DONE);
            printStamps();
        }, "app-shutdown"));
        ready();
    }

    private static void ready() throws InterruptedException {
        System.out.println("APP_READY port=0");
        System.out.flush();
        Thread.currentThread().join();
    }

    private static void post(String url, Proxy proxy) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection(proxy);
        c.setConnectTimeout(2000);
        c.setReadTimeout(2000);
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        try (OutputStream out = c.getOutputStream()) {
            out.write("{}".getBytes(StandardCharsets.UTF_8));
        }
        int status = c.getResponseCode();
        c.getInputStream().readAllBytes();
        if (status != 200) {
            throw new IOException("HTTP " + status + " from " + url);
        }
    }

    private static Proxy proxy(String hostPort) {
        if (hostPort == null || hostPort.isBlank()) {
            return Proxy.NO_PROXY;
        }
        int colon = hostPort.lastIndexOf(':');
        return new Proxy(Proxy.Type.HTTP, new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1))));
    }

    /** Stamps the sequence's milestones; prints everything once the report is final. */
    private static final class Stamper implements ShutdownListener {
        @Override
        public void onShutdownStarted(ShutdownPlan plan) {
            stamp(Stamp.SEQUENCE_STARTED);
        }

        @Override
        public void onPhaseStarted(ShutdownPhase phase) {
            stamp(Stamp.FIRST_PHASE);
            if (phase == ShutdownPhase.SIDECAR_RELEASE) {
                stamp(Stamp.RELEASE_PHASE_STARTED);
            }
        }

        @Override
        public void onPhaseCompleted(PhaseResult result) {
            if (result.phase() == ShutdownPhase.SIDECAR_RELEASE) {
                stamp(Stamp.RELEASE_PHASE_DONE);
            }
        }

        @Override
        public void onTaskCompleted(TaskResult result) {
            stamp(Stamp.TASK_RECORDED);
        }

        @Override
        public void onShutdownCompleted(ShutdownReport report) {
            stamp(Stamp.REPORT_DONE);
            printStamps();
        }
    }
}
