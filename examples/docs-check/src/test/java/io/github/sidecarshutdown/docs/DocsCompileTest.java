package io.github.sidecarshutdown.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every java block that README.md or a page of docs/ marks as a complete file ({@code <!-- complete -->}
 * on the line above its fence) compiles as pasted against the project's modules: core, the test kit, the
 * Spring Boot 4 starter, grpc, flush, and what their users bring (JUnit, grpc-java, the OpenTelemetry
 * SDK, Micrometer, Logback, Spring's RestClient). So the README's quick starts cannot drift from the API
 * again (issue 22). A block only for Spring Boot 3.5 cannot share this class path: it is marked
 * {@code <!-- complete: Spring Boot 3.5 -->} instead and listed as skipped (there is none today).
 */
class DocsCompileTest {

    private static final Path ROOT = DocBlocks.repositoryRoot();

    @TempDir
    static Path work;

    static Stream<DocBlocks.Block> blocks() {
        return DocBlocks.pages(ROOT).stream().flatMap(p -> DocBlocks.read(ROOT, p).blocks().stream());
    }

    @TestFactory
    Stream<DynamicTest> everyCompleteBlockCompilesAsPasted() {
        BlockCompiler compiler = new BlockCompiler(BlockCompiler.testClassPath(), work);
        AtomicInteger index = new AtomicInteger();
        List<DocBlocks.Block> complete = blocks().filter(b -> b.complete() || b.boot3()).toList();
        assertThat(complete).as("complete blocks in README.md and docs/").isNotEmpty();
        return complete.stream().map(b -> DynamicTest.dynamicTest(b + " " + BlockCompiler.fileName(b.code()), () -> {
            Assumptions.assumeFalse(b.boot3(), "a Spring Boot 3.5 block: not compiled beside Spring Boot 4");
            Optional<String> failure = compiler.compile(b, index.incrementAndGet());
            if (failure.isPresent()) {
                throw new AssertionError(failure.get());
            }
        }));
    }

    @Test
    void everyJavaBlockWrittenAsAWholeFileIsMarkedComplete() {
        assertThat(blocks().filter(b -> b.looksComplete() && !b.complete() && !b.boot3()).map(DocBlocks.Block::toString))
                .as("java blocks that start with a package or an import line but are not preceded by the line "
                        + DocBlocks.COMPLETE + " (mark them, so that they are compiled)")
                .isEmpty();
    }

    @Test
    void everyMarkerIsExactAndPrecedesAJavaBlock() {
        assertThat(DocBlocks.pages(ROOT).stream().flatMap(p -> DocBlocks.read(ROOT, p).strayMarkers().stream()))
                .as("markers that would leave a block unchecked").isEmpty();
    }

    @Test
    void theReadmeQuickStartsAreAmongTheCheckedBlocks() {
        List<String> readme = DocBlocks.read(ROOT, ROOT.resolve("README.md")).blocks().stream()
                .filter(DocBlocks.Block::complete).map(b -> BlockCompiler.fileName(b.code())).toList();
        assertThat(readme).contains("OrdersService.java", "OrdersApplication.java");
    }
}
