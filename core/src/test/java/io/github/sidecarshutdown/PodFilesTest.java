package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Pod's annotations and labels are read from files a user names: only regular files are read,
 * bounded in size, so that a path that is a FIFO or a device cannot hang or exhaust {@code build()}
 * (issue 20, item 6). The library then goes on with its defaults, as for a missing file.
 */
class PodFilesTest {

    @TempDir
    Path dir;

    private ShutdownCoordinatorBuilder builder() {
        return ShutdownCoordinator.builder().fromEnvironment(Map.of())
                .adminUrl(URI.create(TruthFixtures.refusedUrl())).agentUrl(URI.create(TruthFixtures.refusedUrl()))
                .consulAdminUrl(URI.create(TruthFixtures.refusedUrl())).consulLifecycleUrl(URI.create(TruthFixtures.refusedUrl()))
                .kumaAdminUrl(URI.create(TruthFixtures.refusedUrl())).linkerdAdminUrl(URI.create(TruthFixtures.refusedUrl()))
                .daprUrl(URI.create(TruthFixtures.refusedUrl())).adminTimeout(Duration.ofMillis(200));
    }

    @Test
    void aFifoForTheAnnotationsOrTheLabelsDoesNotBlockBuild() throws Exception {
        // given a named pipe nobody writes to
        Path fifo = dir.resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mk.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(mk.exitValue()).isZero();

        // when / then: build() returns, with the defaults a missing file gives
        ShutdownCoordinator c = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> builder().annotationsFile(fifo).labelsFile(fifo).build());
        assertThat(c.settings().workload()).isEqualTo(Workload.SERVICE);
    }

    @Test
    void anEndlessDeviceForTheAnnotationsOrTheLabelsIsNotRead() throws Exception {
        Path zero = Path.of("/dev/zero");
        assertThat(Files.exists(zero)).isTrue();

        ShutdownCoordinator c = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> builder().annotationsFile(zero).labelsFile(zero).build());

        assertThat(c.settings().workload()).isEqualTo(Workload.SERVICE);
        assertThat(c.plan().facts().mode().toString()).isNotBlank();
    }
}
