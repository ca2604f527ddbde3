package io.github.sidecarshutdown.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.testkit.pod.JavaProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The counters the {@code startup-added} cell reads, in fresh JVMs started as the cell starts them. */
class JvmClassCountersTest {

    @Test
    void countsTheClassesTheAppLoaderDefinesAndTheTimeSpentLoadingThem() throws Exception {
        List<String> jvm = new ArrayList<>(JvmClassCounters.JVM_OPTIONS);
        String out = run(JavaProcess.javaCommand(jvm, Probe.class));
        // Probe loads three classes of its own and two of the JDK's between the two readings: only its own count.
        assertThat(out).contains("defined 3 of 3");
        assertThat(Long.parseLong(out.replaceAll("(?s).*loading-nanos (\\d+).*", "$1"))).isPositive();
    }

    @Test
    void withoutTheFlagItSaysWhichOptionsTheJvmNeeds() throws Exception {
        String out = run(JavaProcess.javaCommand(List.of(), Probe.class));
        assertThat(out).contains("cannot read this JVM's perf counters", "--add-exports jdk.internal.jvmstat/sun.jvmstat.monitor=ALL-UNNAMED");
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the probe JVM ended").isTrue();
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }

    /** Reads the counters, loads three classes of its own and two of the JDK's, reads them again. */
    static final class Probe {

        public static void main(String[] args) {
            JvmClassCounters c = JvmClassCounters.open();
            long defined = c.appClassesDefined();
            long nanos = c.classLoadingNanos();
            Object[] loaded = {new One(), new Two(), new Three()};
            Object[] jdk = {new java.util.concurrent.Exchanger<String>(), new java.util.concurrent.Phaser()};
            System.out.println("defined " + (c.appClassesDefined() - defined) + " of " + loaded.length + " (and " + jdk.length + " of the JDK's)");
            System.out.println("loading-nanos " + (c.classLoadingNanos() - nanos));
        }
    }

    static final class One {
    }

    static final class Two {
    }

    static final class Three {
    }
}
