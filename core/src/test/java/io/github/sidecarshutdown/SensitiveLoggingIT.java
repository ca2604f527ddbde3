package io.github.sidecarshutdown;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.sidecarshutdown.config.InvalidSettingException;
import io.github.sidecarshutdown.fixtures.LoggingFixtureApp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Nothing sensitive is logged: a child JVM at TRACE level feeds credential-carrying URLs to every
 * front end and runs a whole startup and shutdown; its complete output (slf4j-simple writes to
 * System.err, merged here) must never contain the secret, in any encoding.
 */
class SensitiveLoggingIT {

    private static final String SECRET = "s3cr3tPw";

    @Test
    void credentialsInUrlsNeverReachTheLogEvenAtTrace() throws Exception {
        WireMockServer admin = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        admin.start();
        Process process = null;
        try {
            admin.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500).withBody("upstream error")));
            Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
            ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace",
                    "-cp", System.getProperty("java.class.path"), LoggingFixtureApp.class.getName(),
                    "http://127.0.0.1:" + admin.port()).redirectErrorStream(true);
            pb.environment().keySet().removeIf(k -> k.startsWith("SIDECAR_SHUTDOWN_"));
            process = pb.start();
            process.getOutputStream().close();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            Process child = process;
            Thread reader = new Thread(() -> {
                try {
                    child.getInputStream().transferTo(out); // ends when the child exits
                } catch (java.io.IOException e) {
                    // the child is gone
                }
            }, "logging-fixture-output");
            reader.setDaemon(true);
            reader.start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the fixture exits").isTrue();
            reader.join(5_000);
            String all;
            synchronized (out) {
                all = out.toString(StandardCharsets.UTF_8);
            }

            assertThat(all).as("the fixture ran to its end:%n%s", all).contains("FIXTURE_DONE", "FIXTURE_REPORT");
            assertThat(all).as("refusals were logged, redacted").contains("<redacted>@", "Startup failed", "Client refused");
            assertThat(all).doesNotContain("FIXTURE_ACCEPTED");
            assertThat(all).doesNotContain(SECRET).doesNotContain("%73%33cr3t").doesNotContainIgnoringCase("s3cr3t");
            assertThat(all).as("TRACE really was on").contains("DEBUG");
        } finally {
            if (process != null) {
                process.destroyForcibly();
            }
            admin.stop();
        }
    }

    @Test
    void aRefusedSettingCarriesNoSecretInItsMessageStackTraceOrValue() {
        InvalidSettingException e = (InvalidSettingException) org.assertj.core.api.Assertions.catchThrowable(() ->
                ShutdownCoordinator.builder().fromEnvironment(Map.of("SIDECAR_SHUTDOWN_ADMIN_URL",
                        "http://admin:" + SECRET + "@127.0.0.1:15000")));
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));

        assertThat(e.getMessage()).contains("<redacted>@").doesNotContain(SECRET);
        assertThat(e.value()).doesNotContain(SECRET);
        assertThat(trace.toString()).doesNotContain(SECRET);
    }
}
