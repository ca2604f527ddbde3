package io.github.sidecarshutdown.examples.demo;

import io.github.sidecarshutdown.examples.plain.PlainJavaApp;
import io.github.sidecarshutdown.testkit.pod.ContainerSpec;
import io.github.sidecarshutdown.testkit.pod.ContainerSpecBuilder;
import io.github.sidecarshutdown.testkit.pod.EmulatorPorts;
import io.github.sidecarshutdown.testkit.pod.InboundLoad;
import io.github.sidecarshutdown.testkit.pod.JavaProcess;
import io.github.sidecarshutdown.testkit.pod.LoopbackPorts;
import io.github.sidecarshutdown.testkit.pod.OutputLine;
import io.github.sidecarshutdown.testkit.pod.PodSimulator;
import io.github.sidecarshutdown.testkit.pod.PodTermination;
import io.github.sidecarshutdown.testkit.pod.SidecarKind;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One simulated Pod deletion: the plain-Java example app (with the library or with a plain
 * shutdown hook) beside the sidecar emulator, as two real processes, with inbound load until the
 * endpoints forget the Pod and a downstream service that counts the app's cleanup calls. Shared
 * by {@code ./demo}, the scenario matrix and the benchmarks.
 */
public final class TerminationRun {

    private static final List<String> SMALL_JVM = List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final Pattern CALL_EVENT = Pattern.compile("^APP_EVENT cleanup-call (\\d+) (ok|failed.*)$");

