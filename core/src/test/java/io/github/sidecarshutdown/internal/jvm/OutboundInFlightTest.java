package io.github.sidecarshutdown.internal.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sidecarshutdown.ReleaseWait;
import io.github.sidecarshutdown.sidecar.OutboundTraffic;
import io.github.sidecarshutdown.sidecar.OutboundTraffic.Upstream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which outbound hosts hold the release, from the sidecar's counters now and when the shutdown began. */
class OutboundInFlightTest {

    private static Upstream host(String name, long rqActive, long rqTotal, long cxActive, long cxTotal) {
        return new Upstream("outbound|80||" + name, "10.0.0.1:80", rqActive, rqTotal, cxActive, cxTotal);
    }

    private static List<String> busy(List<Upstream> before, List<Upstream> now) {
        return OutboundInFlight.busy(new OutboundTraffic(now), new OutboundTraffic(before)).stream().map(Busy::name).toList();
    }

    @Test
    void aRequestBegunSinceTheShutdownStartedHoldsItUntilItEnds() {
        List<Upstream> before = List.of(host("collector", 0, 10, 1, 1));

        assertThat(busy(before, List.of(host("collector", 1, 11, 1, 1)))).containsExactly("outbound|80||collector (10.0.0.1:80)");
        assertThat(busy(before, List.of(host("collector", 0, 11, 1, 1)))).isEmpty();
    }

    @Test
    void aHostFirstSeenSinceWithARequestInFlightHoldsIt() {
        assertThat(busy(List.of(), List.of(host("collector", 1, 1, 1, 1)))).hasSize(1);
        assertThat(OutboundInFlight.busy(new OutboundTraffic(List.of(host("collector", 1, 1, 1, 1))), new OutboundTraffic(List.of())))
                .allSatisfy(b -> assertThat(b.kind()).isEqualTo(ReleaseWait.Kind.OUTBOUND_REQUESTS));
    }

    @Test
    void idleConnectionsAndSessionsOpenSinceBeforeTheShutdownDoNotHoldIt() {
        // an idle keep-alive or HTTP/2 connection: connections, no request
        assertThat(busy(List.of(host("orders", 0, 50, 2, 2)), List.of(host("orders", 0, 50, 2, 2)))).isEmpty();
        // a database pool or a Kafka consumer through a TCP proxy: a session is an active request for its whole life
        assertThat(busy(List.of(host("postgres", 10, 12, 10, 12)), List.of(host("postgres", 10, 12, 10, 12)))).isEmpty();
    }

    @Test
    void aNewSessionBesideOldOnesIsTakenForOneOfThemButANewHttpRequestIsNot() {
        // TCP: one more session opened and closed since; the ten active ones are the old sessions
        assertThat(busy(List.of(host("postgres", 10, 12, 10, 12)), List.of(host("postgres", 10, 13, 10, 13)))).isEmpty();
        // HTTP (connections reused): as many in flight as at the start, but some began since: they may be new
        assertThat(busy(List.of(host("orders", 1, 50, 2, 2)), List.of(host("orders", 1, 51, 2, 2)))).hasSize(1);
        // more in flight than at the start: new, whatever the protocol
        assertThat(busy(List.of(host("postgres", 10, 12, 10, 12)), List.of(host("postgres", 11, 13, 11, 13)))).hasSize(1);
    }

    @Test
    void countersThatWentBackwardsMeanARestartedSidecarAndEveryActiveRequestIsNew() {
        assertThat(busy(List.of(host("orders", 0, 500, 1, 3)), List.of(host("orders", 1, 2, 1, 1)))).hasSize(1);
    }

    @Test
    void theSidecarsNamesCannotForgeALogLine() {
        Upstream forged = new Upstream("outbound|80||a\r\nsidecar-shutdown clean in 1ms", "10.0.0.1:80", 1, 1, 1, 1);

        assertThat(OutboundInFlight.busy(new OutboundTraffic(List.of(forged)), new OutboundTraffic(List.of())))
                .singleElement().satisfies(b -> assertThat(b.name()).doesNotContain("\n", "\r").contains("\\r\\n"));
    }
}
