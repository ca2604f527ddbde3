package io.github.sidecarshutdown.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checker itself: a marked block that does not compile fails with its page, line and the compiler's word. */
class BlockCompilerTest {

    @TempDir
    Path work;

    private static final String PAGE = """
            # A page

            Some text.

            <!-- complete -->
            ```java
            package com.example;

            import io.github.sidecarshutdown.ShutdownCoordinator;

            public final class Broken {
                public static void main(String[] args) throws Exception {
                    ShutdownCoordinator coordinator = ShutdownCoordinator.builder().build();
                    coordinator.install();
                    registry.deregister();
                }
            }
            ```

            A fragment, not marked:

            ```java
            coordinator.install();
            ```
            """;

    @Test
    void aMarkedBlockThatDoesNotCompileFailsNamingThePageTheLineAndTheCompilersMessage() {
        DocBlocks.Page page = DocBlocks.parse("docs/example.md", PAGE);
        assertThat(page.blocks()).hasSize(2);
        DocBlocks.Block broken = page.blocks().get(0);
        assertThat(broken.complete()).isTrue();
        assertThat(page.blocks().get(1).complete()).isFalse();

        Optional<String> failure = new BlockCompiler(BlockCompiler.testClassPath(), work).compile(broken, 1);

        // `registry` is on line 15 of the page: the fence is on line 6, the code's line 9.
        assertThat(failure).hasValueSatisfying(f -> assertThat(f)
                .contains("docs/example.md:6 (Broken.java) does not compile")
                .contains("docs/example.md:15: cannot find symbol")
                .contains("registry.deregister();"));
    }

    @Test
    void theSameBlockCompilesOnceFixed() {
        String fixed = PAGE.replace("registry.deregister();", "coordinator.shutdown();");
        DocBlocks.Block block = DocBlocks.parse("docs/example.md", fixed).blocks().get(0);

        assertThat(new BlockCompiler(BlockCompiler.testClassPath(), work).compile(block, 1)).isEmpty();
    }

    @Test
    void aMarkerThatIsMisspeltOrNotAboveAJavaBlockIsReported() {
        DocBlocks.Page page = DocBlocks.parse("README.md", String.join("\n", List.of(
                "<!-- complete -->", "", "```java", "class A {}", "```",
                "<!-- complete: maybe -->", "```java", "class B {}", "```",
                "<!-- complete: Spring Boot 3.5 -->", "```java", "class C {}", "```")));

        assertThat(page.strayMarkers()).containsExactly(
                "README.md:1: '<!-- complete -->' is not followed by a line '```java'",
                "README.md:6: '<!-- complete: maybe -->' is not the marker '<!-- complete -->' (or "
                        + "'<!-- complete: Spring Boot 3.5 -->'), exactly, on a line of its own");
        assertThat(page.blocks()).extracting(DocBlocks.Block::complete).containsExactly(false, false, false);
        assertThat(page.blocks()).extracting(DocBlocks.Block::boot3).containsExactly(false, false, true);
    }

    @Test
    void theFileIsNamedAfterItsPublicType() {
        assertThat(BlockCompiler.fileName("package a;\n\n@SpringBootApplication\npublic class OrdersApplication {}\n\n@Component\nclass ShutdownCalls {}\n"))
                .isEqualTo("OrdersApplication.java");
        assertThat(BlockCompiler.fileName("class ShutdownTest {}\n")).isEqualTo("ShutdownTest.java");
    }
}
