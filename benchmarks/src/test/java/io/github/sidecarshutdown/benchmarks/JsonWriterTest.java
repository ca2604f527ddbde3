package io.github.sidecarshutdown.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonWriterTest {

    @Test
    void everyFigureCarriesNameUnitVariantMedianMinMaxAndSamples() {
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("cores", "2");
        String json = JsonWriter.write(machine, List.of(
                new Figure("termination", "pod-termination", "ms", "ISTIO_1_5 work=1s library", List.of(2800.0, 2700.0, 2900.0)),
                Figure.of("hot-path", "in-flight-tracking", "ns/op", "tracked threads=1", 10.25)));
        assertThat(json).isEqualTo("""
                {
                  "machine": {"cores": "2"},
                  "figures": [
                    {"section": "termination", "name": "pod-termination", "unit": "ms", "variant": "ISTIO_1_5 work=1s library", \
                "median": 2800, "min": 2700, "max": 2900, "samples": [2800, 2700, 2900]},
                    {"section": "hot-path", "name": "in-flight-tracking", "unit": "ns/op", "variant": "tracked threads=1", \
                "median": 10.2500, "min": 10.2500, "max": 10.2500, "samples": [10.2500]}
                  ]
                }
                """);
    }

    @Test
    void stringsAreEscapedAndNonFiniteNumbersBecomeNull() {
        assertThat(JsonWriter.quote("a\"b\\c\nd\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001\"");
        assertThat(JsonWriter.number(Double.NaN)).isEqualTo("null");
        assertThat(JsonWriter.number(Double.POSITIVE_INFINITY)).isEqualTo("null");
        assertThat(JsonWriter.number(-3)).isEqualTo("-3");
    }
}
