package io.github.sidecarshutdown.testkit.pod;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for an app container that must be told its port before it starts (the
 * emulator's inbound listener forwards to it). Ports come from below the usual ephemeral range
 * (32768 and up on Linux), so that the sockets other processes bind with port 0 cannot take the
 * port between this check and the app's own bind.
 */
public final class LoopbackPorts {

    private static final int LOW = 20_000;
    private static final int SPAN = 10_000;

    private LoopbackPorts() {
    }

    /**
     * A loopback port in 20000-29999 that was free a moment ago.
     *
     * @throws IOException if 200 tries found none
     */
    public static int freePort() throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = LOW + ThreadLocalRandom.current().nextInt(SPAN);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free loopback port in " + LOW + "-" + (LOW + SPAN - 1));
    }
}
