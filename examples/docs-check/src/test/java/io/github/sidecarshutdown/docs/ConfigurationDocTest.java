package io.github.sidecarshutdown.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.config.SettingKey;
import io.github.sidecarshutdown.sidecar.MeshSetting;
import io.github.sidecarshutdown.sidecar.Meshes;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md lists every setting the library reads, the library's own ({@link Setting}) and
 * every mesh's ({@link Meshes#settings()}), each in one table row with its environment variable, its
 * Spring property and its builder method; a mesh setting's row also gives its default. A setting added
 * without its row, or a row left for a setting that is gone, fails here.
 */
class ConfigurationDocTest {

    private static final Path PAGE = DocBlocks.repositoryRoot().resolve("docs/configuration.md");

    /** The page's table rows that describe a setting, by the environment variable in their first cell. */
    private static Map<String, String> rows() throws Exception {
        return Files.readAllLines(PAGE).stream().filter(l -> l.startsWith("| `SIDECAR_SHUTDOWN_"))
                .collect(Collectors.toMap(l -> l.substring(3, l.indexOf('`', 3)), Function.identity()));
    }

    private static List<SettingKey> settings() {
        List<SettingKey> all = new ArrayList<>(List.of(Setting.values()));
        all.addAll(Meshes.settings());
        return all;
    }

    @Test
    void everySettingHasARowWithItsThreeNames() throws Exception {
        Map<String, String> rows = rows();
        List<String> problems = new ArrayList<>();
        for (SettingKey s : settings()) {
            String row = rows.get(s.envName());
            if (row == null) {
                problems.add(s.envName() + ": no row");
                continue;
            }
            for (String name : List.of(s.propertyName(), s.builderMethod())) {
                if (!row.contains("`" + name + "`")) {
                    problems.add(s.envName() + ": its row does not name `" + name + "`");
                }
            }
            if (s instanceof MeshSetting m && !row.contains("`" + m.defaultValue() + "`")) {
                problems.add(s.envName() + ": its row does not give its default `" + m.defaultValue() + "`");
            }
        }
        assertThat(problems).as("settings missing from %s", PAGE).isEmpty();
    }

    @Test
    void everyRowIsASettingTheLibraryReads() throws Exception {
        List<String> known = settings().stream().map(SettingKey::envName).toList();
        assertThat(rows().keySet().stream().filter(env -> !known.contains(env)))
                .as("rows of %s for settings the library does not read", PAGE).isEmpty();
    }

    @Test
    void theSidecarModeRowNamesEveryMode() throws Exception {
        String row = rows().get(Setting.SIDECAR_MODE.envName());
        assertThat(Meshes.modes().stream().map(SidecarMode::name)
                .filter(mode -> !row.matches(".*[`|]" + mode + "[`\\\\|].*")))
                .as("sidecar-mode values missing from its row in %s", PAGE).isEmpty();
    }
}
