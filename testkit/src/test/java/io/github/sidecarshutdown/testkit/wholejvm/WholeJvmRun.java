package io.github.sidecarshutdown.testkit.wholejvm;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.github.sidecarshutdown.internal.Json;
import io.github.sidecarshutdown.testkit.emulator.RecordedCall;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import io.github.sidecarshutdown.testkit.pod.JavaProcess;
import io.github.sidecarshutdown.testkit.wholejvm.fixtures.OtherHooksApp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One run of {@link OtherHooksApp} beside an in-process sidecar emulator, deleted like the kubelet
 * deletes a Pod: pilot-agent and the app get SIGTERM at once (the emulator's {@code terminate()},
 * then a real SIGTERM to the child JVM). Records what reached the downstream service (only
 * reachable through the emulator's outbound proxy) and when, and the app's output and report.
 */
final class WholeJvmRun implements AutoCloseable {

    /** A request that reached the downstream, with the test JVM's {@link System#nanoTime()} at arrival. */
    record Arrival(String path, long nanos) {
    }

    private final SidecarEmulator emulator;
    private final HttpServer downstream;
    private final ServerSocket broker;
    private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();
    private final List<String> output = new CopyOnWriteArrayList<>();
    private Process process;
    private Thread reader;
    private long sigtermNanos;

    WholeJvmRun(SidecarEmulator emulator) throws IOException {
        this.emulator = emulator;
        this.downstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        downstream.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "downstream");
            t.setDaemon(true);
            return t;
        }));
        downstream.createContext("/", exchange -> {
            arrivals.add(new Arrival(exchange.getRequestURI().getPath(), System.nanoTime()));
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().equals("/async-slow")) {
                sleep(800); // a slow receiver: the request stays in flight
            }
            if (exchange.getRequestURI().getPath().equals("/v1/traces")) {
                sleep(300); // a collector some way off
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        downstream.start();
        // a broker stand-in for a Kafka-style heartbeat session: reads whatever comes
        this.broker = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!broker.isClosed()) {
                try {
                    Socket s = broker.accept();
                    Thread drain = new Thread(() -> {
                        try (InputStream in = s.getInputStream()) {
                            in.transferTo(java.io.OutputStream.nullOutputStream());
                        } catch (IOException e) {
                            // the session ended
                        }
                    }, "broker-session");
                    drain.setDaemon(true);
                    drain.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "broker");
        accept.setDaemon(true);
        accept.start();
    }

    /** Starts the app with {@code scenario} and waits for {@code FIXTURE_READY}. */
    WholeJvmRun start(String scenario, Map<String, String> extraEnv, List<String> jvmOptions) throws Exception {
        List<String> command = new ArrayList<>(JavaProcess.javaCommand(jvmOptions, OtherHooksApp.class));
        String javaHome = System.getenv("WHOLE_JVM_JAVA_HOME"); // another JDK for the app, e.g. to measure on Java 25
        if (javaHome != null && !javaHome.isBlank()) {
            command.set(0, java.nio.file.Paths.get(javaHome, "bin", "java").toString());
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("SIDECAR_SHUTDOWN_") || k.startsWith("OTEL_") || k.equals("KUBERNETES_SERVICE_HOST"));
        env.put("SIDECAR_SHUTDOWN_SIDECAR_MODE", "istio");
        env.put("SIDECAR_SHUTDOWN_ADMIN_URL", emulator.adminUrl().toString());
        env.put("SIDECAR_SHUTDOWN_AGENT_URL", emulator.agentUrl().toString());
        env.put("SIDECAR_SHUTDOWN_GRACE_PERIOD", "30s");
        env.put("SIDECAR_SHUTDOWN_PROPAGATION_DELAY", "0s");
        env.put("SIDECAR_SHUTDOWN_DRAIN_TIMEOUT", "1s");
        env.put("SIDECAR_SHUTDOWN_STARTUP_WAIT", "20s");
        env.put("SIDECAR_SHUTDOWN_ANNOTATIONS_FILE", "/nonexistent/annotations");
        env.put("SIDECAR_SHUTDOWN_LABELS_FILE", "/nonexistent/labels");
        env.put("SCENARIO", scenario);
        env.put("PROXY_PORT", String.valueOf(emulator.outboundProxyPort()));
        env.put("DOWNSTREAM_URL", "http://127.0.0.1:" + downstream.getAddress().getPort());
        env.put("HEARTBEAT_PORT", String.valueOf(broker.getLocalPort()));
        env.putAll(extraEnv);
        env.values().removeIf(String::isEmpty); // an empty value removes the variable
        process = pb.start();
        CountDownLatch ready = new CountDownLatch(1);
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    if (line.equals("FIXTURE_READY")) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "fixture-output");
        reader.setDaemon(true);
        reader.start();
        assertThat(ready.await(60, TimeUnit.SECONDS)).as("fixture ready; output so far:%n%s", all()).isTrue();
        return this;
    }

    /** The kubelet's SIGTERM to both containers at once; waits up to {@code exitWithin} for the JVM to exit. */
    boolean terminate(Duration exitWithin) throws Exception {
        sigtermNanos = System.nanoTime();
        emulator.terminate();
        process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its stdout
        boolean exited = process.waitFor(exitWithin.toMillis(), TimeUnit.MILLISECONDS);
        if (exited) {
            reader.join(5_000);
        }
        return exited;
    }

    /** Waits for a line starting with {@code prefix}. */
    Optional<String> awaitLine(String prefix, Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < end) {
            Optional<String> l = output.stream().filter(s -> s.startsWith(prefix)).findFirst();
            if (l.isPresent()) {
                return l;
            }
            Thread.sleep(20);
        }
        return Optional.empty();
    }

    String all() {
        return String.join("\n", output) + "\nadmin calls: " + emulator.calls() + "\ndownstream: " + arrivals;
    }

    List<String> output() {
        return output;
    }

    long sigtermNanos() {
        return sigtermNanos;
    }

    /** Arrivals at the downstream whose path is {@code path}. */
    List<Arrival> arrivals(String path) {
        List<Arrival> out = new ArrayList<>();
        for (Arrival a : arrivals) {
            if (a.path().equals(path)) {
                out.add(a);
            }
        }
        return out;
    }

    /** When Envoy's {@code POST /quitquitquit} arrived (test JVM nanos), if it did. */
    Optional<Long> quitNanos() {
        return emulator.calls().stream()
                .filter(c -> c.target() == RecordedCall.Target.ADMIN && c.method().equals("POST") && c.path().equals("/quitquitquit"))
                .map(RecordedCall::nanoTime).findFirst();
    }

    /** The report of coordinator {@code name} ({@code FIXTURE_REPORT <name> <json>}), as maps. */
    @SuppressWarnings("unchecked")
    Map<String, Object> report(String name) {
        String prefix = "FIXTURE_REPORT " + name + " ";
        String line = output.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no report of " + name + "; output:\n" + all()));
        return (Map<String, Object>) Json.parse(line.substring(prefix.length()));
    }

    /** The phase entry {@code phase} of a report. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> phase(Map<String, Object> report, String phase) {
        for (Object p : (List<Object>) report.get("phases")) {
            Map<String, Object> m = (Map<String, Object>) p;
            if (phase.equals(m.get("phase"))) {
                return m;
            }
        }
        throw new AssertionError("no phase " + phase + " in " + report);
    }

    /** The outcome the app printed for {@code what} ({@code FIXTURE_SENT <what> <outcome>}). */
    Optional<String> sent(String what) {
        String prefix = "FIXTURE_SENT " + what + " ";
        return output.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst();
    }

    static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        if (process != null) {
            process.destroyForcibly();
        }
        downstream.stop(0);
        broker.close();
    }
}
