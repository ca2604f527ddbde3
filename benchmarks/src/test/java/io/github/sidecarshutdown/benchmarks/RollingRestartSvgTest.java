package io.github.sidecarshutdown.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class RollingRestartSvgTest {

    @Test
    void failuresAreCountedPerBucketAndOutliersLandInTheEdgeBuckets() {
        assertThat(RollingRestartSvg.buckets(List.of(-20L, 100L, 499L, 500L, 1700L, 9000L), 1200))
                .containsExactly(3, 1, 2);
    }

    @Test
    void eachPanelShowsItsFailuresOnOneSharedScaleWithItsPodEvents() throws Exception {
        RollingRestartSvg.Panel lossy = new RollingRestartSvg.Panel("plain <hook>", List.of(100L, 200L, 300L, 400L, 700L, 800L),
                List.of(0L, 1500L), List.of(1400L, 1450L), 3000);
        RollingRestartSvg.Panel clean = new RollingRestartSvg.Panel("library & co", List.of(), List.of(0L, 1600L),
                List.of(1300L, 1700L), 4000);
        String svg = RollingRestartSvg.render("Rolling restart, N=2", List.of(lossy, clean));

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
        NodeList bars = (NodeList) XPathFactory.newInstance().newXPath()
                .evaluate("//*[@class='failed']", doc, XPathConstants.NODESET);
        assertThat(bars.getLength()).isEqualTo(2);
        double tallest = Double.parseDouble(bars.item(0).getAttributes().getNamedItem("height").getNodeValue());
        double second = Double.parseDouble(bars.item(1).getAttributes().getNamedItem("height").getNodeValue());
        assertThat(second / tallest).isEqualTo(0.5);
        assertThat(svg).contains("plain &lt;hook&gt;", "library &amp; co", "4 failed, 0.0 s-0.5 s", "2 failed, 0.5 s-1.0 s",
                "old Pod deleted at 1.6 s", "new Pod Ready at 1.7 s", "last old Pod ended at 4.0 s");
        assertThat(((NodeList) XPathFactory.newInstance().newXPath().evaluate("//*[@class='deleted']", doc,
                XPathConstants.NODESET)).getLength()).isEqualTo(4);
    }
}
