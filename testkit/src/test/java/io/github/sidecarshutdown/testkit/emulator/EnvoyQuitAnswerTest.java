package io.github.sidecarshutdown.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Envoy's own {@code POST :15000/quitquitquit} (envoy {@code server_cmd_handler.cc}): Envoy answers,
 * then exits at once, and its exit closes the connection in order, so the caller always reads the
 * whole answer and then the end of the stream, never a reset; pilot-agent follows Envoy out.
 * Repeated: the exit races the answer on every run.
 */
class EnvoyQuitAnswerTest {

    @RepeatedTest(10)
    void theAnswerArrivesWholeThenTheConnectionEndsInOrderAndTheSidecarExits() throws Exception {
        try (SidecarEmulator emulator = SidecarEmulator.builder().mode(EmulatorMode.ISTIO_1_26).timeToLive(Duration.ZERO)
                .build().start()) {
            String response;
            try (Socket s = new Socket("127.0.0.1", emulator.adminUrl().getPort())) {
                s.setSoTimeout(5_000);
                OutputStream out = s.getOutputStream();
                out.write(("POST /quitquitquit HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                // Read to the end of the stream: a reset instead of the end would throw here.
                InputStream in = s.getInputStream();
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                in.transferTo(all);
                response = all.toString(StandardCharsets.US_ASCII);
            }

            assertThat(response).startsWith("HTTP/1.1 200").endsWith("OK\n");
            assertThat(emulator.awaitExit(Duration.ofSeconds(5))).as("pilot-agent exits after Envoy").isTrue();
        }
    }
}