    /**
     * What to run.
     *
     * @param mode                the emulator's {@code EmulatorMode} name
     * @param window              {@code terminationDrainDuration}
     * @param minimumDrain        {@code MINIMUM_DRAIN_DURATION} (exit-on-zero mode)
     * @param cleanupWork         how long the app's cleanup takes
     * @param cleanupCalls        how many calls it spreads over that time
     * @param library             with the library, or a plain hook
     * @param propagationDelay    the library's propagation delay
     * @param drainTimeout        the library's drain timeout
     * @param clients             inbound clients (0 = no load)
     * @param endpointPropagation how long clients keep sending after deletion
     * @param gracePeriod         {@code terminationGracePeriodSeconds}
     * @param app                 which example app runs in the Pod
     * @param preStopLoop         the sidecar's SIGTERM waits for the seed document's preStop loop
     *                            (classic modes only, see {@link SidecarKind#PRESTOP_LOOP})
     * @param quietPeriod         the library's {@code quiet-period} (0: off); when set, the emulated Envoy
     *                            also keeps its inbound counters, as a Pod does with {@code proxyStatsMatcher}
     * @param sidecarStartDelay   0: the sidecar starts first (as with {@code holdApplicationUntilProxyStarts});
     *                            else the app starts first and the sidecar this long after it, on ports fixed in
     *                            advance, with the injector's annotations mounted (classic Istio, Consul, Kuma)
     * @param startupUrl          where the app calls out at startup ({@code STARTUP_URL}), or empty for nowhere
     * @param startupCalls        how many calls it makes there before it reports ready
     */
    public record Spec(String mode, Duration window, Duration minimumDrain, Duration cleanupWork, int cleanupCalls,
            boolean library, Duration propagationDelay, Duration drainTimeout, int clients, Duration endpointPropagation,
            Duration gracePeriod, App app, boolean preStopLoop, Duration quietPeriod, Duration sidecarStartDelay,
            String startupUrl, int startupCalls) {

        public Spec {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(app, "app");
            Objects.requireNonNull(quietPeriod, "quietPeriod");
            Objects.requireNonNull(sidecarStartDelay, "sidecarStartDelay");
            Objects.requireNonNull(startupUrl, "startupUrl");
            if (cleanupCalls < 1) {
                throw new IllegalArgumentException("cleanupCalls: " + cleanupCalls + " (expected: >= 1)");
            }
            if (preStopLoop && (mode.equals("NATIVE") || mode.equals("NONE") || mode.equals("AMBIENT"))) {
                throw new IllegalArgumentException("preStopLoop: needs a classic sidecar (mode: " + mode + ")");
            }
            if (!sidecarStartDelay.isZero() && (preStopLoop || app != App.PLAIN_JAVA
                    || List.of("NATIVE", "NONE", "AMBIENT").contains(mode))) {
                throw new IllegalArgumentException("sidecarStartDelay: " + sidecarStartDelay + " needs the plain-Java "
                        + "app beside a classic Istio, Consul or Kuma sidecar without preStop loop (mode: " + mode + ")");
            }
        }

        /** Without a late sidecar or startup calls. */
        public Spec(String mode, Duration window, Duration minimumDrain, Duration cleanupWork, int cleanupCalls,
                boolean library, Duration propagationDelay, Duration drainTimeout, int clients, Duration endpointPropagation,
                Duration gracePeriod, App app, boolean preStopLoop, Duration quietPeriod) {
            this(mode, window, minimumDrain, cleanupWork, cleanupCalls, library, propagationDelay, drainTimeout, clients,
                    endpointPropagation, gracePeriod, app, preStopLoop, quietPeriod, Duration.ZERO, "", 0);
        }

        /** The plain-Java app, no preStop loop. */
        public Spec(String mode, Duration window, Duration minimumDrain, Duration cleanupWork, int cleanupCalls,
                boolean library, Duration propagationDelay, Duration drainTimeout, int clients, Duration endpointPropagation,
                Duration gracePeriod) {
            this(mode, window, minimumDrain, cleanupWork, cleanupCalls, library, propagationDelay, drainTimeout, clients,
                    endpointPropagation, gracePeriod, App.PLAIN_JAVA, false, Duration.ZERO);
        }

        /** Without a quiet period. */
        public Spec(String mode, Duration window, Duration minimumDrain, Duration cleanupWork, int cleanupCalls,
                boolean library, Duration propagationDelay, Duration drainTimeout, int clients, Duration endpointPropagation,
                Duration gracePeriod, App app, boolean preStopLoop) {
            this(mode, window, minimumDrain, cleanupWork, cleanupCalls, library, propagationDelay, drainTimeout, clients,
                    endpointPropagation, gracePeriod, app, preStopLoop, Duration.ZERO);
        }

        /** This spec with the library's {@code quiet-period} set (and the sidecar's inbound counters kept). */
        public Spec withQuietPeriod(Duration quiet) {
            return new Spec(mode, window, minimumDrain, cleanupWork, cleanupCalls, library, propagationDelay, drainTimeout,
                    clients, endpointPropagation, gracePeriod, app, preStopLoop, quiet, sidecarStartDelay, startupUrl,
                    startupCalls);
        }

        /**
         * This spec with a sidecar that starts {@code delay} after the app, and an app that calls {@code url}
         * {@code calls} times at startup.
         */
        public Spec withLateSidecar(Duration delay, String url, int calls) {
            return new Spec(mode, window, minimumDrain, cleanupWork, cleanupCalls, library, propagationDelay, drainTimeout,
                    clients, endpointPropagation, gracePeriod, app, preStopLoop, quietPeriod, delay, url, calls);
        }

        boolean isNative() {
            return mode.equals("NATIVE");
        }

        boolean isAmbient() {
            return mode.equals("AMBIENT");
        }

        /** Consul's consul-dataplane or Kuma's kuma-dp: another Envoy mesh, found on its own ports. */
        boolean isOtherEnvoyMesh() {
            return mode.equals("CONSUL") || mode.equals("KUMA");
        }

        boolean hasSidecar() {
            return !mode.equals("NONE");
        }
    }

    /**
     * The example app in the Pod. {@code library=false} runs the plain-Java app with a plain hook,
     * and the Spring Boot app with the starter turned off (Spring's graceful shutdown alone, the
     * cleanup in {@code @PreDestroy}).
     */
    public enum App {
        /** {@code examples/plain-java}, on this JVM's class path. */
        PLAIN_JAVA,
        /**
         * {@code examples/spring-boot}, on the class path named by the system property
         * {@value #SPRING_BOOT_CLASSPATH_PROPERTY} (its {@code target/classes} and
         * {@code target/classpath.txt}).
         */
        SPRING_BOOT;

