package io.github.sidecarshutdown.testkit.emulator;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Runs a {@link SidecarEmulator} as its own process, to stand for the {@code istio-proxy} container (or
 * another mesh's sidecar container) on a laptop or in process-level tests (a Pod simulator sends it a real
 * SIGTERM). {@code --help} prints every option; {@link #usage()} is that text.
 *
 * <p>Modes take the library's {@code sidecar-mode} names ({@code istio}, {@code native}, {@code linkerd},
 * {@code dapr}, {@code consul}, {@code kuma}, {@code ambient}, {@code none}; {@code istio} is the newest
 * classic line, {@link EmulatorMode#ISTIO_1_26}) or any {@link EmulatorMode} name ({@code ISTIO_1_5}, ...),
 * in any case. {@code envoy} (plain Envoy without pilot-agent) has no emulation and is refused with the
 * reason. The three {@code --shutdown-*}/{@code --startup-*} options are consul-dataplane's lifecycle
 * settings ({@link EmulatorMode#CONSUL}).
 *
 * <p>When every port is bound it prints exactly one line
 * {@code SIDECAR_EMULATOR_READY {"admin":P,"agent":P,"health":P,"outbound":P,"inbound":P}} to stdout and
 * writes the same JSON atomically to {@code --ports-file}. Each state change is one stdout line
 * {@code SIDECAR_EMULATOR_EVENT <UTC time with ms> <TYPE> <detail>} (types of {@link SidecarEvent.Type}).
 *
 * <p>Signals: SIGTERM (and SIGINT) are caught with {@code sun.misc.Signal} and start pilot-agent's (or the
 * other mesh's) termination sequence; the process exits with code 0 when the emulated agent exits, as pilot-agent does.
 * If the JVM does not allow catching the signal, a shutdown hook runs the sequence instead and the exit
 * code is then the JVM's 143. {@code --native-prestop-file}: when that file appears (polled every 50 ms),
 * the native preStop {@code /drain} runs ({@link SidecarEmulator#podDeletionStarted()}); no other signal
 * is used. Exit code 0 after {@code --help}, 2 for invalid arguments (the message names the option).
 */
public final class SidecarEmulatorMain {

    /** Prefix of the readiness line. */
    public static final String READY_PREFIX = "SIDECAR_EMULATOR_READY ";
    /** Prefix of each event line. */
    public static final String EVENT_PREFIX = "SIDECAR_EMULATOR_EVENT ";

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private SidecarEmulatorMain() {
    }

    /**
     * Entry point.
     *
     * @param args see {@link #usage()}
     * @throws Exception if the emulator cannot start
     */
    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        Options options;
        SidecarEmulator built;
        try {
            options = Options.parse(args);
            if (options.help) {
                out.print(usage());
                out.flush();
                System.exit(0);
                return;
            }
            options.builder.listener(event -> print(out, EVENT_PREFIX + TIME.format(event.at()) + " " + event.type()
                    + (event.detail().isEmpty() ? "" : " " + event.detail())));
            built = options.builder.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("SidecarEmulatorMain: " + e.getMessage());
            System.err.println("Run with --help for the modes and options.");
            System.exit(2);
            return;
        }
        SidecarEmulator emulator = built.start();
        String ports = "{\"admin\":" + emulator.adminUrl().getPort() + ",\"agent\":" + emulator.agentUrl().getPort()
                + ",\"health\":" + emulator.healthUrl().getPort() + ",\"outbound\":" + emulator.outboundProxyPort()
                + ",\"inbound\":" + emulator.inboundPort() + "}";
        if (options.portsFile != null) {
            writeAtomically(options.portsFile, ports);
        }
        boolean signals = catchSignal("TERM", emulator::terminate) & catchSignal("INT", emulator::terminate);
        if (!signals) {
            Thread hook = new Thread(() -> {
                emulator.terminate();
                try {
                    emulator.awaitExit(Duration.ofDays(1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                emulator.close();
            }, "sidecar-emulator-shutdown-hook");
            Runtime.getRuntime().addShutdownHook(hook);
        }
        if (options.nativePrestopFile != null) {
            watchPrestopFile(options.nativePrestopFile, emulator);
        }
        print(out, READY_PREFIX + ports);
        while (!emulator.awaitExit(Duration.ofHours(1))) {
            // keep running until pilot-agent exits
        }
        emulator.close();
        out.flush();
        System.exit(0);
    }

    private static void print(PrintStream out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** {@code sun.misc.Signal.handle} through reflection (jdk.unsupported), so nothing breaks without it. */
    static boolean catchSignal(String name, Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, methodArgs) -> {
                        switch (method.getName()) {
                            case "handle":
                                action.run();
                                return null;
                            case "hashCode":
                                return System.identityHashCode(proxy);
                            case "equals":
                                return proxy == methodArgs[0];
                            default:
                                return "SidecarEmulatorMain signal handler";
                        }
                    });
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static void watchPrestopFile(Path file, SidecarEmulator emulator) {
        Thread watcher = new Thread(() -> {
            while (!Files.exists(file)) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
            emulator.podDeletionStarted();
        }, "sidecar-emulator-prestop-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * Returns the text {@code --help} prints: the modes, every option with its default, the ready line and
     * its JSON, the event lines, the signals and the exit codes.
     *
     * @return the usage text, ending with a line break
     */
    public static String usage() {
        return SidecarEmulatorUsage.text();
    }

    /** Parsed command line. */
    static final class Options {
        final SidecarEmulatorBuilder builder = SidecarEmulator.builder();
        @Nullable Path portsFile;
        @Nullable Path nativePrestopFile;
        boolean help;
        private Duration timeToInitializing = Duration.ZERO;
        private Duration timeToLive = Duration.ZERO;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (name.equals("-h") || name.equals("--help")) {
                    o.help = true;
                    continue;
                }
                String value;
                int eq = name.indexOf('=');
                if (name.startsWith("--") && eq > 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else {
                    if (!name.startsWith("--")) {
                        throw new IllegalArgumentException("\"" + name + "\": not an option (expected: --name value "
                                + "or --name=value)");
                    }
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(name + ": missing value");
                    }
                    value = args[++i];
                }
                o.apply(name, value);
            }
            o.checkStartupTimes();
            return o;
        }

        private void apply(String name, String value) {
            switch (name) {
                case "--mode":
                    try {
                        builder.mode(EmulatorMode.forName(value));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
                    }
                    break;
                case "--istio-version": version(name, value); break;
                case "--envoy-version": version(name, value); break;
                case "--termination-drain-duration":
                    builder.terminationDrainDuration(DurationParser.parse(name, value));
                    break;
                case "--drain-duration": builder.drainDuration(DurationParser.parse(name, value)); break;
                case "--minimum-drain-duration": builder.minimumDrainDuration(DurationParser.parse(name, value)); break;
                case "--time-to-initializing":
                    timeToInitializing = DurationParser.parse(name, value);
                    builder.timeToInitializing(timeToInitializing);
                    break;
                case "--time-to-live":
                    timeToLive = DurationParser.parse(name, value);
                    builder.timeToLive(timeToLive);
                    break;
                case "--app-port": builder.appPort(port(name, value)); break;
                case "--admin-port": builder.adminPort(port(name, value)); break;
                case "--agent-port": builder.agentPort(port(name, value)); break;
                case "--status-server": builder.statusServerEnabled(bool(name, value)); break;
                case "--traffic-stats": builder.trafficStats(bool(name, value)); break;
                case "--health-port": builder.healthPort(port(name, value)); break;
                case "--outbound-port": builder.outboundPort(port(name, value)); break;
                case "--inbound-port": builder.inboundPort(port(name, value)); break;
                case "--shutdown-grace-period":
                    builder.shutdownGracePeriod(DurationParser.parse(name, value));
                    break;
                case "--shutdown-drain-listeners": builder.shutdownDrainListeners(bool(name, value)); break;
                case "--startup-grace-period": builder.startupGracePeriod(DurationParser.parse(name, value)); break;
                case "--shutdown-endpoint": builder.shutdownEndpointEnabled(bool(name, value)); break;
                case "--ports-file": portsFile = Path.of(value); break;
                case "--native-prestop-file": nativePrestopFile = Path.of(value); break;
                default: throw new IllegalArgumentException(name + ": unknown option");
            }
        }

        /** A version the builder refuses gets the option's name in front of the reason. */
        private void version(String name, String value) {
            boolean istio = name.equals("--istio-version");
            try {
                if (istio) {
                    builder.istioVersion(value);
                } else {
                    builder.envoyVersion(value);
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(name + ": \"" + value + "\" (expected: a version like "
                        + (istio ? "1.26.2" : "1.34.2") + ")", e);
            }
        }

        /** The builder would refuse the pair at build(), naming its own fields: name the options instead. */
        private void checkStartupTimes() {
            if (timeToLive.compareTo(timeToInitializing) < 0) {
                throw new IllegalArgumentException("--time-to-live: " + timeToLive.toMillis() + "ms"
                        + " (expected: >= --time-to-initializing " + timeToInitializing.toMillis() + "ms"
                        + "; Envoy is LIVE only after INITIALIZING)");
            }
        }

        private static boolean bool(String name, String value) {
            switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "true": return true;
                case "false": return false;
                default: throw new IllegalArgumentException(name + ": \"" + value + "\" (expected: true or false)");
            }
        }

        private static int port(String name, String value) {
            try {
                int port = Integer.parseInt(value.trim());
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // fall through
            }
            throw new IllegalArgumentException(name + ": \"" + value + "\" (expected: 0..65535, 0 = ephemeral)");
        }
    }
}
