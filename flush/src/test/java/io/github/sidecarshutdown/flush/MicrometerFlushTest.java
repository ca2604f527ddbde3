package io.github.sidecarshutdown.flush;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownCoordinatorBuilder;
import io.github.sidecarshutdown.ShutdownReport;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.TaskOutcome;
import io.github.sidecarshutdown.testkit.emulator.EmulatorMode;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulator;
import io.github.sidecarshutdown.testkit.emulator.SidecarEmulatorExtension;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.core.ipc.http.HttpUrlConnectionSender;
import io.micrometer.influx.InfluxConfig;
import io.micrometer.influx.InfluxMeterRegistry;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real push registry (Micrometer's Influx registry, posting line protocol over HTTP) closed as a
 * cleanup task: its last publish goes through the sidecar emulator before the release.
 */
class MicrometerFlushTest {

    @RegisterExtension
    static SidecarEmulatorExtension sidecar = SidecarEmulatorExtension.of(
            SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_26).terminationDrainDuration(Duration.ofSeconds(20)));

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private Downstream downstream() throws Exception {
        Downstream d = new Downstream();
        closing.add(d);
        return d;
    }

    /** An Influx registry posting to {@code backend} through the emulator's outbound proxy; it never publishes on its own. */
    private InfluxMeterRegistry influx(Downstream backend, @Nullable InetSocketAddress proxy, Duration readTimeout) {
        InfluxConfig config = new InfluxConfig() {
            @Override
            public @Nullable String get(String key) {
                return null;
            }

            @Override
            public String uri() {
                return "http://127.0.0.1:" + backend.port();
            }

            @Override
            public boolean autoCreateDb() {
                return false;
            }

            @Override
            public Duration step() {
                return Duration.ofHours(1);
            }
        };
        InfluxMeterRegistry registry = InfluxMeterRegistry.builder(config)
                .httpClient(new HttpUrlConnectionSender(Duration.ofSeconds(1), readTimeout,
                        proxy == null ? Proxy.NO_PROXY : new Proxy(Proxy.Type.HTTP, proxy)))
                .build();
        closing.add(registry::close);
        return registry;
    }

    @Test
    void pushRegistryPublishesItsLastStepBeforeTheSidecarIsReleased(SidecarEmulator emulator) throws Exception {
        // given a push registry with values it has not published yet
        Downstream backend = downstream();
        InfluxMeterRegistry registry = influx(backend, emulator.outboundProxyAddress(), Duration.ofSeconds(10));
        Counter orders = Counter.builder("flush.orders").register(registry);
        orders.increment(42);
        ShutdownCoordinator coordinator = Coordinators.beside(emulator).task(MicrometerFlush.task(registry)).build();
        coordinator.awaitSidecarReady(Duration.ofSeconds(10));
        assertThat(backend.received()).isEmpty();

        // when the Pod is deleted
        emulator.terminate();
        ShutdownReport report = coordinator.shutdown();

        // then the last publish carried the value, through the sidecar, before it exited
        assertThat(report.task("micrometer-influx").orElseThrow().outcome()).as(report.summaryLine())
                .isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(registry.isClosed()).isTrue();
        assertThat(backend.received("/write")).anySatisfy(r -> assertThat(r.text()).contains("flush_orders").contains("value=42"));
        assertThat(report.sidecarReleased()).isTrue();
        long exit = Coordinators.exitNanos(emulator);
        assertThat(backend.received("/write")).allSatisfy(r -> assertThat(r.atNanos()).isLessThan(exit));
    }

    /** What the task prevents: a registry closed after the release (by another hook) publishes nothing. */
    @Test
    void registryClosedAfterTheReleaseLosesItsLastStep(SidecarEmulator emulator) throws Exception {
        Downstream backend = downstream();
        InfluxMeterRegistry registry = influx(backend, emulator.outboundProxyAddress(), Duration.ofSeconds(2));
        Counter.builder("flush.orders").register(registry).increment(7);
        ShutdownCoordinator coordinator = Coordinators.beside(emulator).build();
        coordinator.awaitSidecarReady(Duration.ofSeconds(10));

        emulator.terminate();
        assertThat(coordinator.shutdown().sidecarReleased()).isTrue();
        Coordinators.exitNanos(emulator);
        registry.close();

        assertThat(backend.received()).isEmpty();
    }

    @Test
    void aHungBackendIsCutAtItsTimeoutAndTheNextRegistryStillPublishes(SidecarEmulator emulator) throws Exception {
        // given two push registries, the first one's backend never answering (read timeout 60 s)
        Downstream hung = downstream().hang();
        Downstream healthy = downstream();
        InfluxMeterRegistry first = influx(hung, emulator.outboundProxyAddress(), Duration.ofSeconds(60));
        InfluxMeterRegistry second = influx(healthy, emulator.outboundProxyAddress(), Duration.ofSeconds(10));
        Counter.builder("flush.first").register(first).increment();
        Counter.builder("flush.second").register(second).increment(3);
        List<ShutdownTask> tasks = MicrometerFlush.tasks(List.of(first, second));
        ShutdownCoordinatorBuilder builder = Coordinators.beside(emulator).taskTimeout(Duration.ofSeconds(1));
        tasks.forEach(builder::task);
        ShutdownCoordinator coordinator = builder.build();
        coordinator.awaitSidecarReady(Duration.ofSeconds(10));

        emulator.terminate();
        long start = System.nanoTime();
        ShutdownReport report = coordinator.shutdown();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(report.task("micrometer-influx").orElseThrow().outcome()).as(report.summaryLine()).isEqualTo(TaskOutcome.TIMED_OUT);
        assertThat(report.task("micrometer-influx-2").orElseThrow().outcome()).as(report.summaryLine())
                .isEqualTo(TaskOutcome.SUCCEEDED);
        assertThat(hung.received("/write")).isNotEmpty();
        assertThat(healthy.received("/write")).anySatisfy(r -> assertThat(r.text()).contains("flush_second").contains("value=3"));
        assertThat(report.sidecarReleased()).isTrue();
        assertThat(took).isLessThan(Duration.ofSeconds(15)); // not the 60 s read timeout
    }

    @Test
    void tasksCloseEachPushRegistryOnceLookingInsideComposites() throws Exception {
        Downstream backend = downstream();
        InfluxMeterRegistry a = influx(backend, null, Duration.ofSeconds(1));
        InfluxMeterRegistry b = influx(backend, null, Duration.ofSeconds(1));
        CompositeMeterRegistry composite = new CompositeMeterRegistry();
        composite.add(a);
        composite.add(new SimpleMeterRegistry());
        composite.add(b);

        List<ShutdownTask> tasks = MicrometerFlush.tasks(List.of(composite, a, new SimpleMeterRegistry()));

        assertThat(tasks).extracting(ShutdownTask::name).containsExactly("micrometer-influx", "micrometer-influx-2");
        assertThat(tasks).allSatisfy(t -> assertThat(t.needsSidecar()).isTrue());
        assertThat(MicrometerFlush.tasks(List.of(new SimpleMeterRegistry()))).isEmpty();
    }
}