        /** The system property holding the Spring Boot example's class path. */
        public static final String SPRING_BOOT_CLASSPATH_PROPERTY = "sidecar.examples.springBootClasspath";
    }

    /**
     * What happened.
     *
     * @param spec             what ran
     * @param cleanupSent      calls the cleanup meant to make
     * @param cleanupDelivered calls the downstream received after the deletion
     * @param cleanupOk        calls the app saw succeed
     * @param failedCallsMs    when (ms after deletion) the app saw each call fail
     * @param inboundTotal     inbound requests sent
     * @param inboundFailed    inbound requests that failed
     * @param appExitMs        app exit, ms after deletion
     * @param sidecarExitMs    sidecar exit, ms after deletion (-1 without sidecar)
     * @param appExitCode      the app's exit code
     * @param report           the library's summary line, or empty
     * @param termination      the full record
     * @param lastCleanupCallMs when (ms after deletion) the app printed its last cleanup-call event,
     *                          ok or failed: the end of its own work (-1 if none)
     * @param adminCalls        ambient mode: requests that reached the admin and agent addresses, which the
     *                          run points at a recording listener instead of a refusing port (0 otherwise)
     * @param deliveredCalls    the numbers of the cleanup calls the downstream received after the deletion
     */
    public record Result(Spec spec, int cleanupSent, int cleanupDelivered, int cleanupOk, List<Long> failedCallsMs,
            long inboundTotal, long inboundFailed, long appExitMs, long sidecarExitMs, int appExitCode, String report,
            PodTermination termination, long lastCleanupCallMs, int adminCalls, Set<Integer> deliveredCalls) {

        public Result {
            deliveredCalls = Set.copyOf(deliveredCalls);
        }

        /** The numbers of the cleanup calls the app saw succeed ({@code APP_EVENT cleanup-call N ok}). */
        public Set<Integer> okCalls() {
            return new TreeSet<>(callEvents().entrySet().stream().filter(e -> e.getValue().equals("ok"))
                    .map(Map.Entry::getKey).toList());
        }

        /** The cleanup calls the app saw fail, by number, with what it saw ({@code APP_EVENT cleanup-call N failed ...}). */
        public Map<Integer, String> failedCalls() {
            Map<Integer, String> failed = new TreeMap<>();
            callEvents().forEach((n, what) -> {
                if (!what.equals("ok")) {
                    failed.put(n, what);
                }
            });
            return failed;
        }

        private Map<Integer, String> callEvents() {
            Map<Integer, String> events = new TreeMap<>();
            for (OutputLine line : termination.app().lines()) {
                Matcher m = CALL_EVENT.matcher(line.text());
                if (m.matches()) {
                    events.put(Integer.parseInt(m.group(1)), m.group(2));
                }
            }
            return events;
        }

        /** How long the Pod lived on after the app's last cleanup call (-1 if it made none). */
        public long gapAfterWorkMs() {
            return lastCleanupCallMs < 0 ? -1 : podEndMs() - lastCleanupCallMs;
        }

        /** The later of the two exits (the app's in ambient mode, where the sidecar stands for ztunnel). */
        public long podEndMs() {
            return termination.podEndMs();
        }
    }

    private TerminationRun() {
    }

