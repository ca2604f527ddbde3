package io.github.sidecarshutdown.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/testing.md shows complete test files; each is also a real test of this repository, so that what
 * the page shows compiles and passes. This test fails when a block and its file differ, or a block has
 * no file.
 */
class TestingDocTest {

    private static final Path REPO = Path.of("..");
    private static final List<Path> TEST_ROOTS = List.of(Path.of("testkit/src/test/java"),
            Path.of("examples/spring-boot/src/test/java"), Path.of("examples/demo/src/test/java"));
    private static final Pattern COMPLETE_BLOCK =
            Pattern.compile("(?m)^<!-- complete -->\\n```java\\n(.*?)^```$", Pattern.DOTALL);
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
    private static final Pattern TOP_LEVEL_CLASS = Pattern.compile("(?m)^(?:public |final |abstract )*class (\\w+)");

    @Test
    void everyCompleteExampleIsARealTestFileWordForWord() throws Exception {
        String doc = Files.readString(REPO.resolve("docs/testing.md"));
        Matcher block = COMPLETE_BLOCK.matcher(doc);
        List<String> checked = new ArrayList<>();
        while (block.find()) {
            String code = block.group(1);
            Matcher pkg = PACKAGE.matcher(code);
            Matcher type = TOP_LEVEL_CLASS.matcher(code);
            assertThat(pkg.find()).as("a package line in%n%s", code).isTrue();
            assertThat(type.find()).as("a top-level class in%n%s", code).isTrue();
            Path relative = Path.of(pkg.group(1).replace('.', '/'), type.group(1) + ".java");
            Path file = TEST_ROOTS.stream().map(root -> REPO.resolve(root).resolve(relative)).filter(Files::exists)
                    .findFirst().orElseThrow(() -> new AssertionError("docs/testing.md shows " + relative
                            + " but no test root " + TEST_ROOTS + " has it"));
            assertThat(Files.readString(file).stripTrailing()).as("%s and its block in docs/testing.md", file)
                    .isEqualTo(code.stripTrailing());
            checked.add(type.group(1));
        }
        assertThat(checked).containsExactly("ShutdownTest", "OrdersPodIT", "NightlyReportJobIT", "SpringShutdownTest");
    }
}
