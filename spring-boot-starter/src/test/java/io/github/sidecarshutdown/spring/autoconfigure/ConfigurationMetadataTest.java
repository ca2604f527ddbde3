package io.github.sidecarshutdown.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What the built jar must carry, read from {@code target/classes}: the auto-configuration imports
 * file and the processor's metadata for it. The property metadata and the failure analyzer come
 * with the shared support jar (tested there).
 */
class ConfigurationMetadataTest {

    private static Path classes() throws Exception {
        // target/classes, wherever the build runs from
        return Path.of(SidecarShutdownAutoConfiguration.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static String read(String resource) throws Exception {
        Path p = classes().resolve(resource);
        assertThat(p).as(resource).exists();
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    @Test
    void autoConfigurationsAreRegisteredThroughTheImportsFile() throws Exception {
        String imports = read("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports");
        assertThat(Arrays.stream(imports.split("\\R")).map(String::trim).filter(l -> !l.isEmpty()))
                .containsExactlyInAnyOrder(SidecarShutdownAutoConfiguration.class.getName(),
                        SidecarShutdownMetricsAutoConfiguration.class.getName(),
                        SidecarShutdownHealthAutoConfiguration.class.getName(),
                        SidecarShutdownEndpointAutoConfiguration.class.getName(),
                        SidecarShutdownFlushAutoConfiguration.class.getName(),
                        SidecarShutdownGrpcAutoConfiguration.class.getName());
        // the processor's metadata lets Boot skip them cheaply when a class is missing
        assertThat(read("META-INF/spring-autoconfigure-metadata.properties"))
                .contains("SidecarShutdownHealthAutoConfiguration.ConditionalOnClass=org.springframework.boot.health.contributor.AbstractHealthIndicator");
    }
}