    /** Runs one Pod deletion. */
    public static Result run(Spec s) throws Exception {
        int appPort = LoopbackPorts.freePort();
        Path preStop = Files.createTempFile("sidecar-run-prestop", "");
        Files.delete(preStop);
        List<String> emulatorArgs = new ArrayList<>(List.of("--mode", s.mode(),
                "--termination-drain-duration", s.window().toMillis() + "ms",
                "--minimum-drain-duration", s.minimumDrain().toMillis() + "ms",
                "--app-port", String.valueOf(appPort)));
        if (s.isNative()) {
            emulatorArgs.addAll(List.of("--native-prestop-file", preStop.toString()));
        }
        if (!s.quietPeriod().isZero()) {
            emulatorArgs.addAll(List.of("--traffic-stats", "true"));
        }
        // The window of the other Envoy meshes: consul-dataplane's grace period, kuma-dp's drain time.
        if (s.mode().equals("CONSUL")) {
            emulatorArgs.addAll(List.of("--shutdown-grace-period", s.window().toMillis() + "ms"));
        } else if (s.mode().equals("KUMA")) {
            emulatorArgs.addAll(List.of("--drain-duration", s.window().toMillis() + "ms"));
        }
        List<String> appJvm = new ArrayList<>(SMALL_JVM);
        appJvm.add("-Dorg.slf4j.simpleLogger.showThreadName=false");
        try (DownstreamRecorder downstream = new DownstreamRecorder();
                DownstreamRecorder tripwire = DownstreamRecorder.tripwire();
                PodSimulator pod = pod(s, appPort, preStop, emulatorArgs, appJvm, downstream, tripwire)) {
            pod.start();
            Duration lead = Duration.ofMillis(300);
            if (s.clients() > 0) {
                // Clients reach the app through the sidecar's inbound listener, as in a Pod.
                int inbound = s.hasSidecar() ? pod.sidecarReady().port("inbound") : appPort;
                warmUp(URI.create("http://127.0.0.1:" + inbound + "/hello"));
                pod.startInboundLoad(InboundLoad.builder()
                        .url("http://127.0.0.1:" + inbound + "/hello")
                        .clients(s.clients()).leadTime(lead).maxDuration(lead.plus(s.endpointPropagation()))
                        .requestTimeout(Duration.ofSeconds(2)).build());
            }
            PodTermination t = pod.deletePod();
            int delivered = (int) downstream.calls().stream().filter(i -> !i.isBefore(t.deletedAt())).count();
            List<String> appLines = t.app().lines().stream().map(OutputLine::text).toList();
            int ok = (int) appLines.stream().filter(l -> l.startsWith("APP_EVENT cleanup-call") && l.endsWith(" ok")).count();
            List<Long> failed = t.app().lines().stream()
                    .filter(l -> l.text().startsWith("APP_EVENT cleanup-call") && l.text().contains(" failed"))
                    .map(l -> t.sinceDeletion(l.time()).toMillis()).toList();
            long lastCall = t.app().lines().stream().filter(l -> l.text().startsWith("APP_EVENT cleanup-call"))
                    .mapToLong(l -> t.sinceDeletion(l.time()).toMillis()).max().orElse(-1);
            String report = appLines.stream()
                    .filter(l -> l.contains("sidecar-shutdown clean in") || l.contains("sidecar-shutdown degraded in"))
                    .findFirst().map(l -> l.substring(l.indexOf("sidecar-shutdown "))).orElse("");
            return new Result(s, s.cleanupCalls(), delivered, ok, failed, t.inbound().total(), t.inbound().failures(),
                    t.app().exitedAtMs(), t.sidecar().map(c -> c.exitedAtMs()).orElse(-1L), t.app().exitCode(), report, t, lastCall,
                    tripwire.calls().size(), downstream.callNumbersSince(t.deletedAt()));
        } finally {
            Files.deleteIfExists(preStop);
        }
    }

