package io.github.sidecarshutdown.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FootprintBenchmarkTest {

    @Test
    void theDependencyTreeGivesEveryDependencyButTheCoreWithScopeAndOptionality() {
        List<String[]> deps = FootprintBenchmark.parseTree(List.of(
                "io.github.sidecarshutdown:sidecar-shutdown-core:jar:0.1.0-SNAPSHOT",
                "+- com.squareup.okhttp3:okhttp:jar:4.12.0:compile",
                "|  +- com.squareup.okio:okio:jar:3.6.0:compile",
                "|  \\- org.jetbrains.kotlin:kotlin-stdlib-jdk8:jar:2.2.21:compile",
                "\\- io.micrometer:micrometer-core:jar:1.16.6:compile (optional)"));
        assertThat(deps).extracting(d -> String.join(":", d)).containsExactly(
                "com.squareup.okhttp3:okhttp:4.12.0:compile:",
                "com.squareup.okio:okio:3.6.0:compile:",
                "org.jetbrains.kotlin:kotlin-stdlib-jdk8:2.2.21:compile:",
                "io.micrometer:micrometer-core:1.16.6:compile:optional");
    }
}
