package io.github.sidecarshutdown.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FigureTest {

    @Test
    void medianOfAnOddCountIsTheMiddleSampleWhateverTheOrder() {
        Figure f = new Figure("s", "n", "ms", "v", List.of(9.0, 1.0, 5.0));
        assertThat(f.median()).isEqualTo(5.0);
        assertThat(f.min()).isEqualTo(1.0);
        assertThat(f.max()).isEqualTo(9.0);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleSamples() {
        assertThat(Figure.median(List.of(4.0, 1.0, 3.0, 10.0))).isEqualTo(3.5);
        assertThat(Figure.of("s", "n", "ms", "v", 7).median()).isEqualTo(7.0);
    }

    @Test
    void aFigureWithoutSamplesIsRefused() {
        assertThatThrownBy(() -> new Figure("s", "gap", "ms", "v", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("samples: empty (expected: at least one measurement of gap)");
    }

    @Test
    void rangeShowsMedianMinAndMaxOrTheOnlyValue() {
        assertThat(TerminationBenchmark.range(List.of(3.0, 1.0, 2.0), "%.0f")).isEqualTo("2 [1-3]");
        assertThat(TerminationBenchmark.range(List.of(2.5), "%.1f")).isEqualTo("2.5");
    }
}