    /**
     * A few requests through the path the load takes, before the load: a Pod that has served for a while is warm,
     * while these two JVMs have just started. On a busy machine their first requests take hundreds of milliseconds
     * (class loading, the interpreter), so a load started cold sends next to nothing before the deletion (6 clients,
     * 6 requests in all). Failures here are left to the load to show.
     */
    private static void warmUp(URI url) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(url).GET().timeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < 5; i++) {
            try {
                client.send(request, HttpResponse.BodyHandlers.discarding());
            } catch (IOException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static PodSimulator pod(Spec s, int appPort, Path preStop, List<String> emulatorArgs, List<String> appJvm,
            DownstreamRecorder downstream, DownstreamRecorder tripwire) throws IOException {
        ContainerSpecBuilder app = ContainerSpec.builder().name("app")
                .command(appCommand(s.app(), appJvm))
                .env("APP_PORT", String.valueOf(appPort))
                .env("USE_LIBRARY", String.valueOf(s.library()))
                .env("SIDECAR_SHUTDOWN_ENABLED", String.valueOf(s.app() == App.PLAIN_JAVA || s.library()))
                // Spring Boot: the task's timeout and each lifecycle phase must hold the whole cleanup.
                .env("CLEANUP_TIMEOUT", s.cleanupWork().plusSeconds(5).toMillis() + "ms")
                .env("SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE", s.gracePeriod().toMillis() + "ms")
                .env("DOWNSTREAM_URL", downstream.url())
                .env("CLEANUP_WORK", s.cleanupWork().toMillis() + "ms")
                .env("CLEANUP_CALLS", String.valueOf(s.cleanupCalls()))
                .env("SIDECAR_SHUTDOWN_GRACE_PERIOD", s.gracePeriod().toMillis() + "ms")
                .env("SIDECAR_SHUTDOWN_PROPAGATION_DELAY", s.propagationDelay().toMillis() + "ms")
                .env("SIDECAR_SHUTDOWN_DRAIN_TIMEOUT", s.drainTimeout().toMillis() + "ms")
                .env("SIDECAR_SHUTDOWN_QUIET_PERIOD", s.quietPeriod().toMillis() + "ms")
                .readyPattern("^APP_READY ");
        // The other meshes' addresses refuse, as in a Pod without them, whatever listens on their default ports on
        // this machine (a local Envoy or Consul, another build); the Pods below point at their own sidecar.
        for (String url : List.of("LINKERD_ADMIN_URL", "DAPR_URL", "CONSUL_ADMIN_URL", "CONSUL_LIFECYCLE_URL",
                "KUMA_ADMIN_URL")) {
            app.env("SIDECAR_SHUTDOWN_" + url, "http://127.0.0.1:" + LoopbackPorts.freePort());
        }
        if (!s.hasSidecar()) {
            // A Pod without sidecar: nothing listens where the admin and agent would be, traffic goes direct.
            return PodSimulator.builder().sidecarKind(SidecarKind.NONE).terminationGracePeriod(s.gracePeriod())
                    .app(app.env("SIDECAR_SHUTDOWN_ADMIN_URL", "http://127.0.0.1:" + LoopbackPorts.freePort())
                            .env("SIDECAR_SHUTDOWN_AGENT_URL", "http://127.0.0.1:" + LoopbackPorts.freePort()).build())
                    .build();
        }
        if (s.isAmbient()) {
            // Ambient: nothing listens on 15000/15020 in a real Pod. The library is told its mode, and the
            // admin and agent addresses point at a recording listener: any call the library made would show.
            return PodSimulator.builder().sidecarKind(SidecarKind.AMBIENT).terminationGracePeriod(s.gracePeriod())
                    .sidecar(ContainerSpec.builder().name("ztunnel")
                            .command(JavaProcess.javaCommand(SMALL_JVM,
                                    "io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain", emulatorArgs))
                            .readyPattern("^SIDECAR_EMULATOR_READY ").build())
                    .app(ready -> app
                            .env("OUTBOUND_PROXY", "127.0.0.1:" + ready.port("outbound"))
                            .env("SIDECAR_SHUTDOWN_SIDECAR_MODE", "ambient")
                            .env("SIDECAR_SHUTDOWN_ADMIN_URL", tripwire.url())
                            .env("SIDECAR_SHUTDOWN_AGENT_URL", tripwire.url())
                            .build())
                    .build();
        }
        if (!s.sidecarStartDelay().isZero()) {
            return lateSidecarPod(s, app, emulatorArgs);
        }
        if (s.isOtherEnvoyMesh()) {
            return otherEnvoyMeshPod(s, app, emulatorArgs);
        }
        return PodSimulator.builder()
                .sidecarKind(s.isNative() ? SidecarKind.NATIVE
                        : s.preStopLoop() ? SidecarKind.PRESTOP_LOOP : SidecarKind.CLASSIC)
                .nativePreStopFile(preStop)
                .preStopLoopPort(appPort)
                .terminationGracePeriod(s.gracePeriod())
                .sidecar(ContainerSpec.builder().name("istio-proxy")
                        .command(JavaProcess.javaCommand(SMALL_JVM,
                                "io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain", emulatorArgs))
                        .readyPattern("^SIDECAR_EMULATOR_READY ").build())
                .app(ready -> app
                        .env("OUTBOUND_PROXY", "127.0.0.1:" + ready.port("outbound"))
                        .env("SIDECAR_SHUTDOWN_ADMIN_URL", "http://127.0.0.1:" + ready.port("admin"))
                        .env("SIDECAR_SHUTDOWN_AGENT_URL", "http://127.0.0.1:" + ready.port("agent"))
                        .build())
                .build();
    }

    /**
     * Consul or Kuma: a classic sidecar container (consul-k8s injects no preStop into the dataplane; kuma-dp's
     * SIGTERM starts its drain). The library runs in {@code auto} mode and finds the mesh on that mesh's own
     * ports, with the Pod's annotations as the injector writes them (window in whole seconds for Consul, a
     * duration for Kuma); Istio's admin and agent addresses refuse, as in such a Pod.
     */
    private static PodSimulator otherEnvoyMeshPod(Spec s, ContainerSpecBuilder app, List<String> emulatorArgs)
            throws IOException {
        boolean consul = s.mode().equals("CONSUL");
        Path annotations = Files.createTempFile("sidecar-run-annotations", "");
        annotations.toFile().deleteOnExit();
        Files.writeString(annotations, consul
                ? "consul.hashicorp.com/connect-inject-status=\"injected\"\n"
                        + "consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds=\""
                        + Math.max(1, s.window().toSeconds()) + "\"\n"
                : "kuma.io/sidecar-injected=\"true\"\nkuma.io/sidecar-drain-time=\"" + s.window().toMillis() + "ms\"\n");
        int refusingAdmin = LoopbackPorts.freePort();
        int refusingAgent = LoopbackPorts.freePort();
        return PodSimulator.builder()
                .sidecarKind(SidecarKind.CLASSIC)
                .terminationGracePeriod(s.gracePeriod())
                .sidecar(ContainerSpec.builder().name(consul ? "consul-dataplane" : "kuma-sidecar")
                        .command(JavaProcess.javaCommand(SMALL_JVM,
                                "io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain", emulatorArgs))
                        .readyPattern("^SIDECAR_EMULATOR_READY ").build())
                .app(ready -> {
                    app.env("OUTBOUND_PROXY", "127.0.0.1:" + ready.port("outbound"))
                            .env("SIDECAR_SHUTDOWN_ANNOTATIONS_FILE", annotations.toString())
                            .env("SIDECAR_SHUTDOWN_ADMIN_URL", "http://127.0.0.1:" + refusingAdmin)
                            .env("SIDECAR_SHUTDOWN_AGENT_URL", "http://127.0.0.1:" + refusingAgent);
                    if (consul) {
                        app.env("SIDECAR_SHUTDOWN_CONSUL_ADMIN_URL", "http://127.0.0.1:" + ready.port("admin"))
                                .env("SIDECAR_SHUTDOWN_CONSUL_LIFECYCLE_URL", "http://127.0.0.1:" + ready.port("agent"));
                    } else {
                        app.env("SIDECAR_SHUTDOWN_KUMA_ADMIN_URL", "http://127.0.0.1:" + ready.port("admin"));
                    }
                    return app.build();
                })
                .build();
    }

    /**
     * A classic sidecar (Istio, Consul or Kuma) that Kubernetes starts beside the app without holding the app back:
     * the app starts first, the sidecar {@code sidecarStartDelay} later, on ports chosen in advance (a real app knows
     * the mesh's fixed ports). The Pod's annotations are what the injector writes, mounted for the library; it runs
     * in {@code auto} mode and must tell "injected but not answering yet" from "no sidecar".
     */
    private static PodSimulator lateSidecarPod(Spec s, ContainerSpecBuilder app, List<String> emulatorArgs)
            throws IOException {
        EmulatorPorts ports = EmulatorPorts.pick();
        emulatorArgs.addAll(ports.emulatorArgs());
        app.env("OUTBOUND_PROXY", "127.0.0.1:" + ports.outbound());
        if (s.startupCalls() > 0) {
            app.env("STARTUP_URL", s.startupUrl()).env("STARTUP_CALLS", String.valueOf(s.startupCalls()));
        }
        Map<String, String> annotations;
        String name;
        if (s.mode().equals("CONSUL")) {
            name = "consul-dataplane";
            annotations = Map.of("consul.hashicorp.com/connect-inject-status", "injected",
                    "consul.hashicorp.com/sidecar-proxy-lifecycle-shutdown-grace-period-seconds",
                    String.valueOf(Math.max(1, s.window().toSeconds())));
            app.env("SIDECAR_SHUTDOWN_CONSUL_ADMIN_URL", ports.url(ports.admin()))
                    .env("SIDECAR_SHUTDOWN_CONSUL_LIFECYCLE_URL", ports.url(ports.agent()))
                    .env("SIDECAR_SHUTDOWN_ADMIN_URL", "http://127.0.0.1:" + LoopbackPorts.freePort())
                    .env("SIDECAR_SHUTDOWN_AGENT_URL", "http://127.0.0.1:" + LoopbackPorts.freePort());
        } else if (s.mode().equals("KUMA")) {
            name = "kuma-sidecar";
            annotations = Map.of("kuma.io/sidecar-injected", "true",
                    "kuma.io/sidecar-drain-time", s.window().toMillis() + "ms");
            app.env("SIDECAR_SHUTDOWN_KUMA_ADMIN_URL", ports.url(ports.admin()))
                    .env("SIDECAR_SHUTDOWN_ADMIN_URL", "http://127.0.0.1:" + LoopbackPorts.freePort())
                    .env("SIDECAR_SHUTDOWN_AGENT_URL", "http://127.0.0.1:" + LoopbackPorts.freePort());
        } else {
            name = "istio-proxy";
            annotations = Map.of("sidecar.istio.io/status",
                    "{\"initContainers\":[\"istio-init\"],\"containers\":[\"istio-proxy\"]}",
                    "proxy.istio.io/config", "terminationDrainDuration: " + s.window().toMillis() + "ms\n");
            app.env("SIDECAR_SHUTDOWN_ADMIN_URL", ports.url(ports.admin()))
                    .env("SIDECAR_SHUTDOWN_AGENT_URL", ports.url(ports.agent()));
        }
        return PodSimulator.builder()
                .sidecarKind(SidecarKind.CLASSIC)
                .terminationGracePeriod(s.gracePeriod())
                .sidecarStartDelay(s.sidecarStartDelay())
                .podAnnotations(annotations)
                .sidecar(ContainerSpec.builder().name(name)
                        .command(JavaProcess.javaCommand(SMALL_JVM,
                                "io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorMain", emulatorArgs))
                        .readyPattern("^SIDECAR_EMULATOR_READY ").build())
                .app(app.build())
                .build();
    }

    private static List<String> appCommand(App app, List<String> jvm) {
        if (app == App.PLAIN_JAVA) {
            return JavaProcess.javaCommand(jvm, PlainJavaApp.class);
        }
        String cp = System.getProperty(App.SPRING_BOOT_CLASSPATH_PROPERTY, "");
        if (cp.isBlank()) {
            throw new IllegalStateException("the Spring Boot example's class path is not set (system property "
                    + App.SPRING_BOOT_CLASSPATH_PROPERTY + "; see benchmarks/run)");
        }
        List<String> command = new ArrayList<>();
        command.add(JavaProcess.javaExecutable().toString());
        // Spring needs more heap than the plain app; C1 only keeps its start short on 2 cores.
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp,
                "io.github.sidecarshutdown.examples.spring.SpringBootExampleApp"));
        return command;
    }
}
