package io.github.sidecarshutdown.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvoyAdminExceptionTest {

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n", "\r", "\u001b[2K", "\u2028", "\u2029", "\u0085"})
    void anErrorBodyFromTheSidecarCannotForgeALogLine(String forger) {
        // given the message the client builds from a sidecar's error body
        String body = "upstream connect error" + forger + "2026-11-28 INFO forged: all requests drained";

        // when
        EnvoyAdminException e = new EnvoyAdminException(AdminEndpoint.QUITQUITQUIT, EnvoyAdminException.Kind.HTTP_STATUS,
                503, "HTTP 503 " + body, null);

        // then the body is still there to read, on one line
        assertThat(ServerInfoTest.oneLine(e.getMessage())).as(e.getMessage()).isTrue();
        assertThat(e.getMessage()).startsWith(AdminEndpoint.QUITQUITQUIT + ": HTTP 503 upstream connect error\\")
                .endsWith("INFO forged: all requests drained");
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 200, 5_000})
    void aLongBodyIsCapped(int length) {
        EnvoyAdminException e = new EnvoyAdminException(AdminEndpoint.READY, EnvoyAdminException.Kind.HTTP_STATUS, 500,
                "HTTP 500 " + "x".repeat(length), null);
        assertThat(e.getMessage().length()).isLessThan(300);
    }
}
