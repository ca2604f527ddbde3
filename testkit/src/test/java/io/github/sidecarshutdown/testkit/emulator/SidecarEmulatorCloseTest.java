package io.github.sidecarshutdown.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@link SidecarEmulator#close()} frees every port and thread, even with connections open. */
class SidecarEmulatorCloseTest {

    private static Set<Thread> emulatorThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("sidecar-emulator-")).collect(Collectors.toSet());
    }

    @Test
    void closeFreesPortsAndThreadsAndAllThreadsAreDaemons() throws Exception {
        // given: open keep-alive connections on every port and a termination in progress
        Set<Thread> before = emulatorThreads();
        SidecarEmulator emulator = SidecarEmulator.builder().terminationDrainDuration(Duration.ofSeconds(30))
                .build().start();
        TestHttp.Connection admin = TestHttp.open(emulator.adminUrl().getPort());
        TestHttp.Connection agent = TestHttp.open(emulator.agentUrl().getPort());
        TestHttp.Connection outbound = TestHttp.open(emulator.outboundProxyPort());
        admin.send("GET", "/ready");
        agent.send("GET", "/healthz/ready");
        emulator.terminate();
        Set<Thread> during = emulatorThreads();
        during.removeAll(before);
        assertThat(during).isNotEmpty().allMatch(Thread::isDaemon);

        // when
        emulator.close();

        // then
        for (int port : new int[] {emulator.adminUrl().getPort(), emulator.agentUrl().getPort(),
                emulator.healthUrl().getPort(), emulator.outboundProxyPort(), emulator.inboundPort()}) {
            assertThat(TestHttp.isRefused(port)).as("port %d", port).isTrue();
        }
        assertThat(outbound.isClosedByServer()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> during.stream().noneMatch(Thread::isAlive));
        admin.close();
        agent.close();
        outbound.close();
    }
}
