package io.github.sidecarshutdown.examples.spring3;

import io.github.sidecarshutdown.PhaseResult;
import io.github.sidecarshutdown.ShutdownListener;
import io.github.sidecarshutdown.spring.SidecarShutdownCustomizer;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * A Spring Boot 3.5 service behind a sidecar (the same app as {@code examples/spring-boot}, on the
 * Boot 3 starter): {@code GET /hello} (taking {@code REQUEST_TIME}, default
 * 50 ms) and, on exit, a cleanup call to {@code DOWNSTREAM_URL} ({@link DownstreamCleanup}). The
 * starter orders the exit; nothing here registers a hook. {@code OUTBOUND_PROXY=host:port} sends
 * outbound calls through that proxy, the way iptables sends them through Envoy in a Pod. Prints
 * {@code APP_READY port=N} once readiness turns on (after the sidecar is ready) and
 * {@code APP_EVENT ...} lines for the test kit.
 */
@SpringBootApplication
public class SpringBoot3ExampleApp {

    public static void main(String[] args) {
        SpringApplication.run(SpringBoot3ExampleApp.class, args);
    }

    /** The outbound client; explicit timeouts, and the proxy given as an explicit one so loopback targets use it too. */
    @Bean
    RestClient downstreamClient() {
        SimpleClientHttpRequestFactory factory = new SimpleClientHttpRequestFactory();
        factory.setConnectTimeout(Duration.ofSeconds(2));
        factory.setReadTimeout(Duration.ofSeconds(2));
        String proxy = Env.get("OUTBOUND_PROXY", "");
        if (!proxy.isBlank()) {
            int colon = proxy.lastIndexOf(':');
            factory.setProxy(new Proxy(Proxy.Type.HTTP,
                    new InetSocketAddress(proxy.substring(0, colon), Integer.parseInt(proxy.substring(colon + 1)))));
        }
        return RestClient.builder().baseUrl(Env.get("DOWNSTREAM_URL", "http://127.0.0.1:9090")).requestFactory(factory).build();
    }

    /** Prints each phase as it ends, so the test kit can check the order. */
    @Bean
    SidecarShutdownCustomizer printPhases() {
        return builder -> builder.listener(new ShutdownListener() {
            @Override
            public void onPhaseCompleted(PhaseResult result) {
                Env.event("phase " + result.phase().tagValue() + "=" + result.outcome().tagValue());
            }
        });
    }
}
