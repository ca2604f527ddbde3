package io.github.sidecarshutdown.spring.boot3.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** What the built jar must carry, read from {@code target/classes}: the auto-configuration imports file and its metadata. */
class AutoConfigurationImportsTest {

    private static String read(String resource) throws Exception {
        Path classes = Path.of(SidecarShutdownBoot3AutoConfiguration.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path p = classes.resolve(resource);
        assertThat(p).as(resource).exists();
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    @Test
    void autoConfigurationsAreRegisteredThroughTheImportsFile() throws Exception {
        String imports = read("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports");
        assertThat(Arrays.stream(imports.split("\\R")).map(String::trim).filter(l -> !l.isEmpty()))
                .containsExactlyInAnyOrder(SidecarShutdownBoot3AutoConfiguration.class.getName(),
                        SidecarShutdownBoot3MetricsAutoConfiguration.class.getName(),
                        SidecarShutdownBoot3HealthAutoConfiguration.class.getName(),
                        SidecarShutdownBoot3EndpointAutoConfiguration.class.getName(),
                        SidecarShutdownBoot3FlushAutoConfiguration.class.getName(),
                        SidecarShutdownBoot3GrpcAutoConfiguration.class.getName());
        // Boot 3.5's health API, not Boot 4's
        assertThat(read("META-INF/spring-autoconfigure-metadata.properties"))
                .contains("SidecarShutdownBoot3HealthAutoConfiguration.ConditionalOnClass="
                        + "org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator,"
                        + "org.springframework.boot.actuate.health.AbstractHealthIndicator");
    }
}
