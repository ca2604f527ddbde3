package io.github.sidecarshutdown.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.benchmarks.TimelineSvg.Bar;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class TimelineSvgTest {

    private static final String REPORT = "sidecar-shutdown clean in 2.7s of 28s (trigger jvm_hook, sidecar istio 1.26.2, terminating"
            + " at start, released) phases: readiness_off=succeeded 2ms, propagation_delay=succeeded 1.5s,"
            + " inbound_drain=succeeded 15ms, cleanup=succeeded 1.103s, sidecar_release=succeeded 300us;"
            + " tasks: cleanup-calls=succeeded 1.1s";

    @Test
    void phasesAreLaidBackToBackEndingWhenTheReportWasPrinted() {
        List<Bar> bars = TimelineSvg.phases(REPORT, 3000);
        assertThat(bars).extracting(Bar::label)
                .containsExactly("readiness_off", "propagation_delay", "inbound_drain", "cleanup", "sidecar_release");
        assertThat(bars).extracting(Bar::fromMs).containsExactly(380L, 382L, 1882L, 1897L, 3000L);
        assertThat(bars).extracting(Bar::toMs).containsExactly(382L, 1882L, 1897L, 3000L, 3000L);
    }

    @Test
    void aLineWithoutPhasesGivesNoBars() {
        assertThat(TimelineSvg.phases("sidecar-shutdown disabled", 100)).isEmpty();
    }

    @Test
    void theDrawingIsWellFormedSvgWithEveryLaneCallAndExit() throws Exception {
        TimelineSvg.Pod pod = new TimelineSvg.Pod("with <library>", List.of(
                new TimelineSvg.Lane("istio-proxy", List.of(new Bar(0, 2790, "draining", "#fee391")), List.of(), 2790),
                new TimelineSvg.Lane("app", TimelineSvg.phases(REPORT, 2700),
                        List.of(new TimelineSvg.Tick(2240, true, "cleanup-call 1 ok"),
                                new TimelineSvg.Tick(2740, false, "cleanup-call 2 failed")), 2750)), 2790);
        String svg = TimelineSvg.render("One Pod & its sidecar", List.of(pod));

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(svg).contains("with &lt;library&gt;", "One Pod &amp; its sidecar", "exit 2.79 s", "exit 2.75 s",
                "cleanup-call 1 ok at 2.24 s", "stroke=\"#238b45\"", "stroke=\"#cb181d\"", "propagation_delay");
    }
}
