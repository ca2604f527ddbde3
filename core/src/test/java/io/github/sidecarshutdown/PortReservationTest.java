package io.github.sidecarshutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * The suite's ports for sidecars that come up late and for URLs that must refuse: reserved, so that
 * no other socket (the other test fork's fakes among them) takes them meanwhile, and refusing.
 */
class PortReservationTest {

    @Test
    void aFreePortRefusesAndCannotBeTakenUntilItsServerBindsIt() throws Exception {
        int port = TruthFixtures.freePort();

        assertThatThrownBy(() -> connect(port)).isInstanceOf(ConnectException.class);
        try (ServerSocket other = new ServerSocket()) {
            other.setReuseAddress(true);
            assertThatThrownBy(() -> other.bind(loopback(port))).isInstanceOf(BindException.class);
        }

        try (ScriptedLoopbackServer sidecar = new ScriptedLoopbackServer(port, r -> ScriptedLoopbackServer.Reply.of(200, ""))) {
            connect(port); // the late sidecar got its port
        }
    }

    @Test
    void aRefusedUrlKeepsRefusing() throws Exception {
        int port = URI.create(TruthFixtures.refusedUrl()).getPort();

        assertThatThrownBy(() -> connect(port)).isInstanceOf(ConnectException.class);
        try (ServerSocket other = new ServerSocket()) {
            other.setReuseAddress(true);
            assertThatThrownBy(() -> other.bind(loopback(port))).isInstanceOf(BindException.class);
        }
        assertThat(URI.create(TruthFixtures.refusedUrl()).getPort()).as("two in a row differ").isNotEqualTo(port);
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    private static void connect(int port) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(loopback(port), 2_000);
        }
    }
}
