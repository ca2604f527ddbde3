package io.github.sidecarshutdown.testkit.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class InboundLoadTest {

    @Test
    void defaults() {
        InboundLoad load = InboundLoad.builder().url("http://127.0.0.1:15006/").build();
        assertThat(load.url()).isEqualTo(URI.create("http://127.0.0.1:15006/"));
        assertThat(load.clients()).isEqualTo(4);
        assertThat(load.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(load.pause()).isEqualTo(Duration.ofMillis(20));
        assertThat(load.leadTime()).isEqualTo(Duration.ofMillis(500));
        assertThat(load.maxDuration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(load.maxRequests()).isEqualTo(200_000);
    }

    @Test
    void customValues() {
        InboundLoad load = InboundLoad.builder()
                .url(URI.create("http://localhost:8080/health"))
                .clients(50)
                .requestTimeout(Duration.ofMillis(300))
                .pause(Duration.ZERO)
                .leadTime(Duration.ZERO)
                .maxDuration(Duration.ofSeconds(5))
                .maxRequests(10)
                .build();
        assertThat(load).isEqualTo(new InboundLoad(URI.create("http://localhost:8080/health"), 50,
                Duration.ofMillis(300), Duration.ZERO, Duration.ZERO, Duration.ofSeconds(5), 10));
    }

    @Test
    void invalidValuesAreRejectedWithExactMessages() {
        InboundLoadBuilder builder = InboundLoad.builder();
        assertThatThrownBy(() -> builder.clients(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clients: 0 (expected: in [1, 1000])");
        assertThatThrownBy(() -> builder.clients(1001))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clients: 1001 (expected: in [1, 1000])");
        assertThatThrownBy(() -> builder.url("ftp://127.0.0.1/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("url: ftp://127.0.0.1/ (expected: an absolute http or https URL with a host)");
        assertThatThrownBy(() -> builder.url("/relative"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.requestTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("requestTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> builder.pause(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pause: PT-0.001S (expected: >= 0)");
        assertThatThrownBy(() -> builder.maxRequests(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxRequests: 0 (expected: > 0)");
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("url: not set (expected: an http URL)");
    }
}
