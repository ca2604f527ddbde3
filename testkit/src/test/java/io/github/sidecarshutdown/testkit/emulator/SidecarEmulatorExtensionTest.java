package io.github.sidecarshutdown.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JUnit 5 extension: a fresh, started emulator per test, closed afterwards, injectable. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SidecarEmulatorExtensionTest {

    @RegisterExtension
    static SidecarEmulatorExtension sidecar = SidecarEmulatorExtension.of(SidecarEmulator.builder()
            .mode(EmulatorMode.ISTIO_1_5).terminationDrainDuration(Duration.ofMillis(200)));

    private static SidecarEmulator previous;

    @Test
    @Order(1)
    void injectsAStartedEmulator(SidecarEmulator emulator) throws Exception {
        assertThat(emulator).isSameAs(sidecar.emulator());
        assertThat(emulator.mode()).isEqualTo(EmulatorMode.ISTIO_1_5);
        assertThat(TestHttp.get(emulator.adminUrl(), "/ready").status()).isEqualTo(200);
        emulator.terminate(); // a terminated emulator must not leak into the next test
        previous = emulator;
    }

    @Test
    @Order(2)
    void givesEachTestAFreshEmulatorAndClosedThePreviousOne(SidecarEmulator emulator) throws Exception {
        assertThat(emulator).isNotSameAs(previous);
        assertThat(emulator.isExited()).isFalse();
        assertThat(emulator.events()).extracting(SidecarEvent::type).containsExactly(SidecarEvent.Type.STARTED);
        assertThat(previous.events()).extracting(SidecarEvent::type).contains(SidecarEvent.Type.CLOSED);
        assertThat(TestHttp.isRefused(previous.outboundProxyPort())).isTrue();
    }
}
