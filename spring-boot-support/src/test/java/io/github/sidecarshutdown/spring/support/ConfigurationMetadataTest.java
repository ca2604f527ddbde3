package io.github.sidecarshutdown.spring.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.config.SettingKey;
import io.github.sidecarshutdown.sidecar.Meshes;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.util.ArrayList;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the shared jar must carry for both starters, read from {@code target/classes}: the metadata
 * the annotation processor generated (every {@code sidecar.shutdown.*} property, documented) and the
 * failure analyzer registration. It has no auto-configuration imports file: alone it does nothing.
 */
class ConfigurationMetadataTest {

    private static Path classes() throws Exception {
        // target/classes, wherever the build runs from
        return Path.of(SidecarShutdownProperties.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static String read(String resource) throws Exception {
        Path p = classes().resolve(resource);
        assertThat(p).as(resource).exists();
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    @Test
    void metadataListsEverySettingWithADescription() throws Exception {
        String json = read("META-INF/spring-configuration-metadata.json");
        // "name": "...", ... "description": "..." within one property object
        Map<String, String> descriptions = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\\{[^{}]*?\"name\"\\s*:\\s*\"([^\"]+)\"[^{}]*?\\}", Pattern.DOTALL).matcher(json);
        while (m.find()) {
            Matcher d = Pattern.compile("\"description\"\\s*:\\s*\"([^\"]*)\"").matcher(m.group());
            descriptions.put(m.group(1), d.find() ? d.group(1) : "");
        }
        List<SettingKey> all = new ArrayList<>(List.of(Setting.values()));
        all.addAll(Meshes.settings()); // read by applyMeshProperties, documented in additional-spring-configuration-metadata.json
        for (SettingKey s : all) {
            assertThat(descriptions).as("metadata for %s", s.propertyName()).containsKey(s.propertyName());
            assertThat(descriptions.get(s.propertyName())).as("description of %s", s.propertyName()).isNotBlank()
                    .doesNotStartWith("The ").doesNotStartWith("A ");
        }
        assertThat(descriptions).containsKey("management.health.envoy.enabled");
        assertThat(descriptions.keySet().stream().filter(k -> k.startsWith("sidecar.shutdown.")))
                .hasSize(all.size());
        // and the sidecar-mode hint lists every mode a registered mesh answers to
        for (SidecarMode mode : Meshes.modes()) {
            assertThat(json).as("hint for sidecar-mode %s", mode).contains("\"value\": \"" + mode.name() + "\"");
        }
    }

    @Test
    void noAutoConfigurationWithoutAStarter() throws Exception {
        assertThat(classes().resolve("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")).doesNotExist();
    }

    @Test
    void failureAnalyzerIsRegistered() throws Exception {
        assertThat(read("META-INF/spring.factories").replace("\\\n", ""))
                .contains("org.springframework.boot.diagnostics.FailureAnalyzer=" + InvalidSettingFailureAnalyzer.class.getName());
    }
}
